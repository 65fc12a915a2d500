"""Option types for validating fence specs declaratively, as MkDocs validates plugin options."""

from __future__ import annotations

import keyword
import re

from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

_BLOCK_ID = re.compile(r"^[a-z][a-z0-9-]{0,63}$")


_EXPONENT = re.compile(r"^(?P<sign>[-+]?)(?P<mantissa>\d+)(?P<fraction>\.\d*)?[eE][-+]?\d+$")


class Number(c.BaseConfigOption):
    """An int or a float (YAML ``true`` is not a number)."""

    def run_validation(self, value: object) -> int | float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(f"expected a number, got {value!r}{_exponent_hint(value)}")
        return value


def _exponent_hint(value: object) -> str:
    """YAML 1.1 (PyYAML) reads ``1e-3`` as text: it wants a dot in the mantissa."""
    m = _EXPONENT.match(value) if isinstance(value, str) else None
    if not m or m["fraction"]:
        return ""
    dotted = value.replace(m["mantissa"], m["mantissa"] + ".0", 1)
    return f"; YAML reads {value} as text: write {dotted} or {float(value)!r}"


class PositiveNumber(Number):
    def run_validation(self, value: object) -> int | float:
        value = super().run_validation(value)
        if value <= 0:
            raise ValidationError(f"expected a positive number, got {value!r}")
        return value


class Identifier(c.BaseConfigOption):
    """A name that can be a Python keyword argument."""

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.isidentifier() or keyword.iskeyword(value):
            raise ValidationError(
                f"{value!r} is not a Python identifier; use letters, digits and '_', "
                "not starting with a digit, e.g. learning_rate"
            )
        return value


class BlockId(c.BaseConfigOption):
    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not _BLOCK_ID.match(value):
            raise ValidationError(
                f"id {value!r} must be lowercase letters, digits and '-', starting with a letter"
            )
        return value


class Text(c.BaseConfigOption):
    """Any scalar written as text (YAML reads `label: 3` as a number)."""

    def run_validation(self, value: object) -> str:
        if isinstance(value, dict | list) or value is None:
            raise ValidationError(f"expected text, got {value!r}")
        return str(value)


class OneOrMany(c.BaseConfigOption):
    """A string or a list of strings, always returned as a list."""

    def __init__(self, default: list[str]) -> None:
        super().__init__()
        self.default = default

    def run_validation(self, value: object) -> list[str]:
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) for v in items):
            raise ValidationError(f"expected a name or a list of names, got {value!r}")
        return items
