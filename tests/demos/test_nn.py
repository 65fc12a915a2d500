"""demos.nn.Adam against Algorithm 1 of Kingma & Ba (2015), written out in plain floats."""

import math

import numpy as np
import pytest

from demos import nn


def _reference_adam(params, grads_per_step, lr, b1=0.9, b2=0.999, eps=1e-8):
    """Algorithm 1, one scalar at a time, with no numpy: the independent reference."""
    theta = {k: [float(x) for x in v.ravel()] for k, v in params.items()}
    m = {k: [0.0] * len(v) for k, v in theta.items()}
    v = {k: [0.0] * len(x) for k, x in theta.items()}
    for t, grads in enumerate(grads_per_step, start=1):
        for k in theta:
            for i, g in enumerate(float(x) for x in grads[k].ravel()):
                m[k][i] = b1 * m[k][i] + (1 - b1) * g
                v[k][i] = b2 * v[k][i] + (1 - b2) * g * g
                m_hat = m[k][i] / (1 - b1**t)
                v_hat = v[k][i] / (1 - b2**t)
                theta[k][i] -= lr * m_hat / (math.sqrt(v_hat) + eps)
    return theta


def test_matches_the_papers_algorithm_over_several_steps():
    rng = np.random.default_rng(3)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4), "s": rng.normal(size=())}
    start = {k: v.copy() for k, v in params.items()}
    steps = [{k: rng.normal(size=v.shape) * 10.0**-i for k, v in params.items()} for i in range(6)]
    adam = nn.Adam(params, lr=0.03)
    for grads in steps:
        adam.step(grads)
    expected = _reference_adam(start, steps, lr=0.03)
    for k, value in params.items():
        assert value.shape == start[k].shape
        assert value.ravel().tolist() == pytest.approx(expected[k], rel=1e-12, abs=1e-15), k


def test_first_step_moves_every_weight_by_lr_against_its_gradient_sign():
    """Bias correction makes m̂ = g and v̂ = g² at t = 1, so the step is lr·g/|g|."""
    params = {"w": np.array([1.0, -2.0, 0.5])}
    adam = nn.Adam(params, lr=0.1)
    adam.step({"w": np.array([3.0, -1e-3, 40.0])})
    assert params["w"].tolist() == pytest.approx([0.9, -1.9, 0.4], abs=1e-6)


def test_updates_the_callers_arrays_in_place_and_keeps_their_dtype():
    params = {"a": np.zeros((2, 2), dtype=np.float32), "b": np.zeros(3, dtype=np.float32)}
    a = params["a"]
    adam = nn.Adam(params, lr=0.5)
    adam.step({"a": np.ones((2, 2), dtype=np.float32), "b": -np.ones(3, dtype=np.float32)})
    assert params["a"].dtype == np.float32
    assert np.allclose(params["a"], -0.5) and np.allclose(params["b"], 0.5)
    params["a"][0, 0] = 7.0  # the dict holds views of Adam's buffer: one set of weights
    assert adam.flat[0] == 7.0
    assert a is not params["a"], "the caller must read the weights back from the dict"


def test_minimises_a_quadratic():
    params = {"x": np.array([5.0, -3.0])}
    adam = nn.Adam(params, lr=0.1)
    for _ in range(500):
        adam.step({"x": 2 * (params["x"] - np.array([1.0, 2.0]))})  # ∇ of ‖x - (1, 2)‖²
    assert params["x"].tolist() == pytest.approx([1.0, 2.0], abs=1e-3)
