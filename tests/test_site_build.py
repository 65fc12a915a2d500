"""The site builds strictly, in Japanese, and a broken chapter stops the build by name."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import ROOT, mkdocs_build
from tools import site_nav


def test_strict_build_has_every_nav_page_in_japanese(built_site: Path):
    nav = site_nav.pages(ROOT)
    docs = site_nav.docs_dir(ROOT)
    on_disk = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md"))
    assert sorted(nav) == on_disk, "every page is in the nav, and every nav entry is a page"
    for md in nav:
        html = site_nav.built_html(built_site, md)
        assert html.exists(), f"{md} was not built to {html}"
        assert re.search(r'<html[^>]*\blang="ja"', html.read_text()), f"{html} is not lang=ja"


def test_no_font_cdn_and_self_hosted_runtime(built_site: Path):
    page = (built_site / "index.html").read_text()
    assert "fonts.googleapis.com" not in page
    assert "fonts.gstatic.com" not in page
    loader = re.search(r'<script data-plab-loader="(assets/plab/loader\.[0-9a-f]{10}\.js)"', page)
    assert loader, "the runtime loader is not on the page"
    assert (built_site / loader.group(1)).exists()


def test_every_page_has_an_edit_link(built_site: Path):
    for md in site_nav.pages(ROOT):
        html = site_nav.built_html(built_site, md).read_text()
        assert f"edit/main/site_src/{md}" in html, md


# The pages these break are taken from the nav: any chapter will do.
FIRST, LAST = site_nav.chapters(ROOT)[0], site_nav.chapters(ROOT)[-1]


def test_broken_link_fails_and_names_the_file(scratch_project: Path, tmp_path: Path):
    page = scratch_project / "site_src" / LAST
    page.write_text(page.read_text() + "\n[どこにもない章](missing-chapter.md)\n")
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert LAST in result.stderr and "missing-chapter.md" in result.stderr


def test_missing_anchor_fails_and_names_the_file(scratch_project: Path, tmp_path: Path):
    page = scratch_project / "site_src" / LAST
    page.write_text(page.read_text() + f"\n[存在しない見出し]({FIRST}#no-such-heading)\n")
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert LAST in result.stderr and "no-such-heading" in result.stderr


def test_nav_entry_without_file_fails_and_names_it(scratch_project: Path, tmp_path: Path):
    (scratch_project / "site_src" / FIRST).unlink()
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert FIRST in result.stderr
