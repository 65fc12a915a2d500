"""Math is rendered at build by KaTeX on Node: pages carry KaTeX HTML and link its CSS."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from parameter_lab import formulas, runtime_assets

from tests.conftest import ROOT

KATEX_JS = runtime_assets.ensure_dist() / "node" / "katex.min.js"
PAGE = """<html><head><title>t</title></head><body><article>
<p>Loss <span class="arithmatex">\\(L(w) = w^2 &lt; 1\\)</span> and
<span class="arithmatex">\\(b\\)</span>.</p>
<div class="arithmatex">\\[
\\begin{aligned} \\frac{\\partial L}{\\partial w} &amp;= 2w \\end{aligned}
\\]</div>
</article></body></html>"""


@pytest.fixture
def renderer():
    r = formulas.KatexRenderer(KATEX_JS)
    yield r
    r.close()


def test_inline_and_display_math_become_katex_html(renderer):
    out = formulas.render_page(PAGE, renderer, "../assets/katex.min.css", "docs/p.md")
    assert "arithmatex" not in out  # the loader would otherwise fetch the math script
    assert out.count('<span class="plab-math"><span class="katex">') == 2
    # HTML-escaped TeX reached KaTeX unescaped: MathML carries the source as annotation.
    assert "L(w) = w^2 &lt; 1</annotation>" in out
    assert "<mo>&lt;</mo>" in out
    display = re.search(r'<div class="plab-math plab-math--display"([^>]*)>', out)
    assert display, out
    # A wide formula scrolls on a phone: it takes focus and has a name.
    assert 'tabindex="0"' in display.group(1) and 'aria-label="数式"' in display.group(1)
    assert 'class="katex-display"' in out and "<mfrac>" in out
    head = out.split("</head>")[0]
    assert head.count('<link rel="stylesheet" href="../assets/katex.min.css">') == 1
    # The faces every formula uses load with the stylesheet, not after the first paint.
    for face in ("KaTeX_Main-Regular", "KaTeX_Math-Italic"):
        preload = f'<link rel="preload" href="../assets/fonts/{face}.woff2" as="font"'
        assert head.count(preload) == 1 and "crossorigin>" in head, head


def test_a_page_without_math_is_untouched(renderer):
    page = "<html><head></head><body><p>1 + 1 = 2, \\(not math\\)</p></body></html>"
    assert formulas.render_page(page, renderer, "k.css", "docs/p.md") is page
    assert renderer._proc is None  # no Node process for a site without math


def test_bad_tex_names_the_page_and_the_formula(renderer):
    page = '<html><head></head><body><span class="arithmatex">\\(\\frac{1}\\)</span></body></html>'
    expected = r"docs/bad\.md: KaTeX cannot render '\\\\frac\{1\}'"
    with pytest.raises(formulas.MathError, match=expected):
        formulas.render_page(page, renderer, "k.css", "docs/bad.md")


def test_one_node_process_serves_every_page(monkeypatch):
    started = []
    real_popen = subprocess.Popen

    def counting_popen(*args, **kwargs):
        started.append(args[0])
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(formulas.subprocess, "Popen", counting_popen)
    renderer = formulas.KatexRenderer(KATEX_JS)
    for _ in range(3):
        assert "katex" in formulas.render_page(PAGE, renderer, "k.css", "docs/p.md")
    renderer.close()
    assert len(started) == 1


def test_node_missing_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(formulas.shutil, "which", lambda name: None)
    with pytest.raises(formulas.MathError, match=r"`node` is not on PATH: install Node\.js"):
        formulas.render_page(PAGE, formulas.KatexRenderer(KATEX_JS), "k.css", "docs/p.md")


def test_node_that_dies_is_reported(tmp_path: Path):
    broken = tmp_path / "katex.min.js"
    broken.write_text("throw new Error('not katex');")
    with pytest.raises(formulas.MathError, match=r"(?s)stopped unexpectedly: .*Error: not katex"):
        formulas.render_page(PAGE, formulas.KatexRenderer(broken), "k.css", "docs/p.md")


def test_the_wheel_carries_the_katex_that_renders_at_build():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["parameter_lab"]
    relative = KATEX_JS.relative_to(runtime_assets.PACKAGE_DIR).as_posix()
    assert any(fnmatch.fnmatch(relative, p) for p in patterns), (relative, patterns)
    # The same KaTeX version renders at build and styles the page.
    version = re.search(rb'version:"([0-9.]+)"', KATEX_JS.read_bytes())
    npm = json.loads((ROOT / "node_modules/katex/package.json").read_text())
    assert version and version.group(1).decode() == npm["version"]


def test_built_pages_link_katex_css_only_where_there_is_math(built_site: Path):
    with_math = []
    for page in sorted(built_site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        assert 'class="arithmatex"' not in text, page
        has_math = 'class="plab-math' in text
        links = re.findall(r'<link rel="stylesheet" href="([^"]*katex\.min\.css)">', text)
        assert len(links) == (1 if has_math else 0), page
        if has_math:
            assert (page.parent / links[0]).resolve().is_file(), links[0]
            fonts = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', text)
            assert fonts and all((page.parent / f).resolve().is_file() for f in fonts), fonts
            with_math.append(page)
    assert with_math, "no built page has math: the check above proved nothing"


def test_a_link_made_of_one_formula_is_named_by_its_text(renderer):
    page = (
        '<html><head></head><body><p><a href="#d:lr=3"><span class="arithmatex">'
        '\\(\\lambda = 0.1\\)</span></a> and <a href="#e">rate <span class="arithmatex">'
        "\\(\\eta\\)</span></a></p></body></html>"
    )
    out = formulas.render_page(page, renderer, "k.css", "docs/p.md")
    links = re.findall(r"<a [^>]*>", out)
    assert links == ['<a href="#d:lr=3" aria-label="λ=0.1">', '<a href="#e">'], links
