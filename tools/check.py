"""Content checks for chapters and data: ``python -m tools.check`` (``make check``).

Each problem is printed as ``file:line: what is wrong; how to fix it``, and the exit
status is 1 when there is any. The same checks run in ``make test``.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import markdown
import yaml
from markdown.extensions.toc import slugify
from mkdocs.utils.meta import get_data
from parameter_lab import SourceError

from tools import datasets, site_nav

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "site_src"
COPY_RUN = 20  # characters shared word for word with the source article that count as copying
# Hashes of every COPY_RUN-character window of the reference article, made by
# tools/make_article_fingerprint.py: the check runs anywhere, the article stays out of git.
FINGERPRINT = ROOT / "tools" / "article_fingerprint.txt"
REQUIRED_META = ("title", "description")

_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)")
_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*(?:\{[^}]*#([\w-]+)[^}]*\})?\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def _rel(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def _prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside front matter and fenced code."""
    lines = text.split("\n")
    out, fence, start = [], None, 0
    if lines and lines[0] == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i] == "---"), 0)
    for i in range(start, len(lines)):
        m = _FENCE.match(lines[i])
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        out.append((i + 1, lines[i]))
    return out


def anchors_of(text: str) -> set[str]:
    found = set()
    for _, line in _prose_lines(text):
        m = _HEADING.match(line)
        if m:
            found.add(m.group(2) or slugify(m.group(1), "-"))
    return found - {""}


def check_front_matter(path: Path, text: str) -> list[Problem]:
    if not text.startswith("---\n"):
        return [
            Problem(
                _rel(path),
                1,
                "no front matter; start the file with ---, title: and description:, then ---",
            )
        ]
    end = text.find("\n---", 4)
    meta = yaml.safe_load(text[4:end]) or {}
    return [
        Problem(
            _rel(path),
            1,
            f"front matter has no {key}; add `{key}: ...` (used for the page "
            "title, search and link previews)",
        )
        for key in REQUIRED_META
        if not str(meta.get(key) or "").strip()
    ]


def check_links(path: Path, text: str) -> list[Problem]:
    problems = []
    for number, line in _prose_lines(text):
        for target in _LINK.findall(line):
            if re.match(r"^[a-z]+:", target) and not target.startswith("javascript:"):
                continue  # http(s), mailto: checked by readers, not here
            if target.startswith("javascript:"):
                continue  # reported by check_unsafe_html
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if file_part and not dest.exists():
                problems.append(
                    Problem(
                        _rel(path),
                        number,
                        f"link to {file_part} goes nowhere; fix the path (relative to this file)",
                    )
                )
                continue
            if anchor and dest.suffix == ".md" and anchor not in anchors_of(dest.read_text()):
                problems.append(
                    Problem(
                        _rel(path),
                        number,
                        f"link to #{anchor} in {dest.name}: no "
                        "such heading; give the heading an id with {#" + anchor + "}",
                    )
                )
    return problems


def markdown_renderer(root: Path = ROOT) -> markdown.Markdown:
    """Python-Markdown with the site's extensions, as mkdocs.yml configures them.

    Our fences need the plugin to render; without it they come out as code, which is inert,
    so what remains is exactly what an author can write into a page's HTML."""
    extensions, configs = [], {}
    for item in site_nav.load_config(root).get("markdown_extensions") or []:
        name, config = next(iter(item.items())) if isinstance(item, dict) else (item, None)
        extensions.append(name)
        if config and not _has_none(config):  # a !!python/name option reads as None here
            configs[name] = config
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def _has_none(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_none(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_none(v) for v in value)
    return value is None


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data"}


class _Unsafe(HTMLParser):
    """Script elements, on*= event handlers and javascript: URLs in rendered HTML, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[str]]] = []  # (message, Markdown needles to find it)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raw = self.get_starttag_text() or ""
        if tag == "script":
            self.found.append(
                (
                    "<script> in the page; put code in a pyodide or demo block instead",
                    [r"<\s*script\b"],
                )
            )
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(
                    (
                        f"event handler {name}= on <{tag}> (in HTML or an attribute list); "
                        "remove it: chapters carry no JavaScript",
                        [rf"\b{re.escape(name)}\s*="],
                    )
                )
            elif name in _URL_ATTRS and re.match(
                r"javascript:", re.sub(r"[\x00-\x20]", "", value or ""), flags=re.I
            ):
                quoted = re.search(rf"""\b{re.escape(name)}\s*=\s*(["']?)([^"'\s>]*)""", raw)
                needles = [re.escape(quoted.group(2))] if quoted and quoted.group(2) else []
                self.found.append(
                    (
                        f"javascript: URL in {name}= of <{tag}>; link to a page instead",
                        [*needles, r"javascript\s*:"],
                    )
                )


def check_unsafe_html(path: Path, text: str, md: markdown.Markdown | None = None) -> list[Problem]:
    """Render the page as the site does and look at the HTML, not the Markdown: an attribute
    list (``[x](y){ onclick=... }``) makes HTML that no Markdown pattern shows."""
    md = md or markdown_renderer()
    body, _ = get_data(text)
    finder = _Unsafe()
    finder.feed(md.reset().convert(body))
    finder.close()
    lines = _prose_lines(text)
    used: dict[str, int] = {}  # needle -> matches already given to earlier findings
    problems = []
    for message, needles in finder.found:
        line = 1
        for needle in needles:
            hits = [n for n, t in lines for _ in re.finditer(needle, t, flags=re.I)]
            if hits:
                line = hits[min(used.get(needle, 0), len(hits) - 1)]
                used[needle] = used.get(needle, 0) + 1
                break
        problems.append(Problem(_rel(path), line, message))
    return problems


def check_images(path: Path, text: str) -> list[Problem]:
    problems = []
    for number, line in _prose_lines(text):
        for alt, _ in _IMAGE.findall(line):
            if not alt.strip():
                problems.append(
                    Problem(_rel(path), number, "image without alt text; describe it inside ![...]")
                )
        if re.search(r"<img\b(?![^>]*\balt=\"[^\"]+\")", line, flags=re.I):
            problems.append(Problem(_rel(path), number, '<img> without alt text; add alt="..."'))
    return problems


def window_hash(window: str) -> str:
    """64 bits of SHA-256: no false alarm in practice, and no way back to the text."""
    return hashlib.sha256(window.encode("utf-8")).hexdigest()[:16]


def fingerprint(article: str) -> set[str]:
    """Hashes of every COPY_RUN-character window of ``article``, whitespace removed."""
    flat = re.sub(r"\s+", "", article)
    return {window_hash(flat[i : i + COPY_RUN]) for i in range(len(flat) - COPY_RUN + 1)}


def load_fingerprint(path: Path = FINGERPRINT) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def check_copied(path: Path, text: str, hashes: set[str]) -> list[Problem]:
    """Runs of COPY_RUN+ characters (ignoring whitespace) that repeat the reference article."""
    squeeze = re.compile(r"\s+")
    problems = []
    for number, line in _prose_lines(text):
        flat = squeeze.sub("", line)
        hit = next(
            (
                flat[i : i + COPY_RUN]
                for i in range(len(flat) - COPY_RUN + 1)
                if window_hash(flat[i : i + COPY_RUN]) in hashes
            ),
            None,
        )
        if hit:
            problems.append(
                Problem(
                    _rel(path),
                    number,
                    f"repeats the reference article word for "
                    f"word ({hit!r}…); rewrite it in your own words",
                )
            )
    return problems


def check_site(docs: Path = DOCS, fingerprint_path: Path = FINGERPRINT) -> list[Problem]:
    problems: list[Problem] = []
    if fingerprint_path.exists():
        hashes = load_fingerprint(fingerprint_path)
    else:
        hashes = set()
        problems.append(
            Problem(
                _rel(fingerprint_path),
                1,
                "the reference article's fingerprint is missing, so copied passages go unseen; "
                "run `python tools/make_article_fingerprint.py` beside ../shared/reference/",
            )
        )
    md = markdown_renderer()
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        problems += check_front_matter(path, text)
        problems += check_links(path, text)
        problems += check_unsafe_html(path, text, md)
        problems += check_images(path, text)
        problems += check_copied(path, text, hashes)
    for csv in sorted(docs.rglob("*.csv")):
        try:
            datasets.load_llms(csv, _rel(csv))
        except SourceError as exc:
            problems.append(Problem(exc.path, exc.line or 1, exc.message))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Content checks with file:line messages.")
    parser.add_argument("docs", nargs="?", type=Path, default=DOCS)
    parser.add_argument("--fingerprint", type=Path, default=FINGERPRINT)
    args = parser.parse_args(argv)
    problems = check_site(args.docs, args.fingerprint)
    for problem in problems:
        print(problem)
    print(f"make check: {len(problems)} problem(s) in {args.docs}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
