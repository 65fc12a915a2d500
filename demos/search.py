"""Grid, random and Bayesian search racing on the same trial budget (chapter 5).

The default objective is a stand-in for a validation-loss landscape over two
hyperparameters (log10 learning rate, log10 L2): the Branin function, rescaled onto
those axes, whose minimum 0.397887 is known exactly. ``objective="mlp"`` searches the
real MLP of chapter 2 instead (slower, no known optimum). ``sweep`` repeats the race over
many seeds and counts how often each method comes close to the minimum.

``objective="lowdim"`` is Bergstra and Bengio's (2012) case of low effective dimension: the
learning rate matters a thousand times more than L2, and where the best learning rate lies
is drawn from the seed, so that a race over many seeds is a race over many problems, not
over one grid's lucky or unlucky alignment. ``grid_vs_random`` races grid against random
search on it over many seeds and counts the seeds random search wins.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from demos import _checks, mlp

# The search box: log10(lr) in [-4, 0], log10(l2) in [-6, 0].
BOUNDS = np.array([[-4.0, 0.0], [-6.0, 0.0]])  # (2, [lo, hi])
BRANIN_MIN = 0.397887  # Branin's global minimum, reached at three points
# lowdim: the weight of L2 against the learning rate's 1. Small, not zero, so that L2 still
# breaks ties as in a real landscape; at 1/1000 the best L2 can never make up for a
# learning rate off by more than 0.032 of its axis (√0.001), one eighth of a 5-column grid's
# spacing.
LOWDIM_L2_WEIGHT = 0.001
LANDSCAPE = 3  # lowdim draws its optimum from rng([seed, LANDSCAPE]), after the methods' 0–2
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
        self.objective = _checks.choice("objective", self.objective, ["branin", "lowdim", "mlp"])
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


def lowdim_optimum(seed: int) -> np.ndarray:
    """Where the lowdim landscape of this seed has its minimum, in unit coordinates (2,)."""
    return np.random.default_rng([seed, LANDSCAPE]).uniform(size=2)


def lowdim(u: np.ndarray, optimum: np.ndarray) -> np.ndarray:
    """A bowl whose value is the squared distance to ``optimum`` along the learning rate,
    plus 1/1000 of it along L2: low effective dimension. Only + and ×, so every machine
    computes the same bits. Minimum 0 at ``optimum``."""
    d = u - optimum  # (..., 2)
    return d[..., 0] ** 2 + LOWDIM_L2_WEIGHT * d[..., 1] ** 2


def _evaluate(cfg: SearchConfig, u: np.ndarray) -> float:
    if cfg.objective == "branin":
        return float(branin(u))
    if cfg.objective == "lowdim":
        return float(lowdim(u, lowdim_optimum(cfg.seed)))
    return mlp_objective(u)


def known_minimum(objective: str) -> float | None:
    return {"branin": BRANIN_MIN, "lowdim": 0.0}.get(objective)


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
        "known_minimum": known_minimum(cfg.objective),
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
        # Head to head, with no threshold: the seeds where Bayesian search ended lower.
        "bayes_wins": sum(r["bayes"] < r["random"] for r in rows),
        "median": {m: float(np.median([r[m] for r in rows])) for m in METHODS},
        "runs": rows,
    }


# ---- low effective dimension: grid against random over many problems ----------------------


def grid_vs_random(budget: int = 20, seeds: int = 100) -> dict:
    """Grid and random search with ``budget`` trials on the lowdim landscape of each seed
    0 … seeds-1 (a new best learning rate each time). Per seed: each method's best value
    (0 is the minimum) and how many distinct learning rates it tried; and the seeds where
    random search ended lower than the grid. Grid and random only: no GP, so it is fast.
    100 seeds by default: over 20, the share random search wins swings by ±10 points (16
    of 20 at 6 trials against 58 of 100), so 20 would tell the reader of luck."""
    cfg = _checks.build(SearchConfig, {"budget": budget, "objective": "lowdim"})
    seeds = _checks.integer("seeds", seeds, 1, 100)
    grid = grid_points(cfg.budget)  # (budget, 2): the same for every seed
    rows = []
    for seed in range(seeds):
        cfg.seed = seed
        optimum = lowdim_optimum(seed)
        tried = {"grid": grid, "random": np.array([u for u, _ in search(cfg, "random")])}
        best = {m: float(lowdim(u, optimum).min()) for m, u in tried.items()}
        rows.append(
            {
                "seed": seed,
                "best_log10_lr": round(_to_hyper(optimum)[0], 3),
                "grid": best["grid"],
                "random": best["random"],
                "random_wins": best["random"] < best["grid"],
                "grid_lrs": len(np.unique(tried["grid"][:, 0])),
                "random_lrs": len(np.unique(tried["random"][:, 0])),
            }
        )
    median = {m: float(np.median([r[m] for r in rows])) for m in ("grid", "random")}
    return {
        "config": {"budget": cfg.budget, "seeds": seeds, "l2_weight": LOWDIM_L2_WEIGHT},
        "random_wins": sum(r["random_wins"] for r in rows),
        "median": median,
        "effect": _axis_effects(lowdim_optimum(0)),
        "runs": [{**r, "grid": round(r["grid"], 5), "random": round(r["random"], 5)} for r in rows],
    }


def _axis_effects(optimum: np.ndarray) -> dict:
    """How far the lowdim value moves along each axis through ``optimum``, over the box:
    measured on a line of 201 points, so the chapter's "a thousand times" is read, not
    restated."""
    line = np.linspace(0.0, 1.0, 201)
    effects = {}
    for axis, name in enumerate(("learning_rate", "l2")):
        u = np.repeat(optimum[None, :], len(line), axis=0)  # (201, 2)
        u[:, axis] = line
        values = lowdim(u, optimum)
        effects[name] = round(float(values.max() - values.min()), 6)
    return effects
