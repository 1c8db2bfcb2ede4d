"""A plain transformers training loop: the yardstick `autotrainess-bench training` holds the backend against.

What an agent writes for itself with a bare shell: load the model in fp32, tokenize alpaca rows with the model's
own chat template (prompt tokens masked out of the loss), pad each batch to its longest row, AdamW with a cosine
schedule and 5% warm-up, no gradient checkpointing, `torch.set_num_threads(threads)`. LoRA (peft, all linear
layers) or full fine-tuning. Timed like the Trainer's `train_runtime`: from the first batch to the last optimizer
step, model loading excluded.

    python plain_training_loop.py --model DIR --data train.json --method lora --steps 12 --batch-size 8 \
        --cutoff 96 --lr 2e-3 --threads 2 --output result.json
"""

import argparse
import json
import math
import random
import time

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def tokenize(tokenizer, row, cutoff):
    prompt = [{"role": "user", "content": (row["instruction"] + "\n" + row.get("input", "")).strip()}]
    prompt_text = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt_text, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(row["output"] + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
    ids = (list(prompt_ids) + answer_ids)[:cutoff]
    labels = ([-100] * len(prompt_ids) + answer_ids)[:cutoff]
    return ids, labels


def batches(rows, batch_size, pad_id, seed):
    generator = random.Random(seed)
    order = list(range(len(rows)))
    while True:
        generator.shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            chosen = [rows[i] for i in order[start:start + batch_size]]
            width = max(len(ids) for ids, _ in chosen)
            input_ids = torch.full((batch_size, width), pad_id, dtype=torch.long)
            labels = torch.full((batch_size, width), -100, dtype=torch.long)
            mask = torch.zeros((batch_size, width), dtype=torch.long)
            for row, (ids, row_labels) in enumerate(chosen):
                input_ids[row, :len(ids)] = torch.tensor(ids)
                labels[row, :len(ids)] = torch.tensor(row_labels)
                mask[row, :len(ids)] = 1
            yield input_ids, mask, labels


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True, help="alpaca JSON list: instruction, input, output")
    parser.add_argument("--method", choices=["lora", "full"], default="lora")
    parser.add_argument("--steps", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--cutoff", type=int, default=96)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--lora-rank", type=int, default=16)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    model = AutoModelForCausalLM.from_pretrained(args.model, dtype=torch.float32)
    if args.method == "lora":
        from peft import LoraConfig, get_peft_model

        targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
        model = get_peft_model(
            model, LoraConfig(r=args.lora_rank, lora_alpha=2 * args.lora_rank, lora_dropout=0.0,
                              target_modules=targets, task_type="CAUSAL_LM"))
    model.train()
    with open(args.data, encoding="utf-8") as handle:
        rows = [tokenize(tokenizer, row, args.cutoff) for row in json.load(handle)]
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=args.lr)
    warmup = max(1, math.ceil(0.05 * args.steps))

    def schedule(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, args.steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    losses = []
    stream = batches(rows, args.batch_size, pad_id, args.seed)
    start = time.perf_counter()
    for _ in range(args.steps):
        input_ids, mask, labels = next(stream)
        loss = model(input_ids=input_ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
    runtime = time.perf_counter() - start
    result = {
        "train_runtime": runtime,
        "train_samples_per_second": args.steps * args.batch_size / runtime,
        "seconds_per_step": runtime / args.steps,
        "first_loss": losses[0],
        "final_loss": losses[-1],
        "threads": torch.get_num_threads(),
    }
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
