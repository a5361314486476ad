// STAND-IN Python packages `trl`, `transformers`, `datasets`, `torch` and `peft` (and `yaml` where
// the test's python3 has no PyYAML), written into a folder for PYTHONPATH so the TRL launch script
// (src/core/pairs/export/trlScript.ts) runs for real under python3 without the real libraries.
// They are NOT those libraries: they copy the shapes the script meets, taken from the libraries'
// source, and nothing else:
// - where each trainer and config class lives in the TRL version (module layout, lazy top-level
//   attributes that raise AttributeError when absent, trl.experimental's import warning);
// - each config dataclass's own fields and defaults, extracted with `ast` from the TRL source at
//   the tag (trl/trainer/{cpo,orpo,dpo,sft}_config.py at v0.24.0; trl/experimental/{cpo,orpo}/*_config.py
//   and trl/trainer/{dpo,sft}_config.py at v0.28.0 and at main 1.10.0.dev0, commit f2cd577), on a
//   TrainingArguments holding the fields the exports use, typed as in transformers 4.57
//   (warmup_steps: int, warmup_ratio: float) or 5 (warmup_steps: float, warmup_ratio deprecated:
//   src/transformers/training_args.py at main, commit 00349ae);
// - how each trainer ends a completion: CPO/ORPO append EOS when the last token is not EOS
//   (add_eos_token_if_needed, trl/trainer/utils.py v0.24.0, trl/experimental/utils.py main), DPO
//   appends it always before 0.29 (dpo_trainer.py tokenize_row, v0.24.0 and v0.28.0 for text
//   data) and when the text does not end in it from 0.29 (dpo_trainer.py add_eos, main), SFT when
//   the text does not end in it (sft_trainer.py add_eos, v0.24.0 and main);
// - how each trainer starts a prompt: SFT (sft_trainer.py, v0.24.0 and main) and DPO from 0.29
//   (data_utils.py _tokenize, main) encode the text with the tokenizer's special tokens, CPO/ORPO add
//   the BOS when it is missing (add_bos_token_if_needed), DPO before 0.29 adds none (tokenize_row,
//   add_special_tokens=False);
// - tokenizers whose chat templates write Qwen2.5-Instruct's ChatML with tools (EOS <|im_end|>, no
//   BOS) or Llama 3.1-Instruct's (BOS <|begin_of_text|> added on encode, EOS <|eot_id|>), abridged;
//   a model folder holding a file `standin_llama3` gets the second.
// A stand-in trainer's train() writes what it would train on (after its EOS rule) and the config it
// got to OUTPUT_DIR/standin_trained.json, and drives the callbacks as Trainer does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type TrlLayout = '0.24.0' | '0.28.0' | 'main';
export type TransformersLine = '4.57' | '5';

type FieldList = [string, unknown][];

// Extracted from the TRL source (see the header): each class's own fields, the TrainingArguments
// overrides every TRL config makes (learning_rate, logging_steps, gradient_checkpointing, bf16, ...)
// left to the base class.
const V0_24: Record<string, FieldList> = {
  CPOConfig: [['max_length', 1024], ['max_prompt_length', 512], ['max_completion_length', null], ['beta', 0.1], ['label_smoothing', 0.0], ['loss_type', 'sigmoid'], ['disable_dropout', true], ['cpo_alpha', 1.0], ['simpo_gamma', 0.5], ['alpha', 0.0], ['label_pad_token_id', -100], ['padding_value', null], ['truncation_mode', 'keep_end'], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['dataset_num_proc', null]],
  ORPOConfig: [['max_length', 1024], ['max_prompt_length', 512], ['max_completion_length', null], ['beta', 0.1], ['disable_dropout', true], ['label_pad_token_id', -100], ['padding_value', null], ['truncation_mode', 'keep_end'], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['dataset_num_proc', null]],
  DPOConfig: [['model_init_kwargs', null], ['ref_model_init_kwargs', null], ['model_adapter_name', null], ['ref_adapter_name', null], ['force_use_ref_model', false], ['disable_dropout', true], ['use_logits_to_keep', false], ['dataset_num_proc', null], ['pad_token', null], ['label_pad_token_id', -100], ['max_prompt_length', 512], ['max_completion_length', null], ['max_length', 1024], ['truncation_mode', 'keep_end'], ['padding_free', false], ['precompute_ref_log_probs', false], ['precompute_ref_batch_size', null], ['tools', null], ['loss_type', null], ['use_liger_loss', false], ['base_model_attribute_name', 'model'], ['beta', 0.1], ['f_divergence_type', 'reverse_kl'], ['f_alpha_divergence_coef', 1.0], ['reference_free', false], ['label_smoothing', 0.0], ['use_weighting', false], ['rpo_alpha', null], ['ld_alpha', null], ['discopop_tau', 0.05], ['loss_weights', null], ['sync_ref_model', false], ['ref_model_mixup_alpha', 0.6], ['ref_model_sync_steps', 512], ['generate_during_eval', false], ['padding_value', null]],
  SFTConfig: [['model_init_kwargs', null], ['chat_template_path', null], ['dataset_text_field', 'text'], ['dataset_kwargs', null], ['dataset_num_proc', null], ['eos_token', null], ['pad_token', null], ['max_length', 1024], ['packing', false], ['packing_strategy', 'bfd'], ['padding_free', false], ['pad_to_multiple_of', null], ['eval_packing', null], ['completion_only_loss', null], ['assistant_only_loss', false], ['loss_type', 'nll'], ['activation_offloading', false]],
};
const V0_28: Record<string, FieldList> = {
  CPOConfig: [['max_length', 1024], ['max_completion_length', null], ['beta', 0.1], ['label_smoothing', 0.0], ['loss_type', 'sigmoid'], ['disable_dropout', true], ['cpo_alpha', 1.0], ['simpo_gamma', 0.5], ['alpha', 0.0], ['truncation_mode', 'keep_end'], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['dataset_num_proc', null]],
  ORPOConfig: [['max_length', 1024], ['max_completion_length', null], ['beta', 0.1], ['disable_dropout', true], ['padding_value', null], ['truncation_mode', 'keep_end'], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['dataset_num_proc', null]],
  // max_prompt_length defaults to -1 there and becomes 512 in __post_init__ (deprecated, removed in 0.29).
  DPOConfig: [['model_init_kwargs', null], ['disable_dropout', true], ['dataset_num_proc', null], ['pad_token', null], ['max_length', 1024], ['truncation_mode', 'keep_end'], ['padding_free', false], ['precompute_ref_log_probs', false], ['precompute_ref_batch_size', null], ['loss_type', null], ['beta', 0.1], ['f_divergence_type', 'reverse_kl'], ['f_alpha_divergence_coef', 1.0], ['label_smoothing', 0.0], ['use_weighting', false], ['ld_alpha', null], ['discopop_tau', 0.05], ['loss_weights', null], ['sync_ref_model', false], ['ref_model_mixup_alpha', 0.6], ['ref_model_sync_steps', 512], ['base_model_attribute_name', null], ['force_use_ref_model', null], ['generate_during_eval', null], ['label_pad_token_id', null], ['max_completion_length', -1], ['max_prompt_length', -1], ['model_adapter_name', null], ['ref_adapter_name', null], ['ref_model_init_kwargs', null], ['reference_free', null], ['rpo_alpha', null], ['tools', null], ['use_logits_to_keep', null]],
  SFTConfig: [['model_init_kwargs', null], ['chat_template_path', null], ['dataset_text_field', 'text'], ['dataset_kwargs', null], ['dataset_num_proc', null], ['eos_token', null], ['pad_token', null], ['max_length', 1024], ['shuffle_dataset', false], ['packing', false], ['packing_strategy', 'bfd'], ['padding_free', false], ['pad_to_multiple_of', null], ['eval_packing', null], ['completion_only_loss', null], ['assistant_only_loss', false], ['loss_type', 'nll'], ['activation_offloading', false]],
};
const MAIN: Record<string, FieldList> = {
  CPOConfig: [['max_length', 1024], ['max_completion_length', null], ['beta', 0.1], ['label_smoothing', 0.0], ['loss_type', 'sigmoid'], ['disable_dropout', true], ['cpo_alpha', 1.0], ['simpo_gamma', 0.5], ['alpha', 0.0], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['trust_remote_code', false], ['dataset_num_proc', null]],
  ORPOConfig: [['max_length', 1024], ['max_completion_length', null], ['beta', 0.1], ['disable_dropout', true], ['padding_value', null], ['generate_during_eval', false], ['is_encoder_decoder', null], ['model_init_kwargs', null], ['trust_remote_code', false], ['dataset_num_proc', null]],
  DPOConfig: [['model_init_kwargs', null], ['trust_remote_code', false], ['router_aux_loss_coef', 0.001], ['disable_dropout', true], ['dataset_num_proc', null], ['max_length', 1024], ['truncation_mode', 'keep_start'], ['padding_free', false], ['pad_to_multiple_of', null], ['precompute_ref_log_probs', false], ['precompute_ref_batch_size', null], ['loss_type', null], ['loss_weights', null], ['ld_alpha', null], ['f_divergence_type', 'reverse_kl'], ['f_alpha_divergence_coef', 0.5], ['label_smoothing', 0.0], ['beta', 0.1], ['use_weighting', false], ['discopop_tau', 0.05], ['activation_offloading', false], ['sync_ref_model', false], ['ref_model_mixup_alpha', 0.6], ['ref_model_sync_steps', 512], ['pad_token', null]],
  SFTConfig: [['model_init_kwargs', null], ['router_aux_loss_coef', 0.001], ['trust_remote_code', false], ['chat_template_path', null], ['dataset_text_field', 'text'], ['dataset_kwargs', null], ['dataset_num_proc', null], ['eos_token', null], ['max_length', 1024], ['truncation_mode', 'keep_start'], ['shuffle_dataset', false], ['packing', false], ['packing_strategy', 'bfd'], ['padding_free', false], ['pad_to_multiple_of', null], ['eval_packing', null], ['completion_only_loss', null], ['assistant_only_loss', false], ['loss_type', null], ['activation_offloading', false], ['pad_token', null]],
};

/** The config fields per layout, for the tests' own checks (e.g. what `trl dpo --config` accepts). */
export const CONFIG_FIELDS: Record<TrlLayout, Record<string, FieldList>> = { '0.24.0': V0_24, '0.28.0': V0_28, main: MAIN };

/**
 * What TrlParser (`trl dpo --config`) accepts beside DPOConfig on main: ModelConfig
 * (trl/trainer/model_config.py), ScriptArguments and DatasetMixtureConfig (trl/scripts/utils.py),
 * field names at commit f2cd577.
 */
export const TRL_PARSER_EXTRA_FIELDS = [
  'model_name_or_path', 'model_revision', 'dtype', 'attn_implementation', 'use_peft', 'lora_r', 'lora_alpha', 'lora_dropout', 'lora_target_modules',
  'lora_target_parameters', 'lora_modules_to_save', 'lora_task_type', 'use_rslora', 'use_dora', 'load_in_8bit', 'load_in_4bit', 'bnb_4bit_quant_type',
  'use_bnb_nested_quant', 'bnb_4bit_quant_storage', 'dataset_name', 'dataset_config', 'dataset_train_split', 'dataset_test_split', 'dataset_streaming',
  'ignore_bias_buffers', 'datasets', 'streaming', 'test_split_size',
];

/** TrainingArguments fields the stand-in has: all real in transformers 4.57 and 5 (training_args.py). */
export const TRAINING_ARGUMENT_FIELDS = [
  'output_dir', 'per_device_train_batch_size', 'num_train_epochs', 'max_steps', 'learning_rate', 'lr_scheduler_type', 'lr_scheduler_kwargs', 'warmup_steps', 'warmup_ratio',
  'weight_decay', 'gradient_accumulation_steps', 'max_grad_norm', 'bf16', 'fp16', 'gradient_checkpointing', 'logging_steps', 'save_steps', 'report_to', 'run_name',
  'seed', 'resume_from_checkpoint', 'remove_unused_columns', 'use_cpu', 'do_train',
];

const py = (v: unknown): string => (v === null ? 'None' : v === true ? 'True' : v === false ? 'False' : JSON.stringify(v));
const fieldsPy = (fields: FieldList): string => `[${fields.map(([n, d]) => `(${JSON.stringify(n)}, ${py(d)})`).join(', ')}]`;

const TRANSFORMERS = (line: TransformersLine): string => `"""STAND-IN for transformers ${line === '5' ? '5 (training_args.py at main, 00349ae)' : '4.57'}: not the real library."""
import dataclasses
import json
import os
import sys
from typing import Optional

__version__ = ${line === '5' ? '"5.0.0"' : '"4.57.1"'}
STANDIN = True


def _warn(msg):
    print(msg, file=sys.stderr)


@dataclasses.dataclass
class TrainingArguments:
    output_dir: Optional[str] = None
    per_device_train_batch_size: int = 8
    num_train_epochs: float = 3.0
    max_steps: int = -1
    learning_rate: float = 5e-05
    lr_scheduler_type: str = "linear"
    lr_scheduler_kwargs: Optional[dict] = None
${line === '5' ? `    # transformers 5: a float below 1 is a share of the steps; warmup_ratio is deprecated.
    warmup_steps: float = 0
    warmup_ratio: Optional[float] = None` : `    warmup_ratio: float = 0.0
    warmup_steps: int = 0`}
    weight_decay: float = 0.0
    gradient_accumulation_steps: int = 1
    max_grad_norm: float = 1.0
    bf16: bool = False
    fp16: bool = False
    gradient_checkpointing: bool = False
    logging_steps: float = 500
    save_steps: float = 500
    report_to: Optional[str] = None
    run_name: Optional[str] = None
    seed: int = 42
    resume_from_checkpoint: Optional[str] = None
    remove_unused_columns: bool = True
    use_cpu: bool = False
    do_train: bool = False

    def __post_init__(self):
${line === '5' ? `        if self.warmup_ratio is not None:
            _warn("warmup_ratio is deprecated and will be removed in v5.2. Use \`warmup_steps\` instead.")
            self.warmup_steps = self.warmup_ratio` : '        pass'}

    def warmup_share(self):
        """The warm-up as a share of the steps, as the real get_warmup_steps reads these fields."""
${line === '5' ? '        return self.warmup_steps if self.warmup_steps < 1 else None' : '        return self.warmup_ratio if self.warmup_steps == 0 else None'}


class TrainerCallback:
    def on_train_begin(self, args, state, control, **kwargs):
        pass

    def on_log(self, args, state, control, logs=None, **kwargs):
        pass


class ChatMLTokenizer:
    """Qwen2.5-Instruct's chat template, abridged to what iTool's records use; EOS <|im_end|>."""

    eos_token = "<|im_end|>"
    bos_token = None

    def __init__(self, path):
        self.path = path
        self.pad_token = None

    def apply_chat_template(self, messages, tools=None, tokenize=False, add_generation_prompt=False, **kwargs):
        assert tokenize is False, "the stand-in renders text only"
        out = ""
        msgs = list(messages)
        if tools:
            out += "<|im_start|>system\\n"
            if msgs and msgs[0]["role"] == "system":
                out += msgs[0]["content"]
                msgs = msgs[1:]
            else:
                out += "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
            out += "\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures within <tools></tools> XML tags:\\n<tools>"
            for t in tools:
                out += "\\n" + json.dumps(t, ensure_ascii=False)
            out += "\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}\\n</tool_call><|im_end|>\\n"
        for i, m in enumerate(msgs):
            role = m["role"]
            if role in ("system", "user") or (role == "assistant" and not m.get("tool_calls")):
                out += "<|im_start|>" + role + "\\n" + m["content"] + "<|im_end|>\\n"
            elif role == "assistant":
                out += "<|im_start|>assistant"
                if m.get("content"):
                    out += "\\n" + m["content"]
                for c in m["tool_calls"]:
                    f = c["function"]
                    args = f["arguments"] if isinstance(f["arguments"], str) else json.dumps(f["arguments"], ensure_ascii=False)
                    out += "\\n<tool_call>\\n{\\"name\\": \\"" + f["name"] + "\\", \\"arguments\\": " + args + "}\\n</tool_call>"
                out += "<|im_end|>\\n"
            elif role == "tool":
                if i == 0 or msgs[i - 1]["role"] != "tool":
                    out += "<|im_start|>user"
                out += "\\n<tool_response>\\n" + m["content"] + "\\n</tool_response>"
                if i == len(msgs) - 1 or msgs[i + 1]["role"] != "tool":
                    out += "<|im_end|>\\n"
        if add_generation_prompt:
            out += "<|im_start|>assistant\\n"
        return out

    def save_pretrained(self, path):
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "tokenizer_config.json"), "w") as f:
            json.dump({"standin": True}, f)


class Llama3Tokenizer(ChatMLTokenizer):
    """Llama 3.1-Instruct's chat template, abridged (tools in the first user message); encoding adds the BOS."""

    eos_token = "<|eot_id|>"
    bos_token = "<|begin_of_text|>"
    bos_token_id = 128000

    def __call__(self, text, add_special_tokens=True, **kwargs):
        return {"input_ids": ([self.bos_token_id] if add_special_tokens else []) + [1] * len(text)}

    def apply_chat_template(self, messages, tools=None, tokenize=False, add_generation_prompt=False, **kwargs):
        assert tokenize is False, "the stand-in renders text only"
        head = lambda role: "<|start_header_id|>" + role + "<|end_header_id|>\\n\\n"
        out = self.bos_token
        msgs = list(messages)
        if msgs and msgs[0]["role"] == "system":
            out += head("system") + msgs[0]["content"] + "<|eot_id|>"
            msgs = msgs[1:]
        first_user = True
        for m in msgs:
            role = m["role"]
            if role == "user":
                text = m["content"]
                if tools and first_user:
                    text = "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\\n\\n" + "\\n\\n".join(json.dumps(t, indent=4) for t in tools) + "\\n\\n" + text
                first_user = False
                out += head("user") + text + "<|eot_id|>"
            elif role == "assistant" and m.get("tool_calls"):
                f = m["tool_calls"][0]["function"]
                args = f["arguments"] if isinstance(f["arguments"], str) else json.dumps(f["arguments"])
                out += head("assistant") + "{\\"name\\": \\"" + f["name"] + "\\", \\"parameters\\": " + args + "}" + "<|eot_id|>"
            elif role == "assistant":
                out += head("assistant") + m["content"] + "<|eot_id|>"
            else:
                out += head("ipython") + m["content"] + "<|eot_id|>"
        if add_generation_prompt:
            out += head("assistant")
        return out


def _chatml_call(self, text, add_special_tokens=True, **kwargs):
    return {"input_ids": [1] * len(text)}


ChatMLTokenizer.__call__ = _chatml_call


class AutoTokenizer:
    @staticmethod
    def from_pretrained(path, **kwargs):
        return Llama3Tokenizer(path) if os.path.exists(os.path.join(path, "standin_llama3")) else ChatMLTokenizer(path)


class StandInModel:
    def __init__(self, path, kwargs):
        self.path = path
        self.kwargs = kwargs


class AutoModelForCausalLM:
    @staticmethod
    def from_pretrained(path, **kwargs):
        if "torch_dtype" in kwargs:
            _warn("\`torch_dtype\` is deprecated! Use \`dtype\` instead!")
        return StandInModel(path, kwargs)
`;

/** The trainers' shared behaviour: what train() records, and the EOS rule of each trainer. */
const TRAINER_BASE = `"""STAND-IN trainer base (not TRL): records what it would train on and drives the callbacks."""
import dataclasses
import json
import os
import types


class StandInTrainer:
    # "always": appends EOS to every completion; "unless_present": only when it does not end in EOS.
    EOS_RULE = "unless_present"
    # "encode": the prompt text is encoded with special tokens (a BOS in front when the tokenizer adds
    # one); "if_missing": a BOS is put in front unless the text starts with it; "none": nothing added.
    BOS_RULE = "encode"

    def __init__(self, model=None, args=None, train_dataset=None, processing_class=None, peft_config=None, callbacks=None):
        self.model, self.args, self.train_dataset = model, args, train_dataset
        self.processing_class, self.peft_config, self.callbacks = processing_class, peft_config, callbacks or []

    def _start(self, text):
        tok = self.processing_class
        bos = tok.bos_token
        if self.BOS_RULE == "encode":
            ids = tok(text)["input_ids"]
            return bos + text if bos and ids and ids[0] == getattr(tok, "bos_token_id", None) else text
        if self.BOS_RULE == "if_missing" and bos and not text.startswith(bos):
            return bos + text
        return text

    def _end(self, text):
        eos = self.processing_class.eos_token
        return text + eos if self.EOS_RULE == "always" or not text.endswith(eos) else text

    def train(self):
        rows = []
        for ex in self.train_dataset:
            row = {"prompt": self._start(ex["prompt"])}
            for k in ("chosen", "rejected", "completion"):
                if k in ex:
                    row[k] = self._end(ex[k])
            rows.append(row)
        os.makedirs(self.args.output_dir, exist_ok=True)
        record = {
            "trainer": type(self).__name__,
            "module": type(self).__module__,
            "config_class": type(self.args).__name__,
            "config": {f.name: getattr(self.args, f.name) for f in dataclasses.fields(self.args)},
            "warmup_share": self.args.warmup_share(),
            "model": {"path": self.model.path, "kwargs": {k: str(v) for k, v in self.model.kwargs.items()}},
            "peft": None if self.peft_config is None else vars(self.peft_config),
            "rows": rows,
        }
        with open(os.path.join(self.args.output_dir, "standin_trained.json"), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        state = types.SimpleNamespace(is_world_process_zero=True, global_step=0, max_steps=max(1, len(rows)))
        for cb in self.callbacks:
            cb.on_train_begin(self.args, state, None)
        for step in range(1, state.max_steps + 1):
            state.global_step = step
            for cb in self.callbacks:
                cb.on_log(self.args, state, None, logs={"loss": 0.5, "learning_rate": self.args.learning_rate, "epoch": step / state.max_steps})

    def save_model(self, path):
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "adapter_config.json"), "w") as f:
            json.dump({"standin": True}, f)

    def is_world_process_zero(self):
        return True
`;

/** One config + trainer module. */
function trainerModule(layout: TrlLayout, config: string, trainer: string, fields: FieldList, eosRule: 'always' | 'unless_present', bosRule: 'encode' | 'if_missing' | 'none', base = 'trl._standin_base'): string {
  return `"""STAND-IN for TRL ${layout}'s ${trainer} (not the real class): config fields from the TRL source at ${layout}."""
import dataclasses

from transformers import TrainingArguments
from ${base} import StandInTrainer

_OWN = ${fieldsPy(fields)}
${config} = dataclasses.make_dataclass(${JSON.stringify(config)}, [(n, object, dataclasses.field(default=d)) for n, d in _OWN], bases=(TrainingArguments,))
${config}.__module__ = __name__


class ${trainer}(StandInTrainer):
    EOS_RULE = ${JSON.stringify(eosRule)}
    BOS_RULE = ${JSON.stringify(bosRule)}
`;
}

/** A module-level __getattr__ like TRL's _LazyModule: a name it does not export raises AttributeError. */
const LAZY_INIT = (version: string, exports: Record<string, string>): string => `"""STAND-IN for TRL ${version} (not the real library)."""
import importlib

__version__ = ${JSON.stringify(version)}
STANDIN = True
_EXPORTS = ${JSON.stringify(exports)}


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError("module trl has no attribute " + name)
`;

const EXPERIMENTAL_INIT = `"""STAND-IN for trl.experimental: warns on import unless TRL_EXPERIMENTAL_SILENCE is set, as the real one does."""
import os
import warnings


class TRLExperimentalWarning(UserWarning):
    pass


if not os.environ.get("TRL_EXPERIMENTAL_SILENCE"):
    warnings.warn("You are importing from 'trl.experimental'. APIs here are unstable and may change or be removed without notice.", TRLExperimentalWarning, stacklevel=2)
`;

/** TRL 0.26-0.28's deprecated top-level names: subclasses that warn when used (trl/trainer/cpo_trainer.py v0.28.0). */
const DEPRECATED_ALIAS = (trainer: string, config: string, from: string): string => `"""STAND-IN for TRL 0.28's deprecated trl.${trainer} alias."""
import warnings

from ${from} import ${config} as _Config, ${trainer} as _Trainer

${config} = _Config


class ${trainer}(_Trainer):
    def __init__(self, *args, **kwargs):
        warnings.warn("The \`${trainer}\` is now located in \`trl.experimental\`. The current import path will be removed in TRL 0.29.", FutureWarning, stacklevel=2)
        super().__init__(*args, **kwargs)
`;

const OTHERS: Record<string, string> = {
  'datasets/__init__.py': `"""STAND-IN for datasets (not the real library)."""
STANDIN = True


class Dataset:
    def __init__(self, rows):
        self.rows = list(rows)
        self.column_names = sorted({k for r in self.rows for k in r})

    @classmethod
    def from_list(cls, rows):
        return cls(rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)
`,
  'torch/__init__.py': `"""STAND-IN for torch (not the real library): the dtype names the launch script reads."""
STANDIN = True
bfloat16 = "torch.bfloat16"
`,
  'peft/__init__.py': `"""STAND-IN for peft (not the real library)."""
STANDIN = True


class LoraConfig:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


class AutoPeftModelForCausalLM:
    @staticmethod
    def from_pretrained(path, **kwargs):
        from transformers import StandInModel

        return StandInModel(path, dict(kwargs, adapter=True))
`,
};

/**
 * A YAML reader for what the exports write (comments, `key: scalar`, a list of flat mappings), used
 * only when the test's python3 has no PyYAML (which the real transformers brings along).
 */
const YAML_STANDIN = `"""STAND-IN for PyYAML's safe_load (not the real library): the subset iTool's exports write."""
import json
import re

STANDIN = True


def _scalar(s):
    s = s.strip()
    if s in ("true", "false"):
        return s == "true"
    if s in ("null", "~", ""):
        return None
    if s.startswith('"'):
        return json.loads(s)
    if s.startswith("'"):
        return s[1:-1].replace("''", "'")
    if re.fullmatch(r"[-+]?\\d+", s):
        return int(s)
    if re.fullmatch(r"[-+]?(\\d+\\.\\d*|\\.\\d+|\\d+)([eE][-+]?\\d+)?", s):
        return float(s)
    return s


def safe_load(stream):
    text = stream.read() if hasattr(stream, "read") else stream
    out, key, item = {}, None, None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line.startswith(" "):
            k, _, v = line.partition(":")
            key = k.strip()
            out[key] = _scalar(v) if v.strip() else []
            continue
        body = line.strip()
        if body.startswith("- "):
            item = {}
            out[key].append(item)
            body = body[2:]
        k, _, v = body.partition(":")
        item[k.strip()] = _scalar(v)
    return out
`;

/** Whether the python3 on PATH can import PyYAML. */
export function hasPyYaml(python = 'python3'): boolean {
  return spawnSync(python, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
}

/**
 * Writes the stand-in packages for `layout` (TRL) on `transformers` into `dir` (for PYTHONPATH).
 * `withYaml` adds the YAML stand-in (when the real PyYAML is missing).
 */
export function writeTrlStandIn(dir: string, layout: TrlLayout, transformers: TransformersLine, withYaml: boolean): void {
  const files: Record<string, string> = { ...OTHERS, 'transformers/__init__.py': TRANSFORMERS(transformers), 'trl/_standin_base.py': TRAINER_BASE };
  if (withYaml) files['yaml/__init__.py'] = YAML_STANDIN;
  if (layout === '0.24.0') {
    const f = V0_24;
    files['trl/__init__.py'] = LAZY_INIT('0.24.0', { CPOConfig: '.trainer.cpo', CPOTrainer: '.trainer.cpo', ORPOConfig: '.trainer.orpo', ORPOTrainer: '.trainer.orpo', DPOConfig: '.trainer.dpo', DPOTrainer: '.trainer.dpo', SFTConfig: '.trainer.sft', SFTTrainer: '.trainer.sft' });
    files['trl/trainer/__init__.py'] = '';
    files['trl/trainer/cpo.py'] = trainerModule(layout, 'CPOConfig', 'CPOTrainer', f.CPOConfig, 'unless_present', 'if_missing');
    files['trl/trainer/orpo.py'] = trainerModule(layout, 'ORPOConfig', 'ORPOTrainer', f.ORPOConfig, 'unless_present', 'if_missing');
    files['trl/trainer/dpo.py'] = trainerModule(layout, 'DPOConfig', 'DPOTrainer', f.DPOConfig, 'always', 'none');
    files['trl/trainer/sft.py'] = trainerModule(layout, 'SFTConfig', 'SFTTrainer', f.SFTConfig, 'unless_present', 'encode');
  } else {
    const f = layout === 'main' ? MAIN : V0_28;
    const version = layout === 'main' ? '1.10.0.dev0' : '0.28.0';
    const exports: Record<string, string> = { DPOConfig: '.trainer.dpo', DPOTrainer: '.trainer.dpo', SFTConfig: '.trainer.sft', SFTTrainer: '.trainer.sft' };
    if (layout === '0.28.0') Object.assign(exports, { CPOConfig: '.trainer.cpo_alias', CPOTrainer: '.trainer.cpo_alias', ORPOConfig: '.trainer.orpo_alias', ORPOTrainer: '.trainer.orpo_alias' });
    files['trl/__init__.py'] = LAZY_INIT(version, exports);
    files['trl/trainer/__init__.py'] = '';
    files['trl/trainer/dpo.py'] = layout === 'main' ? trainerModule(layout, 'DPOConfig', 'DPOTrainer', f.DPOConfig, 'unless_present', 'encode') : trainerModule(layout, 'DPOConfig', 'DPOTrainer', f.DPOConfig, 'always', 'none');
    files['trl/trainer/sft.py'] = trainerModule(layout, 'SFTConfig', 'SFTTrainer', f.SFTConfig, 'unless_present', 'encode');
    files['trl/experimental/__init__.py'] = EXPERIMENTAL_INIT;
    files['trl/experimental/cpo/__init__.py'] = trainerModule(layout, 'CPOConfig', 'CPOTrainer', f.CPOConfig, 'unless_present', 'if_missing');
    files['trl/experimental/orpo/__init__.py'] = trainerModule(layout, 'ORPOConfig', 'ORPOTrainer', f.ORPOConfig, 'unless_present', 'if_missing');
    if (layout === '0.28.0') {
      files['trl/trainer/cpo_alias.py'] = DEPRECATED_ALIAS('CPOTrainer', 'CPOConfig', 'trl.experimental.cpo');
      files['trl/trainer/orpo_alias.py'] = DEPRECATED_ALIAS('ORPOTrainer', 'ORPOConfig', 'trl.experimental.orpo');
    }
  }
  for (const [rel, text] of Object.entries(files)) {
    const path = join(dir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}
