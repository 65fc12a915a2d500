"""Grid, random and Bayesian search racing on the same trial budget (chapter 5).

The default objective is a stand-in for a validation-loss landscape over two
hyperparameters (log10 learning rate, log10 L2): the Branin function, rescaled onto
those axes, whose minimum 0.397887 is known exactly. ``objective="mlp"`` searches the
real MLP of chapter 2 instead (slower, no known optimum). ``sweep`` repeats the race over
many seeds and counts how often each method comes close to the minimum.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks, mlp

# The search box: log10(lr) in [-4, 0], log10(l2) in [-6, 0].
BOUNDS = np.array([[-4.0, 0.0], [-6.0, 0.0]])  # (2, [lo, hi])
BRANIN_MIN = 0.397887  # Branin's global minimum, reached at three points
METHODS = ("grid", "random", "bayes")


@dataclass
class SearchConfig:
    budget: int = 20  # trials per method: a small budget is where the methods differ
    objective: str = "branin"
    initial: int = 4  # Bayesian search starts from this many random trials
    candidates: int = 1000  # random points where expected improvement is evaluated
    seed: int = 0

    def __post_init__(self) -> None:
        self.budget = _checks.integer("budget", self.budget, 4, 100)
        self.objective = _checks.choice("objective", self.objective, ["branin", "mlp"])
        self.initial = _checks.integer("initial", self.initial, 1, self.budget)
        self.candidates = _checks.integer("candidates", self.candidates, 10, 20000)
        self.seed = _checks.integer("seed", self.seed, 0, 2**31 - 1)


def branin(u: np.ndarray) -> np.ndarray:
    """Branin on unit-square inputs u (..., 2), mapped to its usual box [-5,10]×[0,15]."""
    x1 = 15.0 * u[..., 0] - 5.0
    x2 = 15.0 * u[..., 1]
    b, c, r, s, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * np.cos(x1) + s


def mlp_objective(u: np.ndarray) -> float:
    """Final validation loss of the chapter-2 MLP at these hyperparameters (a short run)."""
    lr, l2 = 10 ** (BOUNDS[:, 0] + u * (BOUNDS[:, 1] - BOUNDS[:, 0]))
    result = mlp.run(lr=float(lr), l2=float(l2), epochs=20, n_train=120, grid=2)
    final = result["final"]
    return 10.0 if final is None else min(final["val_loss"], 10.0)


def _evaluate(cfg: SearchConfig, u: np.ndarray) -> float:
    return float(branin(u)) if cfg.objective == "branin" else mlp_objective(u)


# ---- Gaussian process with an RBF kernel, and expected improvement ------------------------


def rbf(a: np.ndarray, b: np.ndarray, length: float) -> np.ndarray:
    sq = np.sum((a[:, None, :] - b[None, :, :]) ** 2, axis=-1)  # (n, m)
    return np.exp(-0.5 * sq / length**2)


@dataclass
class GP:
    X: np.ndarray  # (n, 2) inputs in the unit square
    y: np.ndarray  # (n,) observed values
    length: float = 0.2
    noise: float = 1e-8  # jitter only: the objective is noise-free

    def __post_init__(self) -> None:
        self.mean, self.scale = float(self.y.mean()), float(self.y.std() or 1.0)
        K = rbf(self.X, self.X, self.length) + self.noise * np.eye(len(self.X))  # (n, n)
        self.L = np.linalg.cholesky(K)
        z = (self.y - self.mean) / self.scale
        self.alpha = np.linalg.solve(self.L.T, np.linalg.solve(self.L, z))  # (n,)

    def log_marginal_likelihood(self) -> float:
        z = (self.y - self.mean) / self.scale
        return float(-0.5 * z @ self.alpha - np.log(np.diag(self.L)).sum())

    def predict(self, Xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation at Xs (m, 2)."""
        Ks = rbf(Xs, self.X, self.length)  # (m, n)
        mu = Ks @ self.alpha
        v = np.linalg.solve(self.L, Ks.T)  # (n, m)
        var = np.clip(1.0 - np.sum(v**2, axis=0), 1e-12, None)
        return self.mean + self.scale * mu, self.scale * np.sqrt(var)


def fit_gp(X: np.ndarray, y: np.ndarray) -> GP:
    """Pick the RBF length scale that maximises the marginal likelihood."""
    return max(
        (GP(X, y, length) for length in (0.05, 0.1, 0.2, 0.3, 0.5)), key=GP.log_marginal_likelihood
    )


def _normal_pdf(z: np.ndarray) -> np.ndarray:
    return np.exp(-0.5 * z**2) / math.sqrt(2 * math.pi)


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(z / math.sqrt(2)))


def expected_improvement(mu: np.ndarray, sigma: np.ndarray, best: float) -> np.ndarray:
    """E[max(best - f, 0)] under f ~ N(mu, sigma²), for minimisation. Never negative."""
    z = (best - mu) / sigma
    return np.maximum((best - mu) * _normal_cdf(z) + sigma * _normal_pdf(z), 0.0)


# ---- the three searches -------------------------------------------------------------------


def grid_shape(budget: int) -> tuple[int, int]:
    """(learning rates, L2 strengths) of the grid: as square as the budget allows, and
    filled column by column with at most one column short, so that both axes are covered
    end to end (20 trials: 5 × 4; 25: 5 × 5; 10: 4 × 3 with the last column 1 trial)."""
    n_l2 = math.isqrt(budget)
    return math.ceil(budget / n_l2), n_l2


def grid_points(budget: int) -> np.ndarray:
    n_lr, n_l2 = grid_shape(budget)
    lr_axis = (np.arange(n_lr) + 0.5) / n_lr  # cell centres: no trial wasted on the box edge
    l2_axis = (np.arange(n_l2) + 0.5) / n_l2
    g1, g2 = np.meshgrid(lr_axis, l2_axis, indexing="ij")  # learning rate by learning rate
    return np.stack([g1.ravel(), g2.ravel()], axis=1)[:budget]  # (budget, 2)


def search(cfg: SearchConfig, method: str) -> list[tuple[np.ndarray, float]]:
    rng = np.random.default_rng([cfg.seed, METHODS.index(method)])
    if method == "grid":
        return [(u, _evaluate(cfg, u)) for u in grid_points(cfg.budget)]
    if method == "random":
        return [(u, _evaluate(cfg, u)) for u in rng.uniform(size=(cfg.budget, 2))]
    trials = [(u, _evaluate(cfg, u)) for u in rng.uniform(size=(cfg.initial, 2))]
    while len(trials) < cfg.budget:
        X = np.array([u for u, _ in trials])
        y = np.array([v for _, v in trials])
        gp = fit_gp(X, y)
        cand = rng.uniform(size=(cfg.candidates, 2))
        mu, sigma = gp.predict(cand)
        u = cand[int(np.argmax(expected_improvement(mu, sigma, y.min())))]
        trials.append((u, _evaluate(cfg, u)))
    return trials


def _to_hyper(u: np.ndarray) -> tuple[float, float]:
    lo, hi = BOUNDS[:, 0], BOUNDS[:, 1]
    log_lr, log_l2 = lo + u * (hi - lo)
    return float(log_lr), float(log_l2)


def run(**controls) -> dict:
    cfg = _checks.build(SearchConfig, controls)
    rows, summary = [], {}
    for method in METHODS:
        best = math.inf
        for i, (u, value) in enumerate(search(cfg, method), start=1):
            best = min(best, value)
            log_lr, log_l2 = _to_hyper(u)
            rows.append(
                {
                    "method": method,
                    "trial": i,
                    "log10_lr": round(log_lr, 4),
                    "log10_l2": round(log_l2, 4),
                    "value": round(value, 5),
                    "best_so_far": round(best, 5),
                }
            )
        summary[method] = round(best, 5)
    n_lr, n_l2 = grid_shape(cfg.budget)
    return {
        "config": asdict(cfg),
        "trials": rows,
        "best": summary,
        "known_minimum": BRANIN_MIN if cfg.objective == "branin" else None,
        "grid": {"learning_rates": n_lr, "l2_strengths": n_l2},
    }


# ---- many seeds: how often each method gets close, not what one lucky run found ----------


def sweep(seeds: int = 20, tolerance: float = 0.5, **controls) -> dict:
    """Race the three searches once per seed 0 … seeds-1 on Branin, and count for each
    method the races whose best trial came within ``tolerance`` of the known minimum."""
    seeds = _checks.integer("seeds", seeds, 1, 100)
    tolerance = _checks.number("tolerance", tolerance, 0.0, 100.0)
    if "seed" in controls:
        raise ValueError("seed is not a control of sweep: it runs seeds 0 … seeds-1")
    cfg = _checks.build(SearchConfig, controls)
    if cfg.objective != "branin":
        raise ValueError("objective must be 'branin' for a sweep: only Branin's minimum is known")
    grid = min(v for _, v in search(cfg, "grid"))  # the grid draws no random numbers
    rows = []
    for seed in range(seeds):
        cfg.seed = seed
        best = {m: grid if m == "grid" else min(v for _, v in search(cfg, m)) for m in METHODS}
        rows.append({"seed": seed, **{m: round(v, 5) for m, v in best.items()}})
    near = {
        m: sum(r[m] < BRANIN_MIN + tolerance for r in rows) for m in ("bayes", "random", "grid")
    }
    return {
        "config": {**asdict(cfg), "seed": None, "seeds": seeds, "tolerance": tolerance},
        "near": near,
        "runs": rows,
    }
