"""demos.mlp: backprop against finite differences, and the behaviours the chapter shows."""

import math

import numpy as np
import pytest

from demos import mlp


def test_backprop_matches_finite_differences():
    rng = np.random.default_rng(1)
    params = mlp.init_params(5, rng)
    X, y = mlp.make_moons(12, 0.2, rng)
    grads = mlp.gradients(params, X, y, l2=0.3)
    h = 1e-6
    for name, value in params.items():
        for idx in np.ndindex(value.shape):
            old = value[idx]
            value[idx] = old + h
            up = mlp.loss(params, X, y, l2=0.3)
            value[idx] = old - h
            down = mlp.loss(params, X, y, l2=0.3)
            value[idx] = old
            assert grads[name][idx] == pytest.approx((up - down) / (2 * h), abs=1e-7), (name, idx)


def test_param_count_is_the_size_of_the_arrays():
    # 2×3 + 3 + 3×2 + 2 by hand for H = 3, and the chapter's 5H + 2 for the default H = 16.
    assert mlp.run(hidden=3, epochs=1)["param_count"] == 17
    assert mlp.run(epochs=1)["param_count"] == 82


def test_default_training_learns_the_moons():
    result = mlp.run()
    assert result["final"]["val_acc"] >= 0.85
    assert result["curves"][-1]["train_loss"] < result["curves"][0]["train_loss"]


def test_too_large_a_learning_rate_makes_training_worse_than_guessing():
    result = mlp.run(optimizer="sgd", lr=50.0)
    assert result["final"] is None or result["final"]["train_loss"] > math.log(2)
    good = mlp.run(optimizer="sgd", lr=0.5)
    assert good["final"]["train_loss"] < 0.2


def test_many_units_and_few_data_overfit():
    result = mlp.run(n_train=20, hidden=256, epochs=400, lr=0.01, noise=0.35)
    curves = result["curves"]
    assert curves[-1]["train_acc"] == 1.0
    best_val = min(c["val_loss"] for c in curves)
    assert curves[-1]["val_loss"] > 2 * best_val, "validation loss should rise after its minimum"
    assert result["best_val_epoch"] < len(curves) // 2


def test_same_seed_same_result_and_l2_shrinks_weights():
    assert mlp.run(epochs=5) == mlp.run(epochs=5)
    cfg = mlp.MLPConfig(epochs=30, l2=0.0)
    plain, *_ = mlp.train(cfg)
    decayed, *_ = mlp.train(mlp.MLPConfig(epochs=30, l2=0.05))
    assert np.linalg.norm(decayed["W1"]) < np.linalg.norm(plain["W1"])


@pytest.mark.parametrize(
    "controls, name",
    [({"hidden": 0}, "hidden"), ({"optimizer": "rmsprop"}, "optimizer"), ({"lr": -1}, "lr")],
)
def test_bad_arguments_name_themselves(controls, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        mlp.run(**controls)


def _grid(p_of) -> list[dict]:
    axis = np.linspace(-2.0, 2.0, 21)
    return [{"x": x, "y": y, "p": p_of(x, y)} for y in axis for x in axis]


def test_boundary_bend_is_zero_for_a_straight_boundary_and_large_for_a_circle():
    straight = _grid(lambda x, y: 1 / (1 + np.exp(-(2 * x - y + 0.3))))
    assert mlp.boundary_bend(straight) < 1e-3
    # A circle of radius 1 in a 4 × 4 box: its points lie up to about 1 from any line,
    # a sixth of the diagonal 4√2 or more.
    circle = _grid(lambda x, y: 1.0 if x * x + y * y < 1 else 0.0)
    assert mlp.boundary_bend(circle) > 1 / 6
    assert mlp.boundary_bend(_grid(lambda x, y: 1.0)) is None


def test_two_hidden_units_draw_an_almost_straight_boundary_and_sixteen_a_bent_one():
    assert mlp.run(hidden=2)["boundary_bend"] < 0.03 < 0.06 < mlp.run()["boundary_bend"]
