"""Exact parameter counts from Hugging Face ``config.json`` files. Standard library only.

Convention: the trainable parameters of the Hugging Face model class for that
``model_type`` (``*ForCausalLM``; ``BertModel`` with its pooler for BERT). A tied
lm_head counts once; RMSNorm counts d, LayerNorm 2d; rotary embeddings and buffers
(causal masks, rotary frequencies) have no parameters.

This module imports no numpy, so the calculator works in the browser even offline.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources

from demos import _checks

# Every id a breakdown can hold (the last two only in some families: BERT's pooler, the
# projections of models whose embedding width differs from the hidden width). Ids, not
# display names: the page's chart names them (tools/site_charts.py).
COMPONENTS = (
    "token_embeddings",
    "position_embeddings",
    "attention",
    "mlp",
    "norms",
    "lm_head",
    "pooler",
    "projections",
)
DTYPE_BYTES = {"fp32": 4.0, "bf16/fp16": 2.0, "int8": 1.0, "int4": 0.5}
_REQUIRED = object()


@dataclass
class ParamCount:
    model_type: str
    total: int
    breakdown: dict[str, int]  # by component, whole model
    per_layer: dict[str, int]  # by component, one transformer layer
    layers: int
    kv_heads: int  # for the KV cache: key/value heads per layer
    head_dim: int
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "model_type": self.model_type,
            "total": self.total,
            "breakdown": dict(self.breakdown),
            "per_layer": dict(self.per_layer),
            "layers": self.layers,
            "kv_heads": self.kv_heads,
            "head_dim": self.head_dim,
            "notes": list(self.notes),
        }


class _Config:
    """Key lookup that names the family and the key when a required key is missing."""

    def __init__(self, config: dict, family: str) -> None:
        self.config, self.family = config, family

    def get(self, key: str, default: object = _REQUIRED) -> int | bool:
        value = self.config.get(key)
        if value is None:
            if default is _REQUIRED:
                raise ValueError(
                    f"{self.family}: config.json has no {key!r}, "
                    "and the family has no default for it"
                )
            return default
        if isinstance(default, bool) or isinstance(value, bool):
            return bool(value)
        if not isinstance(value, int | float) or value < 0:
            raise ValueError(f"{self.family}: {key!r} must be a non-negative number, got {value!r}")
        return int(value)


def _linear(d_in: int, d_out: int, bias: bool) -> int:
    return d_in * d_out + (d_out if bias else 0)


def _result(
    family: str,
    *,
    layers: int,
    per_layer: dict[str, int],
    embed: int,
    positions: int,
    final_norms: int,
    lm_head: int,
    kv_heads: int,
    head_dim: int,
    extra: dict[str, int] | None = None,
    notes: tuple[str, ...] | list[str] = (),
) -> ParamCount:
    breakdown = {
        "token_embeddings": embed,
        "position_embeddings": positions,
        "attention": per_layer["attention"] * layers,
        "mlp": per_layer["mlp"] * layers,
        "norms": per_layer["norms"] * layers + final_norms,
        "lm_head": lm_head,
        **(extra or {}),
    }
    return ParamCount(
        family,
        sum(breakdown.values()),
        breakdown,
        per_layer,
        layers,
        kv_heads,
        head_dim,
        list(notes),
    )


def _gpt2(c: _Config) -> ParamCount:
    d, L, V = c.get("n_embd", 768), c.get("n_layer", 12), c.get("vocab_size", 50257)
    inner = c.get("n_inner", 4 * d)
    heads = c.get("n_head", 12)
    # GPT-2: fused c_attn (d→3d) and c_proj, both with bias; two LayerNorms per block.
    per_layer = {
        "attention": _linear(d, 3 * d, True) + _linear(d, d, True),
        "mlp": _linear(d, inner, True) + _linear(inner, d, True),
        "norms": 2 * 2 * d,
    }
    return _result(
        "gpt2",
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=c.get("n_positions", 1024) * d,
        final_norms=2 * d,
        lm_head=0,
        kv_heads=heads,
        head_dim=d // heads,
        notes=["lm_head is tied to the token embeddings"],
    )


def _gpt_neox(c: _Config) -> ParamCount:
    d, L, V = c.get("hidden_size", 6144), c.get("num_hidden_layers", 44), c.get("vocab_size", 50432)
    inner, heads = c.get("intermediate_size", 24576), c.get("num_attention_heads", 64)
    bias = c.get("attention_bias", True)
    # GPT-NeoX: fused query_key_value, dense; MLP with bias; two LayerNorms per layer; rotary.
    per_layer = {
        "attention": _linear(d, 3 * d, bias) + _linear(d, d, bias),
        "mlp": _linear(d, inner, True) + _linear(inner, d, True),
        "norms": 2 * 2 * d,
    }
    tied = c.get("tie_word_embeddings", False)
    return _result(
        "gpt_neox",
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=0,
        final_norms=2 * d,
        lm_head=0 if tied else V * d,
        kv_heads=heads,
        head_dim=d // heads,
    )


def _opt(c: _Config) -> ParamCount:
    d, L, V = c.get("hidden_size", 768), c.get("num_hidden_layers", 12), c.get("vocab_size", 50272)
    ffn, heads = c.get("ffn_dim", 3072), c.get("num_attention_heads", 12)
    proj = c.get("word_embed_proj_dim", d)
    bias = c.get("enable_bias", True)
    per_layer = {
        "attention": 4 * _linear(d, d, bias),
        "mlp": _linear(d, ffn, bias) + _linear(ffn, d, bias),
        "norms": 2 * 2 * d,
    }
    # OPT's learned positions have 2 extra rows (an offset kept from fairseq).
    positions = (c.get("max_position_embeddings", 2048) + 2) * d
    final = (
        2 * d
        if c.get("do_layer_norm_before", True) and not c.get("_remove_final_layer_norm", False)
        else 0
    )
    extra = {}
    if proj != d:  # opt-350m: project_in / project_out, no bias
        extra["projections"] = 2 * proj * d
    return _result(
        "opt",
        layers=L,
        per_layer=per_layer,
        embed=V * proj,
        positions=positions,
        final_norms=final,
        lm_head=0,
        kv_heads=heads,
        head_dim=d // heads,
        extra=extra,
        notes=["lm_head is tied to the token embeddings"],
    )


def _llama_like(
    family: str, c: _Config, *, qkv_bias: bool | None = None, tie_default: bool = False
) -> ParamCount:
    """Llama, Mistral, Qwen2, Gemma: GQA attention, gated MLP, RMSNorm, rotary positions."""
    d, L, V = c.get("hidden_size"), c.get("num_hidden_layers"), c.get("vocab_size")
    inner = c.get("intermediate_size")
    heads = c.get("num_attention_heads")
    kv = c.get("num_key_value_heads", heads)
    if "head_dim" not in c.config and d % heads:
        raise ValueError(
            f"{family}: hidden_size {d} is not divisible by num_attention_heads {heads}"
        )
    hd = c.get("head_dim", d // heads)
    attn_bias = c.get("attention_bias", False)
    bias_qkv = attn_bias if qkv_bias is None else qkv_bias
    mlp_bias = c.get("mlp_bias", False)
    per_layer = {
        "attention": _linear(d, heads * hd, bias_qkv)
        + 2 * _linear(d, kv * hd, bias_qkv)
        + _linear(heads * hd, d, attn_bias),
        "mlp": 2 * _linear(d, inner, mlp_bias) + _linear(inner, d, mlp_bias),  # gate, up, down
        "norms": 2 * d,  # RMSNorm before attention and before the MLP: d each
    }
    tied = c.get("tie_word_embeddings", tie_default)
    return _result(
        family,
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=0,
        final_norms=d,
        lm_head=0 if tied else V * d,
        kv_heads=kv,
        head_dim=hd,
    )


def _llama(c: _Config) -> ParamCount:
    return _llama_like("llama", c)


def _mistral(c: _Config) -> ParamCount:
    return _llama_like("mistral", c)


def _qwen2(c: _Config) -> ParamCount:
    # qwen2: q/k/v projections have bias, o_proj has none.
    return _llama_like("qwen2", c, qkv_bias=True)


def _gemma(c: _Config) -> ParamCount:
    # gemma: embeddings tied by default; its RMSNorm stores (1 + w), still d numbers.
    return _llama_like("gemma", c, tie_default=True)


def _phi(c: _Config) -> ParamCount:
    d, L, V = c.get("hidden_size", 2048), c.get("num_hidden_layers", 24), c.get("vocab_size", 51200)
    inner, heads = c.get("intermediate_size", 8192), c.get("num_attention_heads", 32)
    kv = c.get("num_key_value_heads", heads)
    hd = d // heads
    # phi: q/k/v/dense with bias; one LayerNorm per layer (attention and MLP run in parallel);
    # optional q/k LayerNorms; lm_head has a bias and is not tied by default.
    qk_norm = 2 * 2 * hd if c.get("qk_layernorm", False) else 0
    per_layer = {
        "attention": _linear(d, heads * hd, True)
        + 2 * _linear(d, kv * hd, True)
        + _linear(heads * hd, d, True),
        "mlp": _linear(d, inner, True) + _linear(inner, d, True),
        "norms": 2 * d + qk_norm,
    }
    tied = c.get("tie_word_embeddings", False)
    return _result(
        "phi",
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=0,
        final_norms=2 * d,
        lm_head=0 if tied else V * d + V,
        kv_heads=kv,
        head_dim=hd,
    )


def _phi3(c: _Config) -> ParamCount:
    d, L, V = c.get("hidden_size", 3072), c.get("num_hidden_layers", 32), c.get("vocab_size", 32064)
    inner, heads = c.get("intermediate_size", 8192), c.get("num_attention_heads", 32)
    kv = c.get("num_key_value_heads", heads)
    hd = c.get("head_dim", d // heads)
    # phi3: fused qkv_proj and gate_up_proj, no biases; RMSNorm.
    per_layer = {
        "attention": _linear(d, (heads + 2 * kv) * hd, False) + _linear(heads * hd, d, False),
        "mlp": _linear(d, 2 * inner, False) + _linear(inner, d, False),
        "norms": 2 * d,
    }
    tied = c.get("tie_word_embeddings", False)
    return _result(
        "phi3",
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=0,
        final_norms=d,
        lm_head=0 if tied else V * d,
        kv_heads=kv,
        head_dim=hd,
    )


def _bert(c: _Config) -> ParamCount:
    d, L, V = c.get("hidden_size", 768), c.get("num_hidden_layers", 12), c.get("vocab_size", 30522)
    inner, heads = c.get("intermediate_size", 3072), c.get("num_attention_heads", 12)
    per_layer = {
        "attention": 4 * _linear(d, d, True),
        "mlp": _linear(d, inner, True) + _linear(inner, d, True),
        "norms": 2 * 2 * d,
    }
    # BertModel: position and token-type embeddings, an embedding LayerNorm, and the pooler.
    positions = c.get("max_position_embeddings", 512) * d + c.get("type_vocab_size", 2) * d
    return _result(
        "bert",
        layers=L,
        per_layer=per_layer,
        embed=V * d,
        positions=positions,
        final_norms=2 * d,
        lm_head=0,
        kv_heads=heads,
        head_dim=d // heads,
        extra={"pooler": _linear(d, d, True)},
        notes=["BertModel: no MLM head"],
    )


FAMILIES = {
    "gpt2": _gpt2,
    "gpt_neox": _gpt_neox,
    "opt": _opt,
    "llama": _llama,
    "mistral": _mistral,
    "qwen2": _qwen2,
    "gemma": _gemma,
    "phi": _phi,
    "phi3": _phi3,
    "bert": _bert,
}


def count_params(config: dict) -> ParamCount:
    """Count the parameters of the model a Hugging Face ``config.json`` describes."""
    if not isinstance(config, dict):
        raise ValueError(f"config must be a JSON object (dict), got {type(config).__name__}")
    family = config.get("model_type")
    if family not in FAMILIES:
        raise ValueError(f"model_type {family!r} is not supported; supported: {sorted(FAMILIES)}")
    return FAMILIES[family](_Config(config, family))


def weight_bytes(n_params: int) -> dict[str, int]:
    """Bytes to hold the weights alone, per storage type (no activations, no optimiser)."""
    return {dtype: math.ceil(n_params * size) for dtype, size in DTYPE_BYTES.items()}


def kv_cache_bytes(
    count: ParamCount, context: int, batch: int = 1, dtype: str = "bf16/fp16"
) -> int:
    """Keys and values kept for every layer and position: 2·L·kv_heads·head_dim·T·B·bytes.

    Grouped-query attention (fewer kv_heads than heads) shrinks this directly.
    """
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {list(DTYPE_BYTES)}, got {dtype!r}")
    return int(
        2 * count.layers * count.kv_heads * count.head_dim * context * batch * DTYPE_BYTES[dtype]
    )


def flops_per_token(n_params: int) -> int:
    """≈ 2N floating-point operations per generated token (one multiply-add per weight).

    An approximation: it ignores attention over the context, which grows with its length.
    """
    return 2 * n_params


def preset_names() -> list[str]:
    return sorted(
        p.name.removesuffix(".json")
        for p in (resources.files("demos") / "data" / "configs").iterdir()
    )


def load_preset(name: str) -> dict:
    if name not in preset_names():
        raise ValueError(f"preset must be one of {preset_names()}, got {name!r}")
    return json.loads((resources.files("demos") / "data" / "configs" / f"{name}.json").read_text())


def _resize(config: dict, count: ParamCount, d_model: int, layers: int, vocab: int) -> dict:
    """A what-if copy of ``config``: wider (same-size heads), deeper, or a bigger vocabulary."""
    config = dict(config)
    keys = {"gpt2": ("n_embd", "n_layer", "n_inner")}.get(
        count.model_type, ("hidden_size", "num_hidden_layers", "intermediate_size")
    )
    if count.model_type == "opt":
        keys = ("hidden_size", "num_hidden_layers", "ffn_dim")
    width, depth, inner = keys
    if d_model:
        old = config.get(width) or count.head_dim * count.kv_heads
        ratio = d_model / old
        heads_key = "n_head" if count.model_type == "gpt2" else "num_attention_heads"
        heads = config.get(heads_key) or 1
        new_heads = max(1, d_model // count.head_dim)
        config[width] = d_model
        config[heads_key] = new_heads
        if "num_key_value_heads" in config:
            config["num_key_value_heads"] = max(
                1, round(config["num_key_value_heads"] * new_heads / heads)
            )
        if count.model_type not in ("gpt2", "phi"):
            config["head_dim"] = count.head_dim
        if config.get(inner):
            config[inner] = round(config[inner] * ratio)
        if config.get("word_embed_proj_dim"):
            config["word_embed_proj_dim"] = d_model
    if layers:
        config[depth] = layers
    if vocab:
        config["vocab_size"] = vocab
    return config


def _summary(count: ParamCount, cfg: CalculatorConfig) -> list[dict]:
    kv = kv_cache_bytes(count, cfg.context, cfg.batch)
    # Ids, not words: the page names each row (the demo fence's `labels`).
    return [
        {"item": "total_params", "value": f"{count.total:,}"},
        {"item": "layers", "value": f"{count.layers}"},
        {"item": "weights_bf16", "value": f"{count.total * 2 / 2**30:.2f} GiB"},
        {"item": "kv_cache_bf16", "value": f"{kv / 2**30:.2f} GiB"},
        {"item": "flops_per_token", "value": f"{flops_per_token(count.total):.3g} FLOP"},
    ]


@dataclass
class CalculatorConfig:
    preset: str = "llama-2-7b"  # a model most readers have heard of, with a well-known count
    config_json: str = ""  # a pasted config.json; when given it replaces the preset
    d_model: int = 0  # what-if sliders: 0 keeps the model's own value
    layers: int = 0
    vocab: int = 0
    context: int = 4096  # tokens kept in the KV cache
    batch: int = 1

    def __post_init__(self) -> None:
        if not self.config_json.strip():
            _checks.choice("preset", self.preset, preset_names())
        self.d_model = _checks.integer("d_model", self.d_model, 0, 65536)
        self.layers = _checks.integer("layers", self.layers, 0, 1000)
        self.vocab = _checks.integer("vocab", self.vocab, 0, 1_000_000)
        self.context = _checks.integer("context", self.context, 1, 10_000_000)
        self.batch = _checks.integer("batch", self.batch, 1, 4096)


def run(**controls) -> dict:
    """The calculator: a preset or a pasted config.json, with what-if sliders."""
    cfg = _checks.build(CalculatorConfig, controls)
    if cfg.config_json.strip():
        try:
            config = json.loads(cfg.config_json)
        except json.JSONDecodeError as exc:
            raise ValueError(f"config_json is not valid JSON: {exc}") from exc
        source = "config_json"  # the pasted text, not a preset
    else:
        config, source = load_preset(cfg.preset), cfg.preset
    base = count_params(config)
    resized = _resize(config, base, cfg.d_model, cfg.layers, cfg.vocab)
    count = count_params(resized)
    numeric = {
        k: v
        for k, v in sorted(resized.items())
        if isinstance(v, int | float) and not isinstance(v, bool)
    }
    return {
        "source": source,
        "model_type": count.model_type,
        "total": count.total,
        "base_total": base.total,
        "breakdown": [{"component": k, "params": v} for k, v in count.breakdown.items()],
        "per_layer": count.per_layer,
        "layers": count.layers,
        "memory": [
            {"dtype": k, "bytes": v, "GiB": round(v / 2**30, 2)}
            for k, v in weight_bytes(count.total).items()
        ],
        "summary": _summary(count, cfg),
        "kv_cache_bytes": kv_cache_bytes(count, cfg.context, cfg.batch),
        "flops_per_token": flops_per_token(count.total),
        "config": numeric,
    }
