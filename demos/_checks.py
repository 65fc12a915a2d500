"""Argument checks shared by the demos: a bad control value names itself and its range."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import fields
from typing import TypeVar

T = TypeVar("T")


def number(name: str, value: object, lo: float, hi: float) -> float:
    """``value`` as a float in [lo, hi], or ValueError naming ``name`` and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number in [{lo}, {hi}], got {value!r}")
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return float(value)


def integer(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi] (a float with no fraction is accepted, as sliders send)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return value


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value  # type: ignore[return-value]


def flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


def build(config_cls: type[T], controls: dict) -> T:
    """``config_cls(**controls)``, but an unknown control is a ValueError naming the known ones."""
    known = [f.name for f in fields(config_cls)]
    for name in controls:
        if name not in known:
            raise ValueError(f"{name} is not a control of {config_cls.__name__}; known: {known}")
    return config_cls(**controls)
