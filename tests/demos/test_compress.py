"""demos.compress: rounding error bound, exact sparsity, LoRA arithmetic."""

import numpy as np
import pytest

from demos import compress


@pytest.mark.parametrize("bits", [4, 8])
@pytest.mark.parametrize("per_channel", [False, True])
def test_quantisation_error_is_at_most_half_a_step(bits, per_channel):
    w = np.random.default_rng(bits).normal(size=(16, 9)) * np.linspace(0.1, 3, 9)
    codes, scale = compress.quantize(w, bits, per_channel)
    qmax = 2 ** (bits - 1) - 1
    assert np.abs(codes).max() <= qmax
    err = np.abs(compress.dequantize(codes, scale) - w)
    assert (err <= scale / 2 + 1e-12).all()


def test_per_channel_is_never_coarser_than_per_tensor():
    w = np.random.default_rng(0).normal(size=(8, 5)) * np.array([0.01, 0.1, 1, 10, 100])
    _, s_tensor = compress.quantize(w, 8, per_channel=False)
    _, s_channel = compress.quantize(w, 8, per_channel=True)
    assert (s_channel <= s_tensor).all()


@pytest.mark.parametrize("sparsity", [0.0, 0.25, 0.5, 0.8, 0.99])
def test_pruning_gives_exactly_the_sparsity_asked_for(sparsity):
    w = np.random.default_rng(2).normal(size=(40, 25))
    pruned = compress.prune(w, sparsity)
    assert np.count_nonzero(pruned == 0) == round(sparsity * w.size)
    kept = np.abs(w[pruned != 0])
    if kept.size and kept.size < w.size:
        assert kept.min() >= np.abs(w[pruned == 0]).max(), (
            "pruning must remove the smallest weights"
        )


def test_lora_count_is_r_times_din_plus_dout_per_matrix():
    assert compress.lora_params([(4096, 4096)], 8) == 8 * (4096 + 4096)
    assert compress.lora_params([(10, 3), (7, 5)], 2) == 2 * 13 + 2 * 12
    lora = compress.run(lora_rank=16, lora_layers=2, lora_d_model=100)["lora"]
    assert lora["lora_params"] == 4 * 16 * 200 and lora["full_params"] == 4 * 100 * 100


def test_size_against_accuracy_table():
    variants = compress.run()["variants"]
    original = variants[0]
    assert original["kind"] == "original"
    int8 = [v for v in variants if v["bits"] == 8]
    assert all(v["bytes"] < original["bytes"] for v in int8)
    assert all(abs(v["accuracy"] - original["accuracy"]) <= 0.02 for v in int8)


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match=r"^sparsity must"):
        compress.run(sparsity=1.0)


def test_the_parts_add_up_to_the_int4_per_channel_size():
    result = compress.run()
    hidden, parts = result["config"]["hidden"], result["parts"]
    # Counted from the shapes, independently: W1 (2, H), b1 (H,), W2 (H, 2), b2 (2,).
    assert parts["weights"] == 2 * hidden + hidden * 2
    assert parts["biases"] == parts["channel_scales"] == hidden + 2
    int4 = max((v for v in result["variants"] if v["bits"] == 4), key=lambda v: v["bytes"])
    assert int4["bytes"] == (
        parts["int4_weight_bytes"] + parts["bias_bytes"] + parts["channel_scale_bytes"]
    )
    assert parts["int4_weight_bytes"] == parts["weights"] // 2


@pytest.mark.parametrize("sparsity", [0.3, 0.5, 0.8, 0.9])
def test_pruned_is_the_row_of_the_readers_sparsity(sparsity):
    result = compress.run(sparsity=sparsity)
    pruned = dict(result["pruned"])
    assert pruned.pop("sparsity") == sparsity
    assert pruned in result["variants"] and pruned["kind"] == "pruned"
    weights, biases = result["parts"]["weights"], result["parts"]["biases"]
    per_matrix = weights // 2  # W1 and W2 are pruned separately, each to the asked sparsity
    kept = 2 * (per_matrix - round(sparsity * per_matrix))
    # fp32 survivors, a 1-bit mask, fp32 biases
    assert pruned["bytes"] == 4 * kept + -(-weights // 8) + 4 * biases
