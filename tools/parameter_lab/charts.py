"""Charts the plugin draws: demo views and site charts, declared by the site, not here.

A site names a Python file (the ``charts_module`` option) that defines any of:

* ``VIEWS``: ``{name: View}``, templates for ``view: <name>`` in a ``demo`` fence. The browser
  swaps in the rows a run of the demo returns.
* ``CHARTS``: ``{name: SiteChart}``, targets of the ``chart`` fence, built from the site's
  dataset rows.
* ``TABLES``: ``{name: SiteTable}``, tables of dataset rows (e.g. the sources behind the charts).
* ``load_dataset(path, display) -> list[dict]``: reads and validates the dataset; without it,
  the dataset is read as plain CSV rows.

Every chart is a Vega-Lite spec with *named* datasets, also rendered to a static SVG at build
(vl-convert): the reader sees that first, and Vega only when they ask for it.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import importlib.util
import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from parameter_lab import caches
from parameter_lab.errors import SourceError

if TYPE_CHECKING:  # altair and vl-convert are the `charts` extra: a site without charts
    import altair as alt  # installs neither (pip install "parameter-lab[charts]")

CHARTS_EXTRA = 'pip install "parameter-lab[charts]"'

# Japanese text needs a CJK font first; any other language reads better in a Latin one.
FONTS = {
    "ja": "Noto Sans CJK JP, Hiragino Sans, Yu Gothic, sans-serif",
    "zh": "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif",
    "ko": "Noto Sans CJK KR, Apple SD Gothic Neo, Malgun Gothic, sans-serif",
}
LATIN_FONT = "Roboto, Helvetica Neue, Arial, Noto Sans, sans-serif"


def font_for(language: str) -> str:
    return FONTS.get(language.split("-")[0], LATIN_FONT)


def configure(chart: alt.TopLevelMixin, font: str = LATIN_FONT) -> dict:
    """The one look every chart shares, as a Vega-Lite dict."""
    return (
        chart.configure(font=font, background="transparent").configure_view(stroke=None).to_dict()
    )


@dataclass(frozen=True)
class View:
    """A demo view: a chart template, and which result key feeds each named dataset."""

    build: Callable[[], alt.TopLevelMixin]
    datasets: dict[str, str]  # dataset name -> key in the demo's result
    description: str  # alt text: what the chart shows

    def spec(self, font: str = LATIN_FONT) -> dict:
        """The Vega-Lite spec with empty named datasets."""
        return configure(self.build(), font)


@dataclass(frozen=True)
class SiteChart:
    """A ``chart`` fence target: a Vega-Lite spec built from the dataset rows."""

    build: Callable[[list[dict]], alt.TopLevelMixin]
    description: str  # alt text and default caption
    source: str = ""  # where the numbers come from, shown under the chart
    source_page: str = ""  # a page (site-relative URL) listing every source in full
    columns: dict[str, str] = field(default_factory=dict)  # row key -> header, for the data table

    def spec(self, rows: list[dict], font: str = LATIN_FONT) -> dict:
        return configure(self.build(rows), font)


@dataclass(frozen=True)
class SiteTable:
    """A ``chart`` fence target drawn as a plain table of dataset rows."""

    columns: dict[str, str]  # row key -> header
    links: frozenset[str] = frozenset()  # columns whose values are URLs, shown as links
    caption: str = ""


@dataclass(frozen=True)
class SiteCharts:
    """What a site declared: its views, charts, tables and dataset reader."""

    views: dict[str, View] = field(default_factory=dict)
    charts: dict[str, SiteChart] = field(default_factory=dict)
    tables: dict[str, SiteTable] = field(default_factory=dict)
    load_dataset: Callable[[Path, str], list[dict]] | None = None
    files: tuple[Path, ...] = ()  # sources to watch and to key caches on


def load_site_charts(path: Path | None, display: str) -> SiteCharts:
    """Import the site's charts module from ``path``; ``display`` names it in messages."""
    if path is None:
        return SiteCharts()
    if not path.is_file():
        raise SourceError(display, None, "charts_module names no file; fix the path in mkdocs.yml")
    module = _import_file(path, display)
    return SiteCharts(
        views=_registry(module, "VIEWS", View, display),
        charts=_registry(module, "CHARTS", SiteChart, display),
        tables=_registry(module, "TABLES", SiteTable, display),
        load_dataset=getattr(module, "load_dataset", None),
        files=(path,),
    )


def load_rows(site: SiteCharts, path: Path | None, display: str) -> list[dict]:
    """The dataset rows the site's charts are drawn from ([] without a dataset)."""
    if path is None:
        return []
    if not path.is_file():
        raise SourceError(display, None, "the dataset file does not exist; fix `dataset:`")
    if site.load_dataset is not None:
        rows = site.load_dataset(path, display)
    else:
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    check_links(site, rows, display)
    return rows


def check_links(site: SiteCharts, rows: list[dict], display: str) -> None:
    """Every value of a table's link column must be an http(s) or relative URL."""
    from parameter_lab.render import is_safe_link

    for name, table in site.tables.items():
        for i, row in enumerate(rows, start=1):
            for key in table.links:
                url = row.get(key)
                if url and not is_safe_link(str(url)):
                    raise SourceError(
                        display,
                        None,
                        f"row {i}, column {key!r} (a link in table {name!r}): {url!r} is not "
                        "an http(s) or relative URL",
                    )


def with_data(spec: dict, datasets: dict[str, list]) -> dict:
    filled = copy.deepcopy(spec)
    filled["datasets"] = {**filled.get("datasets", {}), **datasets}
    return filled


def render_svg(spec: dict, cache_dir: Path) -> str:
    """A static SVG of ``spec`` (with its data), cached by content and vl-convert's version."""
    try:
        import vl_convert
    except ImportError as exc:
        raise SourceError("mkdocs.yml", None, f"charts need vl-convert: {CHARTS_EXTRA}") from exc

    payload = json.dumps(spec, sort_keys=True) + vl_convert.__version__
    key = hashlib.sha256(payload.encode()).hexdigest()[:24]
    cached = cache_dir / f"{key}.svg"
    svg = caches.read_text(cached, is_svg)  # an emptied or damaged entry is drawn again
    if svg is None:
        svg = vl_convert.vegalite_to_svg(spec)
        caches.write_atomic(cached, svg)
    return compact_svg(svg)


# Vega names every mark for assistive technology (role, aria-roledescription, and an
# aria-label with the mark's data), and writes coordinates as they fell out of the float
# arithmetic (14.899999999999999). The static SVG is only ever shown as an <img>, whose alt
# and the chart's data table speak for it, and whose inner elements no screen reader reads:
# those attributes are half of a heat map's bytes and of the time a phone spends parsing it.
_TAG = re.compile(r"<[^>]+>")  # Vega escapes ">" in text and attributes alike
_MARK_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')
_GEOMETRY = re.compile(r'(\s(?:d|transform)=")([^"]*)(")')
_LONG_DECIMAL = re.compile(r"(?<![\d.])-?\d+\.\d{3,}(?![\d.eE])")  # a whole number, no exponent


def compact_svg(svg: str) -> str:
    """``svg`` as its <img> needs it: no ARIA attributes inside the root element, and path
    data and transforms to a hundredth of a pixel. Only tags change: text (titles, labels)
    is left as it is, and so are the root's own attributes."""
    root_end = svg.find(">") + 1
    return svg[:root_end] + _TAG.sub(_compact_tag, svg[root_end:])


def _compact_tag(tag: re.Match) -> str:
    text = _MARK_ARIA.sub("", tag[0])
    return _GEOMETRY.sub(lambda m: m[1] + _LONG_DECIMAL.sub(_round, m[2]) + m[3], text)


def _round(number: re.Match) -> str:
    return f"{float(number[0]):.2f}".rstrip("0").rstrip(".")  # "-0" stays: valid, and apart


_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="(\d+(?:\.\d+)?)"[^>]*?\sheight="(\d+(?:\.\d+)?)"')


def svg_size(svg: str) -> tuple[int, int] | None:
    """The width and height an SVG is drawn at, for its <img>: the page keeps the box before
    the lazy image loads, so nothing below it moves as the reader scrolls to it."""
    match = _SVG_SIZE.match(svg.lstrip())
    size = (math.ceil(float(match[1])), math.ceil(float(match[2]))) if match else (0, 0)
    return size if min(size) > 0 else None


def is_svg(text: str) -> bool:
    """A whole SVG document: what vl-convert writes, not an empty or cut-off file."""
    text = text.strip()
    return text.startswith("<svg") and text.endswith("</svg>")


def _import_file(path: Path, display: str) -> ModuleType:
    # Like MkDocs hooks: the file's folder is importable, so it may import its neighbours.
    folder = str(path.parent.resolve())
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = f"_plab_site_charts_{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SourceError:
        raise
    except Exception as exc:
        line = _line_in(exc, path)
        hint = (
            f"; {CHARTS_EXTRA}"
            if isinstance(exc, ImportError) and exc.name in ("altair", "vl_convert")
            else ""
        )
        raise SourceError(
            display,
            line,
            f"the charts module failed to import: {type(exc).__name__}: {exc}{hint}",
        ) from exc
    return module


def _line_in(exc: BaseException, path: Path) -> int | None:
    if isinstance(exc, SyntaxError) and exc.filename and Path(exc.filename) == path:
        return exc.lineno
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _registry(module: ModuleType, name: str, kind: type, display: str) -> dict:
    value = getattr(module, name, {})
    if not isinstance(value, dict) or not all(isinstance(v, kind) for v in value.values()):
        raise SourceError(
            display, None, f"{name} must be a dict of {kind.__name__} (from parameter_lab.charts)"
        )
    return dict(value)
