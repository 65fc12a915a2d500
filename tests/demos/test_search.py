"""demos.search: the GP, expected improvement, and Bayesian search beating random search."""

import math

import numpy as np
import pytest

from demos import search


def test_branin_minimum_is_the_known_value():
    # Branin's three minimisers, (-π, 12.275), (π, 2.275), (9.42478, 2.475), in unit coordinates.
    for x1, x2 in [(-math.pi, 12.275), (math.pi, 2.275), (9.42478, 2.475)]:
        u = np.array([(x1 + 5) / 15, x2 / 15])
        assert search.branin(u) == pytest.approx(search.BRANIN_MIN, abs=1e-5)


def test_gp_posterior_mean_interpolates_noise_free_points():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(8, 2))
    y = search.branin(X)
    gp = search.fit_gp(X, y)
    mu, sigma = gp.predict(X)
    np.testing.assert_allclose(mu, y, rtol=1e-4, atol=1e-3)
    assert (sigma < 1e-2 * y.std()).all()


def test_expected_improvement_is_never_negative_and_zero_without_uncertainty():
    rng = np.random.default_rng(1)
    mu = rng.normal(size=500) * 10
    sigma = rng.uniform(1e-9, 5, size=500)
    ei = search.expected_improvement(mu, sigma, best=0.0)
    assert (ei >= 0).all()
    # With (almost) no uncertainty EI is the plain improvement max(best - mu, 0).
    sure = search.expected_improvement(np.array([-2.0, 3.0]), np.array([1e-9, 1e-9]), best=0.0)
    np.testing.assert_allclose(sure, [2.0, 0.0], atol=1e-6)


def test_every_method_spends_exactly_the_budget_and_best_so_far_never_rises():
    result = search.run(budget=12)
    for method in search.METHODS:
        rows = [r for r in result["trials"] if r["method"] == method]
        assert [r["trial"] for r in rows] == list(range(1, 13))
        best = [r["best_so_far"] for r in rows]
        assert best == sorted(best, reverse=True)
        assert best[-1] == min(r["value"] for r in rows) == result["best"][method]


def test_bayesian_search_finds_the_optimum_more_often_than_random_search():
    """Over 20 seeds, count runs whose best trial is within 0.5 of Branin's minimum."""
    near = {"random": 0, "bayes": 0}
    for seed in range(20):
        best = search.run(seed=seed, budget=20)["best"]
        for method in near:
            near[method] += best[method] < search.BRANIN_MIN + 0.5
    # Observed 10 vs 3. Under "equally good" the gap of ≥ 4 is unlikely (p < 0.05, exact
    # binomial on the discordant seeds), so this fails if Bayesian search stops helping.
    assert near["bayes"] >= near["random"] + 4, near


def test_deterministic_given_seed():
    assert search.run(seed=3, budget=8) == search.run(seed=3, budget=8)


@pytest.mark.parametrize(
    "controls, name", [({"budget": 2}, "budget"), ({"objective": "x"}, "objective")]
)
def test_bad_arguments_name_themselves(controls, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        search.run(**controls)


@pytest.mark.parametrize("budget", range(4, 101))
def test_the_grid_spends_the_budget_and_covers_both_axes_end_to_end(budget):
    points = search.grid_points(budget)
    n_lr, n_l2 = search.grid_shape(budget)
    assert len(points) == budget
    lr_values, l2_values = np.unique(points[:, 0]), np.unique(points[:, 1])
    # every column and every row of the n_lr × n_l2 grid is tried at least once
    np.testing.assert_allclose(lr_values, (np.arange(n_lr) + 0.5) / n_lr)
    np.testing.assert_allclose(l2_values, (np.arange(n_l2) + 0.5) / n_l2)
    assert abs(n_lr - n_l2) <= 2 and n_lr * n_l2 - budget < n_l2


def test_the_grid_of_twenty_tries_the_top_learning_rate():
    result = search.run(budget=20)
    grid = [t for t in result["trials"] if t["method"] == "grid"]
    assert result["grid"] == {"learning_rates": 5, "l2_strengths": 4}
    assert len({t["log10_lr"] for t in grid}) == 5 and len({t["log10_l2"] for t in grid}) == 4
    assert max(t["log10_lr"] for t in grid) == pytest.approx(-0.4)  # the top column's centre


def test_sweep_counts_what_separate_races_find():
    swept = search.sweep(seeds=5, budget=8, tolerance=1.0)
    for row in swept["runs"]:
        assert {m: row[m] for m in search.METHODS} == search.run(seed=row["seed"], budget=8)["best"]
    for method in search.METHODS:
        expected = sum(r[method] < search.BRANIN_MIN + 1.0 for r in swept["runs"])
        assert swept["near"][method] == expected


def test_sweep_rejects_a_seed_and_a_bad_count():
    with pytest.raises(ValueError, match=r"^seed is not a control"):
        search.sweep(seed=1)
    with pytest.raises(ValueError, match=r"^seeds must"):
        search.sweep(seeds=0)


# ---- low effective dimension (Bergstra & Bengio 2012) -------------------------------------


def test_lowdim_is_the_squared_distance_with_l2_weighted_a_thousand_times_less():
    optimum = np.array([0.3, 0.6])
    assert search.lowdim(optimum, optimum) == 0.0
    # By hand: 0.1² along the learning rate; 0.5² / 1000 along L2.
    assert search.lowdim(np.array([0.4, 0.6]), optimum) == pytest.approx(0.01, abs=1e-15)
    assert search.lowdim(np.array([0.3, 0.1]), optimum) == pytest.approx(0.00025, abs=1e-15)


def _grid_vs_random_by_hand(budget: int, seeds: int) -> tuple[int, float, float]:
    """The same race, written again from the definitions: the grid's cell centres (5 × 4 for
    20 trials), random points from the random method's stream, the optimum from its own."""
    n_lr, n_l2 = {20: (5, 4), 40: (7, 6), 10: (4, 3), 6: (3, 2)}[budget]
    grid = [((i + 0.5) / n_lr, (j + 0.5) / n_l2) for i in range(n_lr) for j in range(n_l2)]
    grid = np.array(grid[:budget])
    wins, grid_best, random_best = 0, [], []
    for seed in range(seeds):
        c = np.random.default_rng([seed, 3]).uniform(size=2)
        points = np.random.default_rng([seed, 1]).uniform(size=(budget, 2))

        def value(p, c=c):
            return (p[:, 0] - c[0]) ** 2 + 0.001 * (p[:, 1] - c[1]) ** 2

        g, r = value(grid).min(), value(points).min()
        wins += r < g
        grid_best.append(g)
        random_best.append(r)
    return wins, float(np.median(grid_best)), float(np.median(random_best))


@pytest.mark.parametrize("budget", [6, 10, 20, 40])
def test_grid_vs_random_matches_a_race_written_from_the_definitions(budget):
    result = search.grid_vs_random(budget=budget)
    wins, grid, rand = _grid_vs_random_by_hand(budget, 100)
    assert result["random_wins"] == wins
    assert result["median"] == {"grid": grid, "random": rand}
    assert {r["random_lrs"] for r in result["runs"]} == {budget}


def test_grid_vs_random_is_deterministic_and_random_wins_most_problems():
    first, again = search.grid_vs_random(), search.grid_vs_random()
    assert first == again
    # Observed 72 of 100. Under "no advantage" (p = 1/2), 60 or more has p < 0.03.
    assert first["random_wins"] >= 60


def test_sweep_counts_bayes_wins_head_to_head():
    result = search.sweep(budget=6, seeds=5)
    assert result["bayes_wins"] == sum(r["bayes"] < r["random"] for r in result["runs"])
    assert set(result["median"]) == set(search.METHODS)
