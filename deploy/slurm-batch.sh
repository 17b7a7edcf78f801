#!/bin/bash
# Slurm job array: 8 tasks share the archive; each takes its shard (--shard auto reads
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT). All write into one folder on the shared
# file system; a task that dies can be resubmitted (`sbatch --array=5 ...`) and redoes only
# what it had not finished. When all are done: `rapporteur catalog /shared/archive-out`.
#
#   sbatch deploy/slurm-batch.sh
#
#SBATCH --job-name=rapporteur
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
#SBATCH --time=24:00:00
#SBATCH --output=rapporteur-%A_%a.log
set -euo pipefail
# Models installed once on the shared file system (`rapporteur models install base`).
export RAPPORTEUR_MODELS=/shared/rapporteur/models
rapporteur batch /shared/archive --out /shared/archive-out --shard auto --json
