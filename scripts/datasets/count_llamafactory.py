#!/usr/bin/env python3
"""Counts in a LLaMA-Factory messages file (content as a list of typed parts), found without the product.

Prints JSON: records, messages per role, parts per type, assistant answers (assistant messages),
records with more than one answer, answers with tool calls, tool calls (tool_call parts, each JSON
text {"name", "arguments"}), reasoning parts and messages with non-empty reasoning, messages carrying loss_weight, records with a non-empty tool list and tool definitions in all.
The dataset tests compare the product's counts with these.
Usage: python3 scripts/datasets/count_llamafactory.py FILE.jsonl [FILE.jsonl ...]
"""
import collections
import json
import sys


def main(path):
    with open(path, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    roles = collections.Counter()
    parts = collections.Counter()
    answers = multi = call_answers = calls = reasoning = reasoning_msgs = weighted = with_tools = tool_defs = 0
    for r in records:
        n = 0
        for m in r["messages"]:
            roles[m["role"]] += 1
            weighted += "loss_weight" in m
            types = [p["type"] for p in m["content"]]
            parts.update(types)
            reasoning += types.count("reasoning")
            reasoning_msgs += any(p["type"] == "reasoning" and p["value"] for p in m["content"])
            if m["role"] == "assistant":
                n += 1
                k = 0
                for p in m["content"]:
                    if p["type"] == "tool_call":
                        call = json.loads(p["value"])
                        assert isinstance(call["name"], str) and isinstance(call["arguments"], dict)
                        k += 1
                calls += k
                call_answers += k > 0
        answers += n
        multi += n > 1
        with_tools += bool(r.get("tools") and json.loads(r["tools"]))
        tool_defs += len(json.loads(r["tools"])) if r.get("tools") else 0
    print(json.dumps({"file": path.rsplit("/", 1)[-1], "records": len(records), "roles": dict(sorted(roles.items())),
                      "parts": dict(sorted(parts.items())), "answers": answers, "multi_answer_records": multi,
                      "answers_with_calls": call_answers, "calls": calls, "reasoning_parts": reasoning,
                      "messages_with_reasoning": reasoning_msgs,
                      "loss_weight_messages": weighted, "records_with_tools": with_tools,
                      "tool_defs": tool_defs}))


if __name__ == "__main__":
    for p in sys.argv[1:]:
        main(p)
