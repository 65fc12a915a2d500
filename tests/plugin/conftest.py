"""A tiny site of its own for the plugin's tests: nothing from this repository's chapters.

It has its own docs_dir and its own demos package (``labdemos``), so every test here also
checks that the plugin serves a site that is not Parameter Lab.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import sys
import textwrap
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

MKDOCS_YML = """\
site_name: Tiny lab
docs_dir: pages
theme:
  name: material
  font: false
markdown_extensions:
  - attr_list
  - pymdownx.superfences
plugins:
  - parameter-lab:
      demos_package: labdemos
      language: {language}
"""

DEMO_MODULE = '''\
"""A demo that doubles a number: small enough to check by eye."""


def run(x: float = 2.0, repeat: int = 1, word: str = "a", loud: bool = False) -> dict:
    print("running", x)
    rows = [{"i": i, "value": x * 2 ** (i + 1)} for i in range(repeat)]
    return {"double": x * 2, "rows": rows, "word": word.upper() if loud else word}
'''


@dataclass
class TinySite:
    root: Path

    @property
    def page(self) -> Path:
        return self.root / "pages" / "index.md"

    def write_page(self, text: str) -> None:
        self.page.write_text(textwrap.dedent(text), encoding="utf-8")

    def build(self, python: str | None = None) -> subprocess.CompletedProcess:
        """``mkdocs build --strict -d out`` in this folder, as an author types it.

        By default the command runs in this process, through mkdocs's own command line
        (``mkdocs.__main__.cli``, what ``python -m mkdocs`` runs), which saves a new
        interpreter importing mkdocs, Material and the plugin (~2 s) per build. Blocks are
        still pre-rendered in a child, as always. ``python``: run that interpreter instead.
        """
        args = ["build", "--strict", "-d", str(self.root / "out")]
        if python is not None:
            return subprocess.run(
                [python, "-m", "mkdocs", *args],
                cwd=self.root,
                capture_output=True,
                text=True,
                env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            )
        return mkdocs_cli_in_process(args, self.root)

    def html(self) -> str:
        return (self.root / "out" / "index.html").read_text(encoding="utf-8")


def mkdocs_cli_in_process(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``python -m mkdocs ARGS`` in ``cwd``, run in this process; stdout and stderr captured.

    The command line's exit code and output are kept: its log lines and its ``Aborted …``
    message go to the captured stderr, and an exception it does not handle is printed there
    as the interpreter would (a traceback, exit code 1). What the command line changes for
    the process (its log handler, level and filters, the warnings hook, ``sys.path``, the
    working directory, the demos modules, the template folders) is put back afterwards, so
    each build starts as a new process would.
    """
    from mkdocs.__main__ import cli
    from mkdocs.commands import build as build_module
    from parameter_lab import render

    mkdocs_log = logging.getLogger("mkdocs")
    saved = (
        mkdocs_log.level,
        mkdocs_log.propagate,
        list(mkdocs_log.handlers),
        list(build_module.log.filters),
        warnings.showwarning,
        list(sys.path),
        set(sys.modules),
        os.getcwd(),
        render._template_dirs,  # a site's custom_dir overrides (on_config sets them)
    )
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        os.chdir(cwd)
        # The CLI's log handler takes sys.stderr when it is made, inside this block.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                cli.main(args=args, prog_name="mkdocs", standalone_mode=True)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except Exception:
                err.write(traceback.format_exc())
                code = 1
    finally:
        level, propagate, handlers, filters, showwarning, path, modules, where, templates = saved
        render.use_template_dirs(list(templates))
        os.chdir(where)
        mkdocs_log.setLevel(level)
        mkdocs_log.propagate = propagate
        mkdocs_log.handlers[:] = handlers
        build_module.log.filters[:] = filters  # the CLI adds a duplicate filter per run
        warnings.showwarning = showwarning
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            if _comes_from(sys.modules[name], Path(cwd)):
                del sys.modules[name]
    return subprocess.CompletedProcess(
        ["mkdocs", *args], code, stdout=out.getvalue(), stderr=err.getvalue()
    )


def _comes_from(module, site: Path) -> bool:
    """Whether a module was imported from the site's folder: its file, or for a namespace
    package (no file) its path, as written or relative to the site."""
    places = [getattr(module, "__file__", None), *(getattr(module, "__path__", None) or [])]
    root = site.resolve()
    return any(
        place and not str(place).startswith("<") and (site / place).resolve().is_relative_to(root)
        for place in places
    )


def make_tiny_site(root: Path, language: str = "ja") -> TinySite:
    (root / "pages").mkdir(parents=True)
    (root / "labdemos").mkdir()
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(language=language))
    (root / "labdemos" / "__init__.py").write_text("")
    (root / "labdemos" / "double.py").write_text(DEMO_MODULE)
    site = TinySite(root)
    site.write_page("# Tiny\n\nNo blocks yet.\n")
    return site


@pytest.fixture
def tiny_site(tmp_path: Path) -> TinySite:
    return make_tiny_site(tmp_path / "tiny")
