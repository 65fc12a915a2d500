"""Find the ``pyodide``, ``demo`` and ``chart`` fences of a page, with their file lines.

The scan reads fences the way pymdown's superfences does: any fence (with or without a
language) hides what is inside it, so an example of a fence inside a code block is shown,
never run. Whatever the two still disagree on is caught after rendering: a block that was
scanned but never rendered stops the build at its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parameter_lab.errors import SourceError

FENCE_NAMES = ("pyodide", "demo", "chart")
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_LANG = re.compile(r"^\{?\s*\.?(?P<lang>[\w+-]+)(?P<opts>.*?)\}?\s*$")


@dataclass
class Fence:
    lang: str
    line: int  # 1-based file line of the opening fence
    opts: str  # what follows the language on the opening line
    source: str  # the body, dedented as superfences passes it to the formatter
    body_line: int  # file line of the body's first line


@dataclass
class Block:
    lang: str  # pyodide | demo | chart
    line: int
    source: str
    id: str
    spec: dict = field(default_factory=dict)
    outcome: dict | None = None  # the pre-render's result, set by the plugin


def find_fences(markdown: str, path: str, first_line: int = 1) -> list[Fence]:
    """Our fences in document order. ``first_line`` is the file line of ``markdown``'s first."""
    fences: list[Fence] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        indent, fence = m["indent"], m["fence"]
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        body, j = [], i + 1
        while j < len(lines) and not close.match(lines[j]):
            body.append(
                lines[j][len(indent) :] if lines[j].startswith(indent) else lines[j].lstrip()
            )
            j += 1
        info = _LANG.match(m["info"].strip())
        lang = info["lang"] if info else ""
        if lang in FENCE_NAMES:
            if j == len(lines):
                raise SourceError(
                    path, first_line + i, f"the {lang} fence is never closed: add a line `{fence}`"
                )
            fences.append(
                Fence(lang, first_line + i, info["opts"], "\n".join(body), first_line + i + 1)
            )
        i = j + 1
    return fences


def body_offset(raw: str, markdown: str) -> int:
    """How many file lines precede ``markdown`` in ``raw`` (front matter, blank lines)."""
    raw = raw.replace("\r\n", "\n")
    if markdown and raw.endswith(markdown):
        return raw[: len(raw) - len(markdown)].count("\n")
    head = markdown.lstrip("\n")[:200]
    at = raw.find(head) if head.strip() else -1
    skipped = len(markdown) - len(markdown.lstrip("\n"))
    return max(raw[:at].count("\n") - skipped, 0) if at > 0 else 0
