"""Converts a dataset source that Swift does not read natively into JSON lines, for AutoTrainess's data tool.

    python read_source.py --source PATH --output rows.jsonl [--split NAME]

Sources: a CSV or TSV file (a header row; a row with a different number of fields is an error naming the line),
a Parquet file, an Arrow file, a `datasets` `save_to_disk` folder (a Dataset, or a DatasetDict with --split), or a
Hugging Face dataset folder or hub-cache snapshot (parquet/json/csv data files with or without a README config),
read offline with the managed environment's `datasets`. Values that are not JSON (dates, bytes, decimals) are
written as strings.

Exit codes: 0 done (stdout: one JSON line {"rows": N, "columns": [...], "kind": "...", "splits": [...]}); 2 the
source cannot be read, the message on stderr as "SOURCE_ERROR: <path>[:<line>]: <what> (<fix>)".
"""
import argparse
import csv
import json
import os
import sys

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.modules["torchvision"] = None


def fail(where: str, what: str) -> None:
    print(f"SOURCE_ERROR: {where}: {what}", file=sys.stderr, flush=True)
    sys.exit(2)


def plain(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    return str(value)


def write_rows(rows, output):
    count = 0
    columns = []
    with open(output, "w", encoding="utf-8") as out:
        for row in rows:
            if not columns:
                columns = list(row.keys())
            out.write(json.dumps(plain(row), ensure_ascii=False) + "\n")
            count += 1
    return count, columns


def csv_rows(path, delimiter):
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            fail(path, "the file is empty (a header row naming the columns is needed)")
        except csv.Error as error:
            fail(f"{path}:1", f"malformed header: {error}")
        if len(set(header)) != len(header):
            fail(f"{path}:1", f"duplicate column names in the header {header}")
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                fail(f"{path}:{reader.line_num}", f"malformed row: {error} (check the quoting)")
            if not fields:
                continue
            if len(fields) != len(header):
                fail(f"{path}:{reader.line_num}",
                     f"the row has {len(fields)} fields but the header has {len(header)} "
                     f"({', '.join(header)}); quote fields holding the delimiter")
            yield dict(zip(header, fields))


def dataset_rows(dataset):
    for index in range(len(dataset)):
        yield dataset[index]


def pick_split(dataset_dict, split, path):
    splits = list(dataset_dict.keys())
    if split is None:
        if len(splits) == 1:
            return splits[0], dataset_dict[splits[0]], splits
        fail(path, f"the dataset has several splits ({', '.join(splits)}): name one with split")
    if split not in dataset_dict:
        fail(path, f"no split '{split}' (the dataset has: {', '.join(splits)})")
    return split, dataset_dict[split], splits


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--split", default=None)
    args = parser.parse_args()
    path = args.source
    if not os.path.exists(path):
        fail(path, "no such file or folder")
    lower = path.lower()
    splits = []
    if os.path.isfile(path) and (lower.endswith(".csv") or lower.endswith(".tsv")):
        kind = "tsv" if lower.endswith(".tsv") else "csv"
        rows = csv_rows(path, "\t" if kind == "tsv" else ",")
    elif os.path.isfile(path) and lower.endswith(".parquet"):
        kind = "parquet"
        try:
            import pyarrow.parquet as pq
            table = pq.read_table(path)
        except Exception as error:
            fail(path, f"not a readable Parquet file: {error}")
        rows = (row for batch in table.to_batches() for row in batch.to_pylist())
    elif os.path.isfile(path) and lower.endswith(".arrow"):
        kind = "arrow"
        from datasets import Dataset
        try:
            rows = dataset_rows(Dataset.from_file(path))
        except Exception as error:
            fail(path, f"not a readable Arrow file: {error}")
    elif os.path.isdir(path):
        from datasets import load_dataset, load_from_disk
        if os.path.exists(os.path.join(path, "dataset_dict.json")) or os.path.exists(os.path.join(path, "state.json")):
            kind = "save_to_disk"
            try:
                loaded = load_from_disk(path)
            except Exception as error:
                fail(path, f"not a readable save_to_disk folder: {error}")
        else:
            kind = "datasets folder"
            try:
                loaded = load_dataset(path)
            except Exception as error:
                fail(path, f"not a dataset folder `datasets` can read offline: {error}")
        if hasattr(loaded, "keys"):
            name, loaded, splits = pick_split(loaded, args.split, path)
        elif args.split is not None:
            fail(path, f"the folder holds one dataset without splits; leave split out (asked: {args.split})")
        rows = dataset_rows(loaded)
    else:
        fail(path, "unknown source kind: use .json, .jsonl, .csv, .tsv, .parquet, .arrow, a save_to_disk folder or a "
                   "dataset folder")
    count, columns = write_rows(rows, args.output)
    print(json.dumps({"rows": count, "columns": columns, "kind": kind, "splits": splits}))


if __name__ == "__main__":
    main()
