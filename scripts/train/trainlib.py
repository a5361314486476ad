"""What SFT, preference and GRPO training share: data files, length batches, the learning-rate schedule,
the LLaMA-Factory progress file, and per-token log-probabilities of response spans.

Data files are JSONL written by the TypeScript side (src/core/rounds/trainingData.ts). Each record
carries the rendered text (for people and for checks) and the token ids the product's own tokenizer
gives it (`ids`, with `start` the index of the first response token), so Python never tokenizes and
training cannot drift from inference:
  SFT:        {"prompt", "response", "ids", "start"}
  preference: {"prompt", "chosen", "rejected", "chosen_ids", "chosen_start", "rejected_ids", "rejected_start"}
  GRPO:       {"prompt", "completion", "ids", "start", "advantage", "reward", "sample_id", "group"}
"""
import json
import math
import os
import random
import time
from datetime import timedelta

import torch
import torch.nn.functional as F

TRAINER_LOG = "trainer_log.jsonl"


def setup(cfg):
    """Seeds and threads (the config's, else OMP_NUM_THREADS, else 2). With a fixed seed and
    thread count a run is repeatable on one machine (the tests compare weights byte for byte); a
    different thread count can change float summation order (last-digit differences)."""
    torch.set_num_threads(int(cfg.get("threads") or os.environ.get("OMP_NUM_THREADS") or 2))
    torch.manual_seed(int(cfg.get("seed", 0)))
    random.seed(int(cfg.get("seed", 0)))


def read_jsonl(path, fields):
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            for k in fields:
                if k not in r:
                    raise ValueError(f"{path}:{n}: missing {k!r} (files come from src/core/rounds/trainingData.ts, which adds token ids)")
            out.append(r)
    if not out:
        raise ValueError(f"{path}: no records")
    return out


def check_span(ids, start, max_pos, where):
    if not (1 <= start < len(ids)):
        raise ValueError(f"{where}: start {start} must leave a prompt token before and a response token after it ({len(ids)} ids)")
    if len(ids) > max_pos:
        raise ValueError(f"{where}: {len(ids)} tokens exceed max_position_embeddings {max_pos}")


def length_batches(lengths, max_batch, max_tokens, rng):
    """Index groups of similar length (padded tokens <= max_tokens, rows <= max_batch), in a
    shuffled order: sorting keeps padding low, shuffling the groups keeps epochs from being
    ordered short-to-long."""
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    groups, cur = [], []
    for i in order:
        # Ascending: the longest (last added) member sets the padded length.
        if cur and (len(cur) >= max_batch or (len(cur) + 1) * lengths[i] > max_tokens):
            groups.append(cur)
            cur = []
        cur.append(i)
    if cur:
        groups.append(cur)
    rng.shuffle(groups)
    return groups


def pad(rows, pad_id):
    """Right-padded [b, s] ids: every real token keeps positions 0..n-1, as at inference."""
    s = max(len(r) for r in rows)
    return torch.tensor([r + [pad_id] * (s - len(r)) for r in rows], dtype=torch.long)


def token_logps(model, rows, starts, pad_id):
    """log p(token) of every position ([b, s-1]: column t-1 is the token at t) and the mask of
    each row's response span (1 from `start` to the row's end, 0 on the prompt and padding)."""
    ids = pad(rows, pad_id)
    logits, _ = model(ids)
    logp = torch.log_softmax(logits[:, :-1].float(), dim=-1).gather(2, ids[:, 1:].unsqueeze(2)).squeeze(2)
    mask = torch.zeros_like(logp)
    for r, (row, st) in enumerate(zip(rows, starts)):
        mask[r, st - 1 : len(row) - 1] = 1.0  # logits at t-1 predict the token at t
    return logp, mask


def span_logps(model, rows, starts, pad_id):
    """Sum of log p(token) over each row's response span, and the span's token count."""
    logp, mask = token_logps(model, rows, starts, pad_id)
    return (logp * mask).sum(1), mask.sum(1)


def sft_loss(model, rows, starts, pad_id):
    """Mean cross-entropy over the batch's response tokens (prompt and padding ignored)."""
    ids = pad(rows, pad_id)
    labels = torch.full_like(ids, -100)
    for r, (row, st) in enumerate(zip(rows, starts)):
        labels[r, st : len(row)] = ids[r, st : len(row)]
    logits, _ = model(ids)
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1), ignore_index=-100)


def lr_at(step, total, warmup, base):
    """Hugging Face's cosine schedule with linear warmup (the default of LLaMA-Factory's runs):
    the rate used for optimizer step `step` (0-based)."""
    if step < warmup:
        return base * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return base * 0.5 * (1.0 + math.cos(math.pi * progress))


def make_optimizer(model, cfg):
    # No decay on norms (1-D weights), as usual for Llama-style models.
    decay = [p for p in model.parameters() if p.dim() >= 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    wd = float(cfg.get("weight_decay", 0.0))
    return torch.optim.AdamW([{"params": decay, "weight_decay": wd}, {"params": other, "weight_decay": 0.0}], lr=float(cfg["learning_rate"]), betas=(0.9, 0.95), eps=1e-8)


class Run:
    """One training run's optimizer steps: AdamW, the warmup + cosine rate over `planned` steps
    (cfg max_steps caps them), gradient clipping and the trainer log (sft.py, preference.py, grpo.py)."""

    def __init__(self, model, cfg, planned):
        self.total = min(planned, int(cfg["max_steps"])) if cfg["max_steps"] else planned
        self.warmup = math.ceil(float(cfg["warmup_ratio"]) * self.total)
        self.base = float(cfg["learning_rate"])
        self.max_grad_norm = float(cfg["max_grad_norm"] or 0)
        self.model = model
        self.opt = make_optimizer(model, cfg)
        self.log = TrainerLog(cfg["output_dir"], self.total)
        model.train()

    def begin_step(self, step):
        """Clears the gradients and sets the rate of optimizer step `step` (0-based), which it returns."""
        lr = lr_at(step, self.total, self.warmup, self.base)
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.opt.zero_grad(set_to_none=True)
        return lr

    def end_step(self):
        if self.max_grad_norm:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.max_grad_norm)
        self.opt.step()


class TrainerLog:
    """LLaMA-Factory's OUTPUT_DIR/trainer_log.jsonl (its LogCallback.on_log): one JSON object per
    logging step, keys in its order, keys without a value left out, times as H:MM:SS; the
    product's progress reader (src/core/rounds/jobs/trainerLog.ts) follows it unchanged."""

    def __init__(self, output_dir, total_steps):
        os.makedirs(output_dir, exist_ok=True)
        self.path = os.path.join(output_dir, TRAINER_LOG)
        # A new run starts a new log, as LLaMA-Factory does with overwrite_output_dir (the reader
        # sees the file shrink and starts over).
        if os.path.exists(self.path):
            os.remove(self.path)
        self.total = total_steps
        self.start = time.time()
        self.tokens = 0

    def write(self, step, loss=None, lr=None, epoch=None, accuracy=None, reward=None):
        elapsed = time.time() - self.start
        remaining = (self.total - step) * (elapsed / step if step else 0)
        logs = {
            "current_steps": step,
            "total_steps": self.total,
            "loss": None if loss is None else round(loss, 4),
            "reward": reward,
            "accuracy": accuracy,
            "lr": lr,
            "epoch": None if epoch is None else round(epoch, 2),
            "percentage": round(step / self.total * 100, 2) if self.total else 100,
            "elapsed_time": str(timedelta(seconds=int(elapsed))),
            "remaining_time": str(timedelta(seconds=int(remaining))),
        }
        if self.tokens:
            logs["throughput"] = round(self.tokens / elapsed, 2) if elapsed > 0 else None
            logs["total_tokens"] = self.tokens
        logs = {k: v for k, v in logs.items() if v is not None}
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(logs) + "\n")
        return logs


def write_results(output_dir, results):
    """train_results.json, LLaMA-Factory's summary file name, plus our per-stage figures."""
    with open(os.path.join(output_dir, "train_results.json"), "w", encoding="utf-8") as f:
        json.dump(results, f, indent=2)
        f.write("\n")
