#!/bin/bash
# Slurm job array over an archive: each task takes its shard of the recordings and writes into
# one output folder on the shared file system; a recording already done is skipped, so a task
# that failed can be resubmitted alone by its index. Every parameter is an environment variable
# (pass them with `sbatch --export=ALL,NAME=value,...` or export them before `sbatch`):
#
#   RAPPORTEUR_INPUT    folder (or list file) of recordings             (required)
#   RAPPORTEUR_OUT      output folder, on the shared file system        (required)
#   RAPPORTEUR_SHARDS   the array's size N; submit with --array=1-N     (required)
#   RAPPORTEUR_MODEL    model name or ggml path                          (default: base)
#   RAPPORTEUR_MODELS   model store, installed once on the shared file system
#                       (`rapporteur models install base`)              (default: the user's)
#   RAPPORTEUR_BIN      the rapporteur binary                            (default: rapporteur)
#   RAPPORTEUR_ARGS     further `batch` options, such as "--language en" (default: none)
# Threads per task follow --cpus-per-task (SLURM_CPUS_PER_TASK).
#
#   N=8; export RAPPORTEUR_INPUT=/shared/archive RAPPORTEUR_OUT=/shared/archive-out RAPPORTEUR_SHARDS=$N
#   job=$(sbatch --parsable --array=1-$N%4 deploy/slurm-batch.sh)
#   sbatch --dependency=afterany:$job --wrap "rapporteur catalog $RAPPORTEUR_OUT"
#   # a task that failed (state FAILED), once its recording is mended: the same command with --array=K
#
# The shard is the task's index out of RAPPORTEUR_SHARDS (not SLURM_ARRAY_TASK_COUNT), so a
# task resubmitted alone keeps its own shard.
#SBATCH --job-name=rapporteur
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=24:00:00
#SBATCH --output=rapporteur-%A_%a.log
set -euo pipefail
: "${RAPPORTEUR_INPUT:?set RAPPORTEUR_INPUT to the folder of recordings}"
: "${RAPPORTEUR_OUT:?set RAPPORTEUR_OUT to the output folder}"
: "${RAPPORTEUR_SHARDS:?set RAPPORTEUR_SHARDS to the array size N (--array=1-N)}"
: "${SLURM_ARRAY_TASK_ID:?submit as a job array: sbatch --array=1-N}"
threads=${SLURM_CPUS_PER_TASK:-1}
# shellcheck disable=SC2086 # RAPPORTEUR_ARGS is a list of options
exec "${RAPPORTEUR_BIN:-rapporteur}" batch "$RAPPORTEUR_INPUT" --out "$RAPPORTEUR_OUT" \
  --model "${RAPPORTEUR_MODEL:-base}" --shard "$SLURM_ARRAY_TASK_ID/$RAPPORTEUR_SHARDS" \
  --jobs 1 --threads "$threads" ${RAPPORTEUR_ARGS:-}
