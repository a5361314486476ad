"""Preference optimisation on (prompt, chosen, rejected) pairs: SimPO or DPO.

SimPO (METHOD.md; the paper's best, published beta 2.5, gamma 0.5), as LLaMA-Factory computes it:
  loss = -log sigmoid(beta * (avg_logp(chosen) - avg_logp(rejected)) - gamma)
with avg_logp the length-normalised (per response token) log-probability; no reference model.
DPO (the sigmoid loss, beta 0.1) against a frozen reference (ref_model_dir, default model_dir):
  loss = -log sigmoid(beta * ((logp_c - ref_c) - (logp_r - ref_r)))   (summed log-probabilities)
The reference log-probabilities are computed once before training: the reference never changes.
sft_weight adds LLaMA-Factory's pref_ftx regulariser, sft_weight * (mean NLL of chosen tokens).

Config keys: model_dir, output_dir, pref_file (JSONL, see trainlib), loss ("simpo" | "dpo"),
beta, gamma, sft_weight, ref_model_dir, and the optimisation keys of sft.py.
Logged per step besides the loss: accuracy (share of pairs whose chosen reward beats rejected).
"""
import random
import time

import torch
import torch.nn.functional as F

import itool_tiny
import trainlib

# The defaults have a mirror on the TypeScript side (src/core/rounds/trainerDefaults.ts, what the
# loop and the local backend write into their configs); a unit test keeps the two equal.
DEFAULTS = {
    "loss": "simpo",
    "beta": None,  # BETA of the loss
    "gamma": 0.5,
    "sft_weight": 0.0,
    # Every measured round trained its pairs twice (README, the closed loop).
    "epochs": 2,
    "max_steps": None,
    # One pair (two rows) per micro-batch, 4 pairs per optimizer step.
    "batch_size": 1,
    "batch_tokens": 4096,
    "grad_accum": 4,
    # Full fine-tuning of a few-million-parameter model: at 1e-4 every preference objective pulled
    # the demo model off what it knew, at 1e-5 it held (README, the learning-rate diagnosis); the
    # paper's 1e-6 is for LoRA on 8B models.
    "learning_rate": 1e-5,
    "warmup_ratio": 0.1,
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "logging_steps": 1,
    "seed": 0,
    "threads": None,
    "export": True,
}
KEYS = {*DEFAULTS, "model_dir", "output_dir", "pref_file", "ref_model_dir"}
# beta when the config sets none: SimPO's published 2.5, DPO's usual 0.1.
BETA = {"simpo": 2.5, "dpo": 0.1}

FIELDS = ("chosen_ids", "chosen_start", "rejected_ids", "rejected_start")


def pair_rows(recs, idx):
    rows = [recs[i]["chosen_ids"] for i in idx] + [recs[i]["rejected_ids"] for i in idx]
    starts = [recs[i]["chosen_start"] for i in idx] + [recs[i]["rejected_start"] for i in idx]
    return rows, starts


def pair_losses(cfg, logp, n, ref, idx):
    """Per-pair loss, reward margin and the chosen side's mean NLL, for one batch of pairs."""
    b = len(idx)
    beta = float(cfg["beta"])
    if cfg["loss"] == "simpo":
        avg = logp / n
        margin = beta * (avg[:b] - avg[b:])
        loss = -F.logsigmoid(margin - float(cfg["gamma"]))
    else:
        r = torch.tensor([ref[i] for i in idx], dtype=logp.dtype)  # [b, 2]: chosen, rejected
        margin = beta * ((logp[:b] - r[:, 0]) - (logp[b:] - r[:, 1]))
        loss = -F.logsigmoid(margin)
    return loss, margin, -(logp[:b] / n[:b])


@torch.no_grad()
def reference_logps(cfg, recs, pad_id):
    ref_model = itool_tiny.load_checkpoint(cfg.get("ref_model_dir") or cfg["model_dir"])
    ref_model.eval()
    out = []
    for i in range(0, len(recs), 8):
        idx = list(range(i, min(len(recs), i + 8)))
        rows, starts = pair_rows(recs, idx)
        lp, _ = trainlib.span_logps(ref_model, rows, starts, pad_id)
        out += [(lp[k].item(), lp[len(idx) + k].item()) for k in range(len(idx))]
    return out


def run(cfg):
    cfg = {**DEFAULTS, **cfg}
    if cfg["loss"] not in ("simpo", "dpo"):
        raise ValueError(f"pref: loss must be simpo or dpo, not {cfg['loss']!r}")
    if cfg["beta"] is None:
        cfg["beta"] = BETA[cfg["loss"]]
    trainlib.setup(cfg)
    model = itool_tiny.load_checkpoint(cfg["model_dir"])
    pad_id = itool_tiny.read_json(f"{cfg['model_dir']}/config.json")["pad_token_id"]
    path = cfg["pref_file"]
    recs = trainlib.read_jsonl(path, FIELDS)
    for n, r in enumerate(recs, 1):
        for side in ("chosen", "rejected"):
            trainlib.check_span(r[f"{side}_ids"], r[f"{side}_start"], model.c["max_pos"], f"{path} record {n} ({side})")
    ref = reference_logps(cfg, recs, pad_id) if cfg["loss"] == "dpo" else None

    rng = random.Random(int(cfg["seed"]))
    # A pair's two sides go in one forward pass, so the batch is sized by the longer side.
    lengths = [2 * max(len(r["chosen_ids"]), len(r["rejected_ids"])) for r in recs]
    ga = int(cfg["grad_accum"])
    epochs = []
    for _ in range(int(cfg["epochs"])):
        batches = trainlib.length_batches(lengths, int(cfg["batch_size"]), int(cfg["batch_tokens"]), rng)
        epochs.append([batches[i : i + ga] for i in range(0, len(batches), ga)])
    trainer = trainlib.Run(model, cfg, sum(len(e) for e in epochs))
    total, log = trainer.total, trainer.log

    step, t0 = 0, time.time()
    window, acc_window, all_losses, margins = [], [], [], []
    for epoch, steps in enumerate(epochs):
        for k, group in enumerate(steps):
            if step >= total:
                break
            lr = trainer.begin_step(step)
            n_pairs = sum(len(b) for b in group)
            loss_sum, correct = 0.0, 0
            for idx in group:
                rows, starts = pair_rows(recs, idx)
                logp, n = trainlib.span_logps(model, rows, starts, pad_id)
                loss, margin, nll = pair_losses(cfg, logp, n, ref, idx)
                total_loss = loss + float(cfg["sft_weight"]) * nll
                (total_loss.sum() / n_pairs).backward()
                loss_sum += total_loss.sum().item()
                correct += int((margin > 0).sum().item())
                margins += margin.tolist()
                log.tokens += sum(len(r) for r in rows)
            trainer.end_step()
            step += 1
            window.append(loss_sum / n_pairs)
            acc_window.append(correct / n_pairs)
            all_losses.append(loss_sum / n_pairs)
            if step % int(cfg["logging_steps"]) == 0 or step == total:
                log.write(step, loss=sum(window) / len(window), lr=lr, epoch=epoch + (k + 1) / len(steps), accuracy=round(sum(acc_window) / len(acc_window), 4))
                window, acc_window = [], []
    runtime = time.time() - t0
    itool_tiny.save_checkpoint(model, cfg["output_dir"], cfg["model_dir"], {"stage": "pref", "loss": cfg["loss"], "beta": cfg["beta"], "gamma": cfg["gamma"], "steps": step, "seed": cfg["seed"]})
    results = {
        "train_loss": sum(all_losses) / max(1, len(all_losses)),
        "train_runtime": round(runtime, 4),
        "train_tokens_per_second": round(log.tokens / runtime, 2) if runtime else None,
        "global_step": step,
        "loss_type": cfg["loss"],
        "beta": cfg["beta"],
        "gamma": cfg["gamma"] if cfg["loss"] == "simpo" else None,
        "mean_reward_margin": sum(margins) / max(1, len(margins)),
    }
    trainlib.write_results(cfg["output_dir"], results)
    if cfg["export"]:
        import export_onnx

        export_onnx.export_folder(cfg["output_dir"], cfg["output_dir"], kv_cache=True)
    return results
