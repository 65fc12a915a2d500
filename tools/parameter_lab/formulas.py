"""Math rendered at build (the ``math`` option): ``pymdownx.arithmatex`` (``generic: true``)
output becomes MathML Core in the page, which browsers draw natively, so no math script or
math stylesheet runs when a reader opens it, and screen readers read the MathML itself.

Temml runs in one Node.js child process per build (started at the first page with math),
fed a page's formulas at a time as one JSON line. The Temml it runs is the copy the
runtime vendors into ``_dist/`` (the wheel carries it). The few rules its MathML needs are
in ``plab.css``, which the plugin inlines into every page's head; the self-hosted math font
is added once the page has loaded (by the loader, or by the page's own @font-face on a site
without one), so it never delays the text.

Node.js is needed only by sites that turn ``math`` on and have math: then a page with math
and no ``node`` on ``PATH`` stops the build with a message that says so. No fallback to
rendering in the browser, so a built page never silently depends on a script for its
formulas.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
import weakref
from pathlib import Path

# arithmatex's generic output: <span class="arithmatex">\(…\)</span> inline,
# <div class="arithmatex">\[…\]</div> for display math. The TeX inside is HTML-escaped text.
_ELEMENT = re.compile(
    r'<(?P<tag>span|div)(?P<before>[^>]*?)\sclass="arithmatex"(?P<after>[^>]*)>'
    r"(?P<tex>.*?)</(?P=tag)>",
    re.DOTALL,
)
_WRAPS = {"span": ("\\(", "\\)"), "div": ("\\[", "\\]")}
# A display formula may be wider than a phone: it scrolls, so it must take keyboard focus
# and carry a name (axe: scrollable-region-focusable).
DISPLAY_LABEL = {"ja": "数式", "en": "Equation"}

# Temml's side: one JSON line of [tex, display] pairs in, one of {html}|{error} out.
_RENDER_MATH = Path(__file__).parent / "node" / "render_math.cjs"


class MathError(RuntimeError):
    """A formula cannot be rendered, or Temml cannot run; the message says which and why."""


class MathRenderer:
    """One Node.js process running Temml, started on first use, ended when closed or
    garbage-collected (``mkdocs serve`` makes a new plugin, hence a new renderer, per build)."""

    def __init__(self, temml_js: Path, node: str | None = None) -> None:
        self.temml_js = temml_js
        self.node = node
        self._proc: subprocess.Popen | None = None
        self._stderr = None
        self._finalizer: weakref.finalize | None = None

    def render(self, formulas: list[tuple[str, bool]]) -> list[dict]:
        """``formulas``: (TeX, display mode) pairs; returns ``{"html"}`` or ``{"error"}`` each."""
        if not formulas:
            return []
        proc = self._start()
        try:
            proc.stdin.write(json.dumps(formulas, ensure_ascii=False) + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
        except BrokenPipeError:
            answer = ""
        if not answer:
            proc.wait(timeout=5)  # its error message is complete once it has exited
            self._stderr.seek(0)
            detail = self._stderr.read().decode(errors="replace").strip()
            self.close()
            raise MathError(f"Temml (Node.js) stopped unexpectedly: {detail or 'no message'}")
        return json.loads(answer)

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._proc = self._finalizer = None

    def _start(self) -> subprocess.Popen:
        if self._proc is not None:
            return self._proc
        node = self.node or shutil.which("node")
        if node is None:
            raise MathError(
                "this site has math, which is rendered at build by Temml on Node.js, and "
                "`node` is not on PATH: install Node.js 18 or newer"
            )
        if not self.temml_js.exists():
            raise MathError(
                f"{self.temml_js} is missing: in a checkout run `npm ci`, or reinstall the "
                "parameter-lab wheel"
            )
        # Read only on failure; a pipe nobody reads could fill up. Closed by _stop.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._proc = subprocess.Popen(
            [node, str(_RENDER_MATH), str(self.temml_js)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
        )
        self._finalizer = weakref.finalize(self, _stop, self._proc, self._stderr)
        return self._proc


def _stop(proc: subprocess.Popen, stderr: object) -> None:
    proc.stdin.close()  # Node exits at the end of its input
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()
    stderr.close()


def render_page(output: str, renderer: MathRenderer, where: str, language: str = "ja") -> str:
    """Replace every arithmatex element of a finished page with MathML. A page without math
    is returned unchanged."""
    found = list(_ELEMENT.finditer(output))
    if not found:
        return output
    formulas = [_tex_of(m) for m in found]
    rendered = renderer.render(formulas)
    parts, last = [], 0
    for m, (tex, display), result in zip(found, formulas, rendered, strict=True):
        if "error" in result:
            raise MathError(f"{where}: Temml cannot render {tex!r}: {result['error']}")
        parts.append(output[last : m.start()])
        attrs = m.group("before") + m.group("after")
        if display:
            label = html.escape(DISPLAY_LABEL.get(language, DISPLAY_LABEL["en"]))
            parts.append(
                f'<div class="plab-math plab-math--display"{attrs} tabindex="0" role="group" '
                f'aria-label="{label}">{result["html"]}</div>'
            )
        else:
            if _LINK_END.match(output, m.end()) and (opening := _LINK_START.search(parts[-1])):
                parts[-1] = _name_link(parts[-1], opening, result["html"])
            parts.append(_inline_math(result["html"], attrs))
        last = m.end()
    parts.append(output[last:])
    return "".join(parts)


# An inline formula is its <math> alone, which carries the class a wrapper would: one element
# less for each (64 on transformers/), and a <math> lays out as any inline box does.
_MATH_START = re.compile(r"<math(?P<attrs>[^>]*)>")
_CLASS = re.compile(r'\sclass="(?P<names>[^"]*)"')


def _inline_math(mathml: str, attrs: str) -> str:
    start = _MATH_START.match(mathml)
    if start is None:
        raise MathError(f"Temml's output does not start with <math>: {mathml[:80]!r}")
    own = _CLASS.search(start["attrs"])
    classes = " ".join(["plab-math", *([own["names"]] if own else [])])
    rest = _CLASS.sub("", start["attrs"], count=1)
    return f'<math class="{classes}"{attrs}{rest}>' + mathml[start.end() :]


# A link whose whole text is one formula, e.g. [$H = 2$](…): checkers (axe) do not read a
# name out of MathML, so the link is named by the formula's text.
_LINK_START = re.compile(r"<a(?P<attrs>\s[^>]*)?>\s*$")
_LINK_END = re.compile(r"\s*</a>")
_MATHML_TEXT = re.compile(r"<math[^>]*>(?P<body>.*?)</math>", re.DOTALL)


def _name_link(before: str, opening: re.Match, mathml_html: str) -> str:
    attrs = opening.group("attrs") or ""
    mathml = _MATHML_TEXT.search(mathml_html)
    if "aria-label=" in attrs or not mathml:
        return before
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", mathml.group("body"))).split())
    named = f'<a{attrs} aria-label="{html.escape(text)}">'
    return before[: opening.start()] + named + before[opening.end() :].lstrip()


def _tex_of(match: re.Match) -> tuple[str, bool]:
    tag = match.group("tag")
    tex = html.unescape(match.group("tex")).strip()
    start, end = _WRAPS[tag]
    if tex.startswith(start) and tex.endswith(end):
        tex = tex[len(start) : -len(end)]
    return tex.strip(), tag == "div"
