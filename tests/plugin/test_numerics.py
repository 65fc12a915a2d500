"""The numeric check: what a page shows must not depend on the CPU's rounding."""

from __future__ import annotations

import re

import pytest
from parameter_lab import numerics

from tests.plugin.conftest import TinySite

# Rounding noise, amplified: a matrix product's last bits (set by the BLAS kernel and
# numpy's SIMD) seed a logistic map, which doubles any difference at every step.
CHAOS = """\
import numpy as np


def run(steps: int = 60) -> dict:
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 64, 64))
    x = float((a @ b).sum()) % 1
    for _ in range(steps):
        x = 3.99 * x * (1 - x)
    return {"x": x, "steps": steps}
"""

PAGE = """\
# Chaos

```demo
module: labdemos.chaos
id: chaos
view: text:steps
controls:
  - {{name: steps, type: slider, min: 0, max: 60, value: {steps}}}
```

After {{{{ chaos: steps }}}} steps the value is {{{{ chaos: x | fixed(3) }}}}.
{{{{ claim chaos: x < 0.5 or x >= 0.5 }}}}
"""

ENVIRONMENTS = numerics.environments()
needs_variants = pytest.mark.skipif(
    len(ENVIRONMENTS.each) < 2, reason=f"cannot force numeric variants: {ENVIRONMENTS.note}"
)


def _chaos_site(tiny_site: TinySite, steps: int) -> TinySite:
    (tiny_site.root / "labdemos" / "chaos.py").write_text(CHAOS)
    tiny_site.write_page(PAGE.format(steps=steps))
    return tiny_site


def test_this_machine_can_force_the_variants_ci_relies_on():
    # CI machines are x86-64 with AVX2: there the check must really run in 3 environments.
    if ENVIRONMENTS.note:
        pytest.skip(ENVIRONMENTS.note)
    names = [env.name for env in ENVIRONMENTS.each]
    assert names[0].startswith("this machine (")
    assert len({env.fingerprint for env in ENVIRONMENTS.each}) == len(names) >= 2
    assert any("Prescott" in n for n in names), names


@needs_variants
def test_a_figure_that_depends_on_rounding_fails_the_strict_build(tiny_site: TinySite):
    result = _chaos_site(tiny_site, steps=60).build()
    assert result.returncode == 1, result.stderr
    text = "After {{ chaos: steps }} steps the value is {{ chaos: x | fixed(3) }}."
    line = PAGE.format(steps=60).splitlines().index(text) + 1
    message = next(m for m in result.stderr.splitlines() if "x | fixed(3)" in m)
    assert f"pages/index.md:{line}: {{{{ chaos: x | fixed(3) }}}}: it is '" in message
    # Every environment's own value, each named, and what to do about it.
    values = re.findall(r"'(\d\.\d{3})' on (.+?)(?=, '|: )", message)
    assert len(values) == len(ENVIRONMENTS.each) and len({v for v, _ in values}) > 1, message
    assert [name for _, name in values] == [env.name for env in ENVIRONMENTS.each]
    assert "depends on floating-point rounding" in message
    # The step count is the same everywhere, so it is not reported.
    assert "chaos: steps }}" not in result.stderr
    assert "strict mode" in result.stdout + result.stderr  # warnings, failed by --strict


@needs_variants
def test_a_stable_figure_passes(tiny_site: TinySite):
    result = _chaos_site(tiny_site, steps=0).build()
    assert result.returncode == 0, result.stderr
    assert "rounding" not in result.stderr


def test_a_claim_that_fails_somewhere_names_where():
    envs = (
        numerics.Environment("this machine (A)", {}, "a"),
        numerics.Environment("B", {"X": "1"}, "b"),
    )
    shown = [
        [numerics.Shown(3, "{{ claim d: x > 0.5 }}", "claim", "holds")],
        [numerics.Shown(3, "{{ claim d: x > 0.5 }}", "claim", "false: x = 0.4")],
    ]
    (message,) = numerics.disagreements("docs/p.md", envs, shown)
    assert message.startswith("docs/p.md:3: {{ claim d: x > 0.5 }}: it holds on this machine")
    assert "not on B (false: x = 0.4)" in message
    same = [[numerics.Shown(3, "f", "figure", "1.0")], [numerics.Shown(3, "f", "figure", "1.0")]]
    assert numerics.disagreements("docs/p.md", envs, same) == []


def test_variants_switch_off_only_numpys_own_dispatch_targets():
    haswell, prescott = numerics.VARIANTS
    dispatch = ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"]
    assert numerics._variables(haswell, dispatch) == {
        "OPENBLAS_CORETYPE": "Haswell",
        "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
    }
    old_names = ["SSE41", "AVX2", "FMA3", "AVX512F", "AVX512_SKX"]  # numpy before 2.4
    assert numerics._variables(prescott, old_names)["NPY_DISABLE_CPU_FEATURES"] == (
        "AVX2 FMA3 AVX512F AVX512_SKX"
    )
    assert "NPY_DISABLE_CPU_FEATURES" not in numerics._variables(haswell, ["SSE41", "AVX2"])


@pytest.mark.parametrize(
    ("seen", "reason"),
    [
        ({"numpy": None, "machine": "x86_64"}, "numpy is not installed"),
        ({"numpy": "2", "machine": "arm64", "blas": {"api": "openblas"}}, "x86-64 only"),
        ({"numpy": "2", "machine": "x86_64", "blas": {"api": "mkl"}}, "not OpenBLAS"),
        ({"numpy": "2", "machine": "x86_64", "blas": {"api": "openblas"}, "cpu": ["SSE3"]}, "AVX2"),
    ],
)
def test_a_machine_that_cannot_force_the_variants_says_why(seen, reason):
    assert reason in numerics._cannot_force(seen)


def test_where_variants_cannot_be_forced_the_build_says_so_once(tiny_site: TinySite, monkeypatch):
    here = ENVIRONMENTS.each[0]
    only = numerics.Environments((here,), "this CPU lacks AVX2")
    monkeypatch.setattr(numerics, "environments", lambda forced=True: only)
    (tiny_site.root / "pages" / "two.md").write_text("```pyodide\nprint(2)\n```\n")
    tiny_site.write_page("```pyodide\nprint(1)\n```\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if "this CPU lacks AVX2" in line]
    assert len(said) == 1 and "CI's check stays the authority" in said[0], result.stderr
