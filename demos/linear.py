"""Fit a line y = w·x + b to noisy points by gradient descent (chapter 1: parameters).

The two parameters are w and b. The reader moves their starting point and the
learning rate, and watches gradient descent walk down the loss surface.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks


@dataclass
class LinearConfig:
    lr: float = 0.1  # a step that converges in ~50 steps on this data; >1 diverges
    steps: int = 50  # enough for lr=0.1 to reach the bottom
    w0: float = -2.0  # start far from the answer so the path across the surface is visible
    b0: float = 2.5
    n: int = 40  # points: few enough to see each one, enough to pin the line down
    noise: float = 0.5  # standard deviation of y around the true line
    true_w: float = 1.5  # the line the data is drawn from
    true_b: float = -0.5
    seed: int = 0
    grid: int = 25  # loss-surface resolution per axis; 25² cells draw fast on a phone

    def __post_init__(self) -> None:
        self.lr = _checks.number("lr", self.lr, 1e-4, 2.0)
        self.steps = _checks.integer("steps", self.steps, 1, 1000)
        self.w0 = _checks.number("w0", self.w0, -5.0, 5.0)
        self.b0 = _checks.number("b0", self.b0, -5.0, 5.0)
        self.n = _checks.integer("n", self.n, 2, 2000)
        self.noise = _checks.number("noise", self.noise, 0.0, 5.0)
        self.true_w = _checks.number("true_w", self.true_w, -5.0, 5.0)
        self.true_b = _checks.number("true_b", self.true_b, -5.0, 5.0)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)
        self.grid = _checks.integer("grid", self.grid, 3, 101)


DIVERGED = 1e6  # a loss this large means the steps overshoot; stop before floats overflow


def make_data(cfg: LinearConfig) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(cfg.seed)
    x = rng.uniform(-2.0, 2.0, size=cfg.n)  # (n,)
    y = cfg.true_w * x + cfg.true_b + rng.normal(0.0, cfg.noise, size=cfg.n)  # (n,)
    return x, y


def loss(w: float | np.ndarray, b: float | np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Mean squared error; w and b may be arrays of the same shape (a grid of lines)."""
    w = np.asarray(w)[..., None]  # (..., 1)
    b = np.asarray(b)[..., None]
    return np.mean((w * x + b - y) ** 2, axis=-1)  # (...)


def gradient(w: float, b: float, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    residual = w * x + b - y  # (n,)
    return float(2 * np.mean(residual * x)), float(2 * np.mean(residual))


def least_squares(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The closed-form optimum, for reference lines and tests."""
    A = np.stack([x, np.ones_like(x)], axis=1)  # (n, 2)
    (w, b), *_ = np.linalg.lstsq(A, y, rcond=None)
    return float(w), float(b)


def hessian(x: np.ndarray) -> np.ndarray:
    """The loss's second derivatives in (w, b): the same everywhere, since the loss is a bowl."""
    return 2.0 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])  # (2, 2)


def crossings(path: list[dict], optimum: tuple[float, float], x: np.ndarray) -> int:
    """How often the path jumps across the valley floor along its steepest direction.

    Gradient descent on a bowl moves each direction of the Hessian on its own: the error
    along the steepest one (curvature c) is multiplied by 1 - lr·c each step, so it changes
    sign every step once lr > 1/c, and grows once lr > 2/c.
    """
    steep = np.linalg.eigh(hessian(x))[1][:, -1]  # (2,) eigenvector of the largest eigenvalue
    along = [np.dot([p["w"] - optimum[0], p["b"] - optimum[1]], steep) for p in path]
    signs = [np.sign(a) for a in along if abs(a) > 1e-9]  # below this, rounding decides the sign
    return int(sum(s != t for s, t in zip(signs, signs[1:])))


def descend(cfg: LinearConfig, x: np.ndarray, y: np.ndarray) -> list[dict]:
    w, b = cfg.w0, cfg.b0
    path = [{"step": 0, "w": w, "b": b, "loss": float(loss(w, b, x, y))}]
    for step in range(1, cfg.steps + 1):
        dw, db = gradient(w, b, x, y)
        w, b = w - cfg.lr * dw, b - cfg.lr * db
        value = float(loss(w, b, x, y))
        if not value < DIVERGED:
            break
        path.append({"step": step, "w": w, "b": b, "loss": value})
    return path


def run(**controls) -> dict:
    cfg = _checks.build(LinearConfig, controls)
    x, y = make_data(cfg)
    raw = descend(cfg, x, y)
    path = [{k: round(v, 5) if isinstance(v, float) else v for k, v in p.items()} for p in raw]
    w_star, b_star = least_squares(x, y)
    curvature = float(np.linalg.eigvalsh(hessian(x)).max())  # the steepest direction's
    # The surface spans the start, the optimum and a margin, so both ends of the path show.
    w_lo, w_hi = min(cfg.w0, w_star) - 1.5, max(cfg.w0, w_star) + 1.5
    b_lo, b_hi = min(cfg.b0, b_star) - 1.5, max(cfg.b0, b_star) + 1.5
    ws = np.linspace(w_lo, w_hi, cfg.grid)  # (G,)
    bs = np.linspace(b_lo, b_hi, cfg.grid)  # (G,)
    W, B = np.meshgrid(ws, bs)  # (G, G)
    L = loss(W, B, x, y)  # (G, G)
    assert L.shape == (cfg.grid, cfg.grid), f"surface shape {L.shape}"
    return {
        "config": asdict(cfg),
        "points": [{"x": round(float(a), 4), "y": round(float(c), 4)} for a, c in zip(x, y)],
        "path": path,
        "surface": [
            {"w": round(float(w), 3), "b": round(float(b), 3), "loss": round(float(v), 3)}
            for w, b, v in zip(W.ravel(), B.ravel(), L.ravel())
        ],
        "optimum": {
            "w": round(w_star, 6),
            "b": round(b_star, 6),
            "loss": round(float(loss(w_star, b_star, x, y)), 6),
        },
        "final": path[-1],
        "diverged": len(path) <= cfg.steps,
        # The learning rates where the path starts to overshoot (1/c) and to grow (2/c).
        "valley": {
            "curvature": round(curvature, 6),
            "overshoot_lr": round(1.0 / curvature, 6),
            "diverge_lr": round(2.0 / curvature, 6),
        },
        "crossings": crossings(raw, (w_star, b_star), x),
    }
