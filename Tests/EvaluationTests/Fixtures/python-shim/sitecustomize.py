# Test-only: hides a broken torchvision (the PyPI build crashes at import next to a CPU torch) from processes
# started with this folder on PYTHONPATH, so that inspect's hf/ provider can import transformers. The managed
# environment uninstalls torchvision; this only matters when tests point AUTOTRAINESS_PYTHON_VENV at a venv
# that still has it.
import sys

sys.modules.setdefault("torchvision", None)
