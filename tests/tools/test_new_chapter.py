"""The scaffold: a new chapter, its nav entry and its test stub build strictly as generated."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, mkdocs_build


def test_scaffolded_chapter_builds_and_its_stub_passes(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy2(ROOT / name, project / name)
    for name in ("site_src", "tests"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("tools", "demos", "node_modules", ".cache"):
        (project / name).symlink_to(ROOT / name)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from tools.new_chapter import scaffold; "
            "scaffold('rlhf', '人間のフィードバックによる学習', Path(sys.argv[1]))",
            str(project),
        ],
        cwd=project,
        check=True,
    )
    nav = (project / "mkdocs.yml").read_text()
    assert "      - 人間のフィードバックによる学習: rlhf.md" in nav
    assert nav.index("future.md") < nav.index("rlhf.md") < nav.index("glossary.md")
    result = mkdocs_build(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "rlhf" / "index.html").exists()
    stub = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "tests/chapters/test_rlhf.py"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert stub.returncode == 0, stub.stdout
    check = subprocess.run(
        [sys.executable, "-m", "tools.check", str(project / "site_src")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout
