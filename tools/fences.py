"""The ``pyodide``, ``demo`` and ``chart`` fences: find them with their line numbers,
validate them, and render their HTML.

Validation happens on the raw Markdown (``scan_page``), where line numbers are known,
so every author error reads ``site_src/<page>.md:<line>: <what is wrong, how to fix it>``.
The superfences formatter then only renders blocks that already passed.
"""

from __future__ import annotations

import html
import importlib
import json
import re
import shlex
from dataclasses import dataclass, field

import yaml

from tools.errors import SourceError

FENCE_NAMES = ("pyodide", "demo", "chart")
_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w-]+)(?P<opts>[^`\n]*)$"
)
_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
CELL_OPTIONS = {"title", "prerender", "id"}
DEMO_KEYS = {"module", "function", "controls", "view", "id", "title", "caption"}
CONTROL_TYPES = {
    "slider": {"name", "label", "type", "min", "max", "step", "value", "scale", "help"},
    "number": {"name", "label", "type", "min", "max", "step", "value", "help"},
    "select": {"name", "label", "type", "options", "value", "help"},
    "text": {"name", "label", "type", "value", "multiline", "help"},
    "checkbox": {"name", "label", "type", "value", "help"},
}


@dataclass
class Block:
    lang: str  # pyodide | demo | chart
    line: int  # 1-based line of the opening fence
    source: str  # the fence body, dedented, as superfences passes it to the formatter
    id: str
    spec: dict = field(default_factory=dict)  # validated options / YAML body
    outcome: dict | None = None  # pre-render result, filled by the plugin


def scan_page(
    markdown: str, path: str, known_views: set[str], known_charts: set[str], first_line: int = 1
) -> list[Block]:
    """Every fence of ours on the page, validated, in document order.

    ``first_line`` is the file line of the Markdown's first line (after front matter).
    """
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m["indent"], m["fence"], m["lang"]
        close = re.compile(rf"^{re.escape(indent)}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body, j = [], i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(
                lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip()
            )
            j += 1
        if lang in FENCE_NAMES:
            if j == len(lines):
                raise SourceError(
                    path, first_line + i, f"the {lang} fence is never closed: add a line `{fence}`"
                )
            source = "\n".join(body)
            line = first_line + i
            blocks.append(_validate(lang, m["opts"], source, path, line, known_views, known_charts))
        i = j + 1
    _assign_ids(blocks, path)
    return blocks


def _validate(
    lang: str,
    opts: str,
    source: str,
    path: str,
    line: int,
    known_views: set[str],
    known_charts: set[str],
) -> Block:
    if lang == "pyodide":
        return Block(lang, line, source, "", _cell_options(opts, path, line))
    if opts.strip():
        raise SourceError(
            path,
            line,
            f"a {lang} fence takes its options in the YAML body, "
            f"not after the fence name: move {opts.strip()!r} into the body",
        )
    try:
        spec = yaml.safe_load(source) if source.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = line + 1 + mark.line if mark is not None else line
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(
            path,
            at,
            f"the {lang} block is not valid YAML ({problem}); "
            "check indentation and quote values containing ':'",
        ) from exc
    if not isinstance(spec, dict):
        raise SourceError(
            path,
            line,
            f"the {lang} block must be a YAML mapping, e.g. `module: demos.linear`"
            if lang == "demo"
            else "e.g. `name: llm_params`",
        )
    if lang == "chart":
        return Block(lang, line, source, "", _chart_spec(spec, path, line, known_charts))
    return Block(lang, line, source, "", _demo_spec(spec, path, line, known_views))


def _cell_options(opts: str, path: str, line: int) -> dict:
    try:
        words = shlex.split(opts)
    except ValueError as exc:
        raise SourceError(
            path, line, f'cannot read the fence options ({exc}); write them as key="value"'
        ) from exc
    options = {}
    for word in words:
        key, eq, value = word.partition("=")
        if not eq:
            raise SourceError(path, line, f'option {word!r} has no value; write {word}="..."')
        if key not in CELL_OPTIONS:
            raise SourceError(
                path,
                line,
                f"unknown option {key!r} for a pyodide fence; "
                f"allowed: {', '.join(sorted(CELL_OPTIONS))}",
            )
        options[key] = value
    if options.get("prerender", "true") not in ("true", "false"):
        raise SourceError(path, line, 'prerender must be "true" or "false"')
    options["prerender"] = options.get("prerender", "true") == "true"
    return options


def _demo_spec(spec: dict, path: str, line: int, known_views: set[str]) -> dict:
    unknown = set(spec) - DEMO_KEYS
    if unknown:
        raise SourceError(
            path,
            line,
            f"unknown option {sorted(unknown)[0]!r} in the demo block; "
            f"allowed: {', '.join(sorted(DEMO_KEYS))}",
        )
    module, function = spec.get("module"), spec.get("function", "run")
    if not isinstance(module, str) or not module.startswith("demos."):
        raise SourceError(
            path,
            line,
            "module must name a module of the demos package, e.g. `module: demos.linear`",
        )
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        raise SourceError(
            path,
            line,
            f"unknown module {module!r}: no file "
            f"demos/{module.split('.', 1)[1].replace('.', '/')}.py",
        ) from exc
    if not callable(getattr(mod, str(function), None)):
        raise SourceError(
            path,
            line,
            f"unknown function {function!r} in {module}; define it there, or fix `function:`",
        )
    controls = spec.get("controls") or []
    if not isinstance(controls, list):
        raise SourceError(path, line, "controls must be a YAML list of mappings")
    checked = [_control(c, path, line) for c in controls]
    names = [c["name"] for c in checked]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise SourceError(
            path, line, f"control {dup!r} appears twice; give each control its own name"
        )
    views = spec.get("view", "text")
    views = views if isinstance(views, list) else [views]
    for view in views:
        kind, _, key = str(view).partition(":")
        if kind in ("table", "text"):
            continue
        if kind not in known_views or key:
            raise SourceError(
                path,
                line,
                f"unknown view {view!r}; use table, text, table:<key>, "
                f"text:<key> or one of: {', '.join(sorted(known_views))}",
            )
    return {
        "module": module,
        "function": function,
        "controls": checked,
        "views": [str(v) for v in views],
        "title": spec.get("title"),
        "caption": spec.get("caption"),
        "id": spec.get("id"),
    }


def _control(c: object, path: str, line: int) -> dict:
    if not isinstance(c, dict) or "name" not in c:
        raise SourceError(
            path,
            line,
            "each control must be a mapping with at least a name, "
            "e.g. {name: lr, type: slider, min: 0.001, max: 1, value: 0.1}",
        )
    name, kind = c["name"], c.get("type", "slider")
    if kind not in CONTROL_TYPES:
        raise SourceError(
            path,
            line,
            f"control {name!r}: unknown type {kind!r}; use one of {', '.join(CONTROL_TYPES)}",
        )
    unknown = set(c) - CONTROL_TYPES[kind]
    if unknown:
        raise SourceError(
            path,
            line,
            f"control {name!r}: unknown key {sorted(unknown)[0]!r} for "
            f"a {kind}; allowed: {', '.join(sorted(CONTROL_TYPES[kind]))}",
        )
    out = {"name": str(name), "type": kind, "label": str(c.get("label", name))}
    if "help" in c:
        out["help"] = str(c["help"])
    value = c.get("value")
    if kind in ("slider", "number"):
        lo, hi = c.get("min"), c.get("max")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lo, hi, value)):
            raise SourceError(
                path, line, f"control {name!r}: a {kind} needs numeric min, max and value"
            )
        if not lo <= value <= hi:
            raise SourceError(
                path,
                line,
                f"control {name!r}: value {value} is outside its range "
                f"[{lo}, {hi}]; change value, min or max",
            )
        scale = c.get("scale", "linear")
        if scale not in ("linear", "log") or (scale == "log" and lo <= 0):
            raise SourceError(
                path, line, f"control {name!r}: scale must be linear, or log with min > 0"
            )
        is_int = all(isinstance(v, int) for v in (lo, hi, value, c.get("step", 1)))
        out.update(
            min=lo,
            max=hi,
            value=value,
            step=c.get("step", 1 if is_int else (hi - lo) / 100),
            scale=scale,
            integer=is_int,
        )
    elif kind == "select":
        options = c.get("options")
        if not isinstance(options, list) or not options:
            raise SourceError(path, line, f"control {name!r}: a select needs a list of options")
        pairs = [
            (o["value"], str(o.get("label", o["value"]))) if isinstance(o, dict) else (o, str(o))
            for o in options
        ]
        if value not in [v for v, _ in pairs]:
            raise SourceError(
                path, line, f"control {name!r}: value {value!r} is not one of its options"
            )
        out.update(options=[{"value": v, "label": lab} for v, lab in pairs], value=value)
    elif kind == "text":
        out.update(value="" if value is None else str(value), multiline=bool(c.get("multiline")))
    else:
        if not isinstance(value, bool):
            raise SourceError(
                path, line, f"control {name!r}: a checkbox value must be true or false"
            )
        out["value"] = value
    return out


def _chart_spec(spec: dict, path: str, line: int, known_charts: set[str]) -> dict:
    unknown = set(spec) - {"name", "caption", "id"}
    if unknown:
        raise SourceError(
            path,
            line,
            f"unknown option {sorted(unknown)[0]!r} in the chart block; allowed: name, caption, id",
        )
    if spec.get("name") not in known_charts:
        raise SourceError(
            path,
            line,
            f"unknown chart {spec.get('name')!r}; known charts: {', '.join(sorted(known_charts))}",
        )
    return {"name": spec["name"], "caption": spec.get("caption"), "id": spec.get("id")}


def _assign_ids(blocks: list[Block], path: str) -> None:
    seen: dict[str, int] = {}
    counters: dict[str, int] = {}
    for block in blocks:
        explicit = block.spec.get("id")
        if explicit is not None:
            if not _ID.match(str(explicit)):
                raise SourceError(
                    path,
                    block.line,
                    f"id {explicit!r} must be lowercase letters, "
                    "digits and '-', starting with a letter",
                )
            block.id = str(explicit)
        else:
            stem = block.spec["module"].rsplit(".", 1)[1] if block.lang == "demo" else block.lang
            counters[stem] = counters.get(stem, 0) + 1
            block.id = f"{stem}-{counters[stem]}"
        if block.id in seen:
            raise SourceError(
                path,
                block.line,
                f"duplicate id {block.id!r} (first used on line "
                f"{seen[block.id]}); give this block another id",
            )
        seen[block.id] = block.line


def demo_call_source(spec: dict, values: dict) -> str:
    """The Python a demo block runs, shown to the reader and editable."""
    args = ", ".join(f"{k}={v!r}" for k, v in values.items())
    return (
        f"from {spec['module']} import {spec['function']}\n\nresult = {spec['function']}({args})\n"
    )


def default_values(spec: dict) -> dict:
    return {c["name"]: c["value"] for c in spec["controls"]}


def json_attr(data: object) -> str:
    # JSON in an attribute, not a <script>: Material's instant navigation re-runs every
    # <script> in new content as JavaScript, whatever its type.
    return html.escape(json.dumps(data, ensure_ascii=False), quote=True)


# ---- HTML -----------------------------------------------------------------------------------
# Everything user- or author-supplied goes through html.escape: output is text, never markup.

_BUTTONS = (
    '<div class="plab-toolbar">'
    '<button type="button" class="plab-btn plab-btn--run" data-demo-run '
    'title="実行（Ctrl/⌘+Enter）">▶ 実行</button>'
    '<button type="button" class="plab-btn" data-demo-stop disabled>■ 停止</button>'
    '<button type="button" class="plab-btn" data-demo-reset>↺ リセット</button>'
    '<button type="button" class="plab-btn" data-demo-copy>コピー</button>'
    '<span class="plab-status" data-demo-status role="status" aria-live="polite"></span>'
    "</div>"
)


def _streams_html(outcome: dict | None) -> str:
    if not outcome:
        return ""
    parts = [
        f'<span class="plab-{stream}">{html.escape(text)}</span>'
        for stream, text in outcome.get("streams", [])
    ]
    if outcome.get("error"):
        parts.append(
            f'<span class="plab-stderr">{html.escape(outcome["error"]["traceback"])}</span>'
        )
    return f'<pre class="plab-stream">{"".join(parts)}</pre>' if parts else ""


def _code_html(code: str) -> str:
    return (
        '<pre class="plab-code" data-demo-code tabindex="0" '
        'aria-label="Python コード（クリックで編集）">'
        f"<code>{html.escape(code)}</code></pre>"
    )


def render_cell(block: Block) -> str:
    title = block.spec.get("title") or "Python"
    prerendered = _streams_html(block.outcome)
    note = (
        '<p class="plab-note">ビルド時に実行した結果です。'
        "「実行」でブラウザの中でもう一度動かせます。</p>"
        if prerendered
        else ""
    )
    return (
        f'<div class="plab-block plab-cell" id="{block.id}" data-demo="{block.id}" '
        f'data-kind="cell" data-status="idle">'
        f'<div class="plab-head"><span class="plab-title">{html.escape(title)}</span></div>'
        f"{_code_html(block.source)}{_BUTTONS}"
        f'<div class="plab-output" data-demo-output>{note}{prerendered}</div></div>'
    )


def _control_html(block_id: str, c: dict) -> str:
    cid = f"{block_id}--{c['name']}"
    label = html.escape(c["label"])
    help_html = (
        f'<small class="plab-help">{html.escape(c["help"])}</small>' if c.get("help") else ""
    )
    attrs = f'id="{cid}" name="{html.escape(c["name"])}" data-control="{html.escape(c["name"])}"'
    if c["type"] == "slider":
        if c["scale"] == "log":  # the range input moves through log space; JS maps it back
            widget = (
                f'<input type="range" {attrs} min="0" max="1000" step="1" data-scale="log" '
                f'data-min="{c["min"]}" data-max="{c["max"]}" value="'
                f'{_log_position(c["value"], c["min"], c["max"])}">'
            )
        else:
            widget = (
                f'<input type="range" {attrs} min="{c["min"]}" max="{c["max"]}" '
                f'step="{c["step"]}" value="{c["value"]}">'
            )
        widget += f'<output for="{cid}" data-control-value>{c["value"]}</output>'
    elif c["type"] == "number":
        widget = (
            f'<input type="number" {attrs} min="{c["min"]}" max="{c["max"]}" '
            f'step="{c["step"]}" value="{c["value"]}">'
        )
    elif c["type"] == "select":
        options = "".join(
            f'<option value="{html.escape(json.dumps(o["value"], ensure_ascii=False))}"'
            f"{' selected' if o['value'] == c['value'] else ''}>{html.escape(o['label'])}</option>"
            for o in c["options"]
        )
        widget = f"<select {attrs}>{options}</select>"
    elif c["type"] == "text":
        value = html.escape(c["value"])
        widget = (
            f'<textarea {attrs} rows="4" spellcheck="false">{value}</textarea>'
            if c["multiline"]
            else f'<input type="text" {attrs} value="{value}">'
        )
    else:
        widget = f'<input type="checkbox" {attrs}{" checked" if c["value"] else ""}>'
    return (
        f'<div class="plab-control plab-control--{c["type"]}"><label for="{cid}">{label}</label>'
        f"{widget}{help_html}</div>"
    )


def _log_position(value: float, lo: float, hi: float) -> int:
    import math

    return round(1000 * (math.log(value) - math.log(lo)) / (math.log(hi) - math.log(lo)))


def view_html(view: str, result: object, image: tuple[str, str] | None) -> str:
    """The pre-rendered drawing of one view; ``image`` is (svg url, alt text) for charts."""
    kind, _, key = view.partition(":")
    inner = ""
    if kind in ("table", "text"):
        data = result.get(key) if key and isinstance(result, dict) else result
        inner = table_html(data) if kind == "table" else text_html(data)
    elif image is not None:
        url, alt = image
        inner = f'<img class="plab-chart-svg" src="{url}" alt="{html.escape(alt)}" loading="lazy">'
    return f'<div class="plab-view" data-view="{html.escape(view)}">{inner}</div>'


def table_html(rows: object) -> str:
    if isinstance(rows, dict):
        rows = [{"項目": k, "値": v} for k, v in rows.items()]
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return text_html(rows)
    columns = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(c)))}</td>" for c in columns) + "</tr>"
        for r in rows
    )
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="plab-table">{table}</div>'


def _cell(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    return "" if value is None else str(value)


def text_html(data: object) -> str:
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    return f'<pre class="plab-text">{html.escape(text)}</pre>'


def render_demo(block: Block, view_specs: dict, images: dict) -> str:
    spec = block.spec
    values = default_values(spec)
    client = {
        "module": spec["module"],
        "function": spec["function"],
        "controls": spec["controls"],
        "views": spec["views"],
        "viewSpecs": view_specs,  # name -> {"spec": Vega-Lite, "datasets": {name: result key}}
    }
    controls = "".join(_control_html(block.id, c) for c in spec["controls"])
    result = block.outcome.get("result") if block.outcome else None
    views = "".join(view_html(v, result, images.get(v)) for v in spec["views"])
    title = (
        f'<div class="plab-head"><span class="plab-title">{html.escape(spec["title"])}</span></div>'
        if spec.get("title")
        else ""
    )
    caption = (
        f"<figcaption>{html.escape(spec['caption'])}</figcaption>" if spec.get("caption") else ""
    )
    return (
        f'<figure class="plab-block plab-demo" id="{block.id}" data-demo="{block.id}" '
        f'data-kind="demo" data-status="idle" data-spec="{json_attr(client)}">{title}'
        f'<form class="plab-controls">{controls}</form>'
        f'<details class="plab-source"><summary>Python コード</summary>'
        f"{_code_html(demo_call_source(spec, values))}</details>"
        f"{_BUTTONS}"
        f'<div class="plab-output" data-demo-output>{_streams_html(block.outcome)}'
        f'<div class="plab-views">{views}</div></div>{caption}</figure>'
    )


def render_chart(block: Block, spec: dict, svg_url: str, alt: str, source_html: str) -> str:
    caption = block.spec.get("caption") or alt
    return (
        f'<figure class="plab-chart" id="{block.id}" data-chart="{block.spec["name"]}" '
        f'data-spec="{json_attr(spec)}">'
        f'<div class="plab-chart-live" aria-hidden="true"></div>'
        f'<img class="plab-chart-svg" src="{svg_url}" alt="{html.escape(alt)}" loading="lazy">'
        f"<figcaption>{html.escape(caption)}{source_html}</figcaption></figure>"
    )


def render_sources_table(block: Block, rows: list[dict]) -> str:
    """Every dataset row with its source link: the citation behind each chart."""
    body = "".join(
        "<tr>"
        f"<td>{html.escape(r['name'])}</td><td>{html.escape(r['developer'])}</td>"
        f"<td>{html.escape(r['country'])}</td><td>{html.escape(r['released'])}</td>"
        f"<td>{html.escape(_cell(r['params']) if r['params'] else '非公開')}</td>"
        f"<td>{html.escape(r['count_kind'])}</td>"
        f"<td>{html.escape(_cell(r['training_tokens']) if r['training_tokens'] else '—')}</td>"
        f"<td>{html.escape(r['open_weights'])}</td>"
        f'<td><a href="{html.escape(r["source"])}">{html.escape(_short_url(r["source"]))}</a></td>'
        "</tr>"
        for r in rows
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "モデル",
            "開発元",
            "国",
            "公開",
            "パラメーター数",
            "種類",
            "学習トークン数",
            "重み",
            "出典",
        )
    )
    return (
        f'<div class="plab-table" id="{block.id}"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _short_url(url: str) -> str:
    return url.removeprefix("https://").removesuffix("/")
