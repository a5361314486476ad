"""Export a checkpoint folder to the Hugging Face / Optimum ONNX layout the product loads unchanged
(src/core/model/onnx/): onnx/model.onnx with inputs input_ids, attention_mask, position_ids
(int64 [batch, seq] / [batch, total]) and, with the cache, past_key_values.N.key|value (float32
[batch, kv_heads, past, head_dim]) -> logits [batch, seq, vocab] and present.N.key|value
[batch, kv_heads, total, head_dim]; beside it config.json, generation_config.json, tokenizer.json
and tokenizer_config.json (its chat_template is the product's CHATML_TOOLS_TEMPLATE).

torch.onnx.export traces the module once on dummy inputs; every size the graph needs is read from
the input shapes (Shape ops), and the dummy's past length is non-zero so no dimension is constant-
folded to 0. The product's engine feeds an empty (length 0) past at prefill: ONNX Concat takes it.
Opset 14 is the oldest with what the graph needs (Trilu-free masks, Softmax on the last axis);
torch 1.13 writes up to 17.
"""
import os
import shutil

import torch

import itool_tiny


class Wrapper(torch.nn.Module):
    """Flat tensors in and out, in the Optimum input/output order."""

    def __init__(self, model, kv_cache):
        super().__init__()
        self.model = model
        self.kv_cache = kv_cache

    def forward(self, input_ids, attention_mask, position_ids, *past_flat):
        past = None
        if self.kv_cache:
            past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(len(past_flat) // 2)]
        logits, presents = self.model(input_ids, attention_mask, position_ids, past)
        if not self.kv_cache:
            return logits
        return (logits, *[t for kv in presents for t in kv])


def export_folder(model_dir, out_dir, kv_cache=True, opset=14):
    """Writes out_dir/onnx/model.onnx (and the JSON files, when out_dir is another folder)."""
    model = itool_tiny.load_checkpoint(model_dir)
    model.eval()
    c = model.c
    dim = c["hidden"] // c["heads"]
    os.makedirs(os.path.join(out_dir, "onnx"), exist_ok=True)
    if os.path.abspath(out_dir) != os.path.abspath(model_dir):
        for name in ("config.json", "generation_config.json", *itool_tiny.TOKENIZER_FILES):
            shutil.copyfile(os.path.join(model_dir, name), os.path.join(out_dir, name))
    cfg_path = os.path.join(out_dir, "config.json")
    cfg = itool_tiny.read_json(cfg_path)
    cfg["use_cache"] = kv_cache
    itool_tiny.write_json(cfg_path, cfg)

    b, s, past_len = 2, 3, 4
    ids = torch.randint(0, c["vocab"], (b, s))
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    if kv_cache:
        total = past_len + s
        args = [ids, torch.ones(b, total, dtype=torch.long), (torch.arange(s) + past_len).expand(b, s).contiguous()]
        for i in range(c["layers"]):
            for kind in ("key", "value"):
                args.append(torch.randn(b, c["kv_heads"], past_len, dim))
                names_in.append(f"past_key_values.{i}.{kind}")
                names_out.append(f"present.{i}.{kind}")
                axes[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
                axes[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}
    else:
        args = [ids, torch.ones(b, s, dtype=torch.long), torch.arange(s).expand(b, s).contiguous()]
    path = os.path.join(out_dir, "onnx", "model.onnx")
    tmp = path + ".tmp"
    # Traced without a TracerWarning (shapes flow into arange/view as graph values, none is
    # frozen into a constant); a warning here after a model change means a size got baked in.
    torch.onnx.export(
        Wrapper(model, kv_cache),
        tuple(args),
        tmp,
        input_names=names_in,
        output_names=names_out,
        dynamic_axes=axes,
        opset_version=opset,
        do_constant_folding=True,
    )
    os.replace(tmp, path)
    return path
