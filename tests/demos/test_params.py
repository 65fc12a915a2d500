"""demos.params: exact counts against published figures, errors, and helpers."""

import json

import pytest

from demos import params

# Published totals. Each is the parameter count of the Hugging Face checkpoint (the
# "Model size" the Hub reads from the safetensors files), or the figure in the model's
# own paper or README where noted.
PUBLISHED = {
    # https://huggingface.co/openai-community/gpt2
    "gpt2": 124_439_808,
    # https://huggingface.co/meta-llama/Llama-2-7b-hf
    "llama-2-7b": 6_738_415_616,
    # https://huggingface.co/google-bert/bert-base-uncased (BertModel, with pooler)
    "bert-base-uncased": 109_482_240,
    # https://huggingface.co/facebook/opt-125m
    "opt-125m": 125_239_296,
    # https://huggingface.co/mistralai/Mistral-7B-v0.1
    "mistral-7b-v0.1": 7_241_732_096,
    # https://github.com/EleutherAI/pythia (README table: 70,426,624 total params)
    "pythia-70m": 70_426_624,
    # https://huggingface.co/meta-llama/Meta-Llama-3-8B ("8.03B params")
    "llama-3-8b": 8_030_261_248,
    # https://huggingface.co/meta-llama/Llama-3.2-1B ("1.24B params", tied embeddings)
    "llama-3.2-1b": 1_235_814_400,
    # https://huggingface.co/TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T
    "tinyllama-1.1b": 1_100_048_384,
    # https://huggingface.co/Qwen/Qwen2.5-0.5B ("0.49B params")
    "qwen2.5-0.5b": 494_032_768,
    # https://huggingface.co/google/gemma-2b ("2.51B params")
    "gemma-2b": 2_506_172_416,
    # https://huggingface.co/microsoft/phi-2 ("2.78B params")
    "phi-2": 2_779_683_840,
    # https://huggingface.co/microsoft/Phi-3-mini-4k-instruct ("3.82B params")
    "phi-3-mini-4k": 3_821_079_552,
}


@pytest.mark.parametrize("preset, expected", sorted(PUBLISHED.items()))
def test_exact_published_counts(preset, expected):
    count = params.count_params(params.load_preset(preset))
    assert count.total == expected
    assert sum(count.breakdown.values()) == count.total
    assert isinstance(count.total, int)


def test_gpt2_medium_is_gpt2_small_widened_and_deepened():
    # https://huggingface.co/openai-community/gpt2-medium: 354,823,168 parameters.
    assert params.run(preset="gpt2", d_model=1024, layers=24)["total"] == 354_823_168


def test_llama_2_7b_closed_form():
    """12·L·d² is the usual estimate; Llama's gated MLP makes it L·(4d² + 3·d·I) exactly."""
    d, L, V, inner = 4096, 32, 32000, 11008
    count = params.count_params(params.load_preset("llama-2-7b"))
    assert count.per_layer["attention"] == 4 * d * d
    assert count.per_layer["mlp"] == 3 * d * inner
    assert count.total == L * (4 * d * d + 3 * d * inner + 2 * d) + 2 * V * d + d


def test_llm_jp_13b_closed_form():
    """LLM-jp-13B v1.0 (GPT-2 layout, tied head), by hand from its config: 12,855,592,960."""
    d, L, V, P, inner = 5120, 40, 50688, 2048, 20480
    per_layer = (d * 3 * d + 3 * d) + (d * d + d) + (d * inner + inner) + (inner * d + d) + 4 * d
    count = params.count_params(params.load_preset("llm-jp-13b-v1.0"))
    assert count.breakdown["lm_head"] == 0
    assert count.total == V * d + P * d + L * per_layer + 2 * d == 12_855_592_960


def test_tied_head_counts_once():
    config = params.load_preset("llama-3.2-1b")
    tied = params.count_params(config)
    untied = params.count_params({**config, "tie_word_embeddings": False})
    assert tied.breakdown["lm_head"] == 0
    assert untied.total - tied.total == config["vocab_size"] * config["hidden_size"]


def test_missing_keys_use_family_defaults():
    # GPT2Config defaults describe gpt2 itself.
    assert params.count_params({"model_type": "gpt2"}).total == PUBLISHED["gpt2"]


def test_unknown_model_type_names_it():
    with pytest.raises(ValueError, match="model_type 'mamba' is not supported"):
        params.count_params({"model_type": "mamba"})


def test_missing_key_without_default_names_key_and_family():
    config = params.load_preset("mistral-7b-v0.1")
    del config["intermediate_size"]
    with pytest.raises(ValueError, match=r"mistral: config\.json has no 'intermediate_size'"):
        params.count_params(config)


def test_memory_kv_cache_and_flops():
    count = params.count_params(params.load_preset("llama-2-7b"))
    memory = params.weight_bytes(count.total)
    assert memory["fp32"] == 4 * count.total and memory["int4"] == count.total / 2
    # 2 (K,V) · 32 layers · 32 heads · 128 dims · 4096 tokens · 2 bytes = 2 GiB
    assert params.kv_cache_bytes(count, context=4096) == 2 * 2**30
    gqa = params.count_params(params.load_preset("mistral-7b-v0.1"))
    assert params.kv_cache_bytes(gqa, context=4096) == 2 * 2**30 // 4  # 8 KV heads, not 32
    assert params.flops_per_token(count.total) == 2 * count.total


def test_calculator_accepts_a_pasted_config_and_reports_bad_json():
    text = json.dumps(params.load_preset("opt-125m"))
    assert params.run(config_json=text)["total"] == PUBLISHED["opt-125m"]
    with pytest.raises(ValueError, match="config_json is not valid JSON"):
        params.run(config_json="{oops")
    with pytest.raises(ValueError, match=r"^layers must"):
        params.run(layers=-1)


def test_breakdown_uses_ids_that_the_page_names(tmp_path):
    """The model returns component ids; the page's chart (tools/site_charts.py) names them."""
    from parameter_lab import charts

    from tools import site_charts

    seen = set()
    for preset in params.preset_names():
        seen |= set(params.count_params(params.load_preset(preset)).breakdown)
    opt_350m = {**params.load_preset("opt-125m"), "word_embed_proj_dim": 512, "hidden_size": 1024}
    seen |= set(params.count_params(opt_350m).breakdown)
    assert seen == set(params.COMPONENTS), "COMPONENTS lists every id a breakdown can hold"
    assert set(params.COMPONENTS) <= set(site_charts.COMPONENT_NAMES)
    rows = params.run(preset="bert-base-uncased")["breakdown"]
    assert all(set(row) == {"component", "params"} for row in rows)
    view = site_charts.VIEWS["param_breakdown"]
    svg = charts.render_svg(charts.with_data(view.spec(), {"breakdown": rows}), tmp_path)
    for row in rows:
        assert site_charts.COMPONENT_NAMES[row["component"]] in svg
