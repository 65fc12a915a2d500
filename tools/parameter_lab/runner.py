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
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

CELL_FILENAME = "<セル>"  # how the reader's own code appears in tracebacks


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


def run_cell(code: str) -> dict:
    """Execute ``code`` in a fresh namespace. Output goes to sys.stdout / sys.stderr."""
    namespace = {"__name__": "__main__"}
    # Let tracebacks quote the reader's lines, as they would for a file.
    linecache.cache[CELL_FILENAME] = (len(code), None, code.splitlines(True), CELL_FILENAME)
    try:
        exec(compile(code, CELL_FILENAME, "exec"), namespace)
    except BaseException as exc:  # KeyboardInterrupt too: Stop is an outcome, not a crash
        return {"ok": False, "error": _error(exc)}
    return {"ok": True}


def call_demo(
    module: str, function: str, kwargs_json: str, views_json: str = "[]", language: str = "ja"
) -> dict:
    """Call ``module.function(**kwargs)``; the result must be JSON-serialisable.

    ``views_json`` lists the block's views; each comes back formatted (see ``format_view``).
    """
    try:
        fn = getattr(importlib.import_module(module), function)
        value = fn(**json.loads(kwargs_json))
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
        # The JSON round trip makes the views see exactly what the browser's result holds.
        result = json.loads(text)
        views = [format_view(v, result, language) for v in json.loads(views_json)]
    except BaseException as exc:
        return {"ok": False, "error": _error(exc)}
    return {"ok": True, "result": text, "views": views}


# ---- the one formatter of text and table views ------------------------------------------

_DICT_HEADERS = {"ja": ("項目", "値"), "en": ("Item", "Value")}


def format_view(view: str, result: object, language: str = "ja") -> dict:
    """A view of ``result`` as strings: ``text`` or ``table:key`` …, or a chart to draw."""
    kind, _, key = view.partition(":")
    data = result.get(key) if key and isinstance(result, dict) else result
    if kind == "text":
        return {"view": view, "kind": "text", "text": format_text(data)}
    if kind == "table":
        table = format_table(data, language)
        if table is None:
            return {"view": view, "kind": "text", "text": format_text(data)}
        return {"view": view, "kind": "table", **table}
    return {"view": view, "kind": "chart"}


def format_text(data: object) -> str:
    return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)


def format_table(rows: object, language: str = "ja") -> dict | None:
    """``{"columns": [...], "rows": [[cell, ...], ...]}``, or None when ``rows`` is no table."""
    if isinstance(rows, dict):
        key, value = _DICT_HEADERS.get(language, _DICT_HEADERS["en"])
        rows = [{key: k, value: v} for k, v in rows.items()]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return None
    columns = list(dict.fromkeys(str(k) for r in rows for k in r))
    return {
        "columns": columns,
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


def imports_of(module: str) -> str:
    """The import lines of ``module``'s source, without running it, so the worker can fetch
    the packages it needs (numpy) before the import is attempted."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        return ""
    with open(spec.origin, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            lines += [f"import {a.name}" for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            lines.append(f"import {node.module}")
    return "\n".join(lines)


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
