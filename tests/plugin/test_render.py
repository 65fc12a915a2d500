"""Block HTML comes from autoescaped templates: author and demo text is never markup."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from parameter_lab import controls, i18n, render
from parameter_lab.scan import Block

EVIL = '"><script>alert(1)</script>'


def _demo(**spec_overrides) -> Block:
    spec = {
        "module": "labdemos.double",
        "function": "run",
        "controls": [
            controls.parse_control(
                {
                    "name": "x",
                    "label": EVIL,
                    "help": EVIL,
                    "min": 0,
                    "max": 4,
                    "value": 2,
                    "step": 0.5,
                }
            ),
            controls.parse_control(
                {
                    "name": "word",
                    "type": "select",
                    "value": "a",
                    "options": [{"value": "a", "label": EVIL}, "b"],
                }
            ),
            controls.parse_control({"name": "note", "type": "text", "value": EVIL}),
        ],
        "views": ["text", "table:rows"],
        "title": EVIL,
        "caption": EVIL,
        "id": "d",
        "labels": {"labels": {}, "columns": {}},
        **spec_overrides,
    }
    outcome = {"ok": True, "streams": [["stdout", EVIL + "\n"]], "result": {"rows": [{"k": EVIL}]}}
    return Block("demo", 3, "", "d", spec, outcome)


def test_author_and_output_text_is_escaped_everywhere():
    page = render.render_demo(_demo(), {}, {}, i18n.strings_for("ja"), "ja")
    assert "<script>" not in page
    escaped = "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"  # Jinja's escaping
    assert page.count(escaped) >= 7  # label, help, option, text value, title, caption, stream


def test_spec_attribute_round_trips_to_the_same_json():
    block = _demo()
    page = render.render_demo(block, {}, {}, i18n.strings_for("ja"), "ja")
    attr = re.search(r'data-spec="([^"]*)"', page).group(1)
    client = json.loads(html.unescape(attr))
    assert client["controls"] == block.spec["controls"]


def test_prerendered_views_use_the_runners_formatter():
    page = render.render_demo(_demo(), {}, {}, i18n.strings_for("en"), "en")
    assert '<th scope="col">k</th>' in page
    assert "&#34;rows&#34;" in page or "&#34;rows&#34;:" in page or '"rows"' in html.unescape(page)


def _demo_with_rows(n: int) -> Block:
    block = _demo()
    rows = [{"k": f"row-{i}"} for i in range(n)]
    outcome = {"ok": True, "streams": [], "result": {"rows": rows}}
    return Block("demo", 3, "", "d", block.spec, outcome)


def test_a_long_table_shows_its_first_rows_and_keeps_the_whole_table_unopened():
    limit, shown = render.TABLE_PREVIEW["limit"], render.TABLE_PREVIEW["shown"]
    page = render.render_demo(_demo_with_rows(limit + 1), {}, {}, i18n.strings_for("ja"), "ja")
    before, unopened = page.split("<noscript data-unopened>")
    # Where scripts run, the page holds the first rows only: the rest is <noscript> text.
    assert before.count("<td>row-") == shown and "<td>row-9</td>" in before
    assert f"全{limit + 1}行を表示" in before and '<details class="plab-rows">' in before
    # Where they do not, and for search, the whole table is there, under the same name.
    table = unopened.split("</noscript>")[0]
    assert table.count("<td>row-") == limit + 1
    names = re.findall(r'aria-label="([^"]*)"><table>', page)
    assert len(names) == 2 and names[0] == names[1]


def test_a_table_within_the_limit_is_shown_whole():
    limit = render.TABLE_PREVIEW["limit"]
    page = render.render_demo(_demo_with_rows(limit), {}, {}, i18n.strings_for("en"), "en")
    assert page.count("<td>row-") == limit and "plab-rows" not in page and "<noscript" not in page


def test_button_words_are_the_strings_not_dict_methods():
    page = render.render_demo(_demo(), {}, {}, i18n.strings_for("ja"), "ja")
    assert "data-demo-copy>コピー</button>" in page  # `t.copy` would be dict.copy
    assert "built-in method" not in page


def test_english_strings():
    page = render.render_demo(_demo(), {}, {}, i18n.strings_for("en"), "en")
    assert "▶ Run" in page and "実行" not in page


def test_every_shipped_language_has_every_string_and_the_runtime_uses_each():
    shipped = i18n.shipped()
    assert {"ja", "en"} <= set(shipped)
    for part in ("build", "runtime"):
        keys = {k for words in shipped.values() for k in words[part]}
        for language, words in shipped.items():
            assert set(words[part]) == keys, (language, part)
    runtime = Path(render.__file__).parent / "runtime"
    sources = "".join(p.read_text(encoding="utf-8") for p in runtime.glob("*.js"))
    unused = [k for k in shipped["en"]["runtime"] if not re.search(rf"\b{k}\b", sources)]
    assert not unused


def test_an_english_chart_caption_has_no_japanese_punctuation():
    from parameter_lab.charts import SiteChart

    chart = SiteChart(build=None, description="Sizes", source="Papers", source_page="/s/")
    block = Block("chart", 3, "", "c", {"name": "sizes", "caption": ""})
    image = {"url": "c.svg", "width": 612, "height": 324}
    out = render.render_chart(
        block, chart, "c.json", image, None, "../s/", "models.csv", i18n.strings_for("en")
    )
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", out, re.S)[1]
    assert (
        caption == 'Sizes<br>Papers (<a href="../s/">all models and sources</a>). Data: models.csv'
    )
    assert not re.search(r"[（）。：]", out)


def test_a_chart_image_keeps_its_box_before_it_loads():
    """A lazy image without its size is 0 px tall until it loads, and everything below it
    moves as the reader scrolls to it (a layout shift, and a click that lands elsewhere)."""
    from parameter_lab.charts import SiteChart, svg_size

    svg = '<svg xmlns="http://www.w3.org/2000/svg" class="marks" width="612.5" height="324" '
    assert svg_size(svg + 'viewBox="0 0 612.5 324"></svg>') == (613, 324)  # whole pixels, not cut
    assert svg_size('<svg viewBox="0 0 1 1"></svg>') is None
    assert svg_size('<svg width="10" height="0"></svg>') is None
    chart = SiteChart(build=None, description="Sizes", source="", source_page=None)
    block = Block("chart", 3, "", "c", {"name": "sizes", "caption": ""})
    image = {"url": "c.svg", "width": 612, "height": 324}
    out = render.render_chart(
        block, chart, "c.json", image, None, None, None, i18n.strings_for("en")
    )
    img = '<img class="plab-chart-svg" src="c.svg" alt="Sizes" '
    assert img + 'width="612" height="324" loading="lazy">' in out
    out = render.render_chart(
        block, chart, "c.json", {**image, "width": None}, None, None, None, i18n.strings_for("en")
    )
    assert img + 'loading="lazy">' in out


HOSTILE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https:evil",
    "",
]


def test_link_columns_take_only_http_and_relative_urls():
    for url in HOSTILE_URLS:
        assert not render.is_safe_link(url), url
    for url in ["https://arxiv.org/abs/1", "http://a.b/c?d#e", "../sources/", "/x", "#top"]:
        assert render.is_safe_link(url), url
    table = type("T", (), {"columns": {"u": "URL"}, "links": frozenset({"u"}), "caption": ""})()
    block = Block("chart", 3, "", "t", {"name": "t", "caption": ""})
    for url in HOSTILE_URLS[:-1]:
        try:
            out = render.render_table(block, table, [{"u": url}])
        except ValueError:
            continue
        raise AssertionError(f"rendered {url!r}: {out}")


def test_a_hostile_dataset_url_stops_the_build_at_load(tmp_path):
    from parameter_lab import charts
    from parameter_lab.errors import SourceError

    site = charts.SiteCharts(tables={"src": charts.SiteTable({"u": "URL"}, frozenset({"u"}))})
    data = tmp_path / "d.csv"
    data.write_text("u\nhttps://ok.example/\njavascript:alert(1)\n")
    try:
        charts.load_rows(site, data, "docs/d.csv")
    except SourceError as exc:
        assert str(exc) == (
            "docs/d.csv: row 2, column 'u' (a link in table 'src'): 'javascript:alert(1)' "
            "is not an http(s) or relative URL"
        )
    else:
        raise AssertionError("a javascript: URL was accepted")


def test_an_english_sites_charts_lead_with_a_latin_font():
    import altair as alt
    from parameter_lab import charts

    view = charts.View(lambda: alt.Chart(alt.NamedData("rows")).mark_line(), {"rows": "r"}, "")
    assert view.spec(charts.font_for("en"))["config"]["font"].startswith("Roboto")
    assert view.spec(charts.font_for("ja"))["config"]["font"].startswith("Noto Sans CJK JP")


def test_the_head_gets_scripts_before_its_stylesheets_and_styles_after_them():
    """A classic script after a stylesheet waits for it (and the parser with it); the styles
    must come after the theme's to override them."""
    page = (
        '<html><head><meta charset="utf-8"><link rel="stylesheet" href="a.css">'
        '<link rel="stylesheet" href="b.css"></head><body></body></html>'
    )
    loader = {"script": "start()", "src": "../assets/plab/loader.js", "preparing": "…"}
    out = render.inline_head(page, ".x{}", None, "hold()", loader)
    order = [
        out.index(s)
        for s in (
            "charset",
            "hold()",
            'data-plab-loader="../assets/plab/loader.js" data-plab-preparing="…">start()',
            "a.css",
            "b.css",
            ".x{}",
            "</head>",
        )
    ]
    assert order == sorted(order), out
    bare = render.inline_head("<head></head>", None, None, None, loader)
    assert bare.startswith("<head><script data-plab-loader=") and bare.endswith("</script></head>")
    assert render.inline_head("<p>no head</p>", ".x{}", None, "hold()", loader) == "<p>no head</p>"
    # A head without its end tag (HTML lets a template leave it out) ends where the body starts.
    open_head = '<head><link rel="stylesheet" href="a.css"><body><p>x</p><script>b()</script>'
    out = render.inline_head(open_head, ".x{}", None, "hold()", loader)
    order = [out.index(s) for s in ("hold()", "start()", "a.css", ".x{}", "<body>", "b()")]
    assert order == sorted(order), out
    spelled = '<head><script>x = "<body>"</script></head><body></body>'
    custom = "<head><title>x</title><body-part></body-part><body class='x'>"  # a custom element
    assert render.inline_head(custom, ".x{}").index("<style") > custom.index("</body-part>")
    assert render.inline_head(spelled, ".x{}").startswith(spelled.split("</head>")[0] + "<style")
