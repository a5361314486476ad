// The TRL launch script an export writes beside its data. `trl` has no command for CPO (SimPO) or
// ORPO, and its `dpo`/`sft` commands accept no callback; this script runs all four trainers and
// appends LLaMA-Factory-format progress lines to OUTPUT_DIR/trainer_log.jsonl, so the product
// follows a TRL run exactly as it follows a LLaMA-Factory one.
//
// It renders each record with the model's own chat template before building the dataset, as TRL
// does internally, for two reasons: TRL refuses a prompt that ends on a tool message, and Arrow
// would merge the argument objects of different calls into one struct, padding each call with the
// others' keys as nulls.
export const TRL_SCRIPT_NAME = 'train_simpo.py';

export const TRL_SCRIPT = String.raw`#!/usr/bin/env python3
"""Train on an iTool Studio export with TRL.

    python3 train_simpo.py --trainer cpo --config NAME.simpo.yaml      # SimPO (CPOTrainer, loss_type simpo)
    python3 train_simpo.py --trainer dpo --config NAME.dpo.yaml        # DPO / IPO
    python3 train_simpo.py --trainer orpo --config NAME.orpo.yaml      # ORPO
    python3 train_simpo.py --trainer sft --config NAME_easy.sft.yaml   # one warm-up curriculum stage

Several GPUs: accelerate launch train_simpo.py ... (same arguments).
Progress: OUTPUT_DIR/trainer_log.jsonl, one JSON line per logging step, as LLaMA-Factory writes it.
"""
import argparse
import dataclasses
import datetime
import json
import os
import sys
import time

import yaml

TRAINERS = {
    "cpo": ("CPOTrainer", "CPOConfig"),
    "dpo": ("DPOTrainer", "DPOConfig"),
    "orpo": ("ORPOTrainer", "ORPOConfig"),
    "sft": ("SFTTrainer", "SFTConfig"),
}
MODEL_KEYS = {"model_name_or_path", "use_peft", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "trust_remote_code"}
DATA_KEYS = {"dataset_path", "datasets", "dataset_name"}


def hms(seconds):
    return str(datetime.timedelta(seconds=int(seconds)))


def progress_callback():
    from transformers import TrainerCallback

    class LlamaFactoryLog(TrainerCallback):
        """Appends {current_steps, total_steps, percentage, loss, lr, epoch, elapsed_time, remaining_time, ...}."""

        def __init__(self):
            self.start = None
            self.path = None

        def on_train_begin(self, args, state, control, **kwargs):
            self.start = time.time()
            self.path = os.path.join(args.output_dir, "trainer_log.jsonl")
            if state.is_world_process_zero:
                os.makedirs(args.output_dir, exist_ok=True)
                if os.path.exists(self.path) and not args.resume_from_checkpoint:
                    os.remove(self.path)

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not state.is_world_process_zero or self.path is None:
                return
            logs = logs or {}
            cur, total = state.global_step, state.max_steps
            elapsed = time.time() - self.start
            row = {
                "current_steps": cur,
                "total_steps": total,
                "percentage": round(cur / total * 100, 2) if total else 100,
                "loss": logs.get("loss"),
                "eval_loss": logs.get("eval_loss"),
                "reward": logs.get("reward"),
                "accuracy": logs.get("rewards/accuracies"),
                "lr": logs.get("learning_rate"),
                "epoch": logs.get("epoch"),
                "elapsed_time": hms(elapsed),
                "remaining_time": hms((total - cur) * elapsed / cur) if cur and total else None,
            }
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps({k: v for k, v in row.items() if v is not None}, ensure_ascii=False) + "\n")

    return LlamaFactoryLog()


def data_file(cfg):
    if cfg.get("dataset_path"):
        return cfg["dataset_path"]
    for d in cfg.get("datasets") or []:
        files = d.get("data_files")
        if files:
            return files if isinstance(files, str) else files[0]
    sys.exit("the config names no dataset (dataset_path, or datasets[].data_files)")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_off(tok, prompt_messages, messages, tools):
    prompt = tok.apply_chat_template(prompt_messages, tools=tools, tokenize=False, add_generation_prompt=True)
    full = tok.apply_chat_template(messages, tools=tools, tokenize=False)
    if not full.startswith(prompt):
        raise ValueError("the chat template renders the prompt differently inside the whole conversation: cannot split off the response")
    return prompt, full[len(prompt):]


def render_preference(tok, ex):
    tools = ex.get("tools") or None
    prompt, chosen = split_off(tok, ex["prompt"], ex["prompt"] + ex["chosen"], tools)
    _, rejected = split_off(tok, ex["prompt"], ex["prompt"] + ex["rejected"], tools)
    return {"prompt": prompt, "chosen": chosen, "rejected": rejected}


def render_sft(tok, ex):
    tools = ex.get("tools") or None
    prompt, completion = split_off(tok, ex["messages"][:-1], ex["messages"], tools)
    return {"prompt": prompt, "completion": completion}


def load_model(cfg):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = cfg["model_name_or_path"]
    dtype = torch.bfloat16 if cfg.get("bf16") else "auto"
    trust = bool(cfg.get("trust_remote_code", False))
    tok = AutoTokenizer.from_pretrained(path, trust_remote_code=trust)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    if os.path.exists(os.path.join(path, "adapter_config.json")):
        # The previous curriculum stage's adapter: train it further instead of stacking a new one.
        from peft import AutoPeftModelForCausalLM

        model = AutoPeftModelForCausalLM.from_pretrained(path, is_trainable=True, torch_dtype=dtype, trust_remote_code=trust)
        return model, tok, None
    model = AutoModelForCausalLM.from_pretrained(path, torch_dtype=dtype, trust_remote_code=trust)
    if not cfg.get("use_peft", True):
        return model, tok, None
    from peft import LoraConfig

    rank = int(cfg.get("lora_r", 8))
    peft_config = LoraConfig(
        r=rank,
        lora_alpha=int(cfg.get("lora_alpha", 2 * rank)),
        lora_dropout=float(cfg.get("lora_dropout", 0.0)),
        target_modules=cfg.get("lora_target_modules", "all-linear"),
        task_type="CAUSAL_LM",
    )
    return model, tok, peft_config


def main():
    ap = argparse.ArgumentParser(description="Train on an iTool Studio export with TRL.")
    ap.add_argument("--config", required=True, help="the YAML the export wrote")
    ap.add_argument("--trainer", choices=sorted(TRAINERS), default="cpo")
    a = ap.parse_args()
    with open(a.config, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)

    import trl
    from datasets import Dataset

    trainer_name, config_name = TRAINERS[a.trainer]
    trainer_cls, config_cls = getattr(trl, trainer_name), getattr(trl, config_name)
    fields = {f.name for f in dataclasses.fields(config_cls)}
    unknown = sorted(k for k in cfg if k not in fields and k not in MODEL_KEYS and k not in DATA_KEYS)
    if unknown:
        print("note: %s of this TRL version has no %s; ignored" % (config_name, ", ".join(unknown)), file=sys.stderr)
    args = config_cls(**{k: v for k, v in cfg.items() if k in fields})

    model, tok, peft_config = load_model(cfg)
    render = render_sft if a.trainer == "sft" else render_preference
    dataset = Dataset.from_list([render(tok, ex) for ex in read_jsonl(data_file(cfg))])
    trainer = trainer_cls(
        model=model,
        args=args,
        train_dataset=dataset,
        processing_class=tok,
        peft_config=peft_config,
        callbacks=[progress_callback()],
    )
    trainer.train()
    trainer.save_model(args.output_dir)
    if trainer.is_world_process_zero():
        tok.save_pretrained(args.output_dir)


if __name__ == "__main__":
    main()
`;
