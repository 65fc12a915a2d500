"""Every chart builds, its static SVG carries the Japanese labels, and pages carry both forms:
the static SVG, and the live chart's spec as a file fetched when the reader asks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from parameter_lab import charts

from demos import attention, charlm, compress, linear, mlp, params, search
from tests.conftest import ROOT
from tools import datasets, site_charts

DEMO_FOR_VIEW = {
    "loss_surface": linear,
    "loss_curve": linear,
    "training_curves": mlp,
    "decision_boundary": mlp,
    "attention_map": attention,
    "loss_vs_params": charlm,
    "search_race": search,
    "search_points": search,
    "size_vs_accuracy": compress,
    "param_breakdown": params,
}


def test_every_view_has_a_demo_here():
    assert set(DEMO_FOR_VIEW) == set(site_charts.VIEWS)


@pytest.mark.parametrize("name", sorted(site_charts.VIEWS))
def test_demo_view_renders_from_the_demos_own_result(name, tmp_path):
    view = site_charts.VIEWS[name]
    result = DEMO_FOR_VIEW[name].run()
    spec = view.spec()
    # The spec names its datasets; the browser fills them from the same result keys.
    assert {d["name"] for d in _data_refs(spec)} <= set(view.datasets)
    svg = charts.render_svg(
        charts.with_data(spec, {d: result[k] for d, k in view.datasets.items()}), tmp_path
    )
    assert svg.startswith("<svg")
    assert spec["title"] in svg, "the Japanese title must be drawn in the static SVG"


@pytest.mark.parametrize("name", sorted(site_charts.CHARTS))
def test_site_chart_svg_contains_japanese_labels(name, tmp_path):
    rows = [r.as_row() for r in datasets.load_llms(ROOT / "site_src/data/llms.csv")]
    spec = site_charts.CHARTS[name].spec(rows, charts.font_for("ja"))  # as this site builds it
    svg = charts.render_svg(spec, tmp_path)
    assert "パラメーター数" in svg
    assert "Noto Sans CJK JP" in json.dumps(spec)


def test_llm_params_chart_marks_undisclosed_models(tmp_path):
    rows = [r.as_row() for r in datasets.load_llms(ROOT / "site_src/data/llms.csv")]
    svg = charts.render_svg(site_charts.CHARTS["llm_params"].spec(rows), tmp_path)
    assert "GPT-4" in svg and "非公開（数値なし）" in svg
    assert "tsuzumi" in svg and "日本" in svg


def test_chart_pages_carry_spec_svg_alt_and_source(built_site: Path):
    html = (built_site / "scale/index.html").read_text()
    figures = re.findall(r'<figure class="plab-chart".*?</figure>', html, flags=re.S)
    assert len(figures) == 3
    for figure in figures:
        # The spec, with its data, is a file the chart fetches when it goes live.
        url = re.search(r'data-spec-url="([^"]+)"', figure).group(1)
        text = (built_site / "scale" / url).resolve().read_text(encoding="utf-8")
        assert json.loads(text)["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert '"values":[{' in text, "the spec carries its data"
        img = re.search(r'<img class="plab-chart-svg" src="([^"]+)" alt="([^"]+)"', figure)
        assert img and img.group(2), "every chart needs alt text"
        assert (built_site / "scale" / img.group(1)).resolve().exists()
        assert "出典" in figure and "references/#models" in figure
        assert "<details" in figure and "<th" in figure, "a data table below every chart"


def _data_refs(spec):
    if isinstance(spec, dict):
        if "data" in spec and isinstance(spec["data"], dict) and "name" in spec["data"]:
            yield spec["data"]
        for v in spec.values():
            yield from _data_refs(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _data_refs(v)


def test_static_svg_drops_mark_aria_and_float_noise_but_keeps_its_text(tmp_path):
    """The static SVG is only ever an <img>: Vega's ARIA attributes on its marks and its
    coordinates' float noise go, every label and title stays, and so does every element."""
    values = [{"x": i / 3, "y": (i * 7 % 5) / 7, "c": f"組{i % 3}"} for i in range(40)]
    spec = {
        "title": "ノイズのない図",
        "data": {"values": values},
        "mark": "rect",
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "bin": {"maxbins": 13}},
            "y": {"field": "y", "type": "quantitative", "bin": {"maxbins": 11}},
            "color": {"field": "c", "type": "nominal"},
        },
    }
    import vl_convert

    raw = vl_convert.vegalite_to_svg(spec)
    assert 'aria-roledescription="rect mark"' in raw and re.search(r"\d\.\d{5,}", raw), (
        "the sample must have what compact_svg removes, or this test proves nothing"
    )
    svg = charts.render_svg(spec, tmp_path)
    assert svg == charts.compact_svg(raw)
    root = raw[: raw.index(">") + 1]
    assert svg.startswith(root), "the root element is left as it is"
    inner = svg[len(root) :]
    assert not re.search(r'\s(role|aria-roledescription|aria-label)="', inner)
    for attr in re.findall(r'\s(?:d|transform)="([^"]*)"', svg):
        assert not re.search(r"\.\d{3}", attr), attr
    text = re.compile(r"<text[^>]*>([^<]*)</text>")
    assert text.findall(svg) == text.findall(raw) and "ノイズのない図" in svg
    tags = re.compile(r"<([a-zA-Z]+)[\s/>]")
    assert tags.findall(svg) == tags.findall(raw)


def test_compact_svg_changes_tags_only_and_whole_numbers_only():
    svg = (
        '<svg class="marks" role="graphics-document" aria-label="root">'
        '<g role="graphics-object">'
        '<path aria-label="a" d="M1.23456,-0.0001h10.000v1.23456e-7L5,2.99999"/>'
        '<text transform="translate(0.123456,7)" role="graphics-symbol">'
        'a label: role="x" d="1.23456"</text></g></svg>'
    )
    assert charts.compact_svg(svg) == (
        '<svg class="marks" role="graphics-document" aria-label="root">'
        '<g><path d="M1.23,-0h10v1.23456e-7L5,3"/>'
        '<text transform="translate(0.12,7)">'
        'a label: role="x" d="1.23456"</text></g></svg>'
    )
