"""A tiny site of its own for the plugin's tests: nothing from this repository's chapters.

It has its own docs_dir and its own demos package (``labdemos``), so every test here also
checks that the plugin serves a site that is not Parameter Lab.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
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

    def build(self, python: str = sys.executable) -> subprocess.CompletedProcess:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        return subprocess.run(
            [python, "-m", "mkdocs", "build", "--strict", "-d", str(self.root / "out")],
            cwd=self.root,
            capture_output=True,
            text=True,
            env=env,
        )

    def html(self) -> str:
        return (self.root / "out" / "index.html").read_text(encoding="utf-8")


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
