"""Another site uses the plugin: README's "Use the plugin in your own site", followed literally.

The wheel is built from this checkout and installed into a new venv with nothing else of
this repository; the site's files are the ones the README shows, taken from the README.

Every venv here is new and gets the plugin from the wheel just built. What they install
beside it (mkdocs-material, mkdocs-macros-plugin, the plugin's own dependencies) comes from
a local wheelhouse, downloaded once per reuse_requirements.txt and pyproject.toml's
dependencies (``.cache/reuse-wheels/<key>``), so a second run needs no package index; the
other sites' venv starts as a copy of one made from it (``<key>/venv``).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

SECTION = "## Use the plugin in your own site"
REQUIREMENTS = Path(__file__).with_name("reuse_requirements.txt")
WHEELHOUSES = ROOT / ".cache" / "reuse-wheels"
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


@pytest.fixture(scope="module")
def wheelhouse() -> Path:
    """Wheels of everything the venvs here install but the plugin: the plugin's dependency
    ranges and reuse_requirements.txt, resolved together. Kept per their text and this
    Python; a new key (a changed pin or range) downloads it again, once."""
    dependencies = _dependencies()
    key = hashlib.sha256(
        "\n".join(
            [REQUIREMENTS.read_text(), *dependencies, sys.version, sysconfig.get_platform()]
        ).encode()
    ).hexdigest()[:16]
    house = WHEELHOUSES / key
    if (house / "COMPLETE").is_file():
        return house
    partial = WHEELHOUSES / f"{key}.partial-{os.getpid()}"
    pip = [sys.executable, "-m", "pip", "wheel", "-q", "-w", str(partial)]
    result = subprocess.run(
        [*pip, "-r", str(REQUIREMENTS), *dependencies], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (partial / "COMPLETE").write_text("\n".join(sorted(p.name for p in partial.glob("*.whl"))))
    try:
        partial.rename(house)
    except OSError:  # another run finished first: its copy is as good
        shutil.rmtree(partial)
    return house


def _offline(env: dict, house: Path) -> dict:
    """pip, in any venv, installs from ``house`` only; Python compiles what a build imports
    when it imports it, not every module installed."""
    return {**env, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(house), "PIP_NO_COMPILE": "1"}


def test_a_new_site_builds_with_the_installed_wheel(wheel: Path, wheelhouse: Path, tmp_path: Path):
    files, commands = readme_blocks()
    site = tmp_path / "empty"
    site.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env = _offline({**env, "NO_MKDOCS_2_WARNING": "1"}, wheelhouse)

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
    (browser_wheel,) = (site / "site" / "assets" / "plab").glob("wheel-*/plab_site_demos-*.whl")
    names = zipfile.ZipFile(browser_wheel).namelist()
    assert "demos/growth.py" in names and "demos/linear.py" not in names


# ---- other sites, built from the wheel in one venv ------------------------------------------
# Each is a site set up the way people set them up, built `--strict` with the installed
# wheel and nothing of this repository; the HTML must show what that site expects. One
# venv serves them all, installed from the wheelhouse.

DEMO = """\
def run(x: float = 2.0) -> dict:
    print("running", x)
    return {"double": x * 2}
"""

BLOCKS = "```pyodide\nprint(6 * 7)\n```\n\n```demo\nmodule: {package}.double\n```\n"


@pytest.fixture(scope="module")
def site_venv(wheel: Path, wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel just built. Its other packages come from a venv of the
    wheelhouse's (made once per wheelhouse), copied: pip then installs the wheel into the
    copy, checking its requirements against what is there, from no index."""
    base = wheelhouse / "venv"
    if not (base / "COMPLETE").is_file():
        shutil.rmtree(base, ignore_errors=True)
        _install(_new_venv(base), wheelhouse, "-r", str(REQUIREMENTS), *_dependencies())
        (base / "COMPLETE").write_text("")
    venv = tmp_path_factory.mktemp("sites") / "venv"
    shutil.copytree(base, venv, symlinks=True)
    _install(venv, wheelhouse, str(wheel))
    return venv


def _dependencies() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def _new_venv(path: Path) -> Path:
    # No pip of its own (ensurepip is most of a venv's making): this pip installs into it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    return path


def _install(venv: Path, wheelhouse: Path, *what: str) -> None:
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    result = subprocess.run(
        [*pip, "install", "-q", "--no-index", "--find-links", str(wheelhouse), *what],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _site(root: Path, yml: str, pages: dict[str, str], package: str = "demos") -> Path:
    folder = root / Path(*package.split("."))
    folder.mkdir(parents=True)
    for parent in [folder, *list(folder.parents)[: len(package.split(".")) - 1]]:
        (parent / "__init__.py").write_text("")
    (folder / "double.py").write_text(DEMO)
    (root / "mkdocs.yml").write_text(yml)
    for name, text in pages.items():
        (root / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "docs" / name).write_text(text, encoding="utf-8")
    return root


def _build(venv: Path, root: Path, path_env: str | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if path_env is not None:
        env["PATH"] = path_env
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "mkdocs", "build", "--strict"],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, f"{root.name}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"


def _html(root: Path, page: str = "index.html") -> str:
    return html.unescape((root / "site" / page).read_text(encoding="utf-8"))


MATERIAL = "site_name: {name}\ntheme:\n  name: material\n  font: false\n"


def test_english_material_site_without_a_language_option(site_venv: Path, tmp_path: Path):
    yml = MATERIAL.format(name="English") + (
        "markdown_extensions:\n  - pymdownx.superfences\nplugins:\n  - parameter-lab\n"
    )
    root = _site(tmp_path, yml, {"index.md": "# Home\n\n" + BLOCKS.format(package="demos")})
    _build(site_venv, root)
    page = _html(root)
    assert "▶ Run" in page and "実行" not in page and '<html lang="en"' in page
    assert '<span class="plab-stdout">42\n</span>' in page
    # The loader starts at the load event; a Run pressed before then says so in English.
    head = page.split("</head>")[0]
    assert re.search(
        r'<script data-plab-loader="assets/plab/loader\.[0-9a-f]{10}\.js" '
        r'data-plab-preparing="Preparing…">',
        head,
    )


def test_blog_with_a_block_in_a_posts_excerpt(site_venv: Path, tmp_path: Path):
    yml = MATERIAL.format(name="Blog") + (
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "plugins:\n  - search\n  - blog\n  - parameter-lab\n"
    )
    post = "---\ndate: 2024-01-31\n---\n\n# Post\n\n" + BLOCKS.format(package="demos")
    post += "\n<!-- more -->\n\nMore.\n"
    pages = {"index.md": "# Home\n", "blog/index.md": "# Blog\n", "blog/posts/p.md": post}
    root = _site(tmp_path, yml, pages)
    _build(site_venv, root)
    for page in ["blog/index.html", "blog/archive/2024/index.html"]:
        assert '<span class="plab-stdout">42\n</span>' in _html(root, page), page
        # The wheel holds the search index's hold, and Material's search waits for intent.
        head = _html(root, page).split("</head>")[0]
        assert "<script data-plab-search-hold>" in head, page


def test_latex_braces_beside_the_prose_forms(site_venv: Path, tmp_path: Path):
    yml = MATERIAL.format(name="LaTeX") + (
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "  - pymdownx.arithmatex:\n      generic: true\nplugins:\n  - parameter-lab\n"
    )
    text = (
        "# Home\n\n" + BLOCKS.format(package="demos") + "\n"
        "Density $\\frac{1}{{\\sqrt{2\\pi}}}$, macros' {{ page.title }}, "
        "ours {{ double-1: double | fixed(1) }}.\n"
    )
    root = _site(tmp_path, yml, {"index.md": text})
    _build(site_venv, root)
    page = _html(root)
    assert "{{\\sqrt{2\\pi}}}" in page and "{{ page.title }}" in page
    assert re.search(r'data-bind="double-1\.double"[^>]*>4\.0<', page)


def test_mathjax_site_without_node_on_path(site_venv: Path, tmp_path: Path):
    yml = MATERIAL.format(name="MathJax") + (
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "  - pymdownx.arithmatex:\n      generic: true\n"
        "extra_javascript:\n  - https://unpkg.com/mathjax@3/es5/tex-mml-chtml.js\n"
        "plugins:\n  - parameter-lab\n"
    )
    text = "# Home\n\n" + BLOCKS.format(package="demos") + "\nEuler: $e^{i\\pi} + 1 = 0$.\n"
    root = _site(tmp_path, yml, {"index.md": text})
    _build(site_venv, root, path_env=str(site_venv / "bin"))  # no node
    page = _html(root)
    assert '<span class="arithmatex">\\(e^{i\\pi} + 1 = 0\\)</span>' in page


def test_math_from_the_wheel_becomes_mathml(site_venv: Path, tmp_path: Path):
    """Temml's side runs from the installed wheel (its Node.js program is package data)."""
    yml = MATERIAL.format(name="Math") + (
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "  - pymdownx.arithmatex:\n      generic: true\n"
        "plugins:\n  - parameter-lab:\n      math: true\n"
    )
    text = "# Home\n\nEuler: $e^{i\\pi} + 1 = 0$.\n\n$$\n\\sum_i x_i\n$$\n"
    root = _site(tmp_path, yml, {"index.md": text})
    _build(site_venv, root)
    page = _html(root)
    assert "arithmatex" not in page
    assert re.search(r"<math[^>]*>.*<mi>e</mi>.*</math>", page, re.S)
    assert re.search(r'<div class="plab-math plab-math--display"[^>]*><math display="block"', page)


def test_src_layout_with_a_dotted_demos_package(site_venv: Path, tmp_path: Path):
    yml = MATERIAL.format(name="Src") + (
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "plugins:\n  - parameter-lab:\n      demos_package: mysite.demos\n"
    )
    root = tmp_path
    _site(root / "src", yml, {}, package="mysite.demos")
    (root / "src" / "mkdocs.yml").rename(root / "mkdocs.yml")
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Home\n\n" + BLOCKS.format(package="mysite.demos"))
    _build(site_venv, root)
    page = _html(root)
    assert '<span class="plab-stdout">42\n</span>' in page
    assert '<pre class="plab-text">{\n "double": 4.0\n}</pre>' in page
    (wheel,) = (root / "site" / "assets" / "plab").glob("wheel-*/plab_site_demos-*.whl")
    assert "mysite/demos/double.py" in zipfile.ZipFile(wheel).namelist()


def test_mkdocs_macros_beside_the_prose_forms(site_venv: Path, tmp_path: Path):
    """The real mkdocs-macros-plugin: its `{{ var }}` and ours on one page. parameter-lab is
    listed first: it takes only the `{{ }}` that name its page's blocks, and macros then
    renders the rest as Jinja (macros first would read `{{ double-1: … }}` as broken Jinja)."""
    yml = MATERIAL.format(name="Macros") + (
        "extra:\n  greeting: Hello from macros\n"
        "markdown_extensions:\n  - pymdownx.superfences\n"
        "plugins:\n  - parameter-lab\n  - macros:\n      on_error_fail: true\n"
    )
    text = (
        "# Home\n\n" + BLOCKS.format(package="demos") + "\n"
        "{{ greeting }} on {{ config.site_name }}; ours {{ double-1: double | fixed(1) }}.\n"
    )
    root = _site(tmp_path, yml, {"index.md": text})
    _build(site_venv, root)
    page = _html(root)
    article = page.split('<article class="md-content__inner md-typeset">', 1)[1]
    assert "Hello from macros on Macros; ours " in article, article[:3000]
    assert re.search(r'data-bind="double-1\.double"[^>]*>4\.0<', article)
    assert '<span class="plab-stdout">42\n</span>' in article
    assert "{{" not in article
