#!/usr/bin/env python3
"""CPU stand-in of PostTrainBench's gsm8k evaluate.py (task contract, section 2).

The same command line as the real script (--model-path, --limit, --max-tokens, --max-connections,
--gpu-memory-utilization, --templates-dir, --json-output-file), the same template choice (a case-insensitive
substring of --model-path in the order qwen, llama, gemma, smollm; else config.json's architectures[0] in the
order gemma, llama, qwen, smollm; else ValueError), the same single inspect_ai.eval call with the template as the
model's chat template, the same output (asserting one log and one scorer, that scorer's metrics written flat to
--json-output-file, e.g. {"accuracy": 0.4133, "stderr": 0.0402}; inspect's JSON log in its log directory) and the
same failure signal (an uncaught exception, exit 1, no metrics file). `--limit` None or -1 means the whole set.

Where it differs, so that it runs on a CPU in seconds: the model is inspect's `hf/` provider on the CPU instead of
`vllm/`; the dataset is evaluation_code/items.jsonl (question, answer) instead of inspect_evals/gsm8k's download,
each question put in PROMPT as the gsm8k task puts the problem in its template, scored by match(numeric=True) as
gsm8k is; at most 16 new tokens are generated whatever --max-tokens says (a value the machine cannot fit fails,
for the cascade tests: STANDIN_MAX_TOKENS_THAT_FIT).
"""
import argparse
import json
import os
import sys

sys.modules["torchvision"] = None  # a CPU torch's torchvision wheel crashes at import; text needs none of it


PROMPT = "Write this number in digits, with no other text: {question}"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-path", type=str, default="final_model")
    parser.add_argument("--limit", type=int, default=150)
    parser.add_argument("--max-tokens", type=int, default=4000)
    parser.add_argument("--max-connections", type=int, default=2)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.3)
    parser.add_argument("--templates-dir", type=str, default="templates/")
    parser.add_argument("--json-output-file", type=str, default=None)
    return parser.parse_args()


def template_file(model_path: str, templates_dir: str) -> str:
    kind = None
    for name in ("qwen", "llama", "gemma", "smollm"):
        if name in model_path.lower():
            kind = name
            break
    if kind is None:
        with open(os.path.join(model_path, "config.json")) as handle:
            architecture = json.load(handle)["architectures"][0].lower()
        for name in ("gemma", "llama", "qwen", "smollm"):
            if name in architecture:
                kind = name
                break
    if kind is None:
        raise ValueError(f"unknown model architecture for {model_path}")
    return os.path.join(templates_dir, {"qwen": "qwen3.jinja", "gemma": "gemma3.jinja", "smollm": "smollm.jinja",
                                        "llama": "llama3.jinja"}[kind])


def main() -> None:
    args = parse_args()
    fits = os.environ.get("STANDIN_MAX_TOKENS_THAT_FIT")
    if fits and args.max_tokens > int(fits):
        raise RuntimeError(f"CUDA out of memory: max_tokens={args.max_tokens} does not fit")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "evaluation_code", "items.jsonl")) as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    if args.limit not in (None, -1):
        items = items[: args.limit]
    with open(template_file(args.model_path, args.templates_dir)) as handle:
        chat_template = handle.read()

    from inspect_ai import Task
    from inspect_ai import eval as inspect_eval
    from inspect_ai.dataset import Sample
    from inspect_ai.scorer import match
    from inspect_ai.solver import generate

    dataset = [Sample(id=f"item-{index:03d}", input=PROMPT.format(question=item["question"]), target=item["answer"])
               for index, item in enumerate(items)]
    task = Task(dataset=dataset, solver=[generate()], scorer=match(numeric=True))
    logs = inspect_eval(
        task, model=f"hf/{args.model_path}", model_args={"device": "cpu", "chat_template": chat_template},
        max_tokens=min(16, args.max_tokens), max_connections=args.max_connections, display="none",
        log_format="json")
    assert len(logs) == 1, "expected exactly one log"
    log = logs[0]
    assert log.status == "success", f"evaluation {log.status}: {log.error}"
    assert log.results is not None and len(log.results.scores) == 1, "expected exactly one scorer"
    metrics = {name: metric.value for name, metric in log.results.scores[0].metrics.items()}
    print(metrics)
    if args.json_output_file is not None:
        with open(args.json_output_file, "w") as handle:
            json.dump(metrics, handle, indent=2)


if __name__ == "__main__":
    main()
