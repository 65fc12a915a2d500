"""A tiny MLP (2 → H → classes) on two-moons data (chapter 2: hyperparameters).

Every knob the chapter discusses is a control: learning rate, batch size, epochs,
hidden units, L2 and the optimiser. Backprop is written out by hand, and tested
against finite differences.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks
from demos.nn import Adam

Params = dict[str, np.ndarray]


@dataclass
class MLPConfig:
    lr: float = 0.05  # Adam's usual range; SGD wants ~0.5 here, and > ~5 diverges
    batch_size: int = 32  # a few noisy steps per epoch: small enough to see the noise
    epochs: int = 60  # enough for the default model to curve the boundary round the moons
    hidden: int = 16  # 16 tanh units can bend the boundary; 2 cannot, 256 can memorise
    l2: float = 0.0  # weight decay on W1 and W2 (not the biases)
    optimizer: str = "adam"
    n_train: int = 200  # the overfitting demo lowers this to ~20
    n_val: int = 200  # held out: the loss the reader should actually care about
    noise: float = 0.25  # moon spread: 0.25 overlaps a little, so 100% is not free
    seed: int = 0
    grid: int = 30  # decision-boundary resolution per axis

    def __post_init__(self) -> None:
        self.lr = _checks.number("lr", self.lr, 1e-5, 100.0)
        self.batch_size = _checks.integer("batch_size", self.batch_size, 1, 2000)
        self.epochs = _checks.integer("epochs", self.epochs, 1, 2000)
        self.hidden = _checks.integer("hidden", self.hidden, 1, 512)
        self.l2 = _checks.number("l2", self.l2, 0.0, 10.0)
        self.optimizer = _checks.choice("optimizer", self.optimizer, ["sgd", "adam"])
        self.n_train = _checks.integer("n_train", self.n_train, 4, 5000)
        self.n_val = _checks.integer("n_val", self.n_val, 4, 5000)
        self.noise = _checks.number("noise", self.noise, 0.0, 1.0)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)
        self.grid = _checks.integer("grid", self.grid, 2, 100)


CLASSES = 2
DIVERGED = 1e3  # cross-entropy this large means the weights have blown up


def make_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half-circles, the classic dataset a straight line cannot split."""
    labels = rng.integers(0, 2, size=n)  # (n,)
    angle = rng.uniform(0.0, np.pi, size=n)  # (n,)
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (n, 2)
    lower = np.stack([1.0 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)  # (n, 2)
    X = np.where(labels[:, None] == 0, upper, lower) + rng.normal(0.0, noise, size=(n, 2))
    return X, labels


def init_params(hidden: int, rng: np.random.Generator) -> Params:
    # Xavier-style scales keep tanh out of saturation at the start.
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(2), size=(2, hidden)),  # (2, H)
        "b1": np.zeros(hidden),  # (H,)
        "W2": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(hidden, CLASSES)),  # (H, C)
        "b2": np.zeros(CLASSES),  # (C,)
    }


def forward(params: Params, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities (N, C) and the hidden activations (N, H)."""
    h = np.tanh(X @ params["W1"] + params["b1"])  # (N, H)
    logits = h @ params["W2"] + params["b2"]  # (N, C)
    logits = logits - logits.max(axis=1, keepdims=True)  # stable softmax
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True), h


def loss(params: Params, X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> float:
    """Mean cross-entropy plus l2/2·‖W‖², the quantity ``gradients`` differentiates."""
    probs, _ = forward(params, X)  # (N, C)
    data_loss = -np.mean(np.log(probs[np.arange(len(X)), y] + 1e-12))
    reg = 0.5 * l2 * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return float(data_loss + reg)


def gradients(params: Params, X: np.ndarray, y: np.ndarray, l2: float = 0.0) -> Params:
    """The gradient of ``loss`` for every parameter, by backprop (training never needs the
    loss itself, so it is not computed here)."""
    n = len(X)
    probs, h = forward(params, X)  # (N, C), (N, H)
    dlogits = probs  # (N, C): softmax + cross-entropy backprop to probs - onehot(y)
    dlogits[np.arange(n), y] -= 1.0
    dlogits /= n
    grads = {
        "W2": h.T @ dlogits + l2 * params["W2"],  # (H, C)
        "b2": dlogits.sum(axis=0),  # (C,)
    }
    dh = (dlogits @ params["W2"].T) * (1.0 - h**2)  # (N, H): tanh' = 1 - tanh²
    grads["W1"] = X.T @ dh + l2 * params["W1"]  # (2, H)
    grads["b1"] = dh.sum(axis=0)  # (H,)
    return grads


def evaluate(params: Params, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on (X, y)."""
    return _scores(forward(params, X)[0], y)


def _scores(probs: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    loss = -np.mean(np.log(probs[np.arange(len(y)), y] + 1e-12))
    return float(loss), float(np.mean(probs.argmax(axis=1) == y))


def make_data(cfg: MLPConfig) -> tuple[tuple, tuple, np.random.Generator]:
    rng = np.random.default_rng(cfg.seed)
    X_train, y_train = make_moons(cfg.n_train, cfg.noise, rng)
    X_val, y_val = make_moons(cfg.n_val, cfg.noise, rng)
    return (X_train, y_train), (X_val, y_val), rng


def train(cfg: MLPConfig, curves: bool = True) -> tuple[Params, dict, tuple, int | None]:
    """Train; return (params, per-epoch history, the data, diverged_at or None).

    ``curves=False`` skips the per-epoch evaluation, most of the cost for a wide layer (tanh
    dominates), for callers that want only the weights; divergence then means non-finite
    weights. The weights are the same either way: evaluation draws no random numbers.
    """
    (X, y), (Xv, yv), rng = make_data(cfg)
    X_both = np.concatenate([X, Xv])  # one forward pass per epoch scores both splits
    params = init_params(cfg.hidden, rng)
    adam = Adam(params, cfg.lr) if cfg.optimizer == "adam" else None
    history = {k: [] for k in ("train_loss", "val_loss", "train_acc", "val_acc")}
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, cfg.epochs + 1):
            order = rng.permutation(len(X))
            for start in range(0, len(X), cfg.batch_size):
                batch = order[start : start + cfg.batch_size]
                grads = gradients(params, X[batch], y[batch], cfg.l2)
                if adam is not None:
                    adam.step(grads)
                else:
                    for k in params:
                        params[k] -= cfg.lr * grads[k]
            if not curves:
                if not all(np.all(np.isfinite(v)) for v in params.values()):
                    diverged_at = epoch
                    break
                continue
            probs, _ = forward(params, X_both)  # (N + N_val, C)
            train_loss, train_acc = _scores(probs[: len(X)], y)
            if (
                not np.isfinite(train_loss)
                or train_loss > DIVERGED
                or not all(np.all(np.isfinite(v)) for v in params.values())
            ):
                diverged_at = epoch
                break
            val_loss, val_acc = _scores(probs[len(X) :], yv)
            for key, value in zip(history, (train_loss, val_loss, train_acc, val_acc)):
                history[key].append(value)
    return params, history, ((X, y), (Xv, yv)), diverged_at


def _boundary(params: Params, X: np.ndarray, steps: int) -> list[dict]:
    lo, hi = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5  # (2,)
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], steps), np.linspace(lo[1], hi[1], steps))
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)  # (G², 2)
    probs, _ = forward(params, grid)
    return [
        {"x": round(float(a), 3), "y": round(float(b), 3), "p": round(float(p), 3)}
        for (a, b), p in zip(grid, probs[:, 1])
    ]


def boundary_bend(boundary: list[dict]) -> float | None:
    """How far the decision boundary is from a straight line: the largest distance of its
    points (where p crosses 0.5 along the grid's rows and columns, interpolated) from their
    best-fitting line, as a share of the plot's diagonal. About 0 for a straight boundary;
    None when the grid holds no boundary at all (one class everywhere, or diverged)."""
    if not boundary:
        return None
    xs, ys = sorted({b["x"] for b in boundary}), sorted({b["y"] for b in boundary})
    p = np.array([b["p"] for b in boundary]).reshape(len(ys), len(xs)) - 0.5  # (rows y, cols x)
    points = []
    for i, y in enumerate(ys):  # crossings along each row
        for j in np.flatnonzero(p[i, :-1] * p[i, 1:] < 0):
            t = p[i, j] / (p[i, j] - p[i, j + 1])
            points.append((xs[j] + t * (xs[j + 1] - xs[j]), y))
    for j, x in enumerate(xs):  # and along each column
        for i in np.flatnonzero(p[:-1, j] * p[1:, j] < 0):
            t = p[i, j] / (p[i, j] - p[i + 1, j])
            points.append((x, ys[i] + t * (ys[i + 1] - ys[i])))
    if len(points) < 2:
        return None
    centred = np.array(points) - np.mean(points, axis=0)  # (n, 2)
    normal = np.linalg.svd(centred, full_matrices=False)[2][1]  # the line's normal (2,)
    return float(np.abs(centred @ normal).max() / math.hypot(xs[-1] - xs[0], ys[-1] - ys[0]))


def run(**controls) -> dict:
    cfg = _checks.build(MLPConfig, controls)
    params, history, ((X, y), _), diverged_at = train(cfg)
    curves = [
        {
            "epoch": i + 1,
            **{k: round(v[i], 5) for k, v in history.items()},
        }
        for i in range(len(history["train_loss"]))
    ]
    best = min(curves, key=lambda c: c["val_loss"]) if curves else None
    boundary = [] if diverged_at else _boundary(params, X, cfg.grid)
    bend = boundary_bend(boundary)
    return {
        "config": asdict(cfg),
        # Counted from the trained arrays, so the chapter's 5H + 2 is checked against them.
        "param_count": sum(int(v.size) for v in params.values()),
        "curves": curves,
        "final": curves[-1] if curves else None,
        "best_val_epoch": best["epoch"] if best else None,
        "diverged_at_epoch": diverged_at,
        "boundary": boundary,
        "boundary_bend": None if bend is None else round(bend, 4),
        "points": [
            {"x": round(float(a), 3), "y": round(float(b), 3), "label": int(c)}
            for (a, b), c in zip(X, y)
        ],
    }
