"""`make check` (python -m tools.check): clean today, and each kind of breakage names file:line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _check(docs: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.check", str(docs)], cwd=ROOT, capture_output=True, text=True
    )


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    copy = tmp_path / "site_src"
    shutil.copytree(ROOT / "site_src", copy)
    return copy


def _append(path: Path, text: str) -> int:
    """Append ``text``; return the file line it starts on."""
    body = path.read_text().rstrip("\n") + "\n\n"
    path.write_text(body + text)
    return body.count("\n") + 1


def test_the_site_is_clean():
    result = _check(ROOT / "site_src")
    assert result.returncode == 0, result.stdout


def test_broken_link(docs: Path):
    line = _append(docs / "tuning.md", "[消えた章](nowhere.md)\n")
    result = _check(docs)
    assert result.returncode == 1
    assert f"tuning.md:{line}: link to nowhere.md goes nowhere" in result.stdout


def test_missing_anchor(docs: Path):
    line = _append(docs / "future.md", "[用語](glossary.md#no-such-term)\n")
    result = _check(docs)
    assert (
        f"future.md:{line}: link to #no-such-term in glossary.md: no such heading" in result.stdout
    )


def test_script_handler_and_javascript_url(docs: Path):
    line = _append(
        docs / "scale.md",
        "<script>alert(1)</script>\n"
        '<img src="a.png" alt="a" onerror="x()">\n'
        "[x](javascript:alert(1))\n",
    )
    out = _check(docs).stdout
    assert f"scale.md:{line}: raw <script>" in out
    assert f"scale.md:{line + 1}: inline event handler" in out
    assert f"scale.md:{line + 2}: javascript: URL" in out


def test_image_without_alt(docs: Path):
    line = _append(docs / "parameters.md", "![](figure.png)\n")
    assert f"parameters.md:{line}: image without alt text" in _check(docs).stdout


def test_data_row_without_source(docs: Path):
    csv = docs / "data" / "llms.csv"
    lines = csv.read_text().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ","  # drop the source URL of row 4
    csv.write_text("\n".join(lines) + "\n")
    result = _check(docs)
    assert result.returncode == 1
    assert "site_src/data/llms.csv:4: source is missing" in result.stdout


def test_front_matter_fields(docs: Path):
    page = docs / "glossary.md"
    page.write_text(page.read_text().replace("description:", "summary:", 1))
    assert "glossary.md:1: front matter has no description" in _check(docs).stdout


@pytest.mark.skipif(
    not (ROOT.parent / "shared/reference/article-ja.txt").exists(),
    reason="the reference article is not beside this checkout",
)
def test_copied_passage(docs: Path):
    article = (ROOT.parent / "shared/reference/article-ja.txt").read_text()
    sentence = next(s for s in article.splitlines() if len(s) > 40)
    line = _append(docs / "parameters.md", sentence + "\n")
    assert f"parameters.md:{line}: repeats the reference article" in _check(docs).stdout
