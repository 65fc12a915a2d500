"""Every demo on the site's pages runs at its page defaults within a bound of the budget.

The figures come from ``tools/bench_models.py`` (one BLAS thread, in a fresh process); the
bound is three times the 150 ms budget, so a loaded machine does not fail the test but a
demo whose defaults grew several times slower does. The bench prints the real medians.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools import bench_models, site_nav

BOUND_MS = 3 * bench_models.BUDGET_MS
DEMOS = bench_models.page_demos()


@pytest.fixture(scope="module")
def timings() -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "tools/bench_models.py", "--json", "--repeat", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return {t["demo"]: t for t in json.loads(result.stdout)}


def test_every_demo_fence_on_the_pages_is_benchmarked():
    docs = site_nav.docs_dir()
    fences = sum(
        len(re.findall(r"^```demo\s*$", page.read_text(), flags=re.M))
        for page in docs.rglob("*.md")
    )
    assert fences and len(DEMOS) == fences, [d.name for d in DEMOS]


@pytest.mark.parametrize("demo", DEMOS, ids=lambda d: d.name)
def test_page_defaults_run_within_the_bound(demo, timings):
    timing = timings[demo.name]
    assert timing["median_ms"] <= BOUND_MS, (
        f"{demo.name} took {timing['median_ms']} ms at its page defaults "
        f"(budget {bench_models.BUDGET_MS:.0f} ms): make it faster or lower the defaults"
    )
    assert timing["peak_mib"] < 50, f"{demo.name} peaked at {timing['peak_mib']} MiB"
