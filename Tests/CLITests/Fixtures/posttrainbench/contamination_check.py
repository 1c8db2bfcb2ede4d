#!/usr/bin/env python3
"""Stand-in of PostTrainBench's contamination_check.py (task contract, section 4), with its command line,
output and exit codes:

  contamination_check.py --reference/-r test_data.json [--input/-i FILE] [--input-format jsonl|text]
                         [--text-field text] [--show-ref]

stdout: one JSON line per flagged document ({"source": "line:N", "num_matches", "max_score", "matches": [...]});
stderr: progress and a summary box. Exit 0 when nothing matched; 1 when a document matched, the reference file is
missing, or the tool crashed.

The method is simplified (no tiktoken): lowercase, punctuation to spaces, whitespace tokens; a question scores the
share of its 5-grams found in the document (the whole question when shorter); an answer of 3 tokens or fewer must
appear exactly, a longer one scores by 3-gram overlap; weights 0.75/0.25; items with fewer than 4 unique words are
ignored, as the real tool ignores short items; threshold 0.8.
"""
import argparse
import json
import re
import sys


def tokens(text):
    return re.sub(r"[^\w\s]", " ", str(text).lower()).split()


def grams(words, n):
    if len(words) < n:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def field(item, names):
    for name in names:
        if isinstance(item.get(name), str):
            return item[name]
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", "-r", required=True)
    parser.add_argument("--input", "-i", default=None)
    parser.add_argument("--input-format", choices=["jsonl", "text"], default="jsonl")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--show-ref", action="store_true")
    args = parser.parse_args()
    try:
        with open(args.reference) as handle:
            text = handle.read()
        reference = json.loads(text) if text.lstrip().startswith("[") else [json.loads(l) for l in text.splitlines() if l.strip()]
    except OSError as error:
        print(f"error: cannot read the reference {args.reference}: {error}", file=sys.stderr)
        sys.exit(1)
    items = []
    for index, item in enumerate(reference):
        question = tokens(field(item, ["question", "input", "prompt", "text", "content"]))
        answer = tokens(field(item, ["answer", "output", "response", "target"]))
        if len(set(question + answer)) < 4:
            continue
        items.append((index, item, question, answer))
    source = open(args.input) if args.input else sys.stdin
    documents = []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        if args.input_format == "text":
            documents.append((number, line))
            continue
        row = json.loads(line)
        value = next((row[k] for k in [args.text_field, "text", "content", "input", "prompt", "question"]
                      if isinstance(row.get(k), str)), None)
        documents.append((number, value if value is not None else " ".join(v for v in row.values() if isinstance(v, str))))
    flagged = 0
    total = 0
    for number, document in documents:
        words = tokens(document)
        doc_grams5 = grams(words, 5)
        joined = " " + " ".join(words) + " "
        matches = []
        for index, item, question, answer in items:
            q_grams = grams(question, 5)
            q_score = len(q_grams & doc_grams5) / len(q_grams) if len(question) >= 5 else float(" " + " ".join(question) + " " in joined)
            if q_score < 0.714:
                continue
            if len(answer) <= 3:
                a_score = float(" " + " ".join(answer) + " " in joined) if answer else 0.0
            else:
                a_grams = grams(answer, 3)
                a_score = len(a_grams & grams(words, 3)) / len(a_grams)
            combined = min(1.0, 0.75 * q_score + 0.25 * a_score) if answer else q_score
            if combined >= 0.8:
                match = {"ref_index": index, "combined_score": round(combined, 4), "best_field": "question",
                         "best_field_score": round(q_score, 4),
                         "field_scores": {"question": round(q_score, 4), "answer": round(a_score, 4)},
                         "threshold": 0.8, "cumulative_tokens": len(words)}
                if args.show_ref:
                    match["ref_item"] = item
                matches.append(match)
        if matches:
            flagged += 1
            total += len(matches)
            matches.sort(key=lambda m: -m["combined_score"])
            print(json.dumps({"source": f"line:{number}", "num_matches": len(matches),
                              "max_score": matches[0]["combined_score"], "matches": matches}))
    print("+----------------------------------+", file=sys.stderr)
    print(f"| Documents scanned:      {len(documents):8d} |", file=sys.stderr)
    print(f"| Contaminated documents: {flagged:8d} |", file=sys.stderr)
    print(f"| Total matches:          {total:8d} |", file=sys.stderr)
    print("+----------------------------------+", file=sys.stderr)
    sys.exit(1 if flagged else 0)


if __name__ == "__main__":
    main()
