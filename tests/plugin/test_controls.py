"""The control registry: each type's schema, cross-field checks, and exact slider values."""

from __future__ import annotations

import pytest
from parameter_lab import controls


@pytest.mark.parametrize(
    ("lo", "hi", "value", "integer"),
    [
        (0.001, 1.5, 0.05, False),
        (0.001, 1.5, 0.1, False),
        (16, 8192, 4096, True),
        (1e-4, 3, 0.0123, False),
    ],
)
def test_log_slider_lands_exactly_on_its_default(lo, hi, value, integer):
    spec = controls.parse_control(
        {"name": "x", "type": "slider", "scale": "log", "min": lo, "max": hi, "value": value}
    )
    positions = spec["positions"]
    assert positions == sorted(set(positions))
    assert positions[0] == lo and positions[-1] == hi
    assert positions[controls.position_of(spec)] == value  # exactly, not 0.0498 for 0.05
    assert spec["integer"] is integer
    if integer:
        assert all(isinstance(p, int) for p in positions)


def test_linear_step_defaults_are_readable_numbers():
    spec = controls.parse_control({"name": "x", "min": 0, "max": 1.5, "value": 0.3})
    assert spec["step"] == 0.01 and spec["integer"] is False
    assert controls.parse_control({"name": "n", "min": 1, "max": 9, "value": 3})["step"] == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "x", "min": 1, "max": 0, "value": 0}, "min (1) must be below max (0)"),
        (
            {"name": "x", "min": 0, "max": 1, "value": 0, "step": 0},
            "step: expected a positive number",
        ),
        (
            {"name": "x", "min": 0, "max": 1, "value": 0, "step": 2},
            "step 2 is larger than the range",
        ),
        ({"name": "x", "min": 0, "max": 1, "value": True}, "value: expected a number"),
        (
            {"name": "x", "scale": "log", "min": 0, "max": 1, "value": 0.5},
            "a log slider needs min > 0",
        ),
        ({"name": "class", "min": 0, "max": 1, "value": 0}, "is not a Python identifier"),
        ({"name": "x", "type": "dial"}, "unknown type 'dial'"),
        ({"name": "x", "type": "select", "options": [], "value": 1}, "at least one option"),
        ({"name": "x", "type": "select", "options": [1, 2], "value": 3}, "value 3 is not one of"),
        (
            {"name": "x", "type": "select", "options": [{"value": 1, "x": 2}], "value": 1},
            "unknown key 'x'",
        ),
        ({"name": "x", "type": "checkbox", "value": "yes"}, "value:"),
        ({"name": "x", "type": "text", "rows": 3}, "unknown key 'rows' for a text"),
        ("lr", "each control must be a mapping"),
    ],
)
def test_bad_controls_say_what_and_how(raw, message):
    with pytest.raises(controls.ControlError, match=None) as info:
        controls.parse_control(raw)
    assert message in str(info.value)


def test_every_type_has_a_template():
    from parameter_lab.render import _env

    for name, kind in controls.CONTROL_TYPES.items():
        assert _env().get_template("controls/" + kind.template), name


def test_a_derived_step_keeps_the_default_on_the_grid():
    control = controls.parse_control({"name": "lr", "min": 0.01, "max": 5, "value": 0.1})
    steps = (control["value"] - control["min"]) / control["step"]
    assert abs(steps - round(steps)) < 1e-9, control["step"]


def test_a_yaml_exponent_gets_a_hint():
    with pytest.raises(controls.ControlError, match=r"write 1\.0e-3 or 0\.001"):
        controls.parse_control({"name": "x", "min": "1e-3", "max": 1, "value": 0.5})
