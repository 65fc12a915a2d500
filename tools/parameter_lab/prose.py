"""Figures, scenario links and claims in a page's text, tied to what its demos compute.

Three forms, written where the sentence needs them (never inside code):

* a bound figure ``{{ mlp-adam: history.val_acc[-1] | percent(1) }}``: the value comes
  from the block's pre-rendered result, and updates in the reader's browser after each run
  of that block;
* a scenario figure ``{{ mlp-adam(lr=3): history.val_acc[-1] | percent(1) }}``: the demo
  run at build with those controls changed; it never changes in the browser;
* a claim ``{{ claim mlp-adam: history.val_loss[-1] > min(history.val_loss) }}``: a
  check at build that the demo still supports the sentence; it renders nothing;
* a scenario link ``[学習率を 3 にして動かす]({{ mlp-adam(lr=3) }})``: sets the block's
  controls, scrolls to it and runs it; without JavaScript it is an ordinary link to the
  URL fragment the controls write.

A ``{{ … }}`` is ours only when it names a block of its page (``claim`` always is): any
other, LaTeX's ``{{\\sqrt{2}}}`` or mkdocs-macros' ``{{ page.title }}``, is left as written.
A near miss of a block id (``{{ fti: x }}`` beside a block ``fit``) is reported as a typo.

Expressions are parsed, never executed: key paths, numbers, comparisons, arithmetic and a
few functions (``min``, ``max``, ``abs``, ``len``, ``sum``, ``round``, ``all``, ``any``,
``mean``, ``diff``, ``ratio``). A claim can compare runs: ``at(lr=0.5).final.val_loss`` is the same
block run with the page's defaults and those controls changed, and ``curves[*].val_loss``
takes one key out of every row of a list.

The evaluator is our own, bounded (``MAX_*``: powers, repetitions, lengths, the claim's
size, its nesting), and raises only ``ClaimError`` for what a claim can get wrong.
simpleeval has similar guards but not ``at()``, ``[*]`` or our key paths and errors, and
JMESPath has no arithmetic; either would change what authors write, for little code saved.

Figures and claims can also read the site's dataset (``dataset:`` in mkdocs.yml, loaded by
the same ``load_dataset`` as the charts): ``{{ dataset(region="日本", disclosed=True):
max(rows[*].params) | ja(0) }}``. Its "controls" filter the rows (see ``filter_rows``), and
after the colon comes an expression over ``rows``, for figures as for claims.

A claim that reads only the demo's settings (``config.*``) or literals cannot fail when the
demo's results change; the build warns about it (an error under ``--strict``).
"""

from __future__ import annotations

import ast
import difflib
import html
import json
import logging
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from parameter_lab.errors import SourceError
from parameter_lab.render import render_figure, render_scenario_link
from parameter_lab.runner import FigureError, format_figure, resolve_path, step_into
from parameter_lab.scan import Block

_FORM = re.compile(r"\{\{\s*(?P<body>.*?)\s*\}\}")
_LINK = re.compile(r"\[(?P<text>[^\]\n]+)\]\(\{\{\s*(?P<target>[^}]*?)\s*\}\}\)")
_TARGET = re.compile(r"^(?P<id>[a-z][a-z0-9-]*)\s*(?:\((?P<overrides>[^)]*)\))?$")
# What a form starts with: ``claim``, then a block id ending where a word does.
_HEAD = re.compile(r"^(?P<claim>claim\s+)?(?P<id>[a-z][a-z0-9-]*)(?=[\s(:]|$)(?P<form>\s*[(:])?")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _mean(values: list) -> float:
    if not values:
        raise ValueError("mean of an empty list")
    return sum(values) / len(values)


def _diff(values: list) -> list:
    """Each value minus the one before it, as numpy.diff: how a curve moves step by step."""
    return [b - a for a, b in zip(values, values[1:])]


def _ratio(numerators: list, denominators: list) -> list:
    """Each value over its partner, e.g. tokens per parameter of every row of a dataset."""
    if len(numerators) != len(denominators):
        raise ValueError(f"ratio of lists of {len(numerators)} and {len(denominators)} values")
    return [a / b for a, b in zip(numerators, denominators)]


def _abs(value: object) -> object:
    """Also elementwise, so ``mean(abs(diff(xs)))`` reads as the mean step size of a curve."""
    return [abs(v) for v in value] if isinstance(value, list) else abs(value)


FUNCTIONS: dict[str, Callable] = {
    "min": min, "max": max, "abs": _abs, "len": len, "sum": sum, "round": round,
    "all": all, "any": any, "mean": _mean, "diff": _diff, "ratio": _ratio,
}  # fmt: skip
AT = "at"  # at(control=value, …): the claim's block run with those controls
_EVERY = re.compile(r"\[\s*\*\s*\]")  # curves[*].val_loss: written as a full slice
_COMPARE = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
}  # fmt: skip
_ARITH = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}  # fmt: skip


# Bounds that keep every claim fast and small: nothing a sentence needs comes near them.
MAX_EXPRESSION = 1000  # characters of one claim
MAX_INT_BITS = 4096  # about 1e1233
MAX_LENGTH = 100_000  # items of a list, characters of a text
_ERRORS = (TypeError, ValueError, ArithmeticError, IndexError, KeyError)  # a claim's own


@dataclass(frozen=True)
class Target:
    block: str
    overrides: tuple[tuple[str, object], ...] = ()  # (control, value), in the author's order


class ClaimError(ValueError):
    """A claim that is false or cannot be evaluated; the message shows the values."""


class ScenarioError(RuntimeError):
    """A demo raised when run with a scenario's controls."""


RunScenario = Callable[[Block, dict], dict]  # (demo block, overrides) -> its result


def render_prose(
    markdown: str,
    blocks: list[Block],
    run_scenario: RunScenario,
    path: str,
    first_line: int,
    dataset: list[dict] | None = None,
) -> str:
    """``markdown`` with every figure, link and claim checked and turned into HTML.
    ``dataset``: the site's dataset rows, which ``dataset(…)`` figures and claims read."""
    by_id = {b.id: b for b in blocks}
    _check_dataset_id(by_id, path)
    lines = markdown.split("\n")
    for i in _prose_lines(lines):
        where = (path, first_line + i)
        lines[i] = _outside_code(
            lines[i], lambda text, at=where: _render_line(text, by_id, run_scenario, at, dataset)
        )
    return "\n".join(lines)


def scenarios_of(
    markdown: str, blocks: list[Block], path: str, first_line: int
) -> list[tuple[Block, dict]]:
    """Every scenario the page's figures and claims need, checked, so a build can run them
    all at once before ``render_prose`` asks for them one by one."""
    by_id = {b.id: b for b in blocks}
    found: list[tuple[Block, dict]] = []
    lines = markdown.split("\n")
    for i in _prose_lines(lines):
        where = (path, first_line + i)

        def collect(text: str, at: tuple = where) -> str:
            for m in _FORM.finditer(text):
                if not _is_ours(m["body"], by_id):
                    continue
                claim = m["body"].startswith("claim ")
                head, sep, rest = m["body"].removeprefix("claim ").strip().partition(":")
                target = parse_target(head.strip(), at) if sep else None
                if target is None or target.block not in by_id:
                    continue  # render_prose reports it
                runs = [target] if target.overrides else []
                if claim:
                    runs += [t for t in _runs_named(rest.strip(), target.block, at) if t.overrides]
                for run in runs:
                    demo = _demo(run, by_id, at)
                    pair = (demo, _checked_overrides(demo, run, at))
                    if pair not in found:
                        found.append(pair)
            return text

        _outside_code(lines[i], collect)
    return found


def _is_ours(body: str, by_id: dict) -> bool:
    """Whether ``{{ body }}`` is a figure, claim or link of this page, not another tool's."""
    m = _HEAD.match(body.strip())
    if not m:
        return False
    if m["claim"] or m["id"] in by_id:
        return True
    # Our shape (`id:` or `id(`) and one letter off a block id: a typo to report.
    return bool(m["form"]) and bool(_near(m["id"], by_id))


def _near(name: str, by_id: dict) -> list[str]:
    return difflib.get_close_matches(name, list(by_id), n=1, cutoff=0.6)


def _prose_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines outside fenced code that may hold a figure."""
    picked, fence = [], None
    for i, line in enumerate(lines):
        m = _FENCE.match(line)
        if fence:
            closing = m and m[1][0] == fence[0] and len(m[1]) >= len(fence)
            if closing and not line.strip()[len(m[1]) :]:
                fence = None
            continue
        if m:
            fence = m[1]
        elif "{{" in line:
            picked.append(i)
    return picked


def _outside_code(line: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to the parts of ``line`` that are not inline code."""
    out, at = [], 0
    for m in _CODE_SPAN.finditer(line):
        out += [fn(line[at : m.start()]), m.group()]
        at = m.end()
    return "".join([*out, fn(line[at:])])


def _render_line(
    text: str, by_id: dict, run_scenario: RunScenario, where: tuple, dataset: list[dict] | None
) -> str:
    text = _LINK.sub(lambda m: _scenario_link(m, by_id, where), text)
    return _FORM.sub(lambda m: _form(m, by_id, run_scenario, where, dataset), text)


def _scenario_link(m: re.Match, by_id: dict, where: tuple) -> str:
    if not _is_ours(m["target"], by_id):
        return m.group()
    target = parse_target(m["target"], where)
    block = _demo(target, by_id, where)
    values = _checked_overrides(block, target, where)
    if not values:
        raise SourceError(*where, "a scenario link must set at least one control, e.g. (lr=3)")
    return render_scenario_link(block.id, scenario_href(block.id, values), m["text"])


def scenario_href(block_id: str, values: dict) -> str:
    """The fragment a block's controls write: ``#id:name=value&…`` (text as is, else JSON)."""
    query = urlencode({k: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()})
    return f"#{block_id}:{query}"


def _form(
    m: re.Match,
    by_id: dict,
    run_scenario: RunScenario,
    where: tuple,
    dataset: list[dict] | None = None,
) -> str:
    body = m["body"]
    if reads_dataset(body):
        return dataset_form(body, dataset, where)
    if not _is_ours(body, by_id):
        return m.group()
    target, path, fmt, text = _evaluate(body, by_id, run_scenario, where)
    if path is None:
        warn_if_weak(body.partition(":")[2].strip(), where)  # here: once, not per environment
        return ""  # a claim that holds renders nothing
    # With overrides it is fixed: what the demo does at those settings, not the reader's.
    return render_figure(target.block, path, fmt, text, dict(target.overrides))


def _evaluate(
    body: str, by_id: dict, run_scenario: RunScenario, where: tuple
) -> tuple[Target, str | None, str, str]:
    """(target, key path, format, text) of a figure; a claim has no path and must hold."""
    claim = body.startswith("claim ")
    head, sep, rest = (body[6:] if claim else body).partition(":")
    if not sep:
        raise SourceError(
            *where,
            f"cannot read {{{{ {body} }}}}: write {{{{ BLOCK: key.path | format }}}}, "
            "{{ BLOCK(control=value): … }} or {{ claim BLOCK: expression }}",
        )
    target = parse_target(head.strip(), where)
    block = _block(target, by_id, where)
    result = _result(block, target, run_scenario, where)
    if claim:
        check_claim(
            rest.strip(),
            Scope(result, lambda o: _result(block, Target(block.id, o), run_scenario, where)),
            where,
        )
        return target, None, "", ""
    path, bar, fmt = rest.partition("|")
    path, fmt = path.strip(), (fmt.strip() if bar else "text")
    try:
        text = format_figure(resolve_path(result, path), fmt)
    except FigureError as exc:
        raise SourceError(*where, f"{{{{ {body} }}}}: {exc}") from exc
    return target, path, fmt, text


@dataclass(frozen=True)
class Reading:
    """What one figure or claim comes to: a figure's text, ``holds``, or the error."""

    line: int
    form: str  # as written, ``{{ … }}``
    kind: str  # figure | claim
    shown: str


def read_forms(
    markdown: str, blocks: list[Block], run_scenario: RunScenario, path: str, first_line: int
) -> list[Reading]:
    """Every figure and claim of the page, evaluated against these results without
    stopping at the first failure: the numeric check compares them across environments."""
    by_id = {b.id: b for b in blocks}
    readings: list[Reading] = []
    lines = markdown.split("\n")
    for i in _prose_lines(lines):
        where = (path, first_line + i)

        def read(text: str, at: tuple = where) -> str:
            for m in _FORM.finditer(_LINK.sub("", text)):  # links do not depend on numbers
                if reads_dataset(m["body"]):
                    continue  # the dataset is a file: the same in every numeric environment
                if not _is_ours(m["body"], by_id):
                    continue
                kind = "claim" if m["body"].startswith("claim ") else "figure"
                try:
                    _, key_path, _, text = _evaluate(m["body"], by_id, run_scenario, at)
                    shown = "holds" if key_path is None else text
                except SourceError as exc:
                    shown = exc.message
                readings.append(Reading(at[1], m.group(), kind, shown))
            return text

        _outside_code(lines[i], read)
    return readings


def parse_target(text: str, where: tuple) -> Target:
    m = _TARGET.match(text)
    if not m:
        raise SourceError(
            *where, f"{text!r} must be a block id, optionally with (control=value, …)"
        )
    overrides = []
    if m["overrides"] and m["overrides"].strip():
        try:
            call = ast.parse(f"f({m['overrides']})", mode="eval").body
            assert isinstance(call, ast.Call) and not call.args
            overrides = [(kw.arg, ast.literal_eval(kw.value)) for kw in call.keywords]
        except (SyntaxError, ValueError, AssertionError) as exc:
            raise SourceError(
                *where, f"cannot read the overrides ({m['overrides']}); write name=value, …"
            ) from exc
    return Target(m["id"], tuple(overrides))


def _block(target: Target, by_id: dict, where: tuple) -> Block:
    block = by_id.get(target.block)
    if block is None:
        known = ", ".join(sorted(by_id)) or "(none on this page)"
        near = _near(target.block, by_id)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise SourceError(*where, f"unknown block id {target.block!r}{hint}; blocks here: {known}")
    return block


def _demo(target: Target, by_id: dict, where: tuple) -> Block:
    block = _block(target, by_id, where)
    if block.lang != "demo":
        raise SourceError(*where, f"{target.block!r} is a {block.lang} block, not a demo")
    return block


def _result(block: Block, target: Target, run_scenario: RunScenario, where: tuple) -> object:
    if not target.overrides:
        if block.outcome is None or "result" not in block.outcome:
            raise SourceError(
                *where, f"block {block.id!r} has no pre-rendered result to take a figure from"
            )
        return block.outcome["result"]
    demo = _demo(target, {block.id: block}, where)
    try:
        return run_scenario(demo, _checked_overrides(demo, target, where))
    except ScenarioError as exc:
        raise SourceError(*where, f"the scenario {demo.id}{_call(target)} failed: {exc}") from exc


def _call(target: Target) -> str:
    return "(" + ", ".join(f"{k}={v!r}" for k, v in target.overrides) + ")"


def _checked_overrides(block: Block, target: Target, where: tuple) -> dict:
    controls = {c["name"]: c for c in block.spec["controls"]}
    values = {}
    for name, value in target.overrides:
        control = controls.get(name)
        if control is None:
            known = ", ".join(controls) or "(none)"
            raise SourceError(*where, f"{block.id} has no control {name!r}; its controls: {known}")
        problem = _out_of_range(control, value)
        if problem:
            raise SourceError(*where, f"{block.id}({name}={value!r}): {problem}")
        values[name] = value
    return values


def _out_of_range(control: dict, value: object) -> str | None:
    kind = control["type"]
    if kind in ("slider", "number"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "needs a number"
        if not control["min"] <= value <= control["max"]:
            return f"outside the control's range [{control['min']}, {control['max']}]"
        if control.get("integer") and not isinstance(value, int):
            return "needs a whole number"
    elif kind == "select" and value not in [o["value"] for o in control["options"]]:
        return f"not one of the options {[o['value'] for o in control['options']]}"
    elif kind == "checkbox" and not isinstance(value, bool):
        return "needs True or False"
    elif kind == "text" and not isinstance(value, str):
        return "needs text in quotes"
    return None


# ---- claims -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What a claim's names read: its own run's result, and other runs of its block by ``at``."""

    result: object
    at: Callable[[tuple], object]  # overrides, as Target.overrides -> that run's result


def check_claim(expression: str, scope: Scope, where: tuple) -> None:
    tree = _parse_claim(expression, where)
    try:
        holds = evaluate(tree, scope)
        why = explain(tree, scope) if holds is not True else ""
    except ClaimError as exc:
        raise SourceError(
            *where, f"the claim {_short(expression)} cannot be evaluated: {exc}"
        ) from exc
    except RecursionError as exc:
        raise SourceError(
            *where, f"the claim {_short(expression)} is nested too deeply to evaluate"
        ) from exc
    if holds is not True:
        raise SourceError(
            *where,
            f"the claim {expression!r} is false: {why}; the demo no longer "
            "supports this sentence: change the sentence, or the demo",
        )


def _parse_claim(expression: str, where: tuple) -> ast.AST:
    if len(expression) > MAX_EXPRESSION:
        raise SourceError(
            *where,
            f"the claim {_short(expression)} is too long to read ({len(expression)} "
            f"characters, at most {MAX_EXPRESSION}): split it into several claims",
        )
    try:
        return ast.parse(_EVERY.sub("[:]", expression), mode="eval").body
    except SyntaxError as exc:
        raise SourceError(*where, f"cannot read the claim {expression!r}: {exc.msg}") from exc
    except (RecursionError, MemoryError) as exc:
        raise SourceError(
            *where, f"the claim {_short(expression)} is nested too deeply to read"
        ) from exc


def _runs_named(expression: str, block_id: str, where: tuple) -> list[Target]:
    """The other runs a claim compares with, ``at(…)``, so a build can run them first."""
    try:
        return [
            Target(block_id, _at_overrides(node))
            for node in ast.walk(_parse_claim(expression, where))
            if _is_at(node)
        ]
    except ClaimError as exc:
        raise SourceError(*where, f"the claim {expression!r} cannot be evaluated: {exc}") from exc


def _is_at(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == AT


def _at_overrides(node: ast.Call) -> tuple[tuple[str, object], ...]:
    if node.args or any(kw.arg is None for kw in node.keywords):
        raise ClaimError(f"{ast.unparse(node)}: write at(control=value, …), e.g. at(lr=0.5)")
    try:
        return tuple((kw.arg, ast.literal_eval(kw.value)) for kw in node.keywords)
    except ValueError as exc:
        raise ClaimError(
            f"{ast.unparse(node)}: a control's value must be a number, text, True or False"
        ) from exc


def evaluate(node: ast.AST, scope: Scope) -> object:
    """The value of a whitelisted expression; names and attributes read the result."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float | str | bool):
        return node.value
    if isinstance(node, ast.Compare):
        left = evaluate(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators):
            right = evaluate(right_node, scope)
            if not _apply(_COMPARE, op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.BoolOp):
        values = [evaluate(v, scope) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = evaluate(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub | ast.UAdd):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ClaimError(f"{_shown(node)}: {_short(value)} is not a number")
            return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp):
        return _apply(_ARITH, node.op, evaluate(node.left, scope), evaluate(node.right, scope))
    if isinstance(node, ast.List | ast.Tuple):
        return [evaluate(e, scope) for e in node.elts]
    if isinstance(node, ast.Name | ast.Attribute | ast.Subscript) or _is_at(node):
        return _lookup(node, scope)[0]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise ClaimError(
                f"only {', '.join(FUNCTIONS)} and {AT}(control=value, …) may be called, "
                "with plain arguments"
            )
        args = [evaluate(a, scope) for a in node.args]
        try:
            return _checked_size(FUNCTIONS[node.func.id](*args))
        except _ERRORS as exc:
            raise ClaimError(f"{ast.unparse(node)}: {exc}") from exc
    raise ClaimError(f"{ast.unparse(node)!r} is not allowed in a claim")


def _lookup(node: ast.AST, scope: Scope) -> tuple[object, bool]:
    """A key path's value, and whether it has been taken from every row (``[*]`` or a slice)."""
    if isinstance(node, ast.Name):
        return _step(scope.result, node.id, "the result"), False
    if _is_at(node):
        return scope.at(_at_overrides(node)), False
    if not isinstance(node, ast.Attribute | ast.Subscript):
        raise ClaimError(f"{ast.unparse(node)!r} is not a key path like history.loss[-1]")
    base, every = _lookup(node.value, scope)
    where = _shown(node.value)
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        if every:
            raise ClaimError(f"{_shown(node)}: one [*] or slice per key path")
        if not isinstance(base, list):
            raise ClaimError(f"{where} is not a list, so it has no [*]")
        step = _bound(node.slice.step)
        if step == 0:
            raise ClaimError(f"{_shown(node)}: a slice's step cannot be zero")
        return base[_bound(node.slice.lower) : _bound(node.slice.upper) : step], True
    key = node.attr if isinstance(node, ast.Attribute) else _index(node)
    if every:
        return [_step(row, key, f"a row of {where}") for row in base], True
    return _step(base, key, where), False


def _step(value: object, key: str | int, where: str) -> object:
    try:
        return step_into(value, key, where)
    except FigureError as exc:
        raise ClaimError(str(exc)) from None


def _index(node: ast.Subscript) -> int | str:
    index = node.slice
    if isinstance(index, ast.UnaryOp) and isinstance(index.op, ast.USub) and _is_int(index.operand):
        return -index.operand.value
    if isinstance(index, ast.Constant) and isinstance(index.value, int | str):
        return index.value
    raise ClaimError(f"{_shown(node)}: an index must be a whole number or a key in quotes")


def _bound(node: ast.AST | None) -> int | None:
    if node is None:
        return None
    if _is_int(node):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and _is_int(node.operand):
        return -node.operand.value
    raise ClaimError(f"a slice's bounds must be whole numbers, not {ast.unparse(node)!r}")


def _shown(node: ast.AST) -> str:
    """The author's spelling back: ``[*]`` is parsed as ``[:]``."""
    return ast.unparse(node).replace("[:]", "[*]")


def explain(node: ast.AST, scope: Scope) -> str:
    """The values of a false claim's parts, e.g. ``history.val_loss[-1] = 0.41, min(…) = 0.39``."""
    parts = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Compare):
            for side in (sub.left, *sub.comparators):
                if not isinstance(side, ast.Constant):
                    parts.append(f"{_shown(side)} = {_short(evaluate(side, scope))}")
    return ", ".join(dict.fromkeys(parts)) or _shown(node)


def _short(value: object, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _apply(table: dict, op: ast.AST, left: object, right: object) -> object:
    fn = table.get(type(op))
    if fn is None:
        raise ClaimError(f"the operator {type(op).__name__} is not allowed")
    _check_operands(op, left, right)
    try:
        return _checked_size(fn(left, right))
    except _ERRORS as exc:  # only the claim's own errors: a timeout or an interrupt passes
        raise ClaimError(f"{_short(left)} and {_short(right)}: {exc}") from exc


def _check_operands(op: ast.AST, left: object, right: object) -> None:
    """Refuse, before computing it, a power or a repetition past the bounds."""
    if isinstance(op, ast.Pow) and _is_number(left) and _is_number(right):
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            if abs(left).bit_length() * right > MAX_INT_BITS:
                raise ClaimError(f"{_short(left)} ** {_short(right)} is too large to compute")
        elif abs(right) > MAX_INT_BITS and abs(left) > 1:
            raise ClaimError(f"{_short(left)} ** {_short(right)} is too large to compute")
    if isinstance(op, ast.Mult):
        for seq, times in ((left, right), (right, left)):
            sequence = isinstance(seq, str | list) and isinstance(times, int)
            if sequence and len(seq) * max(times, 0) > MAX_LENGTH:
                raise ClaimError(
                    f"{_short(seq)} * {_short(times)} is too long (over {MAX_LENGTH} items)"
                )


def _checked_size(value: object) -> object:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise ClaimError(f"a number too large to compare ({value.bit_length()} bits)")
    if isinstance(value, str | list) and len(value) > MAX_LENGTH:
        raise ClaimError(f"a value too long (over {MAX_LENGTH} items)")
    return value


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_int(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and type(node.value) is int


# ---- claims that read no result ----------------------------------------------------------

SETTINGS = "config"  # the key under which a demo returns the settings it ran with
log = logging.getLogger("mkdocs.plugins.parameter_lab")


def warn_if_weak(expression: str, where: tuple) -> None:
    """A warning (an error under ``mkdocs build --strict``) for a claim that cannot fail."""
    if reads_no_result(_parse_claim(expression, where)):
        log.warning(
            "%s:%s: the claim %r reads only the demo's settings (%s.*) or literals, so no "
            "change to what the demo computes can make it false; check a result the sentence "
            "depends on, or, if the sentence is a definition, drop the claim",
            *where,
            expression,
            SETTINGS,
        )


def reads_no_result(tree: ast.AST) -> bool:
    """Whether every key path in a claim starts at ``config`` (or there is none)."""
    return all(key == SETTINGS for key in _first_keys(tree))


def _first_keys(node: ast.AST):
    """The first key of every key path in an expression; ``at(…)`` is skipped, so that
    ``at(lr=1).config.lr`` reads the settings too, and a bare ``at()`` is the whole result."""
    if isinstance(node, ast.Name):
        yield node.id
    elif _is_at(node):
        yield None
    elif isinstance(node, ast.Attribute | ast.Subscript):
        chain = [node]
        while isinstance(chain[-1].value, ast.Attribute | ast.Subscript):
            chain.append(chain[-1].value)
        base, first = chain[-1].value, chain[-1]
        if isinstance(base, ast.Name):
            yield base.id
        elif _is_at(base):
            yield first.attr if isinstance(first, ast.Attribute) else ast.unparse(first.slice)
        else:
            yield from _first_keys(base)
    elif isinstance(node, ast.Call):
        for arg in node.args:  # the function's name is not a key
            yield from _first_keys(arg)
    else:
        for child in ast.iter_child_nodes(node):
            yield from _first_keys(child)


# ---- the site's dataset --------------------------------------------------------------------

DATASET = "dataset"  # {{ dataset(column=value, …): expression }}: rows of the site's dataset


def _check_dataset_id(by_id: dict, path: str) -> None:
    block = by_id.get(DATASET)
    if block is not None:
        raise SourceError(
            path,
            block.line,
            f"the id {DATASET!r} names the site's dataset in figures and claims; "
            "give this block another id",
        )


def reads_dataset(body: str) -> bool:
    """Whether a ``{{ … }}`` body (without the braces) names the dataset, not a block."""
    head = body.removeprefix("claim ").partition(":")[0].strip()
    m = _TARGET.match(head)
    return bool(m) and m["id"] == DATASET


def dataset_form(body: str, dataset: list[dict] | None, where: tuple) -> str:
    """A figure or claim over the dataset rows its filters keep."""
    claim = body.startswith("claim ")
    head, _, rest = body.removeprefix("claim ").partition(":")
    target, rest = parse_target(head.strip(), where), rest.strip()
    if dataset is None:
        raise SourceError(
            *where, "this site has no dataset to read; set `dataset:` for the plugin in mkdocs.yml"
        )
    scope = Scope(
        {"rows": filter_rows(dataset, target.overrides, where)},
        lambda filters: {"rows": filter_rows(dataset, filters, where)},
    )
    if claim:
        check_claim(rest, scope, where)
        warn_if_weak(rest, where)  # e.g. a claim over literals that never reads ``rows``
        return ""
    expression, bar, fmt = rest.partition("|")
    expression, fmt = expression.strip(), (fmt.strip() if bar else "text")
    tree = _parse_claim(expression, where)
    try:
        text = format_figure(evaluate(tree, scope), fmt)
    except (ClaimError, FigureError) as exc:
        raise SourceError(*where, f"{DATASET}: {expression!r} cannot be evaluated: {exc}") from exc
    source = f"{DATASET}{_call(target)}" if target.overrides else DATASET
    return (
        f'<span class="plab-figure plab-figure--dataset" data-source="{html.escape(source)}" '
        f'data-expression="{html.escape(expression)}" data-format="{html.escape(fmt)}">'
        f"{html.escape(text)}</span>"
    )


def filter_rows(rows: list[dict], filters: tuple, where: tuple) -> list[dict]:
    """The rows that meet every filter ``(column, value)``: equal to ``value``; starting with
    it if it is text ending in ``*`` (``released="2024-*"``); between its two ends, both
    included, if it is a pair (``params=[6e9, 14e9]``; rows without a value never are)."""
    kept = rows
    for column, value in filters:
        kind = _column_kind(rows, column, where)
        ends = list(value) if isinstance(value, list | tuple) else [value]
        if len(ends) not in (1, 2) or any(_kind(v) != kind for v in ends):
            raise SourceError(
                *where,
                f"{DATASET}({column}={value!r}): {column} holds {kind}; filter it with one "
                f"value or a pair [low, high] of {kind}",
            )
        kept = [r for r in kept if _matches(r[column], value)]
        if not kept:
            raise SourceError(
                *where,
                f"{DATASET}{_call(Target(DATASET, filters))}: no row is left after "
                f"{column}={value!r}; {column} has {_some_values(rows, column)}",
            )
    return kept


def _matches(cell: object, value: object) -> bool:
    if isinstance(value, list | tuple):
        return cell is not None and value[0] <= cell <= value[1]
    if isinstance(value, str) and value.endswith("*"):
        return isinstance(cell, str) and cell.startswith(value[:-1])
    return cell == value


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "True or False"
    return "numbers" if isinstance(value, int | float) else "text"


def _column_kind(rows: list[dict], column: str, where: tuple) -> str:
    columns = list(rows[0]) if rows else []
    if column not in columns:
        raise SourceError(
            *where,
            f"the dataset has no column {column!r}; its columns: {', '.join(columns) or '(none)'}",
        )
    kinds = {_kind(r[column]) for r in rows if r[column] is not None}
    return kinds.pop() if len(kinds) == 1 else "text"


def _some_values(rows: list[dict], column: str, limit: int = 8) -> str:
    values = sorted({str(r[column]) for r in rows if r[column] is not None})
    shown = ", ".join(values[:limit])
    return shown + (f", … ({len(values)} values)" if len(values) > limit else "")
