// The TRL launch script an export writes beside its data. `trl` has no command for CPO (SimPO) or
// ORPO, and its `dpo`/`sft` commands accept no callback; this script runs all four trainers and
// appends LLaMA-Factory-format progress lines to OUTPUT_DIR/trainer_log.jsonl, so the product
// follows a TRL run exactly as it follows a LLaMA-Factory one.
//
// It runs on every TRL from 0.24 to main (checked against each version's source, see
// test/unit/trainerCompat.test.ts): it takes each trainer from where the installed TRL keeps it
// (0.26 moved CPO and ORPO to trl.experimental, 0.29 dropped the old names), and builds the config
// from the fields that version has (0.29 dropped max_prompt_length; transformers 5 reads the
// warm-up share from warmup_steps).
//
// It renders each record with the model's own chat template, tools included, before building the
// dataset, for three reasons: TRL before 0.26 refuses a prompt that ends on a tool message, DPO
// before 0.29 renders prompts without each record's tools, and Arrow would merge the argument
// objects of different calls into one struct, padding each call with the others' keys as nulls.
// A rendered completion ends in the template's end of turn; when that is the tokenizer's EOS it is
// cut, because every TRL trainer appends the EOS to a completion itself. Likewise a template's BOS
// (Llama 3) is cut from the prompt where the trainer encodes the text with the tokenizer's own
// (SFT, and DPO from 0.29), and kept where it does not (CPO and ORPO add it only when missing).
import { BASE_MODEL_PLACEHOLDER, PROMPT_SHARE } from './options';

export const TRL_SCRIPT_NAME = 'train_simpo.py';

export const TRL_SCRIPT = String.raw`#!/usr/bin/env python3
"""Train on an iTool Studio export with TRL (0.24 to 1.x).

    python3 train_simpo.py --trainer cpo --config NAME.simpo.yaml      # SimPO (CPOTrainer, loss_type simpo)
    python3 train_simpo.py --trainer dpo --config NAME.dpo.yaml        # DPO / IPO
    python3 train_simpo.py --trainer orpo --config NAME.orpo.yaml      # ORPO
    python3 train_simpo.py --trainer sft --config NAME_easy.sft.yaml   # one warm-up curriculum stage
    ... --check    # import TRL, build its config and render the data; load no model, train nothing

Several GPUs: accelerate launch train_simpo.py ... (same arguments).
Progress: OUTPUT_DIR/trainer_log.jsonl, one JSON line per logging step, as LLaMA-Factory writes it.
"""
import argparse
import dataclasses
import datetime
import importlib
import json
import os
import re
import sys
import time

import yaml

# Where each trainer lives, newest layout first: TRL 0.26 moved CPO and ORPO to trl.experimental,
# 0.26-0.28 keep deprecated aliases at the top level, 0.29 removed them.
TRAINERS = {
    "cpo": [("trl.experimental.cpo", "CPOTrainer", "CPOConfig"), ("trl", "CPOTrainer", "CPOConfig")],
    "dpo": [("trl", "DPOTrainer", "DPOConfig")],
    "orpo": [("trl.experimental.orpo", "ORPOTrainer", "ORPOConfig"), ("trl", "ORPOTrainer", "ORPOConfig")],
    "sft": [("trl", "SFTTrainer", "SFTConfig")],
}
MODEL_KEYS = {"model_name_or_path", "use_peft", "lora_r", "lora_alpha", "lora_dropout", "lora_target_modules", "trust_remote_code"}
DATA_KEYS = {"dataset_path", "datasets", "dataset_name"}
# max_prompt_length, where the installed config still has it (TRL before 0.29, default 512, which
# would cut long tool lists): this share of max_length.
PROMPT_SHARE = ${PROMPT_SHARE}
# What the export writes when it was given no base model.
PLACEHOLDER = "${BASE_MODEL_PLACEHOLDER}"


def say(line):
    print("train_simpo: " + line, file=sys.stderr, flush=True)


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


def resolve_trainer(name):
    """The trainer and config classes for name from the installed TRL, and where they were found."""
    # trl.experimental warns on import; this script says itself where the trainer came from.
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    try:
        import trl
    except ModuleNotFoundError as e:
        if e.name == "trl":
            sys.exit("train_simpo: TRL is not installed for %s (pip install trl)" % sys.executable)
        raise
    looked = []
    for module, trainer_name, config_name in TRAINERS[name]:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            # Another version's layout: the module itself is missing. A dependency it lacks is a real error.
            if e.name is not None and (module == e.name or module.startswith(e.name + ".")):
                looked.append("%s (no such module)" % module)
                continue
            raise
        trainer_cls, config_cls = getattr(mod, trainer_name, None), getattr(mod, config_name, None)
        if trainer_cls is not None and config_cls is not None:
            return trainer_cls, config_cls, "%s.%s" % (module, trainer_name), getattr(trl, "__version__", "unknown")
        looked.append("%s.%s (not there)" % (module, trainer_name))
    sys.exit("train_simpo: TRL %s has no %s: looked for %s" % (getattr(trl, "__version__", "unknown"), TRAINERS[name][0][1], ", ".join(looked)))


def takes_warmup_share(field):
    """transformers 5 types warmup_steps as a float (below 1: a share of the steps) and deprecates
    warmup_ratio; in 4.x warmup_steps is an int and warmup_ratio is the share."""
    t = field.type
    return "float" in (t if isinstance(t, str) else repr(t))


def config_kwargs(config_cls, cfg):
    """The config's keyword arguments from the YAML, as this TRL and transformers take them, and
    what was adapted or left out on the way (always said, never silent)."""
    fields = {f.name: f for f in dataclasses.fields(config_cls)}
    kwargs = {k: v for k, v in cfg.items() if k in fields}
    said = []
    share = cfg.get("warmup_ratio")
    if share is not None and "warmup_steps" not in cfg and "warmup_steps" in fields and ("warmup_ratio" not in fields or takes_warmup_share(fields["warmup_steps"])):
        kwargs.pop("warmup_ratio", None)
        kwargs["warmup_steps"] = share
        said.append("warmup_ratio %s passed as warmup_steps %s (this transformers reads the share there)" % (share, share))
    if "max_prompt_length" in fields and "max_prompt_length" not in cfg and cfg.get("max_length"):
        kwargs["max_prompt_length"] = int(cfg["max_length"] * PROMPT_SHARE)
        said.append("max_prompt_length %d (%s still has it; its default of 512 would cut tool lists)" % (kwargs["max_prompt_length"], config_cls.__name__))
    left_out = sorted(k for k in cfg if k not in fields and k not in MODEL_KEYS and k not in DATA_KEYS and not (k == "warmup_ratio" and "warmup_steps" in kwargs))
    if left_out:
        said.append("%s of this TRL has no %s: left out" % (config_cls.__name__, ", ".join(left_out)))
    return kwargs, said


def data_file(cfg):
    if cfg.get("dataset_path"):
        return cfg["dataset_path"]
    for d in cfg.get("datasets") or []:
        files = d.get("data_files")
        if files:
            return files if isinstance(files, str) else files[0]
    sys.exit("train_simpo: the config names no dataset (dataset_path, or datasets[].data_files)")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def split_off(tok, prompt_messages, messages, tools):
    prompt = tok.apply_chat_template(prompt_messages, tools=tools, tokenize=False, add_generation_prompt=True)
    full = tok.apply_chat_template(messages, tools=tools, tokenize=False)
    if not full.startswith(prompt):
        raise ValueError("the chat template renders the prompt differently inside the whole conversation: cannot split off the response")
    return prompt, full[len(prompt):]


def without_eos(tok, completion):
    """The completion less the template's closing EOS and what the template writes after it (Qwen:
    a line break). Every TRL trainer appends tokenizer.eos_token to a completion itself: CPO and ORPO
    when the last token is not EOS (add_eos_token_if_needed), DPO always before 0.29 (tokenize_row)
    and when the text does not end in it from 0.29, SFT when the text does not end in it (add_eos).
    Left in, <|im_end|> would be trained twice. A template whose turn ends in another token (Gemma's
    <end_of_turn>) keeps it; the trainer's EOS follows it."""
    eos = tok.eos_token
    body = completion.rstrip()
    if eos and body.endswith(eos):
        return body[: -len(eos)], True
    return completion, False


def version_tuple(version):
    return tuple(int(x) for x in re.findall(r"\d+", version or "")[:2])


def adds_bos(tok):
    """Whether the tokenizer puts its BOS in front of any text it encodes (Llama 3 does; Qwen has none)."""
    if tok.bos_token is None or getattr(tok, "bos_token_id", None) is None:
        return False
    ids = tok("x")["input_ids"]
    return len(ids) > 0 and ids[0] == tok.bos_token_id


def bos_from_tokenizer(trainer, trl_version):
    """Whether the trainer encodes the prompt text with the tokenizer's special tokens, so the BOS
    the chat template wrote would come twice: SFT (sft_trainer.py, 0.24 and main) and DPO from 0.29
    (_tokenize). CPO and ORPO add the BOS only when it is missing (add_bos_token_if_needed), DPO
    before 0.29 adds none (tokenize_row, add_special_tokens=False): the template's stays there."""
    return trainer == "sft" or (trainer == "dpo" and version_tuple(trl_version) >= (0, 29))


def tools_missing(prompt, tools):
    """Names of offered tools the rendered prompt does not mention (a template that ignores tools)."""
    names = [t.get("function", t).get("name") for t in tools or []]
    return [n for n in names if n and n not in prompt]


def prepare(tok, records, trainer, cut_bos=False):
    """Every record rendered as prompt/completion text, the EOS cut (and the BOS, when cut_bos),
    with counts to report."""
    rows, cut, no_tools, bos_cut = [], 0, 0, 0
    for ex in records:
        tools = ex.get("tools") or None
        if trainer == "sft":
            prompt, completion = split_off(tok, ex["messages"][:-1], ex["messages"], tools)
            completion, c = without_eos(tok, completion)
            cut += c
            row = {"prompt": prompt, "completion": completion}
        else:
            prompt, chosen = split_off(tok, ex["prompt"], ex["prompt"] + ex["chosen"], tools)
            _, rejected = split_off(tok, ex["prompt"], ex["prompt"] + ex["rejected"], tools)
            chosen, c1 = without_eos(tok, chosen)
            rejected, c2 = without_eos(tok, rejected)
            cut += c1 and c2
            row = {"prompt": prompt, "chosen": chosen, "rejected": rejected}
        if tools and tools_missing(prompt, tools):
            no_tools += 1
        if cut_bos and tok.bos_token and row["prompt"].startswith(tok.bos_token):
            row["prompt"] = row["prompt"][len(tok.bos_token):]
            bos_cut += 1
        rows.append(row)
    return rows, cut, no_tools, bos_cut


def load_tokenizer(cfg):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(cfg["model_name_or_path"], trust_remote_code=bool(cfg.get("trust_remote_code", False)))
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    return tok


def load_model(cfg):
    import torch
    from transformers import AutoModelForCausalLM

    path = cfg["model_name_or_path"]
    # dtype, not torch_dtype (deprecated since transformers 4.56, which is TRL 0.24's floor).
    dtype = torch.bfloat16 if cfg.get("bf16") else "auto"
    trust = bool(cfg.get("trust_remote_code", False))
    if os.path.exists(os.path.join(path, "adapter_config.json")):
        # The previous curriculum stage's adapter: train it further instead of stacking a new one.
        from peft import AutoPeftModelForCausalLM

        return AutoPeftModelForCausalLM.from_pretrained(path, is_trainable=True, dtype=dtype, trust_remote_code=trust), None
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, trust_remote_code=trust)
    if not cfg.get("use_peft", True):
        return model, None
    from peft import LoraConfig

    rank = int(cfg.get("lora_r", 8))
    peft_config = LoraConfig(
        r=rank,
        lora_alpha=int(cfg.get("lora_alpha", 2 * rank)),
        lora_dropout=float(cfg.get("lora_dropout", 0.0)),
        target_modules=cfg.get("lora_target_modules", "all-linear"),
        task_type="CAUSAL_LM",
    )
    return model, peft_config


def main():
    ap = argparse.ArgumentParser(description="Train on an iTool Studio export with TRL.")
    ap.add_argument("--config", required=True, help="the YAML the export wrote")
    ap.add_argument("--trainer", choices=sorted(TRAINERS), default="cpo")
    ap.add_argument("--check", action="store_true", help="import TRL, build its config and render the data with the model's tokenizer; load no model, train nothing")
    a = ap.parse_args()
    with open(a.config, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)

    trainer_cls, config_cls, where, version = resolve_trainer(a.trainer)
    say("trainer %s (TRL %s)" % (where, version))
    kwargs, said = config_kwargs(config_cls, cfg)
    for line in said:
        say("config  " + line)
    try:
        args = config_cls(**kwargs)
    except ValueError as e:
        # A check on a machine without the training hardware (bf16 on a CPU): the keys are this
        # version's, the values are for the machine that trains.
        if not a.check:
            raise
        args = None
        say("config  %s not built on this machine: %s" % (config_cls.__name__, e))

    if cfg.get("model_name_or_path") in (None, PLACEHOLDER):
        sys.exit("train_simpo: set model_name_or_path in %s to your policy (a Hugging Face id or a local folder)" % a.config)
    tok = load_tokenizer(cfg)
    path = data_file(cfg)
    rows, cut, no_tools, bos_cut = prepare(tok, read_jsonl(path), a.trainer, bos_from_tokenizer(a.trainer, version) and adds_bos(tok))
    say("data    %d record(s) from %s rendered with the chat template of %s" % (len(rows), path, cfg["model_name_or_path"]))
    if cut == len(rows):
        say("eos     every completion ends before %s: the trainer appends it once" % tok.eos_token)
    else:
        say("eos     %d of %d completion(s) end in something other than %s (the template's end of turn): the trainer appends %s after it" % (len(rows) - cut, len(rows), tok.eos_token, tok.eos_token))
    if bos_cut:
        say("bos     %s cut from %d prompt(s): this trainer's tokenizer puts it back, once" % (tok.bos_token, bos_cut))
    if no_tools:
        say("tools   WARNING: the chat template left the offered tools out of %d prompt(s); the model trains without seeing them" % no_tools)
    if a.check:
        say("check   done: nothing loaded, nothing trained")
        return

    from datasets import Dataset

    model, peft_config = load_model(cfg)
    trainer = trainer_cls(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(rows),
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
