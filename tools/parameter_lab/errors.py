"""The one exception type that carries ``file:line: message`` for contributors."""

from __future__ import annotations


class SourceError(Exception):
    """Something wrong at a place in a source file, with how to fix it."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
