"""What the chapters say about the demos that the build cannot bind or claim itself.

Almost every figure in the text is bound to its demo at build (``{{ block: key.path }}``),
and the build checks every comparison the text makes with a claim (CONTRIBUTING.md, 「本文の
数値をデモに結びつける」). What is left here is what that syntax cannot reach:

* figures on a page with no demo block to bind to: the exact counts the pyodide cell of
  chapter 3 prints, and chapter 6 quoting chapter 4's calculator;
* facts that need the model itself, not its result (how confident the lr 3 model is on
  the points it misses), or a grouping a claim cannot write (every head's rows for two
  equal characters).

Comparisons across runs are claims with ``at(…)`` on the pages themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from demos import attention, params
from tests.conftest import ROOT


def _page(slug: str) -> str:
    return (ROOT / "site_src" / f"{slug}.md").read_text()


@cache
def _params(preset: str) -> dict:
    return params.run(preset=preset)


def _gib(preset: str, dtype: str = "bf16/fp16") -> float:
    return next(m["GiB"] for m in _params(preset)["memory"] if m["dtype"] == dtype)


def _ja(n: int) -> str:
    """1億2443万9808 style: 億 and 万 groups, no separators."""
    oku, rest = divmod(n, 10**8)
    man, one = divmod(rest, 10**4)
    return (f"{oku}億" if oku else "") + (f"{man}万" if man else "") + (str(one) if one else "")


# (page, fragment with {} for the figure, the figure as the page writes it)
FIGURES: list[tuple[str, str, Callable[[], str]]] = [
    # Chapter 3: the exact counts the pyodide cell prints (no demo block to bind to).
    ("transformers", "正確な値（{}個）", lambda: _ja(_params("gpt2")["total"])),
    ("transformers", "全体では{}個になります", lambda: _ja(_params("llama-2-7b")["total"])),
    # Chapter 6 quotes the calculator of chapter 4 (no params block on its page).
    ("future", "Llama 2 7B（{}個）なら約", lambda: _ja(_params("llama-2-7b")["total"])),
    ("future", "推論に必要な重み（{} GiB）", lambda: f"{_gib('llama-2-7b'):.2f}"),
    ("future", "bf16 で約{} GiB を保存", lambda: f"{_gib('llama-2-7b'):.2f}"),
    ("future", "なら約{} GiB で", lambda: f"{16 * _params('llama-2-7b')['total'] / 2**30:.0f}"),
]


# Ids from the text only (a function's repr carries its address, which differs between the
# suite's workers, and they must collect the same tests).
@pytest.mark.parametrize(
    ("slug", "fragment", "figure"), FIGURES, ids=lambda v: "" if callable(v) else str(v)[:40]
)
def test_quoted_figure_matches_the_demo(slug, fragment, figure):
    expected = fragment.format(figure())
    assert expected in _page(slug), f"site_src/{slug}.md should say: {expected}"


def test_attention_without_positions_cannot_tell_repeated_characters_apart():
    """Every head, every key: the page's claim checks a few of the 24 pairs."""
    result = attention.run(text="猫が猫を見た")
    rows: dict[tuple[int, int], list[float]] = {}
    for w in result["weights"]:
        rows.setdefault((w["head"], w["query"]), []).append(w["weight"])
    for head in range(1, 5):
        assert rows[(head, 0)] == rows[(head, 2)]  # the two 猫 attend identically
    assert "猫が猫を見た" in _page("transformers")


def test_the_estimate_is_short_of_gpt2_small_by_the_share_the_text_gives():
    """「0.7%ほど小さい」: the pyodide cell's 12·L·d² + V·d against the exact count."""
    config = params.load_preset("gpt2")
    estimate = (
        12 * config["n_layer"] * config["n_embd"] ** 2 + config["vocab_size"] * config["n_embd"]
    )
    exact = _params("gpt2")["total"]
    assert round(100 * (exact - estimate) / exact, 1) == 0.7
    assert "0.7%ほど小さいだけ" in _page("transformers")
