"""Exact parameter counts from Hugging Face ``config.json`` files. Standard library only.

Convention: the trainable parameters of the Hugging Face model class for that
``model_type`` (``*ForCausalLM``; ``BertModel`` with its pooler for BERT). A tied
lm_head counts once; RMSNorm counts d, LayerNorm 2d; rotary embeddings and buffers
(causal masks, rotary frequencies) have no parameters. Multimodal configs (Llama 4,
Gemma 3) are counted for their language model only (``text_config``).

Mixture-of-experts models have two counts. ``total``: every parameter stored.
``active``: the parameters one token passes through. The rule: everything except the
routed experts the router did not pick; the router, the shared experts, attention,
norms, the embeddings and lm_head all count as active. (Some model cards leave the
input embedding table out of "active", because looking up a row is not a product.)

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
    "router",
    "experts",
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
    active: int = 0  # per token (mixture of experts); 0 means "same as total"
    # KV cache per layer: (numbers cached per token, sliding window or 0 for the whole
    # context). Empty: the usual 2·kv_heads·head_dim in every layer. None: an encoder.
    kv_layers: list[tuple[int, int]] | None = field(default_factory=list)
    max_context: int = 0  # tokens the model was built for (0: unknown)

    def __post_init__(self) -> None:
        self.active = self.active or self.total

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
            "active": self.active,
            "max_context": self.max_context,
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
    max_context: int = 0,
    kv_layers: list[tuple[int, int]] | None = None,
    encoder: bool = False,  # generates nothing, so caches nothing
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
        kv_layers=None if encoder else list(kv_layers or []),
        max_context=max_context,
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
        max_context=c.get("n_positions", 1024),
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
        notes=["BertModel: no MLM head", "an encoder: it reads the text at once, no KV cache"],
        max_context=c.get("max_position_embeddings", 512),
        encoder=True,
    )


# ---- 2024–2025 families: layers that differ, mixtures of experts ----------------------


@dataclass
class _Layer:
    """One transformer layer's parameters by component, and those a token may skip."""

    attention: int
    mlp: int  # dense MLP, or the shared experts of a MoE layer
    norms: int
    router: int = 0
    experts: int = 0  # routed experts, all of them
    inactive: int = 0  # routed experts a token does not use: (E − k) · expert size

    def parts(self) -> dict[str, int]:
        parts = {"attention": self.attention, "mlp": self.mlp, "norms": self.norms}
        if self.experts:
            parts |= {"router": self.router, "experts": self.experts}
        return parts


def _layered(
    family: str,
    layers: list[_Layer],
    *,
    embed: int,
    lm_head: int,
    final_norms: int,
    kv_heads: int,
    head_dim: int,
    kv_layers: list[tuple[int, int]],
    max_context: int,
    notes: list[str] | None = None,
) -> ParamCount:
    breakdown = {"token_embeddings": embed, "position_embeddings": 0}
    for layer in layers:
        for part, n in layer.parts().items():
            breakdown[part] = breakdown.get(part, 0) + n
    breakdown["norms"] += final_norms
    breakdown["lm_head"] = lm_head
    total = sum(breakdown.values())
    # per_layer: the last layer, which in every family here is a MoE layer if any is.
    return ParamCount(
        family,
        total,
        breakdown,
        layers[-1].parts(),
        len(layers),
        kv_heads,
        head_dim,
        notes or [],
        active=total - sum(layer.inactive for layer in layers),
        kv_layers=kv_layers,
        max_context=max_context,
    )


def _decoder(
    c: _Config,
    family: str,
    layers: list[_Layer],
    *,
    kv_heads: int,
    head_dim: int,
    kv_layers: list[tuple[int, int]],
    tied: bool = False,
    notes: list[str] | None = None,
) -> ParamCount:
    """_layered for a decoder of today's layout: token embeddings (vocab_size × hidden_size),
    one final RMSNorm, an output layer unless tie_word_embeddings (``tied``: the family's
    default), no learned positions."""
    d, V = c.get("hidden_size"), c.get("vocab_size")
    return _layered(
        family,
        layers,
        embed=V * d,
        lm_head=0 if c.get("tie_word_embeddings", tied) else V * d,
        final_norms=d,
        kv_heads=kv_heads,
        head_dim=head_dim,
        kv_layers=kv_layers,
        max_context=c.get("max_position_embeddings", 0),
        notes=notes,
    )


def _moe(d: int, inner: int, experts: int, top_k: int, router: int, shared: int = 0) -> dict:
    """A MoE MLP of gated experts (gate, up, down; no biases): _Layer fields."""
    one = 3 * d * inner
    return {
        "mlp": shared,
        "router": router,
        "experts": experts * one,
        "inactive": (experts - top_k) * one,
    }


def _gqa(
    c: _Config, d: int, *, bias: bool = False, o_bias: bool = False
) -> tuple[int, int, int, int]:
    """GQA attention weights, query heads, key/value heads, head size."""
    heads = c.get("num_attention_heads")
    kv = c.get("num_key_value_heads", heads)
    hd = c.get("head_dim", d // heads)
    qkv = _linear(d, heads * hd, bias) + 2 * _linear(d, kv * hd, bias)
    weights = qkv + _linear(heads * hd, d, o_bias)
    return weights, heads, kv, hd


def _windows(c: _Config, L: int, kv: int, hd: int, pattern: list[bool]) -> list[tuple[int, int]]:
    """KV cache per layer; sliding-window layers keep at most ``sliding_window`` tokens."""
    window = c.get("sliding_window", 0)
    return [(2 * kv * hd, window if sliding else 0) for sliding in pattern[:L]]


def _mixtral(c: _Config) -> ParamCount:
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    attn, _, kv, hd = _gqa(c, d)
    E, k = c.get("num_local_experts"), c.get("num_experts_per_tok")
    # Each layer: the router (d → E, no bias) picks k of E gated experts.
    moe = _moe(d, c.get("intermediate_size"), E, k, router=d * E)
    return _decoder(
        c,
        "mixtral",
        [_Layer(attn, norms=2 * d, **moe) for _ in range(L)],
        kv_heads=kv,
        head_dim=hd,
        kv_layers=[(2 * kv * hd, c.get("sliding_window", 0))] * L,
    )


def _qwen3_attention(c: _Config, d: int) -> tuple[int, int, int, int]:
    # Qwen3: no q/k/v bias; an RMSNorm over each head's query and key (head_dim each).
    attn, heads, kv, hd = _gqa(c, d, bias=c.get("attention_bias", False))
    return attn + 2 * hd, heads, kv, hd


def _qwen3(c: _Config) -> ParamCount:
    """Qwen3 and Qwen3-MoE: one layout; a dense model is the MoE one without experts."""
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    attn, _, kv, hd = _qwen3_attention(c, d)
    moe = c.family == "qwen3_moe"
    E, k = (c.get("num_experts"), c.get("num_experts_per_tok")) if moe else (0, 0)
    step = c.get("decoder_sparse_step", 1)
    dense_only = set(c.config.get("mlp_only_layers") or [])
    layers = []
    for i in range(L):
        if i not in dense_only and E > 0 and (i + 1) % step == 0:
            mlp = _moe(d, c.get("moe_intermediate_size"), E, k, router=d * E)
        else:
            mlp = {"mlp": 3 * d * c.get("intermediate_size")}
        layers.append(_Layer(attn, norms=2 * d, **{"mlp": 0, **mlp}))
    return _decoder(
        c,
        c.family,
        layers,
        kv_heads=kv,
        head_dim=hd,
        kv_layers=[(2 * kv * hd, 0)] * L,
    )


def _deepseek_v3(c: _Config) -> ParamCount:
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    heads = c.get("num_attention_heads")
    q_rank, kv_rank = c.get("q_lora_rank"), c.get("kv_lora_rank")
    nope, rope, v_dim = (
        c.get("qk_nope_head_dim"),
        c.get("qk_rope_head_dim"),
        c.get("v_head_dim"),
    )
    bias = c.get("attention_bias", False)
    # Multi-head latent attention: queries and keys/values pass through narrow "latent"
    # vectors (rank q_rank, kv_rank), each with its RMSNorm; the KV cache stores only the
    # kv latent and one shared rotary key per token.
    q = _linear(d, q_rank, bias) + q_rank + q_rank * heads * (nope + rope)
    kv = _linear(d, kv_rank + rope, bias) + kv_rank + kv_rank * heads * (nope + v_dim)
    attn = q + kv + _linear(heads * v_dim, d, bias)
    E, k = c.get("n_routed_experts"), c.get("num_experts_per_tok")
    shared, moe_inner = c.get("n_shared_experts", 0), c.get("moe_intermediate_size")
    first_dense = c.get("first_k_dense_replace", 0)
    step = c.get("moe_layer_freq", 1)
    layers = []
    for i in range(L):
        if i >= first_dense and i % step == 0:
            # Router: a weight (E × d) and a per-expert bias that balances the load;
            # the weights store it, so it is counted.
            moe = _moe(d, moe_inner, E, k, router=E * d + E, shared=shared * 3 * d * moe_inner)
            layers.append(_Layer(attn, norms=2 * d, **moe))
        else:
            layers.append(_Layer(attn, 3 * d * c.get("intermediate_size"), 2 * d))
    notes = ["the multi-token-prediction module (an extra layer used in training) is not counted"]
    return _decoder(
        c,
        "deepseek_v3",
        layers,
        kv_heads=1,
        head_dim=kv_rank + rope,
        kv_layers=[(kv_rank + rope, 0)] * L,
        notes=notes,
    )


def _gpt_oss(c: _Config) -> ParamCount:
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    attn, heads, kv, hd = _gqa(c, d, bias=True, o_bias=True)
    attn += heads  # one learned "sink" logit per head: attention may go nowhere
    E = c.get("num_local_experts")
    k = c.get("num_experts_per_tok", c.config.get("experts_per_token", 4))
    inner = c.get("intermediate_size")
    one = _linear(d, 2 * inner, True) + _linear(inner, d, True)  # fused gate_up, down; biases
    moe = {"router": _linear(d, E, True), "experts": E * one, "inactive": (E - k) * one}
    types = c.config.get("layer_types") or ["sliding_attention", "full_attention"] * L
    return _decoder(
        c,
        "gpt_oss",
        [_Layer(attn, 0, 2 * d, **moe) for _ in range(L)],
        kv_heads=kv,
        head_dim=hd,
        kv_layers=_windows(c, L, kv, hd, [t == "sliding_attention" for t in types]),
        notes=["the experts are shipped in 4-bit MXFP4; the count does not depend on it"],
    )


def _llama4(c: _Config) -> ParamCount:
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    attn, _, kv, hd = _gqa(c, d, bias=c.get("attention_bias", False))
    E, k = c.get("num_local_experts"), c.get("num_experts_per_tok", 1)
    inner = c.get("intermediate_size")  # one expert, and the shared expert
    step = c.get("interleave_moe_layer_step", 1)
    moe_layers = c.config.get("moe_layers")
    if moe_layers is None:
        moe_layers = list(range(step - 1, L, step)) if step else []
    layers = []
    for i in range(L):
        if i in moe_layers:
            moe = _moe(d, inner, E, k, router=d * E, shared=3 * d * inner)
            layers.append(_Layer(attn, norms=2 * d, **moe))
        else:
            layers.append(_Layer(attn, 3 * d * c.get("intermediate_size_mlp"), 2 * d))
    return _decoder(
        c,
        "llama4_text",
        layers,
        kv_heads=kv,
        head_dim=hd,
        kv_layers=[(2 * kv * hd, 0)] * L,
        notes=["the language model only: the vision encoder is not counted"],
    )


def _gemma3(c: _Config) -> ParamCount:
    d, L = c.get("hidden_size"), c.get("num_hidden_layers")
    attn, _, kv, hd = _gqa(c, d, bias=c.get("attention_bias", False))
    attn += 2 * hd  # q_norm, k_norm
    # Four RMSNorms per layer: before and after attention, before and after the MLP.
    layer = _Layer(attn, 3 * d * c.get("intermediate_size"), 4 * d)
    types = c.config.get("layer_types")
    if types is None:  # five local layers, then one global
        every = c.get("sliding_window_pattern", 6)
        types = ["sliding_attention" if (i + 1) % every else "full_attention" for i in range(L)]
    return _decoder(
        c,
        "gemma3_text",
        [layer] * L,
        kv_heads=kv,
        head_dim=hd,
        kv_layers=_windows(c, L, kv, hd, [t == "sliding_attention" for t in types]),
        tied=True,
        notes=["the language model only: the vision encoder is not counted"],
    )


# Multimodal configs keep the language model's settings in text_config.
_TEXT_ONLY = {"llama4": "llama4_text", "gemma3": "gemma3_text"}


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
    "mixtral": _mixtral,
    "qwen3": _qwen3,
    "qwen3_moe": _qwen3,
    "deepseek_v3": _deepseek_v3,
    "gpt_oss": _gpt_oss,
    "llama4_text": _llama4,
    "gemma3_text": _gemma3,
}


def text_config(config: dict) -> dict:
    """The language model's own config: ``text_config`` of a multimodal config, else itself."""
    family = config.get("model_type") if isinstance(config, dict) else None
    if family in _TEXT_ONLY and isinstance(config.get("text_config"), dict):
        return {**config["text_config"], "model_type": _TEXT_ONLY[family]}
    return config


def count_params(config: dict) -> ParamCount:
    """Count the parameters of the model a Hugging Face ``config.json`` describes."""
    if not isinstance(config, dict):
        raise ValueError(f"config must be a JSON object (dict), got {type(config).__name__}")
    config = text_config(config)
    family = config.get("model_type")
    if family not in FAMILIES:
        raise ValueError(f"model_type {family!r} is not supported; supported: {sorted(FAMILIES)}")
    count = FAMILIES[family](_Config(config, family))
    if not count.max_context:
        count.max_context = int(config.get("max_position_embeddings") or 0)
    return count


def weight_bytes(n_params: int) -> dict[str, int]:
    """Bytes to hold the weights alone, per storage type (no activations, no optimiser)."""
    return {dtype: math.ceil(n_params * size) for dtype, size in DTYPE_BYTES.items()}


def kv_cache_bytes(
    count: ParamCount, context: int, batch: int = 1, dtype: str = "bf16/fp16"
) -> int:
    """Keys and values kept for every layer and position: 2·L·kv_heads·head_dim·T·B·bytes.

    Grouped-query attention (fewer kv_heads than heads) shrinks this directly; a
    sliding-window layer keeps only its window; an encoder keeps nothing.
    """
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {list(DTYPE_BYTES)}, got {dtype!r}")
    if count.kv_layers is None:
        return 0
    layers = count.kv_layers or [(2 * count.kv_heads * count.head_dim, 0)] * count.layers
    per_sequence = sum(n * (min(context, window) if window else context) for n, window in layers)
    return int(per_sequence * batch * DTYPE_BYTES[dtype])


def flops_per_token(n_params: int) -> int:
    """≈ 2N floating-point operations per generated token (one multiply-add per weight).

    For a mixture of experts, N is the active count: the skipped experts do no work.

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
        for key in (inner, "moe_intermediate_size", "intermediate_size_mlp"):
            if config.get(key):
                config[key] = round(config[key] * ratio)
        if config.get("word_embed_proj_dim"):
            config["word_embed_proj_dim"] = d_model
    if layers:
        config[depth] = layers
    if vocab:
        config["vocab_size"] = vocab
    return config


def _summary(count: ParamCount, cfg: CalculatorConfig) -> list[dict]:
    kv = kv_cache_bytes(count, cfg.context, cfg.batch)
    # Ids, not words: the page names each row and each id value (the demo fence's `labels`).
    return [
        {"item": "total_params", "value": f"{count.total:,}"},
        {"item": "active_params", "value": f"{count.active:,}"},
        {"item": "layers", "value": f"{count.layers}"},
        {
            "item": "max_context",
            "value": f"{count.max_context:,}" if count.max_context else "unknown",
        },
        {"item": "weights_bf16", "value": f"{count.total * 2 / 2**30:.2f} GiB"},
        {
            "item": "kv_cache_bf16",
            "value": "kv_none_encoder" if count.kv_layers is None else f"{kv / 2**30:.2f} GiB",
        },
        {"item": "flops_per_token", "value": f"{flops_per_token(count.active):.3g} FLOP"},
    ]


def notices(count: ParamCount, context: int) -> list[dict]:
    """What the reader should know about these numbers, as ids the page words."""
    found = []
    if count.max_context and context > count.max_context:
        # The model never saw positions this far: it was not built for this context.
        found.append({"notice": f"context_over_max-{count.max_context:,}"})
    if count.kv_layers is None:
        found.append({"notice": "encoder_no_kv"})
    if count.active < count.total:
        found.append({"notice": "moe_memory_is_total"})
    return found or [{"notice": "none"}]


@dataclass
class CalculatorConfig:
    preset: str = "llama-2-7b"  # a model most readers have heard of, with a well-known count
    config_json: str = ""  # a pasted config.json; when given it replaces the preset
    d_model: int = 0  # what-if sliders: 0 keeps the model's own value
    layers: int = 0
    vocab: int = 0
    context: int = 4096  # tokens kept in the KV cache; a notice if past the model's maximum
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
    config = text_config(config)  # a multimodal config: its language model
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
        "notices": notices(count, cfg.context),
        "active": count.active,
        "max_context": count.max_context,
        "kv_cache_bytes": kv_cache_bytes(count, cfg.context, cfg.batch),
        "flops_per_token": flops_per_token(count.active),
        "config": numeric,
    }
