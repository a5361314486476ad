#!/usr/bin/env python3
"""Counts in a LLaMA-Factory sharegpt tool-call file (glaive demo), found without the product.

Prints JSON: records, messages per role, assistant answers (gpt + function_call turns), records
with more than one answer, function calls, and records whose tools list is empty. The dataset
tests compare the product's counts with these.
Usage: python3 scripts/datasets/count_sharegpt.py FILE.json
"""
import collections
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        records = json.load(f)
    roles = collections.Counter()
    answers = multi = calls = empty_tools = 0
    for r in records:
        n = 0
        for m in r["conversations"]:
            roles[m["from"]] += 1
            if m["from"] in ("gpt", "function_call"):
                n += 1
            if m["from"] == "function_call":
                v = json.loads(m["value"])
                calls += len(v) if isinstance(v, list) else 1
        answers += n
        multi += n > 1
        empty_tools += r.get("tools") in (None, "", "[]")
    print(json.dumps({"records": len(records), "roles": roles, "answers": answers,
                      "multi_answer_records": multi, "calls": calls, "empty_tools": empty_tools}))


if __name__ == "__main__":
    main(sys.argv[1])
