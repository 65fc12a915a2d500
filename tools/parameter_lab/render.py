"""The blocks' HTML, from Jinja templates with autoescape: whatever an author or a demo
supplies is text in the page, never markup."""

from __future__ import annotations

import json
import re
import urllib.parse
from functools import cache

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup, escape
from parameter_lab import controls as control_types
from parameter_lab.runner import format_cell, format_view
from parameter_lab.scan import Block
from parameter_lab.specs import default_values

# A site overrides a template as it overrides Material's partials: a file of the same name
# in <theme.custom_dir>/parameter_lab/ (e.g. parameter_lab/cell.html).
OVERRIDES = "parameter_lab"
_template_dirs: tuple[str, ...] = ()


def use_template_dirs(dirs: list[str]) -> None:
    """Look for templates in ``dirs`` first (the site's overrides), then in the plugin."""
    global _template_dirs
    _template_dirs = tuple(dirs)


def _env() -> Environment:
    return _env_for(_template_dirs)


@cache
def _env_for(dirs: tuple[str, ...]) -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(list(dirs)), PackageLoader("parameter_lab", "templates")]
        ),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )
    # A plain string, so autoescape turns its quotes into entities inside attributes.
    env.filters["json"] = lambda value: json.dumps(value, ensure_ascii=False)
    env.filters["short_url"] = lambda url: str(url).removeprefix("https://").removesuffix("/")
    env.filters["inert"] = inert
    env.filters["link_url"] = link_url
    env.globals["cell"] = format_cell
    return env


# Each mark that Markdown or an extension reads as syntax (emphasis, links, code, tables,
# math, macros, magiclink's URLs and e-mails, ==mark==, ^sup^) as a character reference,
# which none of them reads; `.`, `,` and `%` stay, so "90.5%" reads as written.
_INERT = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()<>#+-!|~$&:/@=^\"'"}


def inert(text: object) -> Markup:
    """``text`` as HTML that a Markdown pass after this one leaves as the same text."""
    return Markup("".join(_INERT.get(c, str(escape(c))) for c in str(text)))


def is_safe_link(url: str) -> bool:
    """An http(s) URL or a relative one: never ``javascript:``, ``data:`` and the like.

    Whitespace and control characters are refused: browsers drop them, so
    ``"\x01javascript:"`` would otherwise pass as a relative URL."""
    if not url or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    parts = urllib.parse.urlsplit(url)
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return ":" not in url.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]


def link_url(url: object) -> str:
    if not is_safe_link(str(url)):
        raise ValueError(f"{str(url)!r} is not an http(s) or relative URL")
    return str(url)


def _render(template: str, **context: object) -> str:
    # Superfences stashes the result as raw HTML, so newlines (and <pre> content) are kept.
    return _env().get_template(template).render(**context).strip()


def render_figure(block: str, path: str, fmt: str, text: str, overrides: dict) -> str:
    return _render("figure.html", block=block, path=path, fmt=fmt, text=text, overrides=overrides)


def render_scenario_link(block: str, href: str, markdown_text: str) -> str:
    return _render("scenario_link.html", block=block, href=href, text=markdown_text)


def render_cell(block: Block, t: dict) -> str:
    return _render("cell.html", block=block, outcome=block.outcome, t=t)


def demo_call_source(spec: dict, values: dict) -> str:
    """The Python a demo block runs, shown to the reader and editable."""
    args = ", ".join(f"{k}={v!r}" for k, v in values.items())
    return (
        f"from {spec['module']} import {spec['function']}\n\nresult = {spec['function']}({args})\n"
    )


# A demo's table longer than "limit" rows shows its first "shown" rows, and the whole table
# waits in a <details> until the reader opens it: hundreds of cells nobody asked for would
# cost every reader their style and layout (view.html; widgets.js draws a run's alike).
TABLE_PREVIEW = {"limit": 15, "shown": 10}


def render_demo(
    block: Block, view_specs: dict, images: dict[str, tuple[dict, str]], t: dict, language: str
) -> str:
    """``view_specs``: chart views' Vega-Lite; ``images``: view -> (its SVG's image, alt text),
    the image as ``{"url", "width", "height"}``."""
    spec = block.spec
    client = {
        "module": spec["module"],
        "function": spec["function"],
        "controls": spec["controls"],
        "views": spec["views"],
        "viewSpecs": view_specs,  # name -> {"spec": Vega-Lite, "datasets": {name: result key}}
        "labels": spec["labels"],  # passed to the runner with every run
        "tablePreview": TABLE_PREVIEW,
    }
    outcome = block.outcome or {}
    result = outcome.get("result")
    views = []
    for view in spec["views"]:
        drawn = (
            format_view(view, result, language, spec["labels"]["columns"])
            if outcome.get("ok")
            else {"view": view, "kind": "none"}
        )
        if view in images:
            image, alt = images[view]
            drawn["image"] = {**image, "alt": alt}
        views.append(drawn)
    controls = [
        {
            "spec": c,
            "html_id": f"{block.id}--{c['name']}",
            "template": control_types.template_of(c),
            "position": control_types.position_of(c) if c.get("positions") else None,
        }
        for c in spec["controls"]
    ]
    code = demo_call_source(spec, default_values(spec))
    return _render(
        "demo.html",
        block=block,
        client=client,
        controls=controls,
        views=views,
        preview=TABLE_PREVIEW,
        code=code,
        outcome=block.outcome,
        t=t,
    )


def render_chart(
    block: Block,
    chart: object,
    spec_url: str,
    image: dict,
    table: dict | None,
    sources_url: str | None,
    dataset: str | None,
    t: dict,
) -> str:
    return _render(
        "chart.html",
        block=block,
        chart=chart,
        spec_url=spec_url,
        image=image,
        table=table,
        sources_url=sources_url,
        dataset=dataset,
        t=t,
    )


def render_table(block: Block, table: object, rows: list[dict]) -> str:
    return _render("table.html", block=block, table=table, rows=rows)


# The styles go where extra_css would put them, after the head's last stylesheet link: a
# site's own later <style> still overrides them.
_HEAD_END = re.compile(r"</head\s*>", re.I)
_BODY_START = re.compile(r"<body(?=[\s>/])", re.I)  # not <body-part>, a custom element
_STYLESHEET = re.compile(r"<link\b[^>]*\brel=[\"']?stylesheet\b[^>]*>", re.I)


def inline_head(
    page_html: str,
    css: str | None = None,
    font_face: str | None = None,
    search_hold: str | None = None,
    loader_start: dict | None = None,
) -> str:
    """``page_html`` with the plugin's styles (styles.html) after its head's stylesheets, and
    its scripts before them: the search index's hold (search_hold.html) and what fetches the
    loader (loader_start.html: ``{script, src}``). A classic script after a stylesheet waits
    for it, and the parser with it; these read no styles. Each only when given."""
    # Where the head ends: its end tag or, where a template leaves that out (HTML lets it),
    # the body's start tag (sought only then: a head's script may spell "<body").
    head_end = _HEAD_END.search(page_html) or _BODY_START.search(page_html)
    if head_end is None:
        return page_html  # not a page (a fragment some other plugin renders): nothing to add
    links = list(_STYLESHEET.finditer(page_html, 0, head_end.start()))
    styles_at = links[-1].end() if links else head_end.start()
    scripts_at = links[0].start() if links else head_end.start()
    scripts, styles = [], []
    if search_hold is not None:
        scripts.append(_render("search_hold.html", script=search_hold))
    if loader_start is not None:
        scripts.append(_render("loader_start.html", **loader_start))
    if css is not None:
        styles.append(_render("styles.html", css=css, font_face=font_face))
    return (
        page_html[:scripts_at]
        + "".join(scripts)
        + page_html[scripts_at:styles_at]
        + "".join(styles)
        + page_html[styles_at:]
    )
