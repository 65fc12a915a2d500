"""Another site uses the plugin: README's "Use the plugin in your own site", followed literally.

The wheel is built from this checkout and installed into a new venv with nothing else of
this repository; the site's files are the ones the README shows, taken from the README.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECTION = "## Use the plugin in your own site"
_BLOCK = re.compile(r"^( *)(`{3,})(\w+)(?: title=\"([^\"]+)\")?\n(.*?)^\1\2$", re.M | re.S)


def readme_blocks() -> tuple[dict[str, str], list[str]]:
    """The README section's files (title -> text) and its shell commands, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    files, commands = {}, []
    for m in _BLOCK.finditer(section):
        indent, lang, title, body = m[1], m[3], m[4], m[5]
        body = "".join(line[len(indent) :] + "\n" for line in body.splitlines())
        if title:
            files[title] = body
        elif lang == "bash":
            commands += [line.split("#")[0].strip() for line in body.splitlines() if line.strip()]
    return files, commands


def test_readme_section_has_the_files_and_steps():
    files, commands = readme_blocks()
    assert set(files) == {"mkdocs.yml", "demos/__init__.py", "demos/growth.py", "docs/index.md"}
    assert any(c.startswith("make wheel") for c in commands)
    assert any("pip install" in c for c in commands)
    assert ".venv/bin/mkdocs build --strict" in commands


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "parameter_lab.runtime_assets"], check=True, cwd=ROOT)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("parameter_lab-*.whl")
    return path


def test_a_new_site_builds_with_the_installed_wheel(wheel: Path, tmp_path: Path):
    files, commands = readme_blocks()
    site = tmp_path / "empty"
    site.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"

    def sh(command: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            command, shell=True, cwd=site, capture_output=True, text=True, env=env
        )
        assert result.returncode == 0, (
            f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        )
        return result

    for command in commands:
        if command.startswith("make wheel"):
            continue  # done once, by the fixture, from this checkout
        sh(
            command.replace(
                "/path/to/parameter-lab/dist/parameter_lab-0.1.0-py3-none-any.whl", str(wheel)
            )
        )
        if command.startswith("mkdir"):
            for name, text in files.items():
                (site / name).write_text(text, encoding="utf-8")

    page = html.unescape((site / "site" / "index.html").read_text(encoding="utf-8"))
    # The pre-rendered cell, and the demo's slider and table, are in the page before any script.
    assert re.search(r'<span class="plab-stdout">45\n</span>', page), "cell output"
    assert 'type="range"' in page and 'data-control="rate"' in page
    assert '<pre class="plab-text">2.5937</pre>' in page, "text:final at the defaults"
    assert '<th scope="col">year</th>' in page and "<td>2.5937</td>" in page
    assert "▶ Run" in page  # language: en
    # Its own demos package went into the browser wheel; this repository's did not.
    lock = next((site / "site" / "assets" / "plab").glob("pyodide-lock.*.json")).read_text()
    assert '"imports": ["demos", "plab_runner"]' in lock
    import zipfile

    (browser_wheel,) = (site / "site" / "assets" / "plab").glob("plab_site_demos-*.whl")
    names = zipfile.ZipFile(browser_wheel).namelist()
    assert "demos/growth.py" in names and "demos/linear.py" not in names
