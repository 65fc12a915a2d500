"""The scaffold: a new chapter, its nav entry and its test stub pass the tests as generated."""

from __future__ import annotations

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
    # The content tests discover the chapter from the nav, build the site and pass.
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/chapters/test_rlhf.py",
            "tests/test_chapters.py",
            "tests/test_site_build.py",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert tests.returncode == 0, tests.stdout[-4000:]
    assert "test_chapter_ends_with_summary_and_links_onward[rlhf]" in _collected(project)
    check = subprocess.run(
        [sys.executable, "-m", "tools.check", str(project / "site_src")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout


def _collected(project: Path) -> str:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--collect-only", "tests/test_chapters.py"],
        cwd=project,
        capture_output=True,
        text=True,
    ).stdout


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
