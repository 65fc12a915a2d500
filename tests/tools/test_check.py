"""`make check` (python -m tools.check): clean today, and each kind of breakage names file:line."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tools import check, make_article_fingerprint, site_nav

# Pages to break, from the nav: any chapter will do.
A, B, C = site_nav.chapters(ROOT)[0], site_nav.chapters(ROOT)[1], site_nav.chapters(ROOT)[-1]


def _check(docs: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tools.check", str(docs), *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
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
    line = _append(docs / A, "[消えた章](nowhere.md)\n")
    result = _check(docs)
    assert result.returncode == 1
    assert f"{A}:{line}: link to nowhere.md goes nowhere" in result.stdout


def test_missing_anchor(docs: Path):
    line = _append(docs / B, "[用語](glossary.md#no-such-term)\n")
    result = _check(docs)
    assert f"{B}:{line}: link to #no-such-term in glossary.md: no such heading" in result.stdout


def test_script_handler_and_javascript_url(docs: Path):
    line = _append(
        docs / C,
        "<script>alert(1)</script>\n\n"
        '<img src="a.png" alt="a" onerror="x()">\n\n'
        "[x](javascript:alert(1))\n",
    )
    out = _check(docs).stdout
    assert f"{C}:{line}: <script> in the page" in out
    assert f"{C}:{line + 2}: event handler onerror= on <img>" in out
    assert f"{C}:{line + 4}: javascript: URL in href= of <a>" in out


def test_attribute_lists_are_checked_in_the_rendered_html(docs: Path):
    """attr_list turns `{ onclick=... }` into HTML that no pattern over the Markdown sees."""
    page = docs / A
    line = _append(
        page,
        '[次へ](index.md){ onclick="steal()" }\n\n'
        "![図](figure.png){ onmouseover=x() }\n\n"
        "[こっそり](jav&#x61;script:alert(2))\n\n"
        '<div markdown onfocus="y()">\n**太字**\n</div>\n',
    )
    out = _check(docs).stdout
    assert f"{A}:{line}: event handler onclick= on <a>" in out
    assert f"{A}:{line + 2}: event handler onmouseover= on <img>" in out
    assert f"{A}:{line + 4}: javascript: URL in href= of <a>" in out
    assert f"{A}:{line + 6}: event handler onfocus= on <div>" in out


def test_code_that_shows_unsafe_html_is_not_flagged(docs: Path):
    _append(
        docs / A,
        '`<script>` と `onclick=` は使えません。\n\n```html\n<a onclick="x()">x</a>\n```\n',
    )
    result = _check(docs)
    assert result.returncode == 0, result.stdout


def test_image_without_alt(docs: Path):
    line = _append(docs / A, "![](figure.png)\n")
    assert f"{A}:{line}: image without alt text" in _check(docs).stdout


def test_data_row_without_source(docs: Path):
    import csv
    import io

    path = docs / "data" / "llms.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[3][rows[0].index("source")] = ""  # drop the source URL of row 4
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue())
    result = _check(docs)
    assert result.returncode == 1
    assert "site_src/data/llms.csv:4: source is missing" in result.stdout


def test_front_matter_fields(docs: Path):
    page = docs / "glossary.md"
    page.write_text(page.read_text().replace("description:", "summary:", 1))
    assert "glossary.md:1: front matter has no description" in _check(docs).stdout


ARTICLE = "これは参考記事の一文で、二十文字より長く続く独自の言い回しを含んでいます。"


def test_copied_passage_is_found_through_the_fingerprint(docs: Path, tmp_path: Path):
    """The check sees only hashes: a passage of the article, even re-wrapped, is caught."""
    fingerprint = tmp_path / "fingerprint.txt"
    fingerprint.write_text(make_article_fingerprint.render(ARTICLE), encoding="utf-8")
    copied = "前置きのあとに" + ARTICLE[3:30]
    line = _append(docs / A, copied + "\n")
    spaced = _append(docs / A, " ".join(ARTICLE[5:40]) + "\n")  # spaces do not hide it
    own = _append(docs / B, ARTICLE[:19] + "ではなく自分の言葉。\n")  # 19 in a row: fine
    result = _check(docs, "--fingerprint", str(fingerprint))
    assert f"{A}:{line}: repeats the reference article" in result.stdout
    assert f"{A}:{spaced}: repeats the reference article" in result.stdout
    assert f"{B}:{own}:" not in result.stdout
    assert ARTICLE[3:23] in result.stdout, "the message quotes the repeated run"


def test_fingerprint_file_holds_hashes_of_every_window(tmp_path: Path):
    """An independent count: hashlib over the article's windows, whitespace removed."""
    text = "一二三四五 六七八九十\n" * 3
    flat = "".join(text.split())
    expected = {
        hashlib.sha256(flat[i : i + 20].encode()).hexdigest()[:16] for i in range(len(flat) - 19)
    }
    out = tmp_path / "fp.txt"
    article = tmp_path / "article.txt"
    article.write_text(text, encoding="utf-8")
    subprocess.run(
        [sys.executable, "tools/make_article_fingerprint.py", str(article), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert check.load_fingerprint(out) == expected
    assert f"# windows: {len(expected)}" in out.read_text()


def test_committed_fingerprint_is_the_articles():
    """The committed file is a real fingerprint; beside the article (a checkout next to
    shared/, as on this project's CI), it is the article's current one."""
    committed = check.FINGERPRINT.read_text(encoding="utf-8")
    hashes = check.load_fingerprint()
    assert len(hashes) > 5000 and all(re.fullmatch(r"[0-9a-f]{16}", h) for h in hashes)
    assert f"# windows: {len(hashes)}" in committed
    if make_article_fingerprint.ARTICLE.exists():
        article = make_article_fingerprint.ARTICLE.read_text(encoding="utf-8")
        assert committed == make_article_fingerprint.render(article), (
            "the article changed: run python tools/make_article_fingerprint.py and commit"
        )


def test_missing_fingerprint_is_a_problem_not_a_skip(docs: Path, tmp_path: Path):
    result = _check(docs, "--fingerprint", str(tmp_path / "none.txt"))
    assert result.returncode == 1
    assert "fingerprint is missing" in result.stdout
