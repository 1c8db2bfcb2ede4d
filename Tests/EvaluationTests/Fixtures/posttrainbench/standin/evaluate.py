#!/usr/bin/env python3
"""A stand-in for a PostTrainBench task's evaluate.py, following the same contract without a GPU.

Same arguments as the real scripts (--model-path, --limit, --json-output-file, --templates-dir, --max-tokens),
same model-type detection (from the path, else config.json's architectures), same output: a JSON object of
metric name -> value written to --json-output-file. Instead of serving the model with vLLM it scores a fixed toy
task from the model's config, so the numbers are deterministic.

Test switches (environment variables):
  STANDIN_RECORD=FILE            append one JSON line per invocation (argv, cwd)
  STANDIN_MAX_TOKENS_THAT_FIT=N  fail like an out-of-memory run (no metrics file) when --max-tokens > N
  STANDIN_CRASH=1                raise before writing anything
  STANDIN_BAD_JSON=1             write a metrics file that is not JSON
  STANDIN_SPAWN_ORPHAN=MARKER    leave a detached process with MARKER on its command line (like a stray vLLM)
"""
import argparse
import json
import os
import subprocess
import sys


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-path", type=str, default="final_model")
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--json-output-file", type=str, default=None)
    parser.add_argument("--templates-dir", type=str, default="templates/")
    parser.add_argument("--max-tokens", type=int, default=4000)
    return parser.parse_args()


def model_type(model_path: str) -> str:
    for name in ("qwen", "llama", "gemma", "smollm"):
        if name in model_path.lower():
            return name
    with open(os.path.join(model_path, "config.json")) as handle:
        architecture = json.load(handle)["architectures"][0].lower()
    for name in ("gemma", "llama", "qwen", "smollm"):
        if name in architecture:
            return name
    raise ValueError(architecture)


def main() -> None:
    args = parse_args()
    if os.environ.get("STANDIN_RECORD"):
        with open(os.environ["STANDIN_RECORD"], "a") as handle:
            handle.write(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd()}) + "\n")
    if os.environ.get("STANDIN_SPAWN_ORPHAN"):
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(300)", os.environ["STANDIN_SPAWN_ORPHAN"]],
            start_new_session=True,
        )
    if os.environ.get("STANDIN_CRASH"):
        raise RuntimeError("stand-in evaluator crashed on purpose")
    fits = os.environ.get("STANDIN_MAX_TOKENS_THAT_FIT")
    if fits and args.max_tokens > int(fits):
        print(f"torch.OutOfMemoryError: generation with max_tokens={args.max_tokens} does not fit", file=sys.stderr)
        sys.exit(1)

    kind = model_type(args.model_path)
    template_name = {"llama": "llama3.jinja", "gemma": "gemma3.jinja", "smollm": "smollm.jinja"}.get(kind)
    template = os.path.join(args.templates_dir, template_name or "")
    if template_name is not None and not os.path.exists(template):
        raise FileNotFoundError(template)

    limit = args.limit if args.limit not in (None, -1) else 150
    correct = limit // 4
    accuracy = correct / limit
    stderr = (accuracy * (1 - accuracy) / (limit - 1)) ** 0.5 if limit > 1 else 0.0
    print("stdout is not where the metrics are read from: accuracy=999")
    if args.json_output_file is not None:
        with open(args.json_output_file, "w") as handle:
            if os.environ.get("STANDIN_BAD_JSON"):
                handle.write("accuracy: oops")
            else:
                json.dump({"accuracy": accuracy, "stderr": stderr}, handle, indent=2)


if __name__ == "__main__":
    main()
