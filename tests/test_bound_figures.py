"""Every figure the text takes from a demo, bound or at a scenario's settings, equals what the
demo computes, called here directly.

Pages are found in the built site, so a new chapter is covered without listing it.
"""

from __future__ import annotations

import ast
import html
import importlib
import json
import re
from functools import cache
from pathlib import Path

from parameter_lab.runner import figure, format_figure, relabel

from tests.conftest import ROOT

_SPAN = re.compile(
    r'<span class="plab-figure" data-bind="([^"]+)" data-format="([^"]+)">([^<]*)</span>'
)
_SCENARIO = re.compile(
    r'<span class="plab-figure plab-figure--scenario" data-at="([^"]+)" '
    r'data-overrides="([^"]+)" data-format="([^"]+)">([^<]*)</span>'
)
_DEMO = re.compile(r'<figure class="plab-block plab-demo" id="([^"]+)"[^>]*data-spec="([^"]+)"')


def _pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("index.html") if "assets" not in p.parts)


@cache
def _call_at(spec_json: str, overrides_json: str) -> object:
    return _call(json.loads(spec_json), json.loads(overrides_json))


def _call(spec: dict, overrides: dict | None = None) -> object:
    kwargs = {c["name"]: c["value"] for c in spec["controls"]} | (overrides or {})
    result = getattr(importlib.import_module(spec["module"]), spec["function"])(**kwargs)
    # As the page and the browser see it: through JSON, with the page's labels.
    return relabel(json.loads(json.dumps(result)), spec["labels"]["labels"])


def test_bound_figures_equal_the_demos_own_results(built_site: Path):
    checked = 0
    for page in _pages(built_site):
        text = page.read_text(encoding="utf-8")
        demos = {m[1]: json.loads(html.unescape(m[2])) for m in _DEMO.finditer(text)}
        results: dict[str, object] = {}
        for bind, fmt, shown in _SPAN.findall(text):
            block, _, path = html.unescape(bind).partition(".")
            assert block in demos, f"{page}: figure bound to unknown block {block}"
            if block not in results:
                results[block] = _call(demos[block])
            assert html.unescape(shown) == figure(results[block], path, html.unescape(fmt)), (
                f"{page.relative_to(built_site)}: {bind}"
            )
            checked += 1
    assert checked, "no bound figure anywhere"


def test_every_page_with_a_demo_binds_figures_and_links_scenarios(built_site: Path):
    missing = []
    for page in _pages(built_site):
        text = page.read_text(encoding="utf-8")
        if 'data-kind="demo"' not in text:
            continue
        if not _SPAN.search(text) or "data-scenario=" not in text:
            missing.append(str(page.relative_to(built_site)))
    assert not missing, f"pages with demos but no bound figure or scenario link: {missing}"


def test_scenario_figures_equal_the_demo_called_with_their_controls(built_site: Path):
    checked = 0
    for page in _pages(built_site):
        text = page.read_text(encoding="utf-8")
        demos = {m[1]: html.unescape(m[2]) for m in _DEMO.finditer(text)}
        for at, overrides, fmt, shown in _SCENARIO.findall(text):
            block, _, path = html.unescape(at).partition(".")
            assert block in demos, f"{page}: scenario figure of unknown block {block}"
            result = _call_at(demos[block], html.unescape(overrides))
            assert html.unescape(shown) == figure(result, path, html.unescape(fmt)), (
                f"{page.relative_to(built_site)}: {at} at {html.unescape(overrides)}"
            )
            checked += 1
    assert checked, "no scenario figure anywhere"


_DATASET = re.compile(
    r'<span class="plab-figure plab-figure--dataset" data-source="([^"]+)" '
    r'data-expression="([^"]+)" data-format="([^"]+)">([^<]*)</span>'
)


def _dataset_rows(source: str) -> list[dict]:
    """The rows a ``dataset(column=value, …)`` keeps, filtered here from the CSV's rows by
    the documented rules (equal; text ending in * is a prefix; [low, high] a range)."""
    from tools import site_charts

    rows = site_charts.load_dataset(ROOT / "site_src" / "data" / "llms.csv", "llms.csv")
    call = ast.parse(source if "(" in source else source + "()", mode="eval").body
    for keyword in call.keywords:
        column, value = keyword.arg, ast.literal_eval(keyword.value)
        if isinstance(value, list | tuple):
            rows = [r for r in rows if r[column] is not None and value[0] <= r[column] <= value[1]]
        elif isinstance(value, str) and value.endswith("*"):
            rows = [r for r in rows if str(r[column]).startswith(value[:-1])]
        else:
            rows = [r for r in rows if r[column] == value]
    return rows


def _dataset_value(expression: str, rows: list[dict]) -> object:
    """The expression as plain Python over the rows: rows[*].col is every row's col."""
    python = re.sub(r"rows\[\*\]\.(\w+)", r'[r["\1"] for r in rows]', expression)
    python = re.sub(r"rows\[(-?\d+)\]\.(\w+)", r'rows[\1]["\2"]', python)
    names = {"rows": rows, "min": min, "max": max, "len": len}
    names["ratio"] = lambda a, b: [x / y for x, y in zip(a, b, strict=True)]
    return eval(python, {"__builtins__": {}}, names)  # the site's own pages, in a test


def test_dataset_figures_equal_the_csv_filtered_and_computed_here(built_site: Path):
    checked = 0
    for page in _pages(built_site):
        for source, expression, fmt, shown in _DATASET.findall(page.read_text(encoding="utf-8")):
            source, expression = html.unescape(source), html.unescape(expression)
            value = _dataset_value(expression, _dataset_rows(source))
            assert html.unescape(shown) == format_figure(value, html.unescape(fmt)), (
                f"{page.relative_to(built_site)}: {source}: {expression}"
            )
            checked += 1
    assert checked, "no dataset figure anywhere"
