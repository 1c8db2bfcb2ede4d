#!/usr/bin/env bash
# Creates the venv a PostTrainBench run on a GPU machine evaluates in: the benchmark's own evaluation stack
# (vLLM 0.11.0, transformers 4.57.3, inspect-ai 0.3.150, inspect-evals), as in its agent and final-eval containers.
#
# It is a separate venv because that stack cannot share the managed training environment: vLLM 0.11.0 pins
# torch 2.8.0 and transformers < 5, while the training stack pins torch 2.13.0 and transformers 5.6.0. A run uses it
# for the task's evaluate.py and for the final load check of final_model/ ("it must load in the starting
# environment"):
#
#   scripts/install-posttrainbench-gpu-env.sh [VENV]          # default ~/.cache/autotrainess/venv-ptb-gpu
#   autotrainess run --posttrainbench ~/task --base-model /models/Qwen3-1.7B-Base --evaluation-venv VENV ...
#
# Idempotent: a venv whose marker matches these pins is left alone. Needs an NVIDIA GPU with a CUDA driver; it has
# not been run by the test suite (no GPU there).
set -euo pipefail

VENV="${1:-${HOME}/.cache/autotrainess/venv-ptb-gpu}"
PINS=(vllm==0.11.0 transformers==4.57.3 inspect-ai==0.3.150 inspect-evals)
MARKER="${VENV}/.autotrainess-ptb-gpu"

if [[ -f "${MARKER}" && "$(cat "${MARKER}")" == "${PINS[*]}" ]]; then
  echo "PostTrainBench evaluation venv ready at ${VENV} (${PINS[*]})"
  exit 0
fi
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "warning: nvidia-smi not found: vLLM needs an NVIDIA GPU; installing anyway" >&2
fi
echo "Creating the PostTrainBench evaluation venv at ${VENV} (several GB of CUDA wheels; once)"
python3 -m venv "${VENV}"
"${VENV}/bin/python" -m pip install --upgrade pip
echo "Installing ${PINS[*]}"
"${VENV}/bin/python" -m pip install "${PINS[@]}"
echo "Checking that vLLM and inspect import"
"${VENV}/bin/python" -c 'import vllm, inspect_ai, transformers; print("vllm", vllm.__version__, "transformers", transformers.__version__, "inspect_ai", inspect_ai.__version__)'
echo "${PINS[*]}" > "${MARKER}"
echo "PostTrainBench evaluation venv ready at ${VENV}"
