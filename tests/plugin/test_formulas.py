"""Math is rendered at build by Temml on Node as MathML Core, when the site turns ``math`` on;
off (the default), arithmatex's output is left for the site's own math script."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from markdown import Markdown
from parameter_lab import formulas, runtime_assets

from tests.conftest import ROOT
from tests.plugin.conftest import TinySite

TEMML_JS = runtime_assets.ensure_dist() / "node" / "temml.cjs"
PAGE = """<html><head><title>t</title></head><body><article>
<p>Loss <span class="arithmatex">\\(L(w) = w^2 &lt; 1\\)</span> and
<span class="arithmatex">\\(\\mathbf{b} \\in \\mathbb{R}\\)</span>.</p>
<div class="arithmatex">\\[
\\begin{aligned} \\frac{\\partial L}{\\partial w} &amp;= 2w \\end{aligned}
\\]</div>
</article></body></html>"""


@pytest.fixture
def renderer():
    r = formulas.MathRenderer(TEMML_JS)
    yield r
    r.close()


def test_inline_and_display_math_become_mathml(renderer):
    out = formulas.render_page(PAGE, renderer, "docs/p.md")
    assert "arithmatex" not in out  # the loader would otherwise fetch the math script
    assert out.count('<math class="plab-math">') == 2  # no wrapper: one element each
    # HTML-escaped TeX reached Temml unescaped, and its MathML is escaped again.
    assert "<mo>&lt;</mo>" in out
    # MathML Core: bold and double-struck letters are Unicode letters, not mathvariant
    # attributes, which Chromium ignores.
    assert "<mi>𝐛</mi>" in out and "<mi>ℝ</mi>" in out and "mathvariant" not in out
    display = re.search(r'<div class="plab-math plab-math--display"([^>]*)><math ([^>]*)>', out)
    assert display, out
    # A wide formula scrolls on a phone: it takes focus and has a name.
    assert 'tabindex="0"' in display.group(1) and 'aria-label="数式"' in display.group(1)
    assert 'display="block"' in display.group(2) and "<mfrac>" in out
    # Screen readers read the MathML itself: no hidden copy, no TeX annotation, and the page
    # links nothing (the few rules are in plab.css, which the plugin inlines into the head).
    assert "aria-hidden" not in out and "<annotation" not in out and "katex" not in out
    assert out.split("</head>")[0] == PAGE.split("</head>")[0]


def test_an_inline_formula_keeps_its_own_class_and_attributes():
    mathml = '<math class="tml-x" style="a"><mi>x</mi></math>'
    out = formulas._inline_math(mathml, ' data-x="1"')
    assert out == '<math class="plab-math tml-x" data-x="1" style="a"><mi>x</mi></math>'
    with pytest.raises(formulas.MathError, match="does not start with <math>"):
        formulas._inline_math("<span>x</span>", "")


def test_a_page_without_math_is_untouched(renderer):
    page = "<html><head></head><body><p>1 + 1 = 2, \\(not math\\)</p></body></html>"
    assert formulas.render_page(page, renderer, "docs/p.md") is page
    assert renderer._proc is None  # no Node process for a site without math


def test_bad_tex_names_the_page_and_the_formula(renderer):
    page = '<html><head></head><body><span class="arithmatex">\\(\\frac{1}\\)</span></body></html>'
    expected = r"docs/bad\.md: Temml cannot render '\\\\frac\{1\}'"
    with pytest.raises(formulas.MathError, match=expected):
        formulas.render_page(page, renderer, "docs/bad.md")


def test_one_node_process_serves_every_page(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        started.append(args[0])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(formulas.subprocess, "Popen", counting_popen)
    renderer = formulas.MathRenderer(TEMML_JS)
    for _ in range(3):
        assert "<math" in formulas.render_page(PAGE, renderer, "docs/p.md")
    renderer.close()
    assert len(started) == 1


def test_node_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(formulas.shutil, "which", lambda name: None)
    with pytest.raises(formulas.MathError, match=r"`node` is not on PATH: install Node\.js"):
        formulas.render_page(PAGE, formulas.MathRenderer(TEMML_JS), "docs/p.md")


def test_node_that_dies_is_reported(tmp_path: Path):
    broken = tmp_path / "temml.cjs"
    broken.write_text("throw new Error('not temml');")
    with pytest.raises(formulas.MathError, match=r"(?s)stopped unexpectedly: .*Error: not temml"):
        formulas.render_page(PAGE, formulas.MathRenderer(broken), "docs/p.md")


def test_the_wheel_carries_the_temml_that_renders_at_build():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["parameter_lab"]
    for path in (TEMML_JS, formulas._RENDER_MATH, runtime_assets.DIST / runtime_assets.MATH_FONT):
        relative = path.relative_to(runtime_assets.PACKAGE_DIR).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), (relative, patterns)
    # The Temml pinned in package.json is the one that renders.
    version = re.search(rb'version = "([0-9.]+)"', TEMML_JS.read_bytes())
    npm = json.loads((ROOT / "node_modules/temml/package.json").read_text())
    assert version and version.group(1).decode() == npm["version"]


def test_built_pages_carry_mathml_and_no_request_before_their_text(built_site: Path):
    with_math = []
    for page in sorted(built_site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        assert 'class="arithmatex"' not in text, page
        assert "katex" not in text.lower(), page
        # No font preload, no font in the page and no stylesheet but Material's: nothing of
        # ours stands between the request and the first paragraph's text. The blocks' and
        # the math's styles are inlined; the loader adds the math font after the load event.
        sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
        assert sheets and all("assets/stylesheets/" in s for s in sheets), sheets
        assert 'rel="preload"' not in text and "@font-face" not in text, page
        assert text.count("<style data-plab-styles>") == 1, page
        if 'class="plab-math' in text:
            assert "<math" in text, page
            with_math.append(page)
    assert with_math, "no built page has math: the check above proved nothing"
    manifest = _loader_manifest(built_site)
    assert (built_site / "assets/plab" / manifest["font"]).is_file()
    assert "css" not in manifest and not list((built_site / "assets/plab").glob("*.css"))


def _loader_manifest(built_site: Path) -> dict:
    loader = next((built_site / "assets/plab").glob("loader.*.js")).read_text(encoding="utf-8")
    start = loader.index('{"pyodide"')
    return json.JSONDecoder().raw_decode(loader, start)[0]


def test_a_link_made_of_one_formula_is_named_by_its_text(renderer):
    page = (
        '<html><head></head><body><p><a href="#d:lr=3"><span class="arithmatex">'
        '\\(\\lambda = 0.1\\)</span></a> and <a href="#e">rate <span class="arithmatex">'
        "\\(\\eta\\)</span></a></p></body></html>"
    )
    out = formulas.render_page(page, renderer, "docs/p.md")
    links = re.findall(r"<a [^>]*>", out)
    assert links == ['<a href="#d:lr=3" aria-label="λ=0.1">', '<a href="#e">'], links


# ---- the option: on for this site, off by default for others ---------------------------------

TINY_MATH_PAGE = """# Math

Inline $a^2 + b^2 = c^2$, and a display:

$$
\\frac{1}{2} \\sum_i x_i
$$
"""


def _with_math(site: TinySite, option: str = "") -> None:
    yml = site.root / "mkdocs.yml"
    text = yml.read_text().replace(
        "  - pymdownx.superfences\n",
        "  - pymdownx.superfences\n  - pymdownx.arithmatex:\n      generic: true\n",
    )
    yml.write_text(text.replace("      language:", f"{option}      language:"))
    site.write_page(TINY_MATH_PAGE)


def test_math_off_leaves_arithmatex_output_untouched_and_needs_no_node(
    tiny_site: TinySite, monkeypatch: pytest.MonkeyPatch
):
    """A site that draws its math in the browser (MathJax …) gets arithmatex's output as
    arithmatex wrote it, and builds on a machine without Node.js."""
    _with_math(tiny_site)
    # Only the Python that runs the build on PATH: no node anywhere.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr
    html = tiny_site.html()
    md = Markdown(
        extensions=["pymdownx.arithmatex"],
        extension_configs={"pymdownx.arithmatex": {"generic": True}},
    )
    expected = md.convert(TINY_MATH_PAGE)
    found = re.findall(r'<(?:span|div) class="arithmatex">.*?</(?:span|div)>', expected, re.S)
    assert len(found) == 2 and all(element in html for element in found), (found, html)
    body = html.split("</head>")[1]  # the head holds the blocks' inlined styles
    assert "<math" not in body and "plab-math" not in body


def test_math_on_renders_mathml(tiny_site: TinySite):
    _with_math(tiny_site, "      math: true\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr
    html = tiny_site.html()
    assert "arithmatex" not in html and html.count("<math") == 2, html
