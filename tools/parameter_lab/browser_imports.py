"""What a block imports must exist in the reader's browser: the site's own package, the
standard library, or a package in Pyodide's lock. Checked at build with the runner's own
``find_imports`` (the worker loads packages from the same list), so a block that works in
CPython at build never meets "package X could not be loaded" in the browser.
"""

from __future__ import annotations

import difflib
import json
import sys
from pathlib import Path

from parameter_lab import runner
from parameter_lab.config import PYODIDE_VERSION
from parameter_lab.errors import SourceError


def lock_imports(lock_path: Path) -> set[str]:
    """Every top-level import name Pyodide's lock provides."""
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    return {name for entry in lock["packages"].values() for name in entry.get("imports", [])}


def check_cell(code: str, own: list[str], available: set[str], path: str, line: int) -> None:
    """``line``: the file line of the cell's first line of code."""
    for name, _, at in runner.find_imports(code, runner.CELL_FILENAME, own, "__main__"):
        _check(name, available, path, line + at - 1, "")


def check_module(
    module: str, own: list[str], available: set[str], path: str, line: int, root: Path
) -> None:
    """A demo's module, through the site's modules it imports; blamed on the fence's line."""
    for name, filename, at in runner.find_imports(f"import {module}", "<demo>", own, "__main__"):
        _check(name, available, path, line, f"{_shown(Path(filename), root)}:{at}: ")


def _check(name: str, available: set[str], path: str, line: int, via: str) -> None:
    if name in available or name in sys.stdlib_module_names or name == "__future__":
        return
    near = difflib.get_close_matches(name, sorted(available), n=5, cutoff=0.5)
    shown = near or sorted(available)[:5]
    raise SourceError(
        path,
        line,
        f"{via}{name!r} is not available in the browser (Pyodide {PYODIDE_VERSION} ships: "
        f"{', '.join(shown)}, … {len(available)} in all); use the standard library, one of "
        "those, or your demos package",
    )


def _shown(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return str(path)
