"""Each part of the plugin can be switched off, as Material's plugins' parts can: the plugin
(``enabled``), live blocks (``blocks``), prose forms (``prose``), site charts and tables
(``charts``) and math (``math``). Off, its syntax is left exactly as the site without the
plugin would show it, and what only it needs (the demos package, the browser runtime) is
neither required nor emitted.

Each test builds the tiny site (in this process, see ``TinySite.build``) with one page that
the switched-off part would fail or change, so it fails without the switch.
"""

from __future__ import annotations

import html
import shutil

from tests.plugin.conftest import TinySite

# A page every part would act on: blocks, a bound figure, a claim that does not hold, a
# near miss of a block id, a chart the site does not declare.
PAGE = """\
# Switches

```pyodide
print(6 * 7)
```

```demo
module: labdemos.double
```

Doubled: {{ double-1: double | fixed(1) }}. {{ claim double-1: double > 100 }}
A near miss: {{ doubel-1: double }}.

```chart
name: nowhere
```
"""


def _options(site: TinySite, text: str) -> None:
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text() + text)


def _built(site: TinySite) -> str:
    result = site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    return html.unescape(site.html())


def _as_code(page: str, *sources: str) -> bool:
    """Each source shown as SuperFences shows a fence in a language it does not know."""
    return all(f"<pre><span></span><code>{source}\n</code></pre>" in page for source in sources)


def _no_runtime(site: TinySite, page: str) -> None:
    out = site.root / "out"
    assert not (out / "assets" / "plab").exists(), sorted((out / "assets" / "plab").iterdir())
    assert not list(out.glob("plab-sw*.js")) and "assets/plab" not in page


def test_the_plugin_switched_off_leaves_every_page_as_it_was(tiny_site: TinySite):
    _options(tiny_site, "      enabled: false\n")
    shutil.rmtree(tiny_site.root / "labdemos")  # not needed when the plugin is off
    tiny_site.write_page(PAGE)
    page = _built(tiny_site)
    assert _as_code(page, "print(6 * 7)", "module: labdemos.double", "name: nowhere")
    assert "{{ double-1: double | fixed(1) }}" in page and "{{ claim double-1:" in page
    assert "plab-" not in page
    _no_runtime(tiny_site, page)


def test_blocks_off_leaves_the_fences_as_code_and_emits_no_runtime(tiny_site: TinySite):
    _options(tiny_site, "      blocks:\n        enabled: false\n      charts: false\n")
    shutil.rmtree(tiny_site.root / "labdemos")  # no demos package is needed without blocks
    tiny_site.write_page(PAGE.split("Doubled")[0])
    page = _built(tiny_site)
    assert _as_code(page, "print(6 * 7)", "module: labdemos.double")
    assert "plab-" not in page
    _no_runtime(tiny_site, page)


def test_blocks_off_keeps_a_sites_own_fence_of_that_name(tiny_site: TinySite):
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace(
            "  - pymdownx.superfences\n",
            "  - pymdownx.superfences:\n      custom_fences:\n"
            "        - name: pyodide\n          class: their-pyodide\n"
            "          format: !!python/name:pymdownx.superfences.fence_div_format\n",
        )
        + "      blocks: false\n"
    )
    tiny_site.write_page("# T\n\n```pyodide\nprint(6 * 7)\n```\n")
    page = _built(tiny_site)
    assert '<div class="their-pyodide">print(6 * 7)</div>' in page, page


def test_prose_off_leaves_every_double_brace_as_written(tiny_site: TinySite):
    _options(tiny_site, "      prose:\n        enabled: false\n      charts: false\n")
    tiny_site.write_page(PAGE)
    page = _built(tiny_site)
    assert "{{ double-1: double | fixed(1) }}" in page
    assert "{{ claim double-1: double > 100 }}" in page and "{{ doubel-1: double }}" in page
    assert 'data-bind="' not in page
    assert '<span class="plab-stdout">42\n</span>' in page  # the blocks still run


def test_charts_off_leaves_chart_fences_as_code(tiny_site: TinySite):
    _options(tiny_site, "      charts:\n        enabled: false\n")
    tiny_site.write_page(PAGE.split("Doubled")[0] + "```chart\nname: nowhere\n```\n")
    page = _built(tiny_site)
    assert _as_code(page, "name: nowhere")
    assert "plab-chart" not in page.split("</head>")[1]  # the head: the inlined styles
    assert '<span class="plab-stdout">42\n</span>' in page  # the blocks still run


def test_charts_off_does_not_read_the_charts_module(tiny_site: TinySite):
    (tiny_site.root / "broken_charts.py").write_text("raise RuntimeError('read me not')\n")
    _options(tiny_site, "      charts_module: broken_charts.py\n      charts: false\n")
    tiny_site.write_page("# T\n\n```pyodide\nprint(6 * 7)\n```\n")
    page = _built(tiny_site)
    assert '<span class="plab-stdout">42\n</span>' in page


def test_math_as_a_part_with_nothing_else_emits_only_the_stylesheet_and_font(
    tiny_site: TinySite,
):
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace(
            "  - attr_list\n", "  - attr_list\n  - pymdownx.arithmatex:\n      generic: true\n"
        )
        + "      math:\n        enabled: true\n      blocks: false\n      prose: false\n"
    )
    shutil.rmtree(tiny_site.root / "labdemos")
    tiny_site.write_page("# T\n\nEuler: $e^{i\\pi} + 1 = 0$.\n")
    page = _built(tiny_site)
    assert "<math" in page and "arithmatex" not in page
    files = sorted(p.name for p in (tiny_site.root / "out" / "assets" / "plab").iterdir())
    [font] = files
    assert font.startswith("plab-math.") and font.endswith(".woff2"), files
    # No loader adds the font after the load event here: the page's inlined styles name it.
    assert f"url(assets/plab/{font})" in page and page.count("<style data-plab-styles>") == 1
    # ... and gives it to every formula, after the stylesheet's system math font (the loader
    # would give it to each formula as it neared the screen).
    styles = page[page.index("<style data-plab-styles>") :]
    system, site = "font-family: math;", 'font-family: "PLab Math", math; }'
    assert system in styles and site in styles and styles.index(system) < styles.index(site)
    assert "loader." not in page
    assert not list((tiny_site.root / "out").glob("plab-sw*.js"))


def test_a_switch_written_wrong_is_a_config_error_with_the_fix(tiny_site: TinySite):
    _options(tiny_site, "      blocks: off-please\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert "blocks" in result.stderr and "enabled: false" in result.stderr, result.stderr


def test_a_fence_in_a_site_without_superfences_says_to_add_it(tiny_site: TinySite):
    """Without the extension, Markdown reads each fence as plain code: the error names the
    missing extension, not the fence's place. A page with no fence builds as before."""
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - pymdownx.superfences\n", ""))
    assert "superfences" not in yml.read_text()
    tiny_site.write_page("# T\n\nText only.\n")
    assert tiny_site.build().returncode == 0
    tiny_site.write_page("---\ntitle: T\n---\n\n# T\n\n```pyodide\nprint(1)\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert "pages/index.md:7: this pyodide fence needs pymdownx.superfences" in result.stderr, (
        result.stderr[-2000:]
    )
    assert "add `- pymdownx.superfences`" in result.stderr
    assert "never rendered" not in result.stderr


def test_charts_without_blocks_get_a_runtime_without_a_demos_package(tmp_path):
    """Charts on, blocks off: the loader (which shows charts live) is built, and the browser
    wheel holds the runner only, since the site has no demos package to pack."""
    import json
    import zipfile

    from parameter_lab import runtime_assets

    dist = runtime_assets.ensure_dist()
    runtime = runtime_assets.build_runtime(dist, None, tmp_path, cdn="https://cdn.invalid/")
    manifest = runtime.manifest
    names = zipfile.ZipFile(runtime.directory / manifest["wheel"]).namelist()
    assert [n for n in names if not n.startswith("plab_site_demos-")] == ["plab_runner.py"]
    lock = json.loads((runtime.directory / manifest["lock"]).read_text())
    (ours,) = [p for p in lock["packages"].values() if p["file_name"].endswith(manifest["wheel"])]
    assert ours["imports"] == ["plab_runner"]
    assert (runtime.directory / manifest["loader"]).is_file()
