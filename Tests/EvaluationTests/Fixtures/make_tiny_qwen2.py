"""Builds a tiny random Qwen2 model and a byte-level BPE tokenizer with a chatml template.

Usage: python make_tiny_qwen2.py OUTPUT_DIR

The weights are random (the scores it earns are ~0); the point is a real model folder that
transformers, inspect's `hf/` provider and the local generation script load like any other.
"""
import sys

import sys as _sys

# The PyPI torchvision build next to a CPU torch crashes at import; transformers only needs it for images.
_sys.modules.setdefault("torchvision", None)

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM
import torch

CHATML = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def main(output_dir: str) -> None:
    torch.manual_seed(0)
    corpus = [
        "What is 1+1? The answer is 2.",
        "Question: what is two plus three? Answer: 5",
        "def add(a, b):\n    return a + b",
        "The quick brown fox jumps over the lazy dog. 0123456789",
    ] * 20
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
    )
    fast.chat_template = CHATML
    fast.save_pretrained(output_dir)

    config = Qwen2Config(
        vocab_size=fast.vocab_size if len(fast) <= fast.vocab_size else len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=fast.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=fast.convert_tokens_to_ids("<|endoftext|>"),
        tie_word_embeddings=True,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = config.eos_token_id
    model.generation_config.pad_token_id = config.pad_token_id
    model.save_pretrained(output_dir)


if __name__ == "__main__":
    main(sys.argv[1])
