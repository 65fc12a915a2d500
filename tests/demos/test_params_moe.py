"""demos.params on 2024–2025 architectures: totals and active counts, two ways each.

1. An independent reference: the test lists every weight tensor the Hugging Face model
   class holds (its name and shape, as in the checkpoint's weight map) and multiplies
   the shapes out. demos.params counts by component formulas instead; the two must agree
   exactly, on the total and on the parameters one token uses.
2. The published figures: the exact total where a checkpoint gives it, and the model
   card's rounded total and active count, to the precision the card states.

The active rule under test: everything except the routed experts the router did not
pick. The router and the shared experts are active.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from demos import params

Tensor = tuple[str, tuple[int, ...]]


def _attention(c: dict, i: int, *, bias: bool = False, o_bias: bool = False) -> Iterator[Tensor]:
    d, h, kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim") or d // h
    p = f"model.layers.{i}.self_attn."
    for name, rows in (("q_proj", h * hd), ("k_proj", kv * hd), ("v_proj", kv * hd)):
        yield p + name + ".weight", (rows, d)
        if bias:
            yield p + name + ".bias", (rows,)
    yield p + "o_proj.weight", (d, h * hd)
    if o_bias:
        yield p + "o_proj.bias", (d,)


def _gated(prefix: str, d: int, inner: int) -> Iterator[Tensor]:
    yield prefix + "gate_proj.weight", (inner, d)
    yield prefix + "up_proj.weight", (inner, d)
    yield prefix + "down_proj.weight", (d, inner)


def _ends(c: dict, tied: bool) -> Iterator[Tensor]:
    d, V = c["hidden_size"], c["vocab_size"]
    yield "model.embed_tokens.weight", (V, d)
    yield "model.norm.weight", (d,)
    if not tied:
        yield "lm_head.weight", (V, d)


def _norms(i: int, d: int, names=("input_layernorm", "post_attention_layernorm")):
    for name in names:
        yield f"model.layers.{i}.{name}.weight", (d,)


def mixtral(c: dict) -> Iterator[Tensor]:
    d, E = c["hidden_size"], c["num_local_experts"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        yield f"model.layers.{i}.block_sparse_moe.gate.weight", (E, d)
        for e in range(E):
            p = f"model.layers.{i}.block_sparse_moe.experts.{e}."
            yield p + "w1.weight", (c["intermediate_size"], d)
            yield p + "w2.weight", (d, c["intermediate_size"])
            yield p + "w3.weight", (c["intermediate_size"], d)
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def _qk_norms(c: dict, i: int) -> Iterator[Tensor]:
    hd = c["head_dim"]
    yield f"model.layers.{i}.self_attn.q_norm.weight", (hd,)
    yield f"model.layers.{i}.self_attn.k_norm.weight", (hd,)


def qwen3(c: dict) -> Iterator[Tensor]:
    d = c["hidden_size"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        yield from _qk_norms(c, i)
        yield from _gated(f"model.layers.{i}.mlp.", d, c["intermediate_size"])
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def qwen3_moe(c: dict) -> Iterator[Tensor]:
    d, E = c["hidden_size"], c["num_experts"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        yield from _qk_norms(c, i)
        yield f"model.layers.{i}.mlp.gate.weight", (E, d)
        for e in range(E):
            yield from _gated(f"model.layers.{i}.mlp.experts.{e}.", d, c["moe_intermediate_size"])
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def deepseek_v3(c: dict) -> Iterator[Tensor]:
    d, h, E = c["hidden_size"], c["num_attention_heads"], c["n_routed_experts"]
    qr, kvr = c["q_lora_rank"], c["kv_lora_rank"]
    nope, rope, vd = c["qk_nope_head_dim"], c["qk_rope_head_dim"], c["v_head_dim"]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}.self_attn."
        yield p + "q_a_proj.weight", (qr, d)
        yield p + "q_a_layernorm.weight", (qr,)
        yield p + "q_b_proj.weight", (h * (nope + rope), qr)
        yield p + "kv_a_proj_with_mqa.weight", (kvr + rope, d)
        yield p + "kv_a_layernorm.weight", (kvr,)
        yield p + "kv_b_proj.weight", (h * (nope + vd), kvr)
        yield p + "o_proj.weight", (d, h * vd)
        if i < c["first_k_dense_replace"]:
            yield from _gated(f"model.layers.{i}.mlp.", d, c["intermediate_size"])
        else:
            yield f"model.layers.{i}.mlp.gate.weight", (E, d)
            yield f"model.layers.{i}.mlp.gate.e_score_correction_bias", (E,)
            for e in range(E):
                yield from _gated(
                    f"model.layers.{i}.mlp.experts.{e}.", d, c["moe_intermediate_size"]
                )
            shared = c["n_shared_experts"] * c["moe_intermediate_size"]
            yield from _gated(f"model.layers.{i}.mlp.shared_experts.", d, shared)
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def gpt_oss(c: dict) -> Iterator[Tensor]:
    d, E, inner = c["hidden_size"], c["num_local_experts"], c["intermediate_size"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i, bias=True, o_bias=True)
        yield f"model.layers.{i}.self_attn.sinks", (c["num_attention_heads"],)
        p = f"model.layers.{i}.mlp."
        yield p + "router.weight", (E, d)
        yield p + "router.bias", (E,)
        # The experts are stacked in one tensor per projection: [E, …].
        yield p + "experts.gate_up_proj", (E, d, 2 * inner)
        yield p + "experts.gate_up_proj_bias", (E, 2 * inner)
        yield p + "experts.down_proj", (E, inner, d)
        yield p + "experts.down_proj_bias", (E, d)
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def llama4_text(c: dict) -> Iterator[Tensor]:
    d, E, inner = c["hidden_size"], c["num_local_experts"], c["intermediate_size"]
    step = c["interleave_moe_layer_step"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        p = f"model.layers.{i}.feed_forward."
        if (i + 1) % step == 0:
            yield p + "router.weight", (E, d)
            yield p + "experts.gate_up_proj", (E, d, 2 * inner)
            yield p + "experts.down_proj", (E, inner, d)
            yield from _gated(p + "shared_expert.", d, inner)
        else:
            yield from _gated(p, d, c["intermediate_size_mlp"])
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def _llama(c: dict) -> Iterator[Tensor]:
    d = c["hidden_size"]
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        yield from _gated(f"model.layers.{i}.mlp.", d, c["intermediate_size"])
        yield from _norms(i, d)
    yield from _ends(c, c["tie_word_embeddings"])


def gemma3_text(c: dict) -> Iterator[Tensor]:
    d = c["hidden_size"]
    norms = (
        "input_layernorm",
        "post_attention_layernorm",
        "pre_feedforward_layernorm",
        "post_feedforward_layernorm",
    )
    for i in range(c["num_hidden_layers"]):
        yield from _attention(c, i)
        yield from _qk_norms(c, i)
        yield from _gated(f"model.layers.{i}.mlp.", d, c["intermediate_size"])
        yield from _norms(i, d, norms)
    yield from _ends(c, c.get("tie_word_embeddings", True))


def _gpt2(c: dict) -> Iterator[Tensor]:
    """GPT2LMHeadModel: Conv1D weights are stored (in, out); the head is tied to wte."""
    d, inner = c["n_embd"], c.get("n_inner") or 4 * c["n_embd"]
    yield "transformer.wte.weight", (c["vocab_size"], d)
    yield "transformer.wpe.weight", (c["n_positions"], d)
    for i in range(c["n_layer"]):
        p = f"transformer.h.{i}."
        for norm in ("ln_1", "ln_2"):
            yield p + norm + ".weight", (d,)
            yield p + norm + ".bias", (d,)
        for name, shape in (
            ("attn.c_attn", (d, 3 * d)),
            ("attn.c_proj", (d, d)),
            ("mlp.c_fc", (d, inner)),
            ("mlp.c_proj", (inner, d)),
        ):
            yield p + name + ".weight", shape
            yield p + name + ".bias", (shape[1],)
    yield "transformer.ln_f.weight", (d,)
    yield "transformer.ln_f.bias", (d,)
    if c.get("tie_word_embeddings") is False:
        yield "lm_head.weight", (c["vocab_size"], d)


REFERENCE = {
    "mixtral": mixtral,
    "qwen3": qwen3,
    "qwen3_moe": qwen3_moe,
    "deepseek_v3": deepseek_v3,
    "gpt_oss": gpt_oss,
    "llama4_text": llama4_text,
    "gemma3_text": gemma3_text,
    "llama": _llama,
    "gpt2": _gpt2,
}


def reference_counts(c: dict) -> tuple[int, int]:
    """(total, active) from the tensor list alone."""
    tensors = list(REFERENCE[c["model_type"]](c))
    assert len({name for name, _ in tensors}) == len(tensors), "tensor names are unique"
    total = sum(math.prod(shape) for _, shape in tensors)
    # Routed experts (one tensor per expert, or one stacked [E, …] tensor): a token uses
    # k of the E experts, so it skips (E − k)/E of their numbers. Shared experts are
    # named shared_expert(s) and are never skipped.
    routed = sum(math.prod(shape) for name, shape in tensors if ".experts." in name)
    E = c.get("num_local_experts") or c.get("num_experts") or c.get("n_routed_experts") or 1
    k = c.get("num_experts_per_tok", E)
    assert routed * (E - k) % E == 0
    return total, total - routed * (E - k) // E


NEW_PRESETS = {
    "mixtral-8x7b-v0.1": "mixtral",
    "qwen3-8b": "qwen3",
    "qwen3-30b-a3b": "qwen3_moe",
    "qwen3-235b-a22b": "qwen3_moe",
    "deepseek-v3": "deepseek_v3",
    "gpt-oss-20b": "gpt_oss",
    "gpt-oss-120b": "gpt_oss",
    "llama-4-scout": "llama4_text",
    "llama-4-maverick": "llama4_text",
    "gemma-3-1b": "gemma3_text",
    # Configs copied from the models' repositories (cited in site_src/data/llms.csv); the
    # model cards give only the nominal size, so the tensor list is the reference.
    "swallow-70b": "llama",
    "llm-jp-3-172b": "llama",
    "llm-jp-13b-v1.0": "gpt2",
}


@pytest.mark.parametrize("preset, family", sorted(NEW_PRESETS.items()))
def test_counts_equal_the_tensor_list(preset, family):
    config = params.load_preset(preset)
    assert config["model_type"] == family
    count = params.count_params(config)
    total, active = reference_counts(config)
    assert count.total == total
    assert count.active == active
    assert sum(count.breakdown.values()) == count.total


# Published exact totals: the checkpoint itself.
EXACT = {
    # https://huggingface.co/mistralai/Mixtral-8x7B-v0.1: model.safetensors.index.json
    # "total_size": 93405585408 bytes of bf16, 2 bytes each.
    "mixtral-8x7b-v0.1": 93_405_585_408 // 2,
    # https://huggingface.co/deepseek-ai/DeepSeek-V3: the main model's tensors (the 14B
    # multi-token-prediction module excluded, as the README separates it from the 671B).
    "deepseek-v3": 671_026_419_200,
}


@pytest.mark.parametrize("preset, expected", sorted(EXACT.items()))
def test_exact_published_totals(preset, expected):
    assert params.count_params(params.load_preset(preset)).total == expected


# Model cards: (total, active, digits after the point in billions, which embeddings the
# card's "active" leaves out). Cards round or cut off (Qwen3-30B-A3B's 3.35B is "3.3B",
# Maverick's 400.7B is "400B"): the count must be within one unit of the card's last digit.
CARDS = {
    # https://mistral.ai/news/mixtral-of-experts: 46.7B total, 12.9B per token
    "mixtral-8x7b-v0.1": (46.7, 12.9, 1, ""),
    # https://huggingface.co/Qwen/Qwen3-8B: 8.2B; non-embedding 6.95B
    "qwen3-8b": (8.2, 8.2, 1, ""),
    # https://huggingface.co/Qwen/Qwen3-30B-A3B: 30.5B total, 3.3B activated
    "qwen3-30b-a3b": (30.5, 3.3, 1, ""),
    # https://huggingface.co/Qwen/Qwen3-235B-A22B: 235B total, 22B activated
    "qwen3-235b-a22b": (235, 22, 0, ""),
    # https://huggingface.co/deepseek-ai/DeepSeek-V3: 671B total, 37B activated. Our rule
    # gives 37.55B; without the input embedding table, 36.6B, which the card rounds to 37B.
    "deepseek-v3": (671, 37, 0, "input"),
    # https://openai.com/index/gpt-oss-model-card/: 20.91B / 3.61B and 116.83B / 5.13B;
    # the card's active count leaves out the input embedding table.
    "gpt-oss-20b": (20.91, 3.61, 2, "input"),
    "gpt-oss-120b": (116.83, 5.13, 2, "input"),
    # https://huggingface.co/meta-llama/Llama-4-Scout-17B-16E: 17B active (the 109B total
    # includes the vision encoder, which the counter leaves out)
    "llama-4-scout": (None, 17, 0, ""),
    # https://huggingface.co/meta-llama/Llama-4-Maverick-17B-128E: 400B total, 17B active
    "llama-4-maverick": (400, 17, 0, ""),
    # https://huggingface.co/google/gemma-3-1b-pt: 1B
    "gemma-3-1b": (1, 1, 0, ""),
}


@pytest.mark.parametrize("preset", sorted(CARDS))
def test_model_cards_agree_with_the_count(preset):
    total, active, digits, left_out = CARDS[preset]
    count = params.count_params(params.load_preset(preset))
    card_active = count.active - (count.breakdown["token_embeddings"] if left_out else 0)
    unit = 10.0**-digits
    if total is not None:
        assert abs(count.total / 1e9 - total) < unit
    assert abs(card_active / 1e9 - active) < unit
    assert count.active < count.total or count.active == count.total == card_active


def test_every_preset_is_checked_against_a_published_figure():
    from tests.demos.test_params import PUBLISHED

    assert set(params.preset_names()) == set(PUBLISHED) | set(NEW_PRESETS)
    assert set(CARDS) <= set(NEW_PRESETS)
    # Without a card figure, the config must come from the repository the dataset cites.
    from tests.conftest import ROOT
    from tools import datasets

    cited = {r.config for r in datasets.load_llms(ROOT / "site_src/data/llms.csv")}
    assert set(NEW_PRESETS) - set(CARDS) <= cited


def test_active_rule_counts_router_and_shared_experts():
    count = params.count_params(params.load_preset("deepseek-v3"))
    layer = count.per_layer
    # Removing the router or the shared expert lowers the active count by exactly that.
    config = params.load_preset("deepseek-v3")
    no_shared = params.count_params({**config, "n_shared_experts": 0})
    assert count.active - no_shared.active == 58 * 3 * 7168 * 2048
    assert layer["router"] == 256 * 7168 + 256
    dense = params.count_params(params.load_preset("qwen3-8b"))
    assert dense.active == dense.total  # a dense model uses every parameter


def test_multimodal_configs_count_their_language_model():
    text = params.load_preset("gemma-3-1b")
    wrapped = {"model_type": "gemma3", "text_config": text, "vision_config": {"hidden_size": 1}}
    assert params.count_params(wrapped).total == params.count_params(text).total


def test_kv_cache_of_latent_and_windowed_attention():
    ds = params.count_params(params.load_preset("deepseek-v3"))
    # MLA caches one 512-wide latent and one 64-wide rotary key per layer and token.
    assert params.kv_cache_bytes(ds, context=1000) == 61 * (512 + 64) * 1000 * 2
    oss = params.count_params(params.load_preset("gpt-oss-20b"))
    # Half the layers look back 128 tokens only: past that, only the other half grows.
    short = params.kv_cache_bytes(oss, context=128)
    long = params.kv_cache_bytes(oss, context=1128)
    assert long - short == 12 * 2 * 8 * 64 * 1000 * 2
    bert = params.count_params(params.load_preset("bert-base-uncased"))
    assert params.kv_cache_bytes(bert, context=512) == 0  # an encoder caches nothing


def test_calculator_warns_past_the_models_context():
    notices = lambda **kw: [n["notice"] for n in params.run(**kw)["notices"]]  # noqa: E731
    assert notices(preset="gpt2", context=4096) == ["context_over_max-1,024"]
    assert notices(preset="opt-125m", context=4096) == ["context_over_max-2,048"]
    assert "context_over_max-512" in notices(preset="bert-base-uncased", context=4096)
    assert notices(preset="gpt2", context=1024) == ["none"]
    assert notices(preset="llama-2-7b") == ["none"]  # 4096 is Llama 2's own maximum


def test_calculator_shows_no_kv_cache_for_an_encoder():
    result = params.run(preset="bert-base-uncased", context=512)
    assert result["kv_cache_bytes"] == 0
    summary = {row["item"]: row["value"] for row in result["summary"]}
    assert summary["kv_cache_bf16"] == "kv_none_encoder"
    assert [n["notice"] for n in result["notices"]] == ["encoder_no_kv"]


def test_calculator_reports_total_and_active_for_moe():
    result = params.run(preset="mixtral-8x7b-v0.1", context=4096)
    assert result["total"] == 46_702_792_704 and result["active"] == 12_879_925_248
    assert result["flops_per_token"] == 2 * result["active"]  # skipped experts do no work
    memory = {m["dtype"]: m["bytes"] for m in result["memory"]}
    assert memory["bf16/fp16"] == 2 * result["total"]  # every expert must be in memory
    assert {"router", "experts"} <= {row["component"] for row in result["breakdown"]}
    assert "moe_memory_is_total" in [n["notice"] for n in result["notices"]]
    # The what-if sliders resize the experts too.
    wider = params.run(preset="qwen3-30b-a3b", d_model=4096)
    assert wider["config"]["moe_intermediate_size"] == 2 * 768


def test_every_summary_id_and_notice_has_words_on_the_page():
    """The calculator returns ids; the page's demo fence must name each one."""
    import re

    from tests.conftest import ROOT

    page = (ROOT / "site_src/memory.md").read_text()
    fence = page[page.index("id: param-calculator") :]
    fence = fence[: fence.index("```")]
    ids = set()
    for preset in params.preset_names():
        for context in (256, 10_000_000):
            result = params.run(preset=preset, context=context)
            ids |= {row["item"] for row in result["summary"]}
            ids |= {re.sub(r"-[\d,]+$", "-*", n["notice"]) for n in result["notices"]}
    for id_ in ids:
        assert re.search(rf'["\s{{]{re.escape(id_)}"?:', fence), id_
