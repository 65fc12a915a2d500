"""Fixtures shared by every test: the project root and scratch copies of the site."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tools.browser_harness import free_port

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
# Every build of this site in the suite shares one new cache (mkdocs.yml reads
# PLAB_CACHE_DIR): never the working tree's .cache, whose results may be stale or another
# machine's. Builds within the session (and a pytest the suite runs inside it, as the
# scaffold test does) still reuse each other's pre-renders.
os.environ.setdefault("PLAB_SUITE_CACHE", tempfile.mkdtemp(prefix="plab-test-cache-"))
os.environ["PLAB_CACHE_DIR"] = os.environ["PLAB_SUITE_CACHE"]


def mkdocs_build(
    project: Path, site_dir: Path, site_url: str | None = None
) -> subprocess.CompletedProcess:
    """Run a real strict ``mkdocs build`` of ``project`` and return the finished process."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_dir)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture
def scratch_project(tmp_path: Path) -> Path:
    """A copy of mkdocs.yml and site_src/ that a test may break; heavy inputs are linked."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "site_src", project / "site_src")
    for shared in ("node_modules", "demos", "tools", "package-lock.json"):
        if (ROOT / shared).exists():
            (project / shared).symlink_to(ROOT / shared)
    return project


@pytest.fixture(scope="session")
def site_port() -> int:
    """The port the browser tests serve the site on; the build must know it (see SITE_URL)."""
    return free_port()


@contextlib.contextmanager
def one_build_at_a_time() -> Iterator[None]:
    """Builds of the suite's workers (``pytest -n``) take turns: the first fills the shared
    cache, the next reuses it instead of computing every pre-render again beside it."""
    lock = Path(os.environ["PLAB_SUITE_CACHE"]) / "build.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory, site_port: int) -> Path:
    """The real site, built strictly once per test session (per worker)."""
    site = tmp_path_factory.mktemp("site")
    with one_build_at_a_time():
        result = mkdocs_build(ROOT, site, site_url=f"http://127.0.0.1:{site_port}/")
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return site
