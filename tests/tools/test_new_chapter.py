"""The scaffold: a new chapter, its nav entry and its test stub pass the tests as generated."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT
from tools import new_chapter, site_nav


def _project(tmp_path: Path) -> Path:
    """A copy of the site and its tests that a scaffold may change; heavy inputs are linked."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("site_src", "tests"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("tools", "demos", "node_modules", "package-lock.json"):
        if (ROOT / name).exists():
            (project / name).symlink_to(ROOT / name)
    return project


def test_make_chapter_then_the_content_tests_pass_and_cover_it(tmp_path: Path):
    project = _project(tmp_path)
    new_chapter.scaffold("rlhf", "人間のフィードバックによる学習", project)
    chapters = site_nav.chapters(project)
    assert chapters[-1] == "rlhf.md" and chapters[:-1] == site_nav.chapters(ROOT)
    # The content tests discover the chapter from the nav, build the site and pass. Not
    # test_site_build's broken-site cases: they build a damaged copy of any site, whatever
    # its chapters, and the suite runs them already.
    site_build = "tests/test_site_build.py::"
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-rA",  # name each passed test: the new chapter's cases must be among them
            "-p",
            "no:cacheprovider",
            "tests/chapters/test_rlhf.py",
            "tests/test_chapters.py",
            site_build + "test_strict_build_has_every_nav_page_in_japanese",
            site_build + "test_every_page_has_an_edit_link",
            "tests/test_bound_figures.py",  # a page with a demo binds a figure and a scenario
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
    passed = re.findall(r"^PASSED (\S+)", tests.stdout, re.MULTILINE)
    assert "tests/test_chapters.py::test_chapter_ends_with_summary_and_links_onward[rlhf]" in passed
    assert any(name.startswith("tests/chapters/test_rlhf.py::") for name in passed), passed
    check = subprocess.run(
        [sys.executable, "-m", "tools.check", str(project / "site_src")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout


@pytest.mark.parametrize("title", ["C# と #タグ入門", "比べる: LLM と SLM", "'引用' と \"二重\""])
def test_title_is_kept_whole_and_mkdocs_yml_keeps_its_comments(tmp_path: Path, title: str):
    root = tmp_path
    (root / "site_src").mkdir()
    (root / "tests" / "chapters").mkdir(parents=True)
    original = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(original, encoding="utf-8")
    new_chapter.scaffold("topic", title, root)
    after = (root / "mkdocs.yml").read_text(encoding="utf-8")
    lines = after.splitlines()
    added = [i for i, line in enumerate(lines) if line not in original.splitlines()]
    assert len(added) == 1, added  # one new line, and every other line as it was
    assert lines[: added[0]] + lines[added[0] + 1 :] == original.splitlines()
    assert "# SITE_URL overrides it" in after, "comments survive"
    chapters = next(
        item[site_nav.CHAPTER_SECTION]
        for item in site_nav.load_config(root)["nav"]
        if isinstance(item, dict) and site_nav.CHAPTER_SECTION in item
    )
    assert chapters[-1] == {title: "topic.md"}
    page = (root / "site_src" / "topic.md").read_text(encoding="utf-8")
    front = yaml.safe_load(page.split("---\n")[1])
    assert front["title"] == title
    assert front["description"].startswith(title)


def test_bad_slug_and_existing_page_are_refused(tmp_path: Path):
    (tmp_path / "site_src").mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    with pytest.raises(SystemExit, match="lowercase"):
        new_chapter.scaffold("RLHF", "題名", tmp_path)
    (tmp_path / "site_src" / "rlhf.md").write_text("x")
    with pytest.raises(SystemExit, match="already exists"):
        new_chapter.scaffold("rlhf", "題名", tmp_path)
