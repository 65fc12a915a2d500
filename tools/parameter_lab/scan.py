"""Find the ``pyodide``, ``demo`` and ``chart`` fences of a page, with their file lines.

Which fences a page has is SuperFences' own reading (``read_fences``): the page is read
once by a Markdown with the site's extensions, its fences recorded, not rendered. The line
scan (``find_fences``) gives each of them its file line; a fence the scan finds where
SuperFences reads none (an indented code block, an HTML block, a header it refuses) stops
the build at its line, and one SuperFences reads where the scan cannot (tabs, lists,
blockquotes, admonitions) is located by its text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
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


def find_fences(
    markdown: str, path: str, first_line: int = 1, names: tuple[str, ...] = FENCE_NAMES
) -> list[Fence]:
    """Our fences in document order. ``first_line`` is the file line of ``markdown``'s first;
    ``names``: the fences this site has switched on."""
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
        if lang in names:
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


@dataclass
class Seen:
    """A fence as SuperFences read it: what its formatter is called with."""

    lang: str
    source: str
    options: dict
    id: str = ""
    classes: list[str] = field(default_factory=list)

    def opts(self) -> str:
        """The header options written back as text, as ``parse_cell_options`` reads them."""
        words = [f"#{self.id}"] if self.id else []
        words += [f".{c}" for c in self.classes if c != f"plab-{self.lang}"]
        for key, value in self.options.items():
            quote = "'" if '"' in str(value) else '"'
            words.append(f"{key}={quote}{value}{quote}")
        return " ".join(words)


Read = Callable[[str], list[Seen]]  # markdown -> the fences SuperFences reads in it, in order


def read_fences(
    markdown: str,
    path: str,
    first_line: int,
    read: Read,
    scanned: list[Fence],
    names: tuple[str, ...] = FENCE_NAMES,
) -> list[Fence]:
    """Our fences as SuperFences reads them (``read``), each with its file line (see
    ``match_fences``); ``names`` as for ``find_fences``."""
    if not scanned and not any(name in markdown for name in names):
        return []
    seen = [s for s in read(markdown) if s.lang in names]
    fences, unmatched = match_fences(markdown, first_line, seen, scanned)
    if unmatched:
        lost = unmatched[0]
        raise SourceError(
            path,
            lost.line,
            f"this {lost.lang} fence was found but never rendered: it sits where Markdown "
            "does not read fences (an indented code block, a blockquote, an HTML block); "
            "move it out, or make it a plain code example with a longer outer fence",
        )
    return fences


def match_fences(
    markdown: str, first_line: int, seen: list[Seen], scanned: list[Fence]
) -> tuple[list[Fence], list[Fence]]:
    """(each fence SuperFences read, with its line; the scanned fences it did not read).
    A scanned fence SuperFences read is returned as it is, unless SuperFences' text differs
    (tabs expanded): then with that text."""
    lines = markdown.splitlines()
    unmatched = list(scanned)
    fences: list[Fence] = []
    for fence in seen:
        match = next(
            (f for f in unmatched if f.lang == fence.lang and f.source == fence.source), None
        ) or next(  # the same fence, its tabs expanded by SuperFences
            (
                f
                for f in unmatched
                if f.lang == fence.lang and _normal(f.source) == _normal(fence.source)
            ),
            None,
        )
        if match is not None:
            unmatched.remove(match)
            # The formatter gets SuperFences' text: the block must be that text.
            same = match.source == fence.source
            fences.append(match if same else dataclasses.replace(match, source=fence.source))
            continue
        used = {f.line - first_line for f in [*fences, *unmatched]}
        at = _locate(lines, fence, used)
        line = first_line + (at if at is not None else 0)
        fences.append(Fence(fence.lang, line, fence.opts(), fence.source, line + 1))
    fences.sort(key=lambda f: f.line)
    return fences, unmatched


def _normal(source: str) -> str:
    return "\n".join(line.expandtabs(4).rstrip() for line in source.splitlines()).strip()


_PREFIX = re.compile(r"^[ \t>]*")


def _locate(lines: list[str], fence: Seen, used: set[int]) -> int | None:
    """The index of the opening line of a fence the line scan did not read (tabs, nesting)."""
    body = [x.strip() for x in fence.source.splitlines() if x.strip()]
    for i, line in enumerate(lines):
        text = _PREFIX.sub("", line)
        if i in used or not (text.startswith(("```", "~~~")) and fence.lang in text):
            continue
        rest = [_PREFIX.sub("", x).strip() for x in lines[i + 1 : i + 1 + len(body) * 2]]
        rest = [x for x in rest if x]
        if not body or rest[: len(body[:1])] == body[:1]:
            return i
    return None
