"""The site builds strictly, in Japanese, and a broken chapter stops the build by name."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.conftest import ROOT, mkdocs_build


def _nav_files(nav) -> list[str]:
    files = []
    for item in nav:
        for value in item.values() if isinstance(item, dict) else [item]:
            files.extend(_nav_files(value) if isinstance(value, list) else [value])
    return files


def _load_mkdocs_yml() -> dict:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml may hold !!python/name tags; the nav is all this test reads.
    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=Loader)


def test_strict_build_has_every_nav_page_in_japanese(built_site: Path):
    nav = _nav_files(_load_mkdocs_yml()["nav"])
    assert len(nav) == 9, nav
    for md in nav:
        html = built_site / (
            "index.html" if md == "index.md" else md.removesuffix(".md") + "/index.html"
        )
        assert html.exists(), f"{md} was not built to {html}"
        assert re.search(r'<html[^>]*\blang="ja"', html.read_text()), f"{html} is not lang=ja"


def test_no_font_cdn_and_self_hosted_runtime(built_site: Path):
    page = (built_site / "index.html").read_text()
    assert "fonts.googleapis.com" not in page
    assert "fonts.gstatic.com" not in page
    loader = re.search(r'<script src="(assets/plab/loader\.[0-9a-f]{10}\.js)" type="module">', page)
    assert loader, "the runtime loader is not on the page"
    assert (built_site / loader.group(1)).exists()


def test_every_page_has_an_edit_link(built_site: Path):
    html = (built_site / "parameters" / "index.html").read_text()
    assert "edit/main/site_src/parameters.md" in html


def test_broken_link_fails_and_names_the_file(scratch_project: Path, tmp_path: Path):
    page = scratch_project / "site_src" / "tuning.md"
    page.write_text(page.read_text() + "\n[どこにもない章](missing-chapter.md)\n")
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert "tuning.md" in result.stderr and "missing-chapter.md" in result.stderr


def test_missing_anchor_fails_and_names_the_file(scratch_project: Path, tmp_path: Path):
    page = scratch_project / "site_src" / "future.md"
    page.write_text(page.read_text() + "\n[存在しない見出し](parameters.md#no-such-heading)\n")
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert "future.md" in result.stderr and "no-such-heading" in result.stderr


def test_nav_entry_without_file_fails_and_names_it(scratch_project: Path, tmp_path: Path):
    (scratch_project / "site_src" / "glossary.md").unlink()
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    assert "glossary.md" in result.stderr
