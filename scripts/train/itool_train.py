#!/usr/bin/env python3
"""iTool Studio's own trainer for its tiny tool-calling model (CPU, Python 3.11 stdlib + PyTorch).

    itool_train.py init     --config CFG.json   new random checkpoint (tokenizer_dir, model, seed)
    itool_train.py sft      --config CFG.json   supervised fine-tuning (sft.py)
    itool_train.py pref     --config CFG.json   SimPO / DPO on preference pairs (preference.py)
    itool_train.py grpo     --config CFG.json   GRPO on sampled completions with advantages (grpo.py)
    itool_train.py export   --config CFG.json   onnx/model.onnx in the product's model layout
    itool_train.py score    --config CFG.json   response-token log-probabilities, one JSON line per record
    itool_train.py generate --config CFG.json   greedy continuations, one JSON line per record
    itool_train.py pack     --config CFG.json   a trained folder as a small shippable copy (the demo model)

Every subcommand reads one JSON config (keys in the module that runs it; README.md lists them).
Input data is JSONL with token ids written by src/core/rounds/trainingData.ts. Errors exit 1 with
one `error: ...` line on stderr; the last stdout line of init/sft/pref/grpo/export is a JSON summary.
"""
import argparse
import json
import os
import sys

# The scripts may live in a read-only install (the extension's folder): no __pycache__ beside them.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# CPU settings measured on 2 cores (README.md), set before torch loads: OpenMP threads that
# spin-wait between parallel regions steal the cores from OpenBLAS's own threads (1.6x slower).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _keep_freed_memory():
    """glibc hands big freed blocks (activations, attention scores) back to the kernel and faults
    them in again on the next step; keeping them mapped is ~15% faster. Best effort (glibc only)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: the largest value glibc accepts
        libc.mallopt(-1, 1 << 34)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


_keep_freed_memory()

COMMANDS = ("init", "sft", "pref", "grpo", "export", "score", "generate", "pack")


def torch_missing():
    """Every command needs PyTorch. Without it: what to install, in one line (None when it loads)."""
    try:
        import torch  # noqa: F401
    except ImportError as e:
        py = sys.executable or "python3"
        if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] == "torch":
            what = f"PyTorch is not installed for {py}"
        else:
            what = f"PyTorch does not load in {py} ({e})"
        system = "/usr/bin/python3"
        same = os.path.exists(system) and os.path.realpath(py) == os.path.realpath(system)
        name_it = "" if same else f", then name {system} in the itool.trainer.local.python setting or `itool loop --python`"
        return (
            f"{what}; the local trainer needs it. Install it with `sudo apt install python3-torch libopenblas0-pthread`"
            f" (Debian/Ubuntu{name_it}) or `{py} -m pip install torch`; in an iTool Studio checkout,"
            " `node scripts/ensure.mjs torch` installs the Debian packages."
        )
    return None


def cmd_init(cfg):
    import itool_tiny
    import trainlib

    trainlib.setup(cfg)
    model = itool_tiny.init_checkpoint(cfg["output_dir"], cfg["tokenizer_dir"], cfg.get("model"), int(cfg.get("seed", 0)))
    return {"output_dir": cfg["output_dir"], "parameters": itool_tiny.parameter_count(model), "model": model.c}


def cmd_export(cfg):
    import export_onnx
    import trainlib

    trainlib.setup(cfg)
    out = cfg.get("output_dir") or cfg["model_dir"]
    path = export_onnx.export_folder(cfg["model_dir"], out, kv_cache=bool(cfg.get("kv_cache", True)), opset=int(cfg.get("opset", 14)))
    return {"output_dir": out, "onnx": path}


def cmd_pack(cfg):
    """model_dir → output_dir: weights in float16 (half the size; loading casts them back to the
    float32 the trainer uses), config, tokenizer and generation files, and onnx/model.onnx as it
    is (inference stays float32). The training logs stay behind."""
    import shutil

    import itool_tiny
    import trainlib

    trainlib.setup(cfg)
    src, out = cfg["model_dir"], cfg["output_dir"]
    model = itool_tiny.load_checkpoint(src)
    # The checkpoint folder as training writes it (weights, config, tokenizer, generation files).
    itool_tiny.save_checkpoint(model.half(), out, src)
    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    shutil.copyfile(os.path.join(src, "onnx", "model.onnx"), os.path.join(out, "onnx", "model.onnx"))
    if os.path.exists(os.path.join(src, "train_results.json")):
        shutil.copyfile(os.path.join(src, "train_results.json"), os.path.join(out, "train_results.json"))
    return {"output_dir": out, "parameters": itool_tiny.parameter_count(model)}


def cmd_score(cfg):
    """log p(token) of each record's ids[start:], the numbers the product's OnnxPolicy.score gives."""
    import torch

    import itool_tiny
    import trainlib

    trainlib.setup(cfg)
    model = itool_tiny.load_checkpoint(cfg["model_dir"])
    model.eval()
    with torch.no_grad():
        for r in trainlib.read_jsonl(cfg["input"], ("ids", "start")):
            logits, _ = model(torch.tensor([r["ids"]]))
            logp = torch.log_softmax(logits[0].double(), dim=-1)
            lp = [logp[t - 1, r["ids"][t]].item() for t in range(r["start"], len(r["ids"]))]
            print(json.dumps({"logprobs": lp}), flush=True)


def cmd_generate(cfg):
    """Greedy decoding (argmax, lowest id on ties, stop at an end id, which is not included), by
    full recomputation or, with use_cache, through the model's own KV cache."""
    import torch

    import itool_tiny
    import trainlib

    trainlib.setup(cfg)
    model = itool_tiny.load_checkpoint(cfg["model_dir"])
    model.eval()
    stop = itool_tiny.eos_ids(cfg["model_dir"])
    max_tokens = int(cfg.get("max_tokens", 16))
    with torch.no_grad():
        for r in trainlib.read_jsonl(cfg["input"], ("ids",)):
            ids, out, lps, past = list(r["ids"]), [], [], None
            while len(out) < max_tokens and len(ids) < model.c["max_pos"]:
                if cfg.get("use_cache") and past is not None:
                    logits, past = model(torch.tensor([ids[-1:]]), past=past)
                else:
                    logits, past = model(torch.tensor([ids]))
                logp = torch.log_softmax(logits[0, -1].double(), dim=-1)
                tok = int(torch.argmax(logp).item())
                if tok in stop:
                    break
                out.append(tok)
                lps.append(logp[tok].item())
                ids.append(tok)
            print(json.dumps({"ids": out, "logprobs": lps}), flush=True)


def allowed_keys(command):
    """Every key a command reads: a misspelt key is an error, not a silently ignored setting."""
    common = {"seed", "threads"}
    if command == "init":
        return common | {"tokenizer_dir", "output_dir", "model"}
    if command == "sft":
        import sft

        return common | sft.KEYS
    if command == "pref":
        import preference

        return common | preference.KEYS
    if command == "grpo":
        import grpo

        return common | grpo.KEYS
    if command == "export":
        return common | {"model_dir", "output_dir", "kv_cache", "opset"}
    if command == "score":
        return common | {"model_dir", "input"}
    if command == "pack":
        return common | {"model_dir", "output_dir"}
    return common | {"model_dir", "input", "max_tokens", "use_cache"}


def check_config(command, cfg):
    if not isinstance(cfg, dict):
        raise ValueError("the config must be a JSON object")
    unknown = sorted(set(cfg) - allowed_keys(command))
    if unknown:
        raise ValueError(f"{command}: unknown config key(s) {', '.join(unknown)}")
    if command == "init":
        import itool_tiny

        bad = sorted(set(cfg.get("model") or {}) - set(itool_tiny.DEFAULT_MODEL))
        if bad:
            raise ValueError(f"init: unknown model key(s) {', '.join(bad)} (known: {', '.join(itool_tiny.DEFAULT_MODEL)})")


def main(argv):
    p = argparse.ArgumentParser(prog="itool_train.py", description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=COMMANDS)
    p.add_argument("--config", required=True, help="JSON config file")
    a = p.parse_args(argv)
    missing = torch_missing()
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return 1
    try:
        with open(a.config, encoding="utf-8") as f:
            cfg = json.load(f)
        check_config(a.command, cfg)
        if a.command == "init":
            result = cmd_init(cfg)
        elif a.command == "sft":
            import sft

            result = sft.run(cfg)
        elif a.command == "pref":
            import preference

            result = preference.run(cfg)
        elif a.command == "grpo":
            import grpo

            result = grpo.run(cfg)
        elif a.command == "export":
            result = cmd_export(cfg)
        elif a.command == "pack":
            result = cmd_pack(cfg)
        elif a.command == "score":
            return cmd_score(cfg)
        else:
            return cmd_generate(cfg)
        print(json.dumps(result), flush=True)
    except (OSError, ValueError, KeyError) as e:
        # What a user can fix (a missing file, a bad config key): one line, no traceback
        # (ITOOL_TRAIN_DEBUG=1 shows it).
        if os.environ.get("ITOOL_TRAIN_DEBUG"):
            raise
        what = f"missing config key {e}" if isinstance(e, KeyError) else str(e)
        print(f"error: {what}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]) or 0)
