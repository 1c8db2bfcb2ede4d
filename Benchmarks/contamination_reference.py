#!/usr/bin/env python3
"""Straightforward Python reference of AutoTrainess's 13-gram contamination check.

It normalizes text exactly as the Swift scanner does (string values of each JSON record joined in document
order, UTF-8 bytes, ASCII lower-cased, tokens = runs of [a-z0-9] and non-ASCII bytes), indexes every n-gram
of the benchmark's chosen fields in a set of token tuples, and checks every n-gram of every training line.
It is the yardstick `autotrainess-bench contamination` compares the Swift scan against.

Usage: contamination_reference.py BENCHMARK TRAIN [--fields a,b] [--n 13] [--limit-bytes N]
Prints one JSON object: bytes, seconds, mb_per_s, samples, contaminated_samples, malformed, max_rss_kb.
"""
import argparse
import json
import re
import resource
import sys
import time

TOKEN = re.compile(rb"[a-z0-9\x80-\xff]+")


def strings(value):
    """Every string inside a JSON value, in document order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for element in value:
            yield from strings(element)
    elif isinstance(value, dict):
        for element in value.values():
            yield from strings(element)


def tokens(texts):
    return TOKEN.findall(" ".join(texts).encode("utf-8", "surrogatepass").lower())


def build_index(path, fields, n):
    index = set()
    with open(path, "rb") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if not isinstance(item, dict):
                continue
            texts = []
            for field in fields:
                if field in item:
                    texts.extend(strings(item[field]))
            toks = tokens(texts)
            for i in range(len(toks) - n + 1):
                index.add(tuple(toks[i:i + n]))
    return index


def scan(path, index, n, limit):
    samples = contaminated = malformed = 0
    read = 0
    with open(path, "rb") as handle:
        for line in handle:
            if limit is not None and read >= limit:
                break
            read += len(line)
            if not line.strip():
                continue
            samples += 1
            try:
                record = json.loads(line)
            except ValueError:
                malformed += 1
                continue
            toks = tokens(strings(record))
            for i in range(len(toks) - n + 1):
                if tuple(toks[i:i + n]) in index:
                    contaminated += 1
                    break
    return read, samples, contaminated, malformed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("benchmark")
    parser.add_argument("train")
    parser.add_argument("--fields", default="question,answer")
    parser.add_argument("--n", type=int, default=13)
    parser.add_argument("--limit-bytes", type=int, default=None,
                        help="scan only the first N bytes (whole lines) of the training file")
    args = parser.parse_args()
    started = time.perf_counter()
    index = build_index(args.benchmark, args.fields.split(","), args.n)
    index_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    read, samples, contaminated, malformed = scan(args.train, index, args.n, args.limit_bytes)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    json.dump({
        "bytes": read, "seconds": seconds, "mb_per_s": read / 1e6 / seconds if seconds > 0 else 0.0,
        "cpu_seconds": cpu_seconds, "index_seconds": index_seconds, "indexed_ngrams": len(index), "samples": samples,
        "contaminated_samples": contaminated, "malformed": malformed,
        "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }, sys.stdout)
    print()


if __name__ == "__main__":
    main()
