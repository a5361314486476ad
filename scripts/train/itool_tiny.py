"""The iTool tiny decoder: a small Llama-style causal LM, and its checkpoint folder.

Architecture (kept to operators the ONNX export maps one-to-one, and to what the product's ONNX
backend feeds: input_ids, attention_mask, position_ids, past_key_values.N.key|value):
token embedding, per layer pre-RMSNorm causal self-attention with rotary positions (or learned
positions, like the project's random test models) and grouped KV heads, a SwiGLU MLP, both
residual, final RMSNorm, LM head tied to the embedding by default.

A checkpoint folder is the Hugging Face layout plus the PyTorch weights: config.json,
generation_config.json, tokenizer.json, tokenizer_config.json (copied from the tokenizer folder
the TypeScript side wrote, so the chat template and token ids are the product's own), model.pt;
export_onnx.py adds onnx/model.onnx, after which the product's OnnxPolicy opens the folder as is.
"""
import json
import math
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F

WEIGHTS = "model.pt"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json")

# The recommended demo model (~4M parameters with the 512-token vocabulary): see README.md.
DEFAULT_MODEL = {
    "layers": 6,
    "hidden": 256,
    "heads": 4,
    "kv_heads": 2,
    "ffn": 640,
    "max_pos": 1024,
    "positions": "rope",
    "rope_theta": 10000.0,
    "eps": 1e-6,
    "tie_embeddings": True,
}


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(n))

    def forward(self, x):
        # eps inside the root, as the project's reference network and Llama do.
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads, self.kv_heads = c["heads"], c["kv_heads"]
        self.dim = c["hidden"] // c["heads"]
        h = c["hidden"]
        self.q_proj = nn.Linear(h, self.heads * self.dim, bias=False)
        self.k_proj = nn.Linear(h, self.kv_heads * self.dim, bias=False)
        self.v_proj = nn.Linear(h, self.kv_heads * self.dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.dim, h, bias=False)

    def forward(self, x, rope, mask, past):
        """mask: an additive float [g*s, total] causal mask (training), or a boolean
        [1 or b, 1, s, total] visibility mask (inference, with padding and a cache)."""
        b, s = x.shape[0], x.shape[1]
        q = self.q_proj(x).view(b, s, self.heads, self.dim).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv_heads, self.dim).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv_heads, self.dim).transpose(1, 2)
        if rope is not None:
            cos, sin = rope
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat((past[0], k), dim=2)
            v = torch.cat((past[1], v), dim=2)
        present = (k, v)
        # Query head h uses KV head h // g. The g query heads of a group are stacked as rows of
        # one matrix, so each KV head is used as it is: no copy of K and V per query head.
        g, t = self.heads // self.kv_heads, k.shape[2]
        qg = q.reshape(b * self.kv_heads, g * s, self.dim)
        kg = k.reshape(b * self.kv_heads, t, self.dim).transpose(1, 2)
        scale = 1.0 / math.sqrt(self.dim)
        if mask.dtype == torch.bool:
            scores = (torch.bmm(qg, kg) * scale).view(b, self.kv_heads, g, s, t)
            # A finite "minus infinity": a padding row with nothing visible softmaxes to uniform
            # instead of NaN (the project's own test graphs do the same).
            scores = scores.masked_fill(~mask.unsqueeze(1), torch.finfo(scores.dtype).min).view(b * self.kv_heads, g * s, t)
        else:
            # Training: scale and causal mask fused into the matrix product (one pass over s²).
            scores = torch.baddbmm(mask, qg, kg, alpha=scale)
        att = torch.bmm(torch.softmax(scores, dim=-1), v.reshape(b * self.kv_heads, t, self.dim))
        att = att.view(b, self.heads, s, self.dim).transpose(1, 2).reshape(b, s, self.heads * self.dim)
        return self.o_proj(att), present


class MLP(nn.Module):
    """SwiGLU."""

    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden"], c["ffn"], bias=False)
        self.up_proj = nn.Linear(c["hidden"], c["ffn"], bias=False)
        self.down_proj = nn.Linear(c["ffn"], c["hidden"], bias=False)

    def forward(self, y):
        return self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))


class Layer(nn.Module):
    # Parameter names follow Hugging Face's Llama (layers.N.self_attn.q_proj, layers.N.mlp.up_proj…).
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden"], c["eps"])
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c["hidden"], c["eps"])
        self.mlp = MLP(c)

    def forward(self, x, rope, mask, past):
        a, present = self.self_attn(self.input_layernorm(x), rope, mask, past)
        x = x + a
        return x + self.mlp(self.post_attention_layernorm(x)), present


class TinyLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        if c["hidden"] % c["heads"] or c["heads"] % c["kv_heads"]:
            raise ValueError("hidden must divide by heads, heads by kv_heads")
        dim = c["hidden"] // c["heads"]
        self.embed_tokens = nn.Embedding(c["vocab"], c["hidden"])
        if c["positions"] == "learned":
            self.embed_positions = nn.Embedding(c["max_pos"], c["hidden"])
        elif c["positions"] == "rope":
            if dim % 2:
                raise ValueError("rotary positions need an even head dimension")
            inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
            ang = torch.outer(torch.arange(c["max_pos"], dtype=torch.float64), inv)
            ang = torch.cat((ang, ang), dim=-1)
            # Tables, not weights: rebuilt from the config, never saved (persistent=False).
            self.register_buffer("rope_cos", ang.cos().float(), persistent=False)
            self.register_buffer("rope_sin", ang.sin().float(), persistent=False)
        else:
            raise ValueError(f"positions must be rope or learned, not {c['positions']!r}")
        self.layers = nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.norm = RMSNorm(c["hidden"], c["eps"])
        self.lm_head = None if c["tie_embeddings"] else nn.Linear(c["hidden"], c["vocab"], bias=False)

    def init_weights(self, seed):
        """GPT-2 style: N(0, 0.02), residual outputs scaled by 1/sqrt(2·layers), norms at 1."""
        g = torch.Generator().manual_seed(seed)
        for name, p in self.named_parameters():
            with torch.no_grad():
                if name.endswith("layernorm.weight") or name == "norm.weight":
                    p.fill_(1.0)
                else:
                    std = 0.02 / math.sqrt(2 * self.c["layers"]) if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
                    p.copy_(torch.randn(p.shape, generator=g) * std)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        """Logits [b, s, vocab] and the per-layer (key, value) cache.

        Training passes input_ids only (right-padded rows: padding follows the real tokens, so the
        causal mask alone keeps it out of every real token's view). Inference passes the mask, the
        positions and the cache exactly as the product's ONNX engine does.
        """
        b, s = input_ids.shape[0], input_ids.shape[1]
        past_len = 0 if past is None else past[0][0].shape[2]
        if position_ids is None:
            position_ids = (torch.arange(s) + past_len).unsqueeze(0).expand(b, s)
        if attention_mask is None and past is None:
            g = self.c["heads"] // self.c["kv_heads"]
            mask = torch.full((s, s), torch.finfo(torch.float32).min).triu(1).repeat(g, 1)
        else:
            total = s + past_len if attention_mask is None else attention_mask.shape[1]
            # Key j is visible to query i (absolute index total-s+i) when j <= total-s+i, from the
            # shapes, so the exported graph holds with and without a cache.
            mask = (torch.arange(total).unsqueeze(0) <= torch.arange(total - s, total).unsqueeze(1)).view(1, 1, s, total)
            if attention_mask is not None:
                mask = mask & attention_mask.bool().view(b, 1, 1, total)
        x = self.embed_tokens(input_ids)
        rope = None
        if self.c["positions"] == "learned":
            x = x + self.embed_positions(position_ids)
        else:
            rope = (self.rope_cos[position_ids].unsqueeze(1), self.rope_sin[position_ids].unsqueeze(1))
        presents = []
        for i, layer in enumerate(self.layers):
            x, present = layer(x, rope, mask, None if past is None else past[i])
            presents.append(present)
        x = self.norm(x)
        logits = F.linear(x, self.embed_tokens.weight) if self.lm_head is None else self.lm_head(x)
        return logits, presents


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


# ---- checkpoint folders -------------------------------------------------------------------------


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)


def tokenizer_info(tokenizer_dir):
    """Vocabulary size and special token ids from the tokenizer the TypeScript side wrote."""
    tok = read_json(os.path.join(tokenizer_dir, "tokenizer.json"))
    special = {t["content"]: t["id"] for t in tok.get("added_tokens", [])}
    vocab = max([*tok["model"]["vocab"].values(), *special.values()]) + 1
    for name in ("<|endoftext|>", "<|im_end|>"):
        if name not in special:
            raise ValueError(f"{tokenizer_dir}/tokenizer.json has no {name} special token")
    return vocab, special


def hf_config(c, special, use_cache=True):
    """config.json in the shape the product's folder reader (src/core/model/onnx/folder.ts) reads."""
    return {
        "architectures": ["ItoolTinyForCausalLM"],
        "model_type": "itool_tiny",
        "hidden_size": c["hidden"],
        "intermediate_size": c["ffn"],
        "num_attention_heads": c["heads"],
        "num_hidden_layers": c["layers"],
        "num_key_value_heads": c["kv_heads"],
        "head_dim": c["hidden"] // c["heads"],
        "vocab_size": c["vocab"],
        "max_position_embeddings": c["max_pos"],
        "rms_norm_eps": c["eps"],
        "position_embedding_type": c["positions"],
        "rope_theta": c["rope_theta"],
        "bos_token_id": special["<|endoftext|>"],
        "eos_token_id": special["<|im_end|>"],
        "pad_token_id": special["<|endoftext|>"],
        "tie_word_embeddings": c["tie_embeddings"],
        "torch_dtype": "float32",
        "use_cache": use_cache,
        # Our own block: everything needed to rebuild the PyTorch module.
        "itool_tiny": c,
    }


def generation_config(special):
    eot, end = special["<|endoftext|>"], special["<|im_end|>"]
    return {"bos_token_id": eot, "eos_token_id": [end, eot], "pad_token_id": eot, "do_sample": True, "temperature": 0.7, "top_p": 0.8}


def eos_ids(model_dir):
    gen = read_json(os.path.join(model_dir, "generation_config.json"))
    e = gen.get("eos_token_id")
    return set(e if isinstance(e, list) else [e])


def save_checkpoint(model, out_dir, src_dir, extra=None):
    """Writes the folder: the weights, config.json, and the tokenizer/generation files of src_dir."""
    os.makedirs(out_dir, exist_ok=True)
    tmp = os.path.join(out_dir, WEIGHTS + ".tmp")
    torch.save(model.state_dict(), tmp)
    os.replace(tmp, os.path.join(out_dir, WEIGHTS))
    cfg = read_json(os.path.join(src_dir, "config.json"))
    if extra:
        cfg.setdefault("itool_training", []).append(extra)
    write_json(os.path.join(out_dir, "config.json"), cfg)
    for name in (*TOKENIZER_FILES, "generation_config.json"):
        if os.path.abspath(os.path.join(src_dir, name)) != os.path.abspath(os.path.join(out_dir, name)):
            shutil.copyfile(os.path.join(src_dir, name), os.path.join(out_dir, name))


def load_checkpoint(model_dir):
    cfg = read_json(os.path.join(model_dir, "config.json"))
    if "itool_tiny" not in cfg:
        raise ValueError(f"{model_dir}/config.json is not an iTool tiny checkpoint (no itool_tiny block)")
    model = TinyLM(cfg["itool_tiny"])
    state = torch.load(os.path.join(model_dir, WEIGHTS), map_location="cpu")
    model.load_state_dict(state)
    return model


def init_checkpoint(out_dir, tokenizer_dir, model_cfg, seed):
    vocab, special = tokenizer_info(tokenizer_dir)
    c = {**DEFAULT_MODEL, **(model_cfg or {}), "vocab": vocab}
    tok_cfg = read_json(os.path.join(tokenizer_dir, "tokenizer_config.json"))
    if not isinstance(tok_cfg.get("chat_template"), (str, list)):
        raise ValueError(f"{tokenizer_dir}/tokenizer_config.json has no chat_template")
    torch.manual_seed(seed)
    model = TinyLM(c)
    model.init_weights(seed)
    os.makedirs(out_dir, exist_ok=True)
    write_json(os.path.join(out_dir, "config.json"), hf_config(c, special))
    write_json(os.path.join(out_dir, "generation_config.json"), generation_config(special))
    for name in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(tokenizer_dir, name), os.path.join(out_dir, name))
    torch.save(model.state_dict(), os.path.join(out_dir, WEIGHTS))
    return model
