"""Greedy, batched generation with a local transformers model, for AutoTrainess's LocalBenchmarkEvaluator.

    python generate.py --model-path DIR --input prompts.jsonl --output outputs.jsonl \
        --info-file info.json [--max-new-tokens 256] [--batch-size 8] [--device cpu]

Input lines:  {"id": "q1", "prompt": "..."}
Output lines: {"id": "q1", "output": "...", "output_tokens": 12, "truncated": false, "duration_seconds": 0.4}
              (one per input line, in input order; a batch's wall time is shared equally by its prompts)
Info file:    {"python": ..., "torch": ..., "transformers": ..., "chat_template": true, "device": "cpu", ...}
Progress:     "progress DONE/TOTAL" lines on stderr.

When the tokenizer has a chat template, each prompt is sent as one user message with the generation prompt
appended; otherwise the raw prompt is tokenized. Exit codes: 0 done, 2 bad arguments or input, 3 the model or
tokenizer failed to load (the message follows "MODEL_LOAD_ERROR:" on stderr).
"""
import argparse
import json
import platform
import sys
import time

# The PyPI torchvision build next to a CPU torch crashes at import ("operator torchvision::nms does not exist"),
# and transformers imports it when present. Text generation never needs it, so hide it before transformers loads.
sys.modules["torchvision"] = None


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--info-file", required=True)
    parser.add_argument("--max-new-tokens", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu")
    return parser.parse_args()


def read_prompts(path: str) -> list[dict]:
    prompts = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                prompts.append({"id": str(record["id"]), "prompt": str(record["prompt"])})
            except (ValueError, KeyError) as error:
                log(f"{path}:{number}: expected {{\"id\", \"prompt\"}}: {error}")
                sys.exit(2)
    return prompts


def main() -> None:
    args = parse_args()
    prompts = read_prompts(args.input)

    import torch
    import transformers
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    try:
        tokenizer = AutoTokenizer.from_pretrained(args.model_path)
        model = AutoModelForCausalLM.from_pretrained(args.model_path, dtype=torch.float32)
    except Exception as error:  # noqa: BLE001 - any load failure is reported the same way
        log(f"MODEL_LOAD_ERROR: {type(error).__name__}: {error}")
        sys.exit(3)
    model.to(args.device)
    model.eval()

    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    use_chat_template = bool(getattr(tokenizer, "chat_template", None))
    eos_ids = set()
    for candidate in (model.generation_config.eos_token_id, tokenizer.eos_token_id):
        if isinstance(candidate, int):
            eos_ids.add(candidate)
        elif isinstance(candidate, list):
            eos_ids.update(candidate)

    def render(prompt: str) -> str:
        if use_chat_template:
            return tokenizer.apply_chat_template(
                [{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True
            )
        return prompt

    info = {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "chat_template": use_chat_template,
        "device": args.device,
        "max_new_tokens": args.max_new_tokens,
        "batch_size": args.batch_size,
        "decoding": "greedy",
    }
    with open(args.info_file, "w", encoding="utf-8") as handle:
        json.dump(info, handle)

    done = 0
    log(f"progress 0/{len(prompts)}")
    with open(args.output, "w", encoding="utf-8") as out:
        for start in range(0, len(prompts), args.batch_size):
            batch = prompts[start : start + args.batch_size]
            texts = [render(item["prompt"]) for item in batch]
            encoded = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=not use_chat_template)
            encoded = {key: value.to(args.device) for key, value in encoded.items()}
            began = time.monotonic()
            with torch.no_grad():
                generated = model.generate(
                    **encoded,
                    do_sample=False,
                    max_new_tokens=args.max_new_tokens,
                    pad_token_id=tokenizer.pad_token_id,
                )
            share = (time.monotonic() - began) / len(batch)
            prompt_length = encoded["input_ids"].shape[1]
            for item, row in zip(batch, generated):
                new_tokens = row[prompt_length:].tolist()
                ended = next((i for i, token in enumerate(new_tokens) if token in eos_ids), None)
                kept = new_tokens if ended is None else new_tokens[:ended]
                kept = [token for token in kept if token != tokenizer.pad_token_id]
                record = {
                    "id": item["id"],
                    "output": tokenizer.decode(kept, skip_special_tokens=True),
                    "output_tokens": len(kept),
                    "truncated": ended is None and len(new_tokens) >= args.max_new_tokens,
                    "duration_seconds": round(share, 4),
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done += len(batch)
            log(f"progress {done}/{len(prompts)}")


if __name__ == "__main__":
    main()
