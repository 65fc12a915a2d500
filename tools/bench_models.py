"""Print the median time and peak memory of each demo's run() at its defaults.

    python tools/bench_models.py [--repeat 7]

A benchmark, not a test: the figures go in notes and reviews. The budget is ≤ 300 ms
and < 50 MB per run in CPython, which leaves room for Pyodide's 2-3x slowdown.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import demos


def demo_modules() -> list[str]:
    names = [m.name for m in pkgutil.iter_modules(demos.__path__) if not m.name.startswith("_")]
    return [n for n in sorted(names) if hasattr(importlib.import_module(f"demos.{n}"), "run")]


def measure(name: str, repeat: int) -> tuple[float, float]:
    """(median seconds, peak MiB) of demos.<name>.run() at its defaults."""
    run = importlib.import_module(f"demos.{name}").run
    run()  # warm: imports and caches are not what a reader waits for on the second run
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'demo':<12}{'median ms':>12}{'peak MiB':>10}")
    for name in demo_modules():
        seconds, mib = measure(name, args.repeat)
        print(f"{name:<12}{seconds * 1000:>12.1f}{mib:>10.2f}")


if __name__ == "__main__":
    main()
