"""demos.linear against the closed-form least-squares solution."""

import json

import numpy as np
import pytest

from demos import linear


def test_gradient_descent_reaches_the_closed_form_optimum():
    result = linear.run(lr=0.1, steps=400)
    x, y = linear.make_data(linear.LinearConfig())
    # Independent reference: the normal equations solved directly.
    X = np.stack([x, np.ones_like(x)], axis=1)
    w_ref, b_ref = np.linalg.solve(X.T @ X, X.T @ y)
    assert result["final"]["w"] == pytest.approx(w_ref, abs=1e-4)
    assert result["final"]["b"] == pytest.approx(b_ref, abs=1e-4)
    assert result["optimum"]["w"] == pytest.approx(w_ref, abs=1e-6)


def test_gradient_matches_finite_differences():
    x, y = linear.make_data(linear.LinearConfig(seed=3))
    w, b, h = 0.7, -1.2, 1e-6
    dw, db = linear.gradient(w, b, x, y)
    assert dw == pytest.approx(
        (linear.loss(w + h, b, x, y) - linear.loss(w - h, b, x, y)) / (2 * h)
    )
    assert db == pytest.approx(
        (linear.loss(w, b + h, x, y) - linear.loss(w, b - h, x, y)) / (2 * h)
    )


def test_loss_falls_monotonically_at_a_small_learning_rate():
    losses = [p["loss"] for p in linear.run(lr=0.05)["path"]]
    assert all(a >= b for a, b in zip(losses, losses[1:]))


def test_too_large_a_learning_rate_diverges_and_stops_cleanly():
    result = linear.run(lr=1.5, steps=200)
    assert result["diverged"]
    assert result["path"][-1]["loss"] > result["path"][0]["loss"]
    json.dumps(result, allow_nan=False)


def test_surface_covers_start_and_optimum():
    result = linear.run()
    ws = [c["w"] for c in result["surface"]]
    assert min(ws) <= result["config"]["w0"] <= max(ws)
    assert min(ws) <= result["optimum"]["w"] <= max(ws)
    assert len(result["surface"]) == result["config"]["grid"] ** 2


@pytest.mark.parametrize(
    "controls, name", [({"lr": 0}, "lr"), ({"steps": 0}, "steps"), ({"w0": "x"}, "w0")]
)
def test_bad_arguments_name_themselves(controls, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        linear.run(**controls)


def test_curvature_is_the_largest_second_derivative_by_finite_differences():
    x, y = linear.make_data(linear.LinearConfig())
    h = 1e-3  # the loss is quadratic, so central differences are exact up to rounding

    def second(dw: float, db: float) -> float:
        return (
            float(
                linear.loss(0.3 + dw, 0.2 + db, x, y)
                - 2 * linear.loss(0.3, 0.2, x, y)
                + linear.loss(0.3 - dw, 0.2 - db, x, y)
            )
            / h**2
        )

    hww, hbb = second(h, 0), second(0, h)
    hwb = (second(h, h) - hww - hbb) / 2
    c = np.linalg.eigvalsh([[hww, hwb], [hwb, hbb]]).max()
    valley = linear.run()["valley"]
    assert valley["curvature"] == pytest.approx(c, rel=1e-5)
    assert valley["overshoot_lr"] == pytest.approx(1 / c, rel=1e-5)
    assert valley["diverge_lr"] == pytest.approx(2 / c, rel=1e-5)


def test_the_path_crosses_the_valley_only_past_one_over_c_and_grows_past_two_over_c():
    valley = linear.run()["valley"]
    below, above = 0.97 * valley["overshoot_lr"], 1.03 * valley["overshoot_lr"]
    assert linear.run(lr=below)["crossings"] == 0
    assert linear.run(lr=above)["crossings"] > 0
    optimum = linear.run()["optimum"]["loss"]
    settles = linear.run(lr=0.97 * valley["diverge_lr"], steps=400)
    assert settles["final"]["loss"] == pytest.approx(optimum, abs=1e-4)
    grows = linear.run(lr=1.03 * valley["diverge_lr"])["path"]
    assert grows[-1]["loss"] > grows[0]["loss"]
    # Past 2/c every step crosses: the error along the steep direction flips sign each time.
    assert linear.run(lr=1.03 * valley["diverge_lr"])["crossings"] == len(grows) - 1
