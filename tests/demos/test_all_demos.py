"""Rules every demo module keeps, so it runs the same under pytest and in Pyodide."""

import ast
import importlib
import json
import pkgutil
import sys
from pathlib import Path

import numpy as np
import pytest

import demos
from tests.conftest import ROOT

DEMO_MODULES = sorted(
    m.name for m in pkgutil.iter_modules(demos.__path__) if not m.name.startswith("_")
)
# Modules with a run() are demos; the others (demos.nn) are libraries the demos share.
RUNNABLE = [n for n in DEMO_MODULES if hasattr(importlib.import_module(f"demos.{n}"), "run")]


def _pyodide_lock() -> dict:
    return json.loads((ROOT / "node_modules" / "pyodide" / "pyodide-lock.json").read_text())


def test_every_import_resolves_in_pyodide():
    lock = _pyodide_lock()
    importable = {name for pkg in lock["packages"].values() for name in pkg["imports"]}
    allowed = set(sys.stdlib_module_names) | importable | {"demos", "__future__"}
    for path in sorted(Path(demos.__path__[0]).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in allowed, f"{path.name}: import {name} is not in Pyodide 314.0.7"


def test_numpy_is_the_version_pyodide_ships():
    assert np.__version__ == _pyodide_lock()["packages"]["numpy"]["version"]


@pytest.mark.parametrize("name", RUNNABLE)
def test_run_at_defaults_is_plain_json_and_deterministic(name):
    module = importlib.import_module(f"demos.{name}")
    first = module.run()
    text = json.dumps(first, allow_nan=False, ensure_ascii=False)
    assert json.loads(text) == first, "the result must survive a JSON round trip unchanged"
    assert module.run() == first


@pytest.mark.parametrize("name", RUNNABLE)
def test_unknown_control_is_rejected(name):
    module = importlib.import_module(f"demos.{name}")
    with pytest.raises(ValueError, match="no_such_knob is not a control"):
        module.run(no_such_knob=1)


def test_package_import_does_not_load_numpy():
    code = "import sys, demos, demos._checks; assert 'numpy' not in sys.modules, 'numpy leaked'"
    import subprocess

    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


@pytest.mark.parametrize("name", RUNNABLE)
def test_peak_memory_at_defaults_is_under_50_mib(name):
    import tracemalloc

    module = importlib.import_module(f"demos.{name}")
    module.run()
    tracemalloc.start()
    try:
        module.run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"demos.{name} peaked at {peak / 2**20:.1f} MiB"
