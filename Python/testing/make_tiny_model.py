"""Builds a tiny random Qwen2-architecture chat model and a small alpaca dataset, for integration tests.

Usage: python Python/testing/make_tiny_model.py OUTPUT_DIR

Writes OUTPUT_DIR/model (config, fp32 safetensors, a byte-level BPE tokenizer trained here with `tokenizers`,
a chatml chat template, generation config) and OUTPUT_DIR/data (dataset_info.json + toy_sft.json).
Nothing is downloaded: the model is random (hidden 64, 2 layers), so it trains in seconds on a CPU.
"""

import json
import os
import sys

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, GenerationConfig

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def examples():
    rows = []
    for a in range(8):
        for b in range(8):
            rows.append({"instruction": f"What is {a} plus {b}?", "input": "", "output": f"The answer is {a + b}."})
    return rows


def main(output):
    model_dir = os.path.join(output, "model")
    data_dir = os.path.join(output, "data")
    os.makedirs(model_dir, exist_ok=True)
    os.makedirs(data_dir, exist_ok=True)
    torch.manual_seed(0)

    rows = examples()
    corpus = [f"{r['instruction']} {r['output']}" for r in rows] + ["system user assistant You are a helpful assistant."]
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512, special_tokens=SPECIAL, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tokenizer.train_from_iterator(corpus * 4, trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=["<|im_start|>"],
    )
    fast.chat_template = CHATML
    fast.model_max_length = 512
    fast.save_pretrained(model_dir)

    config = Qwen2Config(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=fast.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=fast.convert_tokens_to_ids("<|endoftext|>"),
        torch_dtype="float32",
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=config.eos_token_id, pad_token_id=config.pad_token_id, max_new_tokens=16
    )
    model.save_pretrained(model_dir, safe_serialization=True)

    with open(os.path.join(data_dir, "toy_sft.json"), "w", encoding="utf-8") as handle:
        json.dump(rows, handle, indent=1)
    with open(os.path.join(data_dir, "dataset_info.json"), "w", encoding="utf-8") as handle:
        json.dump({"toy_sft": {"file_name": "toy_sft.json"}}, handle, indent=1)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.stderr.write("usage: make_tiny_model.py OUTPUT_DIR\n")
        sys.exit(2)
    main(sys.argv[1])
