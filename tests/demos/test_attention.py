"""demos.attention against a naive loop implementation and the properties attention must have."""

import math

import numpy as np
import pytest

from demos import attention


def _setup(seed=0, text="猫がマットの上で寝ている", d=12):
    rng = np.random.default_rng(seed)
    weights = attention.init_weights(d, rng)
    return attention.embed(text, d, rng), weights


def _naive(x, weights, heads, temperature, causal):
    """Attention one query, one key at a time, with plain Python floats."""
    T, d = x.shape
    dk = d // heads
    q = x @ weights["Wq"] + weights["bq"]
    k = x @ weights["Wk"] + weights["bk"]
    v = x @ weights["Wv"] + weights["bv"]
    mixed = np.zeros((T, d))
    att = np.zeros((heads, T, T))
    for h in range(heads):
        cols = slice(h * dk, (h + 1) * dk)
        for i in range(T):
            keys = range(i + 1) if causal else range(T)
            scores = [
                sum(q[i, c] * k[j, c] for c in range(cols.start, cols.stop))
                / (math.sqrt(dk) * temperature)
                for j in keys
            ]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            for j, e in zip(keys, exps):
                att[h, i, j] = e / sum(exps)
                mixed[i, cols] += att[h, i, j] * v[j, cols]
    return mixed @ weights["Wo"] + weights["bo"], att


@pytest.mark.parametrize(
    "heads, temperature, causal", [(1, 1.0, False), (3, 0.5, True), (4, 2.0, False)]
)
def test_matches_naive_loops(heads, temperature, causal):
    x, w = _setup()
    out, att = attention.attention(x, w, heads, temperature, causal)
    ref_out, ref_att = _naive(x, w, heads, temperature, causal)
    np.testing.assert_allclose(att, ref_att, atol=1e-12)
    np.testing.assert_allclose(out, ref_out, atol=1e-12)


def test_rows_sum_to_one_and_causal_mask_zeroes_the_future():
    result = attention.run(causal=True, heads=2, d_model=8)
    T = len(result["tokens"])
    rows = {}
    for cell in result["weights"]:
        rows.setdefault((cell["head"], cell["query"]), 0.0)
        rows[(cell["head"], cell["query"])] += cell["weight"]
        if cell["key"] > cell["query"]:
            assert cell["weight"] == 0.0
    assert len(rows) == 2 * T
    assert all(s == pytest.approx(1.0, abs=1e-3) for s in rows.values())


def test_permuting_the_input_permutes_the_output():
    x, w = _setup(d=8)
    perm = np.random.default_rng(5).permutation(len(x))
    out, att = attention.attention(x, w, heads=2)
    out_p, att_p = attention.attention(x[perm], w, heads=2)
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)
    np.testing.assert_allclose(att_p, att[:, perm][:, :, perm], atol=1e-12)


def test_low_temperature_sharpens():
    sharp = attention.run(temperature=0.1)["weights"]
    flat = attention.run(temperature=10.0)["weights"]
    assert max(c["weight"] for c in sharp) > max(c["weight"] for c in flat)


def test_max_future_weight_is_the_largest_weight_above_the_diagonal():
    for causal in (False, True):
        result = attention.run(causal=causal)
        above = [c["weight"] for c in result["weights"] if c["key"] > c["query"]]
        assert result["max_future_weight"] == max(above)
    assert attention.run(causal=True)["max_future_weight"] == 0
    assert attention.run(text="猫")["max_future_weight"] == 0  # one token: no future at all


def test_param_count_by_component():
    counts = attention.run(d_model=16)["param_count"]
    assert counts["query"] == 16 * 16 + 16
    assert counts["total"] == 4 * (16 * 16 + 16)
    assert (
        sum(v.size for v in attention.init_weights(16, np.random.default_rng(0)).values())
        == counts["total"]
    )


@pytest.mark.parametrize(
    "controls, name",
    [({"heads": 3, "d_model": 16}, "heads"), ({"text": ""}, "text"), ({"causal": 1}, "causal")],
)
def test_bad_arguments_name_themselves(controls, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        attention.run(**controls)
