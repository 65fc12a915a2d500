"""What a fence's options mean: parse and validate them into specs, with file:line errors.

``pyodide`` cells take ``key="value"`` options after the fence name; ``demo`` and ``chart``
fences take a YAML mapping as their body. Schemas are MkDocs ``Config`` classes, so every
unknown key, wrong type and missing value is reported the same way, at the line it is on.
"""

from __future__ import annotations

import importlib
import re
import sys
import traceback
from pathlib import Path

import yaml
from mkdocs.config import base
from mkdocs.config import config_options as c
from parameter_lab.controls import ControlError, parse_control
from parameter_lab.errors import SourceError
from parameter_lab.options import BlockId, OneOrMany, Text


class CellOptions(base.Config):
    title = c.Optional(Text())
    prerender = c.Choice(("true", "false"), default="true")
    id = c.Optional(BlockId())


class DemoSpec(base.Config):
    module = c.Type(str)
    function = c.Type(str, default="run")
    controls = c.ListOfItems(c.Type((dict, str, int, float, bool, list)), default=[])
    view = OneOrMany(default=["text"])
    id = c.Optional(BlockId())
    title = c.Optional(Text())
    caption = c.Optional(Text())
    # The page's words for ids in the result: {field: {id: label}}, and table headers.
    labels = c.DictOfItems(c.DictOfItems(c.Type(str)), default={})
    columns = c.DictOfItems(c.Type(str), default={})


class ChartSpec(base.Config):
    name = c.Type(str)
    caption = c.Optional(Text())
    id = c.Optional(BlockId())


class Where:
    """A fence's place in a file, and the file lines of the keys in its YAML body."""

    def __init__(self, path: str, line: int, body: str = "") -> None:
        self.path, self.line = path, line
        self._lines = _key_lines(body)

    def of(self, *key: object) -> int:
        """The file line of ``key`` (e.g. ``("controls", 2, "step")``), or of the nearest parent."""
        while key and key not in self._lines:
            key = key[:-1]
        return self.line + 1 + self._lines[key] if key else self.line

    def error(self, message: str, *key: object) -> SourceError:
        return SourceError(self.path, self.of(*key), message)


# What SuperFences reads after a fence's name: key="value" (or 'value'), and in the brace
# form {.pyodide #id .class key="value"} an id and classes.
_CELL_OPTION = re.compile(
    r"""\s*(?:(?P<key>[A-Za-z_][\w-]*)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S*))"""
    r"""|\#(?P<id>[^\s}]+)|\.(?P<cls>[^\s}=]+)|(?P<other>\S+))"""
)


def parse_cell_options(opts: str, where: Where) -> dict:
    raw: dict = {}
    classes = []
    for m in _CELL_OPTION.finditer(opts.strip()):
        if m["id"]:
            raw["id"] = m["id"]
        elif m["cls"]:
            classes.append(m["cls"])
        elif m["other"]:
            word = m["other"]
            raise where.error(f'option {word!r} has no value; write {word}="..."')
        elif m["bare"] is not None:
            # SuperFences reads no unquoted value: the fence would not be a fence at all.
            raise where.error(
                f'option {m.group().strip()} needs quotes: write {m["key"]}="{m["bare"]}"'
            )
        else:
            raw[m["key"]] = m["dq"] if m["dq"] is not None else m["sq"]
    spec = _validate(CellOptions, raw, where, "pyodide fence")
    spec["classes"] = classes
    spec["prerender"] = spec["prerender"] == "true"
    return spec


def parse_yaml_body(lang: str, opts: str, source: str, where: Where) -> dict:
    if opts.strip():
        raise where.error(
            f"a {lang} fence takes its options in the YAML body, not after the fence name: "
            f"move {opts.strip()!r} into the body"
        )
    try:
        spec = yaml.safe_load(source) if source.strip() else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = where.line + 1 + mark.line if mark is not None else where.line
        problem = getattr(exc, "problem", None) or str(exc)
        raise SourceError(
            where.path,
            at,
            f"the {lang} block is not valid YAML ({problem}); "
            "check indentation and quote values containing ':'",
        ) from exc
    if not isinstance(spec, dict):
        example = "module: demos.linear" if lang == "demo" else "name: llm_params"
        raise where.error(f"the {lang} block must be a YAML mapping, e.g. `{example}`")
    return spec


def parse_demo(raw: dict, where: Where, package: str, known_views: set[str]) -> dict:
    spec = _validate(DemoSpec, raw, where, "demo block")
    module, function = spec["module"], spec["function"]
    if module != package and not module.startswith(package + "."):
        raise where.error(
            f"module must be in the demos package {package!r}, e.g. `module: {package}.linear` "
            "(the package is the plugin's demos_package option)",
            "module",
        )
    mod = import_demo_module(module, package, where)
    if not callable(getattr(mod, function, None)):
        raise where.error(
            f"unknown function {function!r} in {module}; define it there, or fix `function:`",
            "function",
        )
    controls = []
    for i, raw_control in enumerate(spec["controls"]):
        try:
            controls.append(parse_control(raw_control))
        except ControlError as exc:
            name = raw_control.get("name") if isinstance(raw_control, dict) else None
            label = f"control {name!r}" if name else f"control {i + 1}"
            key = str(exc).split(":", 1)[0]
            raise where.error(f"{label}: {exc}", "controls", i, key) from exc
    names = [ctl["name"] for ctl in controls]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise where.error(
                f"control {name!r} appears twice; give each control its own name", "controls", i
            )
    for view in spec["view"]:
        kind, _, key = view.partition(":")
        if kind in ("table", "text") or (kind in known_views and not key):
            continue
        known = ", ".join(sorted(known_views)) or "(none: the site declares no VIEWS)"
        raise where.error(
            f"unknown view {view!r}; use table, text, table:<key>, text:<key> or one of: {known}",
            "view",
        )
    return {
        "module": module,
        "function": function,
        "controls": controls,
        "views": spec["view"],
        "title": spec["title"],
        "caption": spec["caption"],
        "id": spec["id"],
        "labels": {"labels": spec["labels"], "columns": spec["columns"]},
        "view_line": where.of("view"),  # for check_view_keys, once the result is known
    }


def check_view_keys(spec: dict, result: object, path: str, datasets: dict[str, dict]) -> None:
    """Each view's key (``table:rows``; a chart view's datasets) must be in the result:
    a typo would otherwise show ``null``. ``datasets``: chart view -> {name: result key}."""
    if not isinstance(result, dict):
        return
    for view in spec["views"]:
        kind, _, key = view.partition(":")
        keys = [key] if key else list(datasets.get(kind, {}).values())
        for name in keys:
            if name not in result:
                have = ", ".join(sorted(map(str, result))) or "(nothing)"
                raise SourceError(
                    path,
                    spec.get("view_line"),
                    f"view {view!r}: the result has no key {name!r}; it has {have}",
                )


def parse_chart(raw: dict, where: Where, known: set[str]) -> dict:
    spec = _validate(ChartSpec, raw, where, "chart block")
    if spec["name"] not in known:
        names = ", ".join(sorted(known)) or "(none: the site declares no CHARTS or TABLES)"
        raise where.error(f"unknown chart {spec['name']!r}; known charts: {names}", "name")
    return dict(spec)


def default_values(spec: dict) -> dict:
    return {ctl["name"]: ctl["value"] for ctl in spec["controls"]}


def import_demo_module(module: str, package: str, where: Where):  # noqa: ANN201 (a module)
    """Import a demo module, turning each way it can fail into a file:line message."""
    try:
        return importlib.import_module(module)
    except SyntaxError as exc:
        raise where.error(
            f"{_display(exc.filename)}:{exc.lineno}: syntax error in {module} ({exc.msg}); "
            "fix that file",
            "module",
        ) from exc
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            rel = module.replace(".", "/")
            raise where.error(
                f"unknown module {module!r}: no file {rel}.py (nor {rel}/__init__.py) "
                f"in the demos package {package!r}",
                "module",
            ) from exc
        at = _innermost_site_frame(exc)
        raise where.error(
            f"{at}: {module} imports {exc.name!r}, which is not installed; install it, "
            "or remove the import",
            "module",
        ) from exc
    except Exception as exc:
        raise where.error(
            f"{_innermost_site_frame(exc)}: importing {module} raised {type(exc).__name__}: {exc}",
            "module",
        ) from exc


def _innermost_site_frame(exc: BaseException) -> str:
    """``file:line`` of the deepest frame outside Python's own import machinery."""
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if not f.filename.startswith("<frozen ")
        and "/importlib/" not in f.filename
        and f.filename != __file__
    ]
    if not frames:
        return "?"
    return f"{_display(frames[-1].filename)}:{frames[-1].lineno}"


def _display(filename: str | None) -> str:
    if not filename:
        return "?"
    path = Path(filename)
    for base_dir in map(Path, sys.path[:3]):
        try:
            return path.resolve().relative_to(base_dir.resolve()).as_posix()
        except (ValueError, OSError):
            continue
    return filename


def _validate(schema: type[base.Config], raw: dict, where: Where, what: str) -> base.Config:
    config = schema()
    config.load_dict(raw)
    failed, warnings = config.validate()
    if failed:
        key, error = failed[0]
        raise where.error(f"{key}: {error}", key)
    if warnings:
        key = warnings[0][0]
        allowed = ", ".join(sorted(config._schema_keys))
        raise where.error(f"unknown option {key!r} in the {what}; allowed: {allowed}", key)
    return config


def _key_lines(body: str) -> dict[tuple, int]:
    """Line (0-based, within ``body``) of each mapping key and list item in a YAML body."""
    try:
        root = yaml.compose(body) if body.strip() else None
    except yaml.YAMLError:
        return {}
    lines: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, key.value)
                lines[sub] = key.start_mark.line
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines
