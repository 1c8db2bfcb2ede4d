"""Loads a model folder with transformers and generates a few tokens greedily.

PostTrainBench's rule: `final_model/` must load in the starting environment. This is the check a run makes after
writing its submission. It prints one JSON line: {"loaded": true, "generated": ..., "transformers": ..., ...} or
{"loaded": false, "error": ...}. It exits 1 on failure.
"""

import argparse
import json
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", required=True, help="the model folder")
    parser.add_argument("--prompt", default="What is 12 + 30?")
    parser.add_argument("--max-new-tokens", type=int, default=8)
    args = parser.parse_args()
    started = time.time()
    try:
        import torch
        import transformers
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.model)
        model = AutoModelForCausalLM.from_pretrained(args.model, torch_dtype="auto")
        model.eval()
        text = args.prompt
        if getattr(tokenizer, "chat_template", None):
            text = tokenizer.apply_chat_template(
                [{"role": "user", "content": args.prompt}], tokenize=False, add_generation_prompt=True
            )
        inputs = tokenizer(text, return_tensors="pt")
        with torch.no_grad():
            output = model.generate(**inputs, max_new_tokens=args.max_new_tokens, do_sample=False)
        generated = tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True)
        print(json.dumps({
            "loaded": True, "generated": generated, "new_tokens": int(output.shape[1] - inputs["input_ids"].shape[1]),
            "transformers": transformers.__version__, "torch": torch.__version__,
            "seconds": round(time.time() - started, 1),
        }))
        return 0
    except Exception as error:  # the verdict is the output: any failure to load or generate is the finding
        print(json.dumps({"loaded": False, "error": f"{type(error).__name__}: {error}"[:2000]}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
