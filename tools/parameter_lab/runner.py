"""Runs a code cell or a demo call and reports the outcome as data.

The same file runs at build time (the pre-render, in CPython, as ``parameter_lab.runner``)
and in the reader's browser (the Pyodide worker, packed into the site's wheel as
``plab_runner``), so both show the same output, the same tracebacks and the same formatted
values: every number a reader sees in a text or table view is formatted here, once.
Standard library only: a stdlib cell must run even when numpy cannot load.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import io
import json
import linecache
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CELL_FILENAME = "<cell>"  # how the reader's own code appears in tracebacks (locales: cell_filename)


def _error(exc: BaseException) -> dict:
    """The exception as data, its traceback cut to the reader's code and the demo's code."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        # Not the reader's code: this runner, and the import machinery between the two.
        if frame.filename != __file__
        and not frame.filename.startswith("<frozen ")
        and "/importlib/" not in frame.filename
    ]
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    missing = exc.name if isinstance(exc, ModuleNotFoundError) else None
    return {
        "type": type(exc).__name__,
        "message": str(exc),
        "traceback": "".join(lines),
        "missing": missing,
    }


def run_cell(code: str, filename: str = CELL_FILENAME) -> dict:
    """Execute ``code`` in a fresh namespace. Output goes to sys.stdout / sys.stderr."""
    namespace = {"__name__": "__main__"}
    # Let tracebacks quote the reader's lines, as they would for a file.
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    try:
        exec(compile(code, filename, "exec"), namespace)
    except BaseException as exc:  # KeyboardInterrupt too: Stop is an outcome, not a crash
        return {"ok": False, "error": _error(exc)}
    return {"ok": True}


def call_demo(
    module: str,
    function: str,
    kwargs_json: str,
    views_json: str = "[]",
    language: str = "ja",
    figures_json: str = "[]",
    labels_json: str = "{}",
) -> dict:
    """Call ``module.function(**kwargs)``; the result must be JSON-serialisable.

    ``views_json`` lists the block's views; each comes back formatted (see ``format_view``).
    ``figures_json`` lists ``[key path, format]`` pairs bound to the block in the page's
    text; each comes back as its text (``figures``), or None where the result lacks it.
    ``labels_json`` is the block's ``labels``/``columns`` (see ``relabel``): the page's words
    for the model's ids, so model code stays free of display text.
    """
    try:
        fn = getattr(importlib.import_module(module), function)
        value = fn(**json.loads(kwargs_json))
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        labels = json.loads(labels_json)
        # The JSON round trip makes the views see exactly what the browser's result holds.
        result = relabel(json.loads(text), labels.get("labels", {}))
        text = json.dumps(result, ensure_ascii=False, allow_nan=False)
        columns = labels.get("columns", {})
        views = [format_view(v, result, language, columns) for v in json.loads(views_json)]
        figures = [_figure_or_none(result, p, f) for p, f in json.loads(figures_json)]
    except BaseException as exc:
        return {"ok": False, "error": _error(exc)}
    return {"ok": True, "result": text, "views": views, "figures": figures}


# ---- figures in the page's text: key paths into a result, and their formats -------------

_PATH_STEP = re.compile(r"""\.([A-Za-z_]\w*)|\[(-?\d+)\]|\[(["'])(.*?)\3\]""")
_FORMAT = re.compile(r"^(?P<name>[a-z]+)(?:\((?P<arg>\d+)\))?$")
# Japanese large-number units, largest first: 1750億, 1.2兆, 3.5万.
_JA_UNITS = ((10**12, "兆"), (10**8, "億"), (10**4, "万"))
FORMATS = ("int", "fixed", "percent", "ja", "text")


class FigureError(ValueError):
    """A key path or a format that cannot apply; the message says why."""


def resolve_path(result: object, path: str) -> object:
    """``history.val_acc[-1]``, ``rows[0]["name"]``: a value inside a demo's result."""
    head = re.match(r"[A-Za-z_]\w*", path)
    if not head:
        raise FigureError(f"key path {path!r} must start with a key name, e.g. history.loss[-1]")
    steps: list[object] = [head.group()]
    rest = path[head.end() :]
    while rest:
        m = _PATH_STEP.match(rest)
        if not m:
            raise FigureError(f"cannot read {rest!r} in key path {path!r}; use .key, [index]")
        steps.append(m[1] if m[1] else int(m[2]) if m[2] else m[4])
        rest = rest[m.end() :]
    value, walked = result, ""
    for step in steps:
        value = step_into(value, step, walked or "the result")
        walked += f"[{step}]" if isinstance(step, int) else (f".{step}" if walked else step)
    return value


def step_into(value: object, step: str | int, where: str) -> object:
    """One step of a key path: an index into a list, or a key of a dict. ``where`` names
    ``value`` in the error, which lists a dict's keys."""
    try:
        if isinstance(step, int) != isinstance(value, list):
            raise TypeError
        return value[step]
    except (KeyError, IndexError, TypeError):
        keys = f"; it has {', '.join(map(str, value))}" if isinstance(value, dict) else ""
        raise FigureError(f"no {step!r} in {where}{keys}") from None


def format_figure(value: object, fmt: str) -> str:
    """``int`` 12,345 · ``fixed(2)`` 0.25 · ``percent(1)`` 90.5% · ``ja`` 1750億 · ``text``."""
    m = _FORMAT.match(fmt)
    if not m or m["name"] not in FORMATS:
        raise FigureError(
            f"unknown format {fmt!r}; use int, fixed(N), percent(N), ja, ja(N) or text"
        )
    name, digits = m["name"], int(m["arg"]) if m["arg"] else None
    if name == "text":
        return value if isinstance(value, str) else format_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FigureError(f"format {fmt} needs a number, got {value!r}")
    if name == "int":
        return f"{round(value):,}"
    if name == "fixed":
        return f"{value:,.{2 if digits is None else digits}f}"
    if name == "percent":
        return f"{value * 100:.{1 if digits is None else digits}f}%"
    return _japanese_units(value, 1 if digits is None else digits)


def _japanese_units(value: float, digits: int) -> str:
    sign, value = ("-" if value < 0 else ""), abs(value)
    for size, unit in _JA_UNITS:
        if value >= size:
            return f"{sign}{_drop_zero_decimals(f'{value / size:.{digits}f}')}{unit}"
    return f"{sign}{_drop_zero_decimals(f'{value:,.{digits}f}')}"


def _drop_zero_decimals(text: str) -> str:
    """1.50 -> 1.5 and 2.0 -> 2, but 1000 stays 1000 (ja(0) of 1000億 once gave 1億)."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure(result: object, path: str, fmt: str) -> str:
    return format_figure(resolve_path(result, path), fmt)


def _figure_or_none(result: object, path: str, fmt: str) -> str | None:
    try:
        return figure(result, path, fmt)
    except FigureError:
        return None  # the reader's code changed the result's shape: keep the page's figure


# ---- the one formatter of text and table views ------------------------------------------

_DICT_HEADERS = {"ja": ("項目", "値"), "en": ("Item", "Value")}


def relabel(value: object, labels: dict[str, dict[str, str]], field: str | None = None) -> object:
    """``value`` with the strings under each labelled field replaced by their labels.

    ``labels`` maps a field name to ``{id: label}``; an id ending in ``*`` matches any id
    with that prefix, and the label's ``*`` receives the rest (``prune-*`` → ``枝刈り *%``).
    """
    if isinstance(value, dict):
        return {k: relabel(v, labels, k) for k, v in value.items()}
    if isinstance(value, list):
        return [relabel(v, labels, field) for v in value]
    if isinstance(value, str) and field in labels:
        names = labels[field]
        if value in names:
            return names[value]
        for pattern, label in names.items():
            if pattern.endswith("*") and value.startswith(pattern[:-1]):
                return label.replace("*", value[len(pattern) - 1 :])
    return value


def format_view(
    view: str, result: object, language: str = "ja", columns: dict[str, str] | None = None
) -> dict:
    """A view of ``result`` as strings: ``text`` or ``table:key`` …, or a chart to draw."""
    kind, _, key = view.partition(":")
    data = result.get(key) if key and isinstance(result, dict) else result
    if kind == "text":
        return {"view": view, "kind": "text", "text": format_text(data)}
    if kind == "table":
        table = format_table(data, language, columns)
        if table is None:
            return {"view": view, "kind": "text", "text": format_text(data)}
        return {"view": view, "kind": "table", **table}
    return {"view": view, "kind": "chart"}


def format_text(data: object) -> str:
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)


def format_table(
    rows: object, language: str = "ja", headers: dict[str, str] | None = None
) -> dict | None:
    """``{"columns": [...], "rows": [[cell, ...], ...]}``, or None when ``rows`` is no table."""
    if isinstance(rows, dict):
        key, value = _DICT_HEADERS.get(language, _DICT_HEADERS["en"])
        rows = [{key: k, value: v} for k, v in rows.items()]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None
    columns = list(dict.fromkeys(str(k) for r in rows for k in r))
    return {
        "columns": [(headers or {}).get(c, c) for c in columns],
        "rows": [[format_cell(r.get(c)) for c in columns] for r in rows],
    }


def format_cell(value: object) -> str:
    """One table cell: integers with separators, floats to 6 significant digits."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def imports_of(module: str, own_json: str = "") -> str:
    """The import lines a demo module needs from outside the site's package, without running
    it, so the worker can fetch the packages (numpy) before the import is attempted.

    Imports of the site's own modules are followed into their files, so a demo that uses
    numpy only through a helper module still gets numpy. ``own_json``: the site's
    top-level packages as a JSON list (default: ``module``'s own)."""
    own = json.loads(own_json) if own_json else [module.split(".")[0]]
    # As Python imports it: its packages' __init__ first, then the module.
    return _lines(find_imports(f"import {module}", "<demo>", own, "__main__"))


def imports_in(code: str, own_json: str = "[]") -> str:
    """The same for a cell's code: what it needs, through the site's modules it imports."""
    return _lines(find_imports(code, CELL_FILENAME, json.loads(own_json), "__main__"))


def _lines(found: list[tuple[str, str, int]]) -> str:
    return "\n".join(dict.fromkeys(f"import {name}" for name, _, _ in found))


def find_imports(
    source: str, filename: str, own: list[str], module: str, seen: set | None = None
) -> list[tuple[str, str, int]]:
    """(top-level name, file, line) of every import outside ``own`` that ``source`` makes,
    directly or through the modules of ``own`` it imports. An import guarded by
    ``except ImportError`` is optional and left out."""
    seen = set() if seen is None else seen
    try:
        tree = ast.parse(source, filename)
    except SyntaxError:
        return []  # running it will say so, with the reader's line
    optional = {
        id(node)
        for guard in ast.walk(tree)
        if isinstance(guard, ast.Try) and any(_catches_import_error(h) for h in guard.handlers)
        for stmt in guard.body
        for node in ast.walk(stmt)
    }
    package = module if _is_package(module, own) else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            if base is None:
                continue
            names = [base] + [f"{base}.{a.name}" for a in node.names if a.name != "*"]
        for name in names:
            top = name.split(".")[0]
            if top not in own:
                if not (isinstance(node, ast.ImportFrom) and name != names[0]):
                    found.append((top, filename, node.lineno))
                continue
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b too
                prefix = ".".join(parts[:depth])
                if prefix in seen:
                    continue
                seen.add(prefix)
                origin = _module_file(prefix, own)
                if origin is not None:  # a name imported from a module is not a module
                    text = origin.read_text(encoding="utf-8")
                    found += find_imports(text, str(origin), own, prefix, seen)
    return found


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(
        isinstance(k, ast.Name) and k.id in ("ImportError", "ModuleNotFoundError") for k in kinds
    )


def _absolute(node: ast.ImportFrom, package: str) -> str | None:
    if not node.level:
        return node.module
    parts = package.split(".") if package and package != "__main__" else []
    if node.level - 1 > len(parts) or not parts:
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _package_dir(top: str) -> Path | None:
    """The folder of a top-level package, found without importing (or running) it."""
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _module_file(module: str, own: list[str]) -> Path | None:
    """The source file of one of the site's modules, found on disk: finding a submodule
    through importlib would run its packages' ``__init__`` (and their imports) first."""
    top, *rest = module.split(".")
    if top not in own:
        return None
    root = _package_dir(top)
    if root is None:
        spec = importlib.util.find_spec(top)
        return Path(spec.origin) if spec and spec.origin and not rest else None
    path = root.joinpath(*rest)
    for candidate in (path / "__init__.py", path.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def _is_package(module: str, own: list[str]) -> bool:
    origin = _module_file(module, own)
    return origin is not None and origin.name == "__init__.py"


class _Recorder(io.TextIOBase):
    def __init__(self, stream: str, chunks: list) -> None:
        self.stream, self.chunks = stream, chunks

    def write(self, text: str) -> int:
        if self.chunks and self.chunks[-1][0] == self.stream:
            self.chunks[-1][1] += text
        else:
            self.chunks.append([self.stream, text])
        return len(text)


@contextmanager
def capture() -> Iterator[list]:
    """Record stdout and stderr in order, as [[stream, text], ...] (for the pre-render)."""
    chunks: list = []
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Recorder("stdout", chunks), _Recorder("stderr", chunks)
    try:
        yield chunks
    finally:
        sys.stdout, sys.stderr = old
