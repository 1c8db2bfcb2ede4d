"""Greedy, batched generation with a local transformers model, for AutoTrainess's LocalBenchmarkEvaluator.

    python generate.py --model-path DIR --input prompts.jsonl --output outputs.jsonl \
        --info-file info.json [--max-new-tokens 256] [--batch-size 8] [--device cpu] \
        [--samples K --temperature T --seed S]

Input lines:  {"id": "q1", "prompt": "..."}
Output lines: {"id": "q1", "output": "...", "output_tokens": 12, "truncated": false, "duration_seconds": 0.4}
              (with --samples K > 1 or --temperature > 0, sampled, and "outputs": the K answers)
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
    parser.add_argument("--samples", type=int, default=1, help="answers per prompt (sampled when above 1)")
    parser.add_argument("--temperature", type=float, default=0.0, help="sampling temperature (0: greedy)")
    parser.add_argument("--seed", type=int, default=0)
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

    torch.manual_seed(args.seed)
    sampling = args.samples > 1 or args.temperature > 0
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
        "decoding": f"sampled, temperature {args.temperature or 1.0}, {args.samples} per prompt" if sampling else "greedy",
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
                options = {"do_sample": True, "temperature": args.temperature or 1.0,
                           "num_return_sequences": args.samples} if sampling else {"do_sample": False}
                generated = model.generate(
                    **encoded,
                    **options,
                    max_new_tokens=args.max_new_tokens,
                    pad_token_id=tokenizer.pad_token_id,
                )
            share = (time.monotonic() - began) / len(batch)
            prompt_length = encoded["input_ids"].shape[1]
            per_prompt = args.samples if sampling else 1
            for index, item in enumerate(batch):
                answers = []
                for row in generated[index * per_prompt:(index + 1) * per_prompt]:
                    new_tokens = row[prompt_length:].tolist()
                    ended = next((i for i, token in enumerate(new_tokens) if token in eos_ids), None)
                    kept = new_tokens if ended is None else new_tokens[:ended]
                    kept = [token for token in kept if token != tokenizer.pad_token_id]
                    answers.append((tokenizer.decode(kept, skip_special_tokens=True), len(kept),
                                    ended is None and len(new_tokens) >= args.max_new_tokens))
                record = {
                    "id": item["id"],
                    "output": answers[0][0],
                    "output_tokens": answers[0][1],
                    "truncated": answers[0][2],
                    "duration_seconds": round(share, 4),
                }
                if sampling:
                    record["outputs"] = [answer[0] for answer in answers]
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            done += len(batch)
            log(f"progress {done}/{len(prompts)}")


if __name__ == "__main__":
    main()
