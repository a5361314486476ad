#!/usr/bin/env python3
"""Count what a BFCL data folder holds, independently of the product (stdlib only).

    python3 scripts/datasets/count_bfcl.py DIR [FILE ...]

DIR holds BFCL_v4_*.json question files (one JSON object per line) and possible_answer/ beside
them. For each question file (or only the FILEs named) prints, as one JSON object keyed by file:

  records           question records
  samples           what the product should yield: one per BFCL turn for multi-turn records
                    (len(question)), one per record otherwise
  turns_with_calls  samples whose ground truth holds at least one call
  gt_calls          ground-truth calls in all (multi-turn: call strings; single-turn: entries)
  accepted_texts    records judged by a text answer (memory, web_search: ground_truth of strings)
  problems          what does not add up (a turn count that differs from the answer's, an id
                    without an answer), so a mismatch with the product can be told from bad data

The unit test test/unit/bfclFamilies.test.ts asserts the product finds these same numbers.
"""
import json
import os
import sys


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def is_text_answer(gt):
    return isinstance(gt, list) and all(isinstance(x, str) for x in gt) and len(gt) > 0


def count(directory, name):
    questions = read_lines(os.path.join(directory, name))
    answer_path = os.path.join(directory, "possible_answer", name)
    answers = {r["id"]: r["ground_truth"] for r in read_lines(answer_path)} if os.path.exists(answer_path) else {}
    out = {"records": len(questions), "samples": 0, "turns_with_calls": 0, "gt_calls": 0, "accepted_texts": 0, "problems": []}
    for q in questions:
        gt = answers.get(q["id"])
        if gt is None and answers:
            out["problems"].append(f"{q['id']}: no answer")
        multi_turn = "function" not in q and q["id"].startswith("multi_turn")
        if multi_turn:
            turns = len(q["question"])
            out["samples"] += turns
            if gt is None:
                continue
            if len(gt) != turns:
                out["problems"].append(f"{q['id']}: {turns} turns, {len(gt)} answer turns")
            out["turns_with_calls"] += sum(1 for t in gt if len(t) > 0)
            out["gt_calls"] += sum(len(t) for t in gt)
            continue
        out["samples"] += 1
        if gt is None:
            continue
        if "function" not in q and is_text_answer(gt):
            out["accepted_texts"] += 1
        elif len(gt) > 0:
            out["turns_with_calls"] += 1
            out["gt_calls"] += len(gt)
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    directory = argv[1]
    names = argv[2:] or sorted(n for n in os.listdir(directory) if n.startswith("BFCL_") and n.endswith(".json") and "format_sensitivity" not in n)
    print(json.dumps({n: count(directory, n) for n in names}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
