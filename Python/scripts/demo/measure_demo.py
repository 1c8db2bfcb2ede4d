#!/usr/bin/env python3
"""Measure the demo's steps by hand: baseline evaluation, LoRA training, export, trained evaluation.

This is the harness behind MEASUREMENTS.md, kept so the figures can be re-measured on another
machine. It runs the same tools the demo runs (LlamaFactory's CLI for training and export,
transformers for batched greedy generation with the model's chat template, exact match after
stripping whitespace) on the two files the Swift `DemoBenchmark` writes, and prints one JSON
object with scores, a paired bootstrap 95% interval of the gain, and wall times per step.
The demo itself evaluates through the local benchmark evaluator, not through this script.

Example:
  OMP_NUM_THREADS=2 python measure_demo.py --model ~/.cache/autotrainess/models/demo-base-135m \\
      --test test.jsonl --train train.json --work /tmp/measure --steps 60 --batch-size 8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

# The PyPI torchvision and torchaudio builds paired with a CPU torch crash at import, and
# neither is needed here: a None entry makes `import` fail cleanly and transformers skip them.
for _unused in ("torchvision", "torchaudio"):
    sys.modules.setdefault(_unused, None)

# LlamaFactory imports torchaudio unconditionally (for audio data only); this file, put first on
# PYTHONPATH of the llamafactory-cli child, hands it an empty module instead.
SITECUSTOMIZE = """import importlib.machinery, sys, types
sys.modules.setdefault("torchvision", None)
_audio = types.ModuleType("torchaudio")
_audio.__spec__ = importlib.machinery.ModuleSpec("torchaudio", None)
sys.modules.setdefault("torchaudio", _audio)
"""


def log(message: str) -> None:
    print(f"[measure_demo] {message}", file=sys.stderr, flush=True)


def evaluate(model: Path, items: list[dict], batch_size: int, max_new_tokens: int) -> tuple[list[float], float]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.monotonic()
    tokenizer = AutoTokenizer.from_pretrained(str(model))
    tokenizer.padding_side = "left"
    network = AutoModelForCausalLM.from_pretrained(str(model), dtype=torch.float32).eval()
    scores: list[float] = []
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        texts = [
            tokenizer.apply_chat_template(
                [{"role": "user", "content": item["prompt"]}], tokenize=False, add_generation_prompt=True
            )
            for item in batch
        ]
        encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.no_grad():
            generated = network.generate(
                **encoded, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        width = encoded["input_ids"].shape[1]
        for item, row in zip(batch, generated):
            answer = tokenizer.decode(row[width:], skip_special_tokens=True).strip()
            scores.append(1.0 if answer == item["target"] else 0.0)
        log(f"evaluated {len(scores)}/{len(items)} of {model.name}")
    return scores, time.monotonic() - started


def paired_bootstrap(base: list[float], trained: list[float], rounds: int = 2000) -> tuple[float, float]:
    rng = random.Random(0)
    differences = [t - b for b, t in zip(base, trained)]
    means = sorted(
        sum(differences[rng.randrange(len(differences))] for _ in differences) / len(differences)
        for _ in range(rounds)
    )
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def llamafactory(arguments: list[str], config: dict, path: Path, log_path: Path) -> float:
    # LlamaFactory 0.9.5 crashes on `.json` configs (it calls json.load on a Path); JSON is valid
    # YAML, so the same text is written with a `.yaml` name and read through OmegaConf.
    path.write_text(json.dumps(config, indent=1))
    shim = path.parent / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE)
    environment = dict(os.environ, PYTHONPATH=str(shim))
    command = [str(Path(sys.executable).parent / "llamafactory-cli"), *arguments, str(path)]
    started = time.monotonic()
    with open(log_path, "w") as output:
        result = subprocess.run(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        sys.exit(f"[measure_demo] error: {' '.join(command)} exited {result.returncode}; see {log_path}")
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="converted base model folder")
    parser.add_argument("--test", type=Path, required=True, help="test split JSONL (id, prompt, target, scorer)")
    parser.add_argument("--train", type=Path, required=True, help="training split, alpaca JSON array")
    parser.add_argument("--work", type=Path, required=True, help="folder for configs, adapter and merged model")
    parser.add_argument("--template", default="smollm2", help="LlamaFactory chat template")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--lora-rank", type=int, default=16)
    parser.add_argument("--cutoff-len", type=int, default=96)
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N test items")
    parser.add_argument("--eval-batch-size", type=int, default=25)
    parser.add_argument("--max-new-tokens", type=int, default=8)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    for path in (args.model, args.test, args.train):
        if not path.exists():
            sys.exit(f"[measure_demo] error: {path} does not exist")
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    items = [json.loads(line) for line in args.test.read_text().splitlines() if line.strip()][: args.limit]
    data = work / "data"
    data.mkdir(exist_ok=True)
    (data / "train.json").write_text(args.train.read_text())
    (data / "dataset_info.json").write_text(json.dumps({"demo_train": {"file_name": "train.json"}}))
    result: dict = {"threads": os.environ.get("OMP_NUM_THREADS"), "test_items": len(items), "steps": args.steps}

    if not args.skip_baseline:
        base_scores, result["baseline_eval_s"] = evaluate(args.model, items, args.eval_batch_size, args.max_new_tokens)
        result["baseline_score"] = sum(base_scores) / len(base_scores)
        log(f"baseline {result['baseline_score']:.3f}")
    train = {
        "model_name_or_path": str(args.model.resolve()), "stage": "sft", "do_train": True,
        "finetuning_type": "lora", "lora_target": "all", "lora_rank": args.lora_rank,
        "lora_alpha": 2 * args.lora_rank, "lora_dropout": 0.0, "dataset": "demo_train", "dataset_dir": str(data),
        "template": args.template, "cutoff_len": args.cutoff_len, "overwrite_cache": True,
        "preprocessing_num_workers": 1, "output_dir": str(work / "adapter"), "logging_steps": 5,
        "save_strategy": "no", "plot_loss": False, "overwrite_output_dir": True,
        "per_device_train_batch_size": args.batch_size, "gradient_accumulation_steps": 1,
        "learning_rate": args.learning_rate, "max_steps": args.steps, "lr_scheduler_type": "cosine",
        "warmup_ratio": 0.05, "bf16": False, "fp16": False, "report_to": "none", "dataloader_num_workers": 0,
        "seed": 42,
    }
    result["train_s"] = llamafactory(["train"], train, work / "train.yaml", work / "train.log")
    log(f"trained in {result['train_s']:.0f}s")
    export = {
        "model_name_or_path": str(args.model.resolve()), "adapter_name_or_path": str(work / "adapter"),
        "template": args.template, "finetuning_type": "lora", "export_dir": str(work / "merged"),
        "export_size": 5, "export_legacy_format": False,
    }
    result["export_s"] = llamafactory(["export"], export, work / "export.yaml", work / "export.log")
    trained_scores, result["trained_eval_s"] = evaluate(
        work / "merged", items, args.eval_batch_size, args.max_new_tokens
    )
    result["trained_score"] = sum(trained_scores) / len(trained_scores)
    if not args.skip_baseline:
        result["gain_interval_95"] = paired_bootstrap(base_scores, trained_scores)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
