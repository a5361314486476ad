"""Supervised fine-tuning: next-token loss on response tokens only.

Config keys (itool_train.py sft --config CFG.json; defaults in DEFAULTS):
  model_dir      checkpoint to start from (itool_train.py init, or an earlier round's output)
  output_dir     where the new checkpoint, trainer_log.jsonl and train_results.json go
  train_file     one JSONL file, or
  stages         [{"name": "easy", "file": ...}, {"name": "medium", ...}, {"name": "hard", ...}]:
                 the warm-up curriculum, trained in the order given; a batch never mixes stages,
                 so each stage has its own loss (train_results.json lists them). The learning
                 rate follows one warmup + cosine schedule over the whole run.
  epochs, max_steps, batch_size, batch_tokens, grad_accum, learning_rate, warmup_ratio,
  weight_decay, max_grad_norm, logging_steps, seed, threads, export (write onnx/ at the end)
  prompt_loss    also train on the prompt tokens (the loss then starts at the second token): a
                 tiny model learns to copy names sooner when it models the tool list too (the
                 "required" lists repeat the property names; README.md of the loop)
"""
import random
import time

import itool_tiny
import trainlib

# Mirrored in src/core/rounds/trainerDefaults.ts (a unit test keeps the two equal).
DEFAULTS = {
    "epochs": 1,
    "max_steps": None,
    # Micro-batches of 2 rows ran fastest on 2 cores (activations stay in cache; README.md);
    # grad_accum 2 makes an optimizer step 4 sequences.
    "batch_size": 2,
    "batch_tokens": 2048,
    "grad_accum": 2,
    "learning_rate": 1e-3,
    "warmup_ratio": 0.05,
    "weight_decay": 0.01,
    "max_grad_norm": 1.0,
    "logging_steps": 1,
    "seed": 0,
    "threads": None,
    "export": True,
    "prompt_loss": False,
}
KEYS = {*DEFAULTS, "model_dir", "output_dir", "train_file", "stages"}


def load_stages(cfg, max_pos):
    if "stages" in cfg:
        stages = [(s.get("name", f"stage{i + 1}"), s["file"]) for i, s in enumerate(cfg["stages"])]
    elif "train_file" in cfg:
        stages = [("train", cfg["train_file"])]
    else:
        raise ValueError("sft: the config names no train_file and no stages")
    out = []
    for name, path in stages:
        recs = trainlib.read_jsonl(path, ("ids", "start"))
        for n, r in enumerate(recs, 1):
            trainlib.check_span(r["ids"], r["start"], max_pos, f"{path} record {n}")
            if cfg.get("prompt_loss"):
                r["start"] = 1
        out.append((name, recs))
    if len({n for n, _ in out}) != len(out):
        raise ValueError("sft: stage names must differ")
    return out


def plan(stages, cfg, rng):
    """Per stage and epoch, the micro-batches and how they group into optimizer steps."""
    runs = []
    if int(cfg["epochs"]) < 1:
        raise ValueError("sft: epochs must be at least 1")
    for name, recs in stages:
        lengths = [len(r["ids"]) for r in recs]
        for epoch in range(int(cfg["epochs"])):
            batches = trainlib.length_batches(lengths, int(cfg["batch_size"]), int(cfg["batch_tokens"]), rng)
            ga = int(cfg["grad_accum"])
            steps = [batches[i : i + ga] for i in range(0, len(batches), ga)]
            runs.append((name, epoch, len(steps), steps))
    return runs


def run(cfg):
    cfg = {**DEFAULTS, **cfg}
    trainlib.setup(cfg)
    model = itool_tiny.load_checkpoint(cfg["model_dir"])
    pad_id = itool_tiny.read_json(f"{cfg['model_dir']}/config.json")["pad_token_id"]
    stages = load_stages(cfg, model.c["max_pos"])
    rng = random.Random(int(cfg["seed"]))
    runs = plan(stages, cfg, rng)
    trainer = trainlib.Run(model, cfg, sum(n for _, _, n, _ in runs))
    total, log = trainer.total, trainer.log

    step, window, per_stage, t0 = 0, [], {}, time.time()
    for name, epoch, n_steps, steps in runs:
        recs = dict(stages)[name]
        for k, group in enumerate(steps):
            if step >= total:
                break
            lr = trainer.begin_step(step)
            # Token-weighted over the step's micro-batches: the step's loss is the mean over all
            # its response tokens, whatever the split.
            counts = [sum(len(recs[i]["ids"]) - recs[i]["start"] for i in b) for b in group]
            n_tok = sum(counts)
            loss_sum = 0.0
            for b, c in zip(group, counts):
                loss = trainlib.sft_loss(model, [recs[i]["ids"] for i in b], [recs[i]["start"] for i in b], pad_id)
                (loss * (c / n_tok)).backward()
                loss_sum += loss.item() * c
                log.tokens += sum(len(recs[i]["ids"]) for i in b)
            trainer.end_step()
            step += 1
            step_loss = loss_sum / n_tok
            window.append(step_loss)
            per_stage.setdefault(name, []).append(step_loss)
            if step % int(cfg["logging_steps"]) == 0 or step == total:
                log.write(step, loss=sum(window) / len(window), lr=lr, epoch=epoch + (k + 1) / n_steps)
                window = []
    runtime = time.time() - t0
    itool_tiny.save_checkpoint(model, cfg["output_dir"], cfg["model_dir"], {"stage": "sft", "steps": step, "seed": cfg["seed"]})
    all_losses = [x for v in per_stage.values() for x in v]
    results = {
        "train_loss": sum(all_losses) / max(1, len(all_losses)),
        "train_runtime": round(runtime, 4),
        "train_steps_per_second": round(step / runtime, 3) if runtime else None,
        "train_tokens_per_second": round(log.tokens / runtime, 2) if runtime else None,
        "total_tokens": log.tokens,
        "global_step": step,
        "parameters": itool_tiny.parameter_count(model),
        "stages": [{"name": n, "steps": len(v), "loss": sum(v) / len(v), "final_loss": v[-1]} for n, v in per_stage.items()],
    }
    trainlib.write_results(cfg["output_dir"], results)
    if cfg["export"]:
        import export_onnx

        export_onnx.export_folder(cfg["output_dir"], cfg["output_dir"], kv_cache=True)
    return results
