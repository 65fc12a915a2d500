"""What a block imports must exist in the reader's browser: the site's own package, the
standard library, or a package in Pyodide's lock. Checked at build with the runner's own
``find_imports`` (the worker loads packages from the same list), so a block that works in
CPython at build never meets "package X could not be loaded" in the browser.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from parameter_lab import runner
from parameter_lab.config import PYODIDE_VERSION
from parameter_lab.errors import SourceError


def lock_imports(lock_path: Path) -> set[str]:
    """Every top-level import name Pyodide's lock provides."""
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    return {name for entry in lock["packages"].values() for name in entry.get("imports", [])}


@dataclass(frozen=True)
class Browser:
    """What the reader's browser will have: Pyodide's packages and the site's wheel."""

    available: set[str]  # top-level imports in Pyodide's lock
    package: str  # the demos package, maybe dotted (mysite.demos)
    package_dir: Path  # its folder: the browser wheel holds it (and its parents' __init__)
    root: Path  # the folder holding mkdocs.yml, for file names in messages

    @property
    def own(self) -> list[str]:
        return [self.package.split(".")[0]]


def check_cell(code: str, browser: Browser, path: str, line: int) -> None:
    """``line``: the file line of the cell's first line of code."""
    seen: set[str] = set()
    for name, _, at in runner.find_imports(
        code, runner.CELL_FILENAME, browser.own, "__main__", seen
    ):
        _check(name, browser.available, path, line + at - 1, "")
    _check_in_wheel(seen, browser, path, line - 1)


def check_module(module: str, browser: Browser, path: str, line: int) -> None:
    """A demo's module, through the site's modules it imports; blamed on the fence's line."""
    seen: set[str] = set()
    found = runner.find_imports(f"import {module}", "<demo>", browser.own, "__main__", seen)
    for name, filename, at in found:
        via = f"{_shown(Path(filename), browser.root)}:{at}: "
        _check(name, browser.available, path, line, via)
    _check_in_wheel(seen, browser, path, line)


def _check_in_wheel(modules: set[str], browser: Browser, path: str, line: int) -> None:
    """A site module outside the demos package (``mysite.utils`` beside ``mysite.demos``) is
    importable at build but not in the browser, whose wheel holds the demos package only."""
    parents = {p / "__init__.py" for p in browser.package_dir.parents}
    for name in sorted(modules):
        origin = runner._module_file(name, browser.own)
        if origin is None or origin.resolve() in parents:
            continue
        if not origin.resolve().is_relative_to(browser.package_dir.resolve()):
            raise SourceError(
                path,
                line,
                f"{name} ({_shown(origin, browser.root)}) is outside the demos package "
                f"{browser.package!r}, so the browser does not have it; move it into "
                f"{_shown(browser.package_dir, browser.root)}/",
            )


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
