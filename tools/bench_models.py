"""Time every demo on the site's pages at its page defaults, with one BLAS thread.

    python tools/bench_models.py [--repeat 9] [--json]

Each ``demo`` fence in the docs is one row: its function is called with the ``value:`` of
every control, as the build pre-renders it and as a reader's first Run does. The budget is
a median of at most 150 ms in CPython (BUDGET_MS), which leaves room for Pyodide's slowdown,
and a peak of under 50 MiB. A benchmark that prints figures; ``tests/demos/test_speed.py``
runs it with a generous bound.

One BLAS thread: the reader's browser has one, and so does a fair comparison on a shared
machine. The variables are set before numpy is first imported, so run this as a script
(``python tools/bench_models.py``), not from a process that has already loaded numpy.
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # before anything loads numpy; importing this module changes nothing
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse
import importlib
import json
import statistics
import sys
import time
import tracemalloc
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from parameter_lab.controls import parse_control  # noqa: E402
from parameter_lab.scan import find_fences  # noqa: E402

from tools import site_nav  # noqa: E402

BUDGET_MS = 150.0  # median per demo at its page defaults (issue 11, "Model speed")


@dataclass(frozen=True)
class PageDemo:
    where: str  # docs-relative page and fence line, e.g. "scale.md:52"
    module: str
    function: str
    kwargs: dict

    @property
    def name(self) -> str:
        return f"{self.where} {self.module}.{self.function}"


def page_demos(docs: Path | None = None) -> list[PageDemo]:
    """Every demo fence under ``docs``, with the values its controls start at."""
    docs = docs or site_nav.docs_dir()
    found = []
    for page in sorted(docs.rglob("*.md")):
        rel = page.relative_to(docs).as_posix()
        for fence in find_fences(page.read_text(encoding="utf-8"), rel):
            if fence.lang != "demo":
                continue
            spec = yaml.safe_load(fence.source) or {}
            controls = [parse_control(raw) for raw in spec.get("controls") or []]
            found.append(
                PageDemo(
                    where=f"{rel}:{fence.line}",
                    module=spec["module"],
                    function=spec.get("function", "run"),
                    kwargs={c["name"]: c["value"] for c in controls},
                )
            )
    return found


@dataclass(frozen=True)
class Timing:
    demo: str
    median_ms: float  # wall clock, what the reader waits for
    cpu_median_ms: float  # process CPU time: less sensitive to other work on the machine
    peak_mib: float


def measure(demo: PageDemo, repeat: int) -> Timing:
    call = getattr(importlib.import_module(demo.module), demo.function)
    call(**demo.kwargs)  # warm: imports and data files are not what a reader waits for on Run
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        call(**demo.kwargs)
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    tracemalloc.start()
    try:
        call(**demo.kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Timing(
        demo.name,
        round(statistics.median(wall) * 1000, 1),
        round(statistics.median(cpu) * 1000, 1),
        round(peak / 2**20, 2),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="print one JSON list, for tests")
    args = parser.parse_args(argv)
    timings = [measure(demo, args.repeat) for demo in page_demos()]
    if args.json:
        print(json.dumps([asdict(t) for t in timings]))
        return 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"page defaults, 1 BLAS thread, median of {args.repeat}; load average {load:.1f}")
    print(f"{'demo':<44}{'median ms':>10}{'cpu ms':>9}{'peak MiB':>10}")
    for t in timings:
        over = "  over budget" if t.median_ms > BUDGET_MS else ""
        print(f"{t.demo:<44}{t.median_ms:>10.1f}{t.cpu_median_ms:>9.1f}{t.peak_mib:>10.2f}{over}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
