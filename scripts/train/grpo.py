"""Online RL: GRPO on completions the policy sampled, with group-relative advantages.

The TypeScript side (src/core/rounds/grpo.ts) draws groups of completions per prompt from the
round's policy (the ONNX export of model_dir), rewards each with the checker's partial credit in
[-1, 1], and writes each completion's advantage, (r - mean) / (std + 1e-4) within its group; groups
with equal rewards carry no signal and are not in the file. Here, per completion token t of
completion i (the tokens from `start` to the end of `ids`):

  loss_i,t = -A_i * log pi_theta(y_i,t | prompt, y_i,<t)  [+ beta * KL_i,t]

Importance ratio: the policy update takes pi_theta / pi_old as 1. That is TRL's GRPOTrainer with
num_iterations=1 and one optimizer step per generation, where pi_old is the current policy itself
(TRL detaches the current log-probs as the old ones), the clipped surrogate -min(r A, clip(r) A)
is -A at r = 1, and its gradient is exactly -A * grad log pi: this loss's. Each completion is
trained on once (epochs 1). One round's generation feeds all of its optimizer steps, though, so the
later steps are slightly off-policy; TRL would weight them by the clipped ratio (its
steps_per_generation > gradient_accumulation_steps case), which needs the old log-probs: not done
here, and at the loop's learning rates (1e-5) the policy moves little within a round.

Token normalisation (loss_type): "dapo" (default, TRL's current default) sums the loss over all
completion tokens of the optimizer step, across its micro-batches, and divides by their number;
"grpo" (the paper's) takes each completion's mean over its tokens and averages over the step's
completions (shorter completions then weigh more per token).

KL: beta (default 0.0, TRL's default: no reference model is loaded) adds beta * k3 per token, with
k3 = exp(ref - logp) - (ref - logp) - 1 against a frozen reference (ref_model_dir, default
model_dir), whose per-token log-probabilities are computed once before training (as DPO's).

Config keys: model_dir, output_dir, grpo_file (JSONL: ids, start, advantage; reward is logged),
loss_type, beta, ref_model_dir, and the optimisation keys of sft.py.
Logged per step besides the loss: reward (mean checker reward of the step's completions).
"""
import math
import random
import time

import torch

import itool_tiny
import trainlib

# Mirrored in src/core/rounds/trainerDefaults.ts (a unit test keeps the two equal).
DEFAULTS = {
    "loss_type": "dapo",
    "beta": 0.0,
    "epochs": 1,
    "max_steps": None,
    # Two completions per micro-batch (the fastest on 2 cores, README.md), 8 per optimizer step:
    # two groups of the loop's default 4.
    "batch_size": 2,
    "batch_tokens": 4096,
    "grad_accum": 4,
    # The loop's rate (its preference rounds', so the variants differ only in their data).
    "learning_rate": 1e-5,
    "warmup_ratio": 0.1,
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "logging_steps": 1,
    "seed": 0,
    "threads": None,
    "export": True,
}
KEYS = {*DEFAULTS, "model_dir", "output_dir", "grpo_file", "ref_model_dir"}

FIELDS = ("ids", "start", "advantage")


def completion_tokens(r):
    return len(r["ids"]) - r["start"]


@torch.no_grad()
def reference_token_logps(cfg, recs, pad_id):
    """Per record, log p_ref of each completion token (the reference never changes)."""
    ref_model = itool_tiny.load_checkpoint(cfg.get("ref_model_dir") or cfg["model_dir"])
    ref_model.eval()
    out = []
    for i in range(0, len(recs), 8):
        rows = [r["ids"] for r in recs[i : i + 8]]
        starts = [r["start"] for r in recs[i : i + 8]]
        logp, _ = trainlib.token_logps(ref_model, rows, starts, pad_id)
        out += [logp[k, st - 1 : len(row) - 1].tolist() for k, (row, st) in enumerate(zip(rows, starts))]
    return out


def batch_terms(cfg, model, recs, idx, ref, pad_id):
    """Per-token loss ([b, s-1], masked to the completions), the mask, and the per-token k3 KL (or None)."""
    rows = [recs[i]["ids"] for i in idx]
    starts = [recs[i]["start"] for i in idx]
    logp, mask = trainlib.token_logps(model, rows, starts, pad_id)
    adv = torch.tensor([float(recs[i]["advantage"]) for i in idx], dtype=logp.dtype).unsqueeze(1)
    # Ratio 1 (see the module's docstring): the policy-gradient term alone.
    per_token = -adv * logp
    kl = None
    if ref is not None:
        ref_lp = torch.zeros_like(logp)
        for k, (i, row, st) in enumerate(zip(idx, rows, starts)):
            ref_lp[k, st - 1 : len(row) - 1] = torch.tensor(ref[i], dtype=logp.dtype)
        d = (ref_lp - logp) * mask
        kl = (torch.exp(d) - d - 1.0) * mask
        per_token = per_token + float(cfg["beta"]) * kl
    return per_token * mask, mask, kl


def run(cfg):
    cfg = {**DEFAULTS, **cfg}
    if cfg["loss_type"] not in ("dapo", "grpo"):
        raise ValueError(f"grpo: loss_type must be dapo or grpo, not {cfg['loss_type']!r}")
    if not (isinstance(cfg["beta"], (int, float)) and cfg["beta"] >= 0):
        raise ValueError(f"grpo: beta must be a number >= 0, not {cfg['beta']!r}")
    if int(cfg["epochs"]) < 1:
        raise ValueError("grpo: epochs must be at least 1")
    trainlib.setup(cfg)
    model = itool_tiny.load_checkpoint(cfg["model_dir"])
    pad_id = itool_tiny.read_json(f"{cfg['model_dir']}/config.json")["pad_token_id"]
    path = cfg["grpo_file"]
    recs = trainlib.read_jsonl(path, FIELDS)
    for n, r in enumerate(recs, 1):
        trainlib.check_span(r["ids"], r["start"], model.c["max_pos"], f"{path} record {n}")
        if not (isinstance(r["advantage"], (int, float)) and math.isfinite(r["advantage"])):
            raise ValueError(f"{path} record {n}: advantage must be a finite number, not {r['advantage']!r}")
    beta = float(cfg["beta"])
    ref = reference_token_logps(cfg, recs, pad_id) if beta > 0 else None

    rng = random.Random(int(cfg["seed"]))
    lengths = [len(r["ids"]) for r in recs]
    ga = int(cfg["grad_accum"])
    epochs = []
    for _ in range(int(cfg["epochs"])):
        batches = trainlib.length_batches(lengths, int(cfg["batch_size"]), int(cfg["batch_tokens"]), rng)
        epochs.append([batches[i : i + ga] for i in range(0, len(batches), ga)])
    trainer = trainlib.Run(model, cfg, sum(len(e) for e in epochs))
    total, log = trainer.total, trainer.log

    step, t0 = 0, time.time()
    window, reward_window, all_losses, kls, seen = [], [], [], [], 0
    for epoch, steps in enumerate(epochs):
        for k, group in enumerate(steps):
            if step >= total:
                break
            lr = trainer.begin_step(step)
            # The step's normaliser over all its micro-batches: completion tokens (dapo) or completions (grpo).
            n_tok = sum(completion_tokens(recs[i]) for b in group for i in b)
            n_rows = sum(len(b) for b in group)
            loss_sum = 0.0
            for idx in group:
                per_token, mask, kl = batch_terms(cfg, model, recs, idx, ref, pad_id)
                if cfg["loss_type"] == "dapo":
                    loss = per_token.sum() / n_tok
                else:
                    loss = (per_token.sum(1) / mask.sum(1)).sum() / n_rows
                loss.backward()
                loss_sum += loss.item()
                if kl is not None:
                    kls += (kl.sum(1) / mask.sum(1)).tolist()
                log.tokens += sum(len(recs[i]["ids"]) for i in idx)
            trainer.end_step()
            step += 1
            seen += n_rows
            window.append(loss_sum)
            all_losses.append(loss_sum)
            reward_window += [float(recs[i].get("reward", 0.0)) for b in group for i in b]
            if step % int(cfg["logging_steps"]) == 0 or step == total:
                log.write(step, loss=sum(window) / len(window), lr=lr, epoch=epoch + (k + 1) / len(steps), reward=round(sum(reward_window) / len(reward_window), 4))
                window, reward_window = [], []
    runtime = time.time() - t0
    itool_tiny.save_checkpoint(model, cfg["output_dir"], cfg["model_dir"], {"stage": "grpo", "loss_type": cfg["loss_type"], "beta": beta, "steps": step, "seed": cfg["seed"]})
    results = {
        "train_loss": sum(all_losses) / max(1, len(all_losses)),
        "train_runtime": round(runtime, 4),
        "train_tokens_per_second": round(log.tokens / runtime, 2) if runtime else None,
        "total_tokens": log.tokens,
        "global_step": step,
        "loss_type": cfg["loss_type"],
        "beta": beta,
        "records": len(recs),
        "completions_trained": seen,
        "groups": len({r.get("group") for r in recs}) if all("group" in r for r in recs) else None,
        "completion_tokens": sum(completion_tokens(r) for r in recs),
        "mean_reward": sum(float(r.get("reward", 0.0)) for r in recs) / len(recs),
        "mean_kl": sum(kls) / len(kls) if kls else None,
    }
    trainlib.write_results(cfg["output_dir"], results)
    if cfg["export"]:
        import export_onnx

        export_onnx.export_folder(cfg["output_dir"], cfg["output_dir"], kv_cache=True)
    return results
