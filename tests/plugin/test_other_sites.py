"""The plugin in sites set up the way other people set them up: Material's blog, pages
that open with a rule, LaTeX and mkdocs-macros' ``{{ … }}`` beside our prose forms.

Each builds the tiny site (in this process, see ``TinySite.build``) with the one thing
changed that such a site has, and checks the page as that site expects it.
"""

from __future__ import annotations

import html
import re

from parameter_lab import i18n

from tests.plugin.conftest import TinySite

POST = """\
---
date: 2024-01-31
---

# A post with a block

```pyodide
print(6 * 7)
```

<!-- more -->

The rest of the post.
"""


def _use_blog(site: TinySite) -> None:
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("plugins:\n", "plugins:\n  - blog\n"))
    posts = site.root / "pages" / "blog" / "posts"
    posts.mkdir(parents=True)
    (site.root / "pages" / "blog" / "index.md").write_text("# Blog\n")
    (posts / "first.md").write_text(POST)


def test_a_block_in_a_blog_excerpt_renders_in_the_post_and_the_views(tiny_site: TinySite):
    _use_blog(tiny_site)
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not found by the validator" not in result.stderr
    out = tiny_site.root / "out"
    views = [out / "blog" / "index.html", out / "blog" / "archive" / "2024" / "index.html"]
    for page in [*views, next((out / "blog").glob("2024/01/31/*/index.html"))]:
        text = page.read_text(encoding="utf-8")
        assert '<span class="plab-stdout">42\n</span>' in text, page


def test_two_posts_excerpts_on_one_view_keep_distinct_ids(tiny_site: TinySite):
    _use_blog(tiny_site)
    second = POST.replace("2024-01-31", "2024-02-01").replace("6 * 7", "6 * 8")
    (tiny_site.root / "pages" / "blog" / "posts" / "second.md").write_text(second)
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    view = (tiny_site.root / "out" / "blog" / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<div class="plab-block plab-cell" id="([^"]+)"', view)
    assert len(ids) == 2 and len(set(ids)) == 2, ids


def test_a_page_that_opens_with_a_rule_builds(tiny_site: TinySite):
    tiny_site.write_page("---\n\n# After a rule\n\nText.\n\n---\n\nMore text.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert tiny_site.html().count("<hr") == 2


def test_a_page_that_opens_with_a_lone_rule_builds(tiny_site: TinySite):
    tiny_site.write_page("---\n\n# After a rule\n\nText.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "<hr" in tiny_site.html()


def test_latex_and_mkdocs_macros_braces_stay_for_their_owners(tiny_site: TinySite):
    tiny_site.write_page(
        "# T\n\n$\\frac{1}{{\\sqrt{2\\pi}}}$ is {{ page.title }}.\n\n"
        "```demo\nmodule: labdemos.double\n```\n\nDouble: {{ double-1: double }}.\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    text = tiny_site.html()
    assert "$\\frac{1}{{\\sqrt{2\\pi}}}$ is {{ page.title }}." in text
    assert re.search(r"Double: <span[^>]*>4\.0</span>", text)


_JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")
_UNESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")  # JSON in the loader: the manifest
ENGLISH_YML = """\
site_name: English lab
docs_dir: pages
theme:
  name: material
  font: false
markdown_extensions:
  - pymdownx.superfences
plugins:
  - parameter-lab:
      demos_package: labdemos
"""


def test_an_english_material_site_without_the_option_is_english_throughout(
    tiny_site: TinySite,
):
    (tiny_site.root / "mkdocs.yml").write_text(ENGLISH_YML)
    tiny_site.write_page(
        "# T\n\n```pyodide\nprint(1)\n```\n\n```demo\nmodule: labdemos.double\n"
        "controls:\n  - {name: x, min: 0, max: 4, value: 2}\n```\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    page = tiny_site.html()
    assert "▶ Run" in page
    assert not _JAPANESE.findall(page), _JAPANESE.findall(page)[:20]
    assets = tiny_site.root / "out" / "assets" / "plab"
    # Libraries' own tables list CJK character ranges: look for the Japanese words instead.
    japanese = [w for part in i18n.shipped()["ja"].values() for w in part.values()]
    japanese = [w for w in japanese if _JAPANESE.search(w)]
    for script in assets.glob("*.js"):
        text = _UNESCAPE.sub(lambda m: chr(int(m[1], 16)), script.read_text(encoding="utf-8"))
        assert not [w for w in japanese if w in text], script.name
    (loader,) = assets.glob("loader.*.js")
    assert "Preparing\\u2026" in loader.read_text(encoding="utf-8")


def test_a_site_adds_a_language_with_a_data_file(tiny_site: TinySite):
    import json

    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(
        ENGLISH_YML.replace("  name: material\n", "  name: material\n  language: fr\n")
        + "      locales_dir: locales\n"
    )
    words = i18n.load("en", None)
    words["build"]["run"] = "▶ Exécuter"
    del words["runtime"]["retry"]
    (tiny_site.root / "locales").mkdir()
    (tiny_site.root / "locales" / "fr.json").write_text(json.dumps(words))
    tiny_site.write_page("# T\n\n```pyodide\nprint(1)\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert "locales/fr.json: missing words: runtime.retry" in result.stderr
    words["runtime"]["retry"] = "Réessayer"
    (tiny_site.root / "locales" / "fr.json").write_text(json.dumps(words))
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "▶ Exécuter" in tiny_site.html()


HOSTILE = ["2*3*4", "[docs](javascript:alert(1))", "<b>bold</b>", "_a_ `c` ~~s~~ $x$ |t|", "# h"]


def test_figure_values_stay_text_whatever_they_hold(tiny_site: TinySite):
    lines = []
    for i, value in enumerate(HOSTILE):
        lines.append(
            f"```demo\nid: d{i}\nmodule: labdemos.double\ncontrols:\n"
            f"  - {{name: word, type: text, value: {value!r}}}\n```\n\n"
            f"Value {i}: {{{{ d{i}: word }}}} end.\n"
        )
    tiny_site.write_page("# T\n\n" + "\n".join(lines))
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    page = tiny_site.html()
    for i, value in enumerate(HOSTILE):
        m = re.search(rf"Value {i}: <span [^>]*>(.*?)</span> end\.", page)
        assert m, (value, page[page.find(f"Value {i}") :][:300])
        assert "<" not in m[1], m[1]
        assert html.unescape(m[1]) == value
    assert "javascript:" not in page.replace("[docs](javascript:alert(1))", "")


def test_a_src_layout_with_a_dotted_demos_package(tiny_site: TinySite):
    import json
    import shutil
    import zipfile

    src = tiny_site.root / "src" / "mysite"
    src.mkdir(parents=True)
    (src / "__init__.py").write_text('"""The site\'s code."""\n')
    shutil.move(tiny_site.root / "labdemos", src / "demos")
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace("demos_package: labdemos", "demos_package: mysite.demos")
    )
    tiny_site.write_page(
        "# T\n\n```demo\nmodule: mysite.demos.double\n```\n\n{{ double-1: double }}\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.search(r'data-bind="double-1\.double"[^>]*>4\.0<', tiny_site.html())
    assets = tiny_site.root / "out" / "assets" / "plab"
    (wheel,) = assets.glob("wheel-*/plab_site_demos-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "mysite/demos/double.py" in names and "mysite/__init__.py" in names
    assert not [n for n in names if n.startswith("demos/")]
    (lock,) = assets.glob("pyodide-lock.*.json")
    entry = json.loads(lock.read_text())["packages"]["plab-site-demos"]
    assert entry["imports"] == ["mysite", "plab_runner"]


def test_a_site_overrides_a_template_from_its_custom_dir(tiny_site: TinySite):
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  font: false\n", "  font: false\n  custom_dir: o\n"))
    own = tiny_site.root / "o" / "parameter_lab"
    own.mkdir(parents=True)
    (own / "figure.html").write_text('<b class="my-figure">{{ text | inert }}</b>')
    tiny_site.write_page(
        "# T\n\n```demo\nmodule: labdemos.double\n```\n\nIt is {{ double-1: double }}.\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'It is <b class="my-figure">4.0</b>.' in tiny_site.html()


def test_a_site_without_charts_builds_without_altair_or_vl_convert(tiny_site: TinySite):
    import subprocess
    import sys
    import tomllib

    from tests.conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    heavy = ("altair", "vl-convert-python")
    assert not [d for d in project["dependencies"] if d.startswith(heavy)]
    assert sorted(d.split(">")[0] for d in project["optional-dependencies"]["charts"]) == [*heavy]
    tiny_site.write_page("# T\n\n```demo\nmodule: labdemos.double\n```\n")
    blocked = (
        "import sys; sys.modules['altair'] = sys.modules['vl_convert'] = None\n"
        "from mkdocs.__main__ import cli\n"
        "cli(['build', '--strict', '-d', 'out'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", blocked], cwd=tiny_site.root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert '<pre class="plab-text">' in tiny_site.html()


def test_a_template_that_fails_is_a_message_at_the_blocks_line(tiny_site: TinySite):
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  font: false\n", "  font: false\n  custom_dir: o\n"))
    own = tiny_site.root / "o" / "parameter_lab"
    own.mkdir(parents=True)
    (own / "cell.html").write_text("{{ block.nosuch.attr }}")
    tiny_site.write_page("# T\n\n```pyodide\nprint(1)\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert "pages/index.md:3: rendering pyodide-1 failed: UndefinedError" in result.stderr
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def _use_search(site: TinySite, *options: str) -> None:
    yml = site.root / "mkdocs.yml"
    text = yml.read_text().replace("plugins:\n", "plugins:\n  - search\n")
    yml.write_text(text + "".join(f"      {option}\n" for option in options))


def test_a_material_site_with_search_fetches_its_index_on_intent(tiny_site: TinySite):
    _use_search(tiny_site)
    tiny_site.write_page("# T\n\n```pyodide\nprint(6 * 7)\n```\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    page = tiny_site.html()
    head, body = page.split("</head>")
    # In the head: it runs before Material's bundle (a script at the end of the body).
    assert head.count("<script data-plab-search-hold>") == 1
    assert "search_index" in head.split("<script data-plab-search-hold>")[1]
    assert "data-plab-search-hold" not in body and "/bundle." in body


def test_a_material_site_with_search_and_nothing_else_still_holds_its_index(
    tiny_site: TinySite,
):
    _use_search(tiny_site, "blocks: false", "charts: false", "prose: false")
    tiny_site.write_page("# T\n\nText.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "<script data-plab-search-hold>" in tiny_site.html().split("</head>")[0]
    not_found = (tiny_site.root / "out" / "404.html").read_text(encoding="utf-8")
    assert "<script data-plab-search-hold>" in not_found.split("</head>")[0]
    assert "assets/plab" not in tiny_site.html(), "no runtime for a site without blocks"


def test_another_themes_search_is_left_as_it_is(tiny_site: TinySite):
    _use_search(tiny_site)
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  name: material\n  font: false\n", "  name: mkdocs\n"))
    tiny_site.write_page("# T\n\n```pyodide\nprint(6 * 7)\n```\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "plab-stdout" in tiny_site.html() and "plab-search-hold" not in tiny_site.html()


def test_search_on_intent_off_leaves_materials_search_as_it_is(tiny_site: TinySite):
    _use_search(tiny_site, "search_on_intent: false")
    tiny_site.write_page("# T\n\n```pyodide\nprint(6 * 7)\n```\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'name="search"' in tiny_site.html() and "plab-search-hold" not in tiny_site.html()


def test_a_site_without_search_gets_no_hold(tiny_site: TinySite):
    tiny_site.write_page("# T\n\nText.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "plab-search-hold" not in tiny_site.html()
