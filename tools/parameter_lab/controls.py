"""The registry of control types a ``demo`` fence can declare.

Each type is declared once here: its schema (validated the way MkDocs validates options),
its checks across fields, the values it derives, and the template that draws it. The
browser side has the matching registry in ``runtime/controls.js``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from mkdocs.config import base
from mkdocs.config import config_options as c
from parameter_lab.options import Identifier, Number, PositiveNumber, Text

LOG_POSITIONS = 200  # positions of a log slider: fine enough to feel continuous


class ControlError(ValueError):
    """A control is wrong; the message says what and how to fix it."""


class _Control(base.Config):
    name = Identifier()
    type = c.Type(str, default="slider")
    label = c.Optional(Text())
    help = c.Optional(Text())


class _Slider(_Control):
    min = Number()
    max = Number()
    value = Number()
    step = c.Optional(PositiveNumber())
    scale = c.Choice(("linear", "log"), default="linear")


class _Number(_Control):
    min = Number()
    max = Number()
    value = Number()
    step = c.Optional(PositiveNumber())


class _Select(_Control):
    options = c.ListOfItems(c.Type((dict, str, int, float, bool)))
    value = c.Type((str, int, float, bool))


class _Text(_Control):
    value = c.Optional(Text())
    multiline = c.Type(bool, default=False)


class _Checkbox(_Control):
    value = c.Type(bool)


@dataclass(frozen=True)
class ControlType:
    schema: type[base.Config]
    finish: Callable[[dict], dict]  # checks across fields; returns the client spec
    template: str  # under templates/controls/


def _finish_range(spec: dict) -> dict:
    lo, hi, value = spec["min"], spec["max"], spec["value"]
    if not lo < hi:
        raise ControlError(f"min ({lo}) must be below max ({hi})")
    if not lo <= value <= hi:
        raise ControlError(
            f"value {value} is outside its range [{lo}, {hi}]; change value, min or max"
        )
    integer = all(isinstance(v, int) for v in (lo, hi, value, spec.get("step") or 1))
    step = spec.get("step") or (1 if integer else _step_through(lo, hi, value))
    if step > hi - lo:
        raise ControlError(f"step {step} is larger than the range [{lo}, {hi}]")
    if spec.get("scale", "linear") == "linear":
        _check_on_grid(spec.get("type", "slider"), lo, step, value)
    return {**spec, "step": step, "integer": integer}


def _step_through(lo: float, hi: float, value: float) -> float:
    """A readable step of about a hundredth of the range whose grid holds the default."""
    step = _nice_step((hi - lo) / 100)
    for _ in range(12):  # 1, 2, 5 times powers of ten, finer each time
        if _on_grid(lo, step, value):
            return step
        step = _nice_step(step * 0.99)
    return _nice_step((hi - lo) / 100)  # _check_on_grid names the nearest values


def _check_on_grid(kind: str, lo: float, step: float, value: float) -> None:
    """A browser snaps an input's value to min + n * step: a default off that grid would be
    shown (and run) as another value than the pre-rendered one."""
    if _on_grid(lo, step, value):
        return
    steps = (value - lo) / step
    below = lo + math.floor(steps) * step
    shown = [_grid_number(x) for x in (below, below + step)]
    raise ControlError(
        f"value {value} is not on the {kind}'s grid (min {lo}, step {step}); "
        f"the nearest values are {shown[0]} and {shown[1]}"
    )


def _on_grid(lo: float, step: float, value: float) -> bool:
    steps = (value - lo) / step
    return abs(steps - round(steps)) <= 1e-9 * max(1.0, abs(steps))


def _grid_number(x: float) -> str:
    return f"{round(x, 12):.12g}"


def _finish_slider(spec: dict) -> dict:
    out = _finish_range(spec)
    if spec["scale"] == "log":
        if spec["min"] <= 0:
            raise ControlError("a log slider needs min > 0; use scale: linear, or raise min")
        out["positions"] = log_positions(spec["min"], spec["max"], spec["value"], out["integer"])
    return out


def _finish_select(spec: dict) -> dict:
    options = []
    for i, option in enumerate(spec["options"]):
        if isinstance(option, dict):
            if "value" not in option:
                raise ControlError(
                    f"option {i + 1} has no value; write it as {{value: ..., label: ...}}"
                )
            unknown = set(option) - {"value", "label"}
            if unknown:
                raise ControlError(f"option {i + 1} has unknown key {sorted(unknown)[0]!r}")
            options.append(
                {"value": option["value"], "label": str(option.get("label", option["value"]))}
            )
        else:
            options.append({"value": option, "label": str(option)})
    if not options:
        raise ControlError("a select needs at least one option")
    if spec["value"] not in [o["value"] for o in options]:
        raise ControlError(f"value {spec['value']!r} is not one of its options")
    return {**spec, "options": options}


def _finish_text(spec: dict) -> dict:
    return {**spec, "value": spec.get("value") or ""}


CONTROL_TYPES: dict[str, ControlType] = {
    "slider": ControlType(_Slider, _finish_slider, "slider.html"),
    "number": ControlType(_Number, _finish_range, "number.html"),
    "select": ControlType(_Select, _finish_select, "select.html"),
    "text": ControlType(_Text, _finish_text, "text.html"),
    "checkbox": ControlType(_Checkbox, dict, "checkbox.html"),
}


def parse_control(raw: object) -> dict:
    """A validated control spec, as the browser receives it; raises ControlError."""
    if not isinstance(raw, dict):
        raise ControlError(
            "each control must be a mapping, "
            "e.g. {name: lr, type: slider, min: 0.001, max: 1, value: 0.1}"
        )
    kind = raw.get("type", "slider")
    if kind not in CONTROL_TYPES:
        raise ControlError(f"unknown type {kind!r}; use one of {', '.join(CONTROL_TYPES)}")
    control = CONTROL_TYPES[kind].schema()
    control.load_dict(raw)
    failed, warnings = control.validate()
    if failed:
        key, error = failed[0]
        raise ControlError(f"{key}: {error}")
    if warnings:
        key = warnings[0][0]
        allowed = ", ".join(sorted(control._schema_keys))
        raise ControlError(f"unknown key {key!r} for a {kind}; allowed: {allowed}")
    spec = {k: v for k, v in control.items() if v is not None}
    spec["type"] = kind
    spec["label"] = spec.get("label") or spec["name"]
    return CONTROL_TYPES[kind].finish(spec)


def template_of(control: dict) -> str:
    return "controls/" + CONTROL_TYPES[control["type"]].template


def log_positions(lo: float, hi: float, value: float, integer: bool) -> list:
    """Exact values at each position of a log slider: round numbers, and ``value`` itself.

    The reader's browser reads a position as ``positions[i]``, so the author's default and
    every listed value come back exactly (no 0.05 → 0.0498).
    """
    points = set()
    for i in range(LOG_POSITIONS + 1):
        x = math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * i / LOG_POSITIONS)
        points.add(round(x) if integer else _round_sig(x, 2))
    points = {p for p in points if lo <= p <= hi} | {lo, hi, value}
    return sorted(points)


def position_of(control: dict) -> int:
    """The slider position that shows ``control['value']``."""
    positions = control["positions"]
    return min(range(len(positions)), key=lambda i: abs(math.log(positions[i] / control["value"])))


def _round_sig(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def _nice_step(raw: float) -> float:
    """1, 2 or 5 times a power of ten, at most ``raw``: steps a reader can read."""
    power = 10 ** math.floor(math.log10(raw))
    for m in (5, 2, 1):
        if m * power <= raw:
            return float(f"{m * power:.12g}")
    return float(f"{power:.12g}")
