"""Content checks for chapters and data: ``python -m tools.check`` (``make check``).

Each problem is printed as ``file:line: what is wrong; how to fix it``, and the exit
status is 1 when there is any. The same checks run in ``make test``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from markdown.extensions.toc import slugify

from tools import datasets
from parameter_lab import SourceError

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "site_src"
ARTICLE = ROOT.parent / "shared" / "reference" / "article-ja.txt"
COPY_RUN = 20  # characters shared word for word with the source article that count as copying
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


def check_unsafe_html(path: Path, text: str) -> list[Problem]:
    problems = []
    for number, line in _prose_lines(text):
        if re.search(r"<\s*script\b", line, flags=re.I):
            problems.append(
                Problem(
                    _rel(path),
                    number,
                    "raw <script> in a chapter; put code in a pyodide or demo block instead",
                )
            )
        if re.search(r"<[^>]*\son[a-z]+\s*=", line, flags=re.I):
            problems.append(
                Problem(
                    _rel(path),
                    number,
                    "inline event handler (on...=) in HTML; "
                    "remove it: chapters carry no JavaScript",
                )
            )
        if re.search(r"javascript:", line, flags=re.I):
            problems.append(Problem(_rel(path), number, "javascript: URL; link to a page instead"))
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


def check_copied(path: Path, text: str, article: str) -> list[Problem]:
    """Runs of COPY_RUN+ characters (ignoring whitespace) that repeat the reference article."""
    squeeze = re.compile(r"\s+")
    grams = {article[i : i + COPY_RUN] for i in range(len(article) - COPY_RUN + 1)}
    problems = []
    for number, line in _prose_lines(text):
        flat = squeeze.sub("", line)
        hit = next(
            (
                flat[i : i + COPY_RUN]
                for i in range(len(flat) - COPY_RUN + 1)
                if flat[i : i + COPY_RUN] in grams
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


def check_site(docs: Path = DOCS, article_path: Path = ARTICLE) -> list[Problem]:
    problems: list[Problem] = []
    article = None
    if article_path.exists():
        article = re.sub(r"\s+", "", article_path.read_text(encoding="utf-8"))
    for path in sorted(docs.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        problems += check_front_matter(path, text)
        problems += check_links(path, text)
        problems += check_unsafe_html(path, text)
        problems += check_images(path, text)
        if article:
            problems += check_copied(path, text, article)
    for csv in sorted(docs.rglob("*.csv")):
        try:
            datasets.load_llms(csv, _rel(csv))
        except SourceError as exc:
            problems.append(Problem(exc.path, exc.line or 1, exc.message))
    return problems


def main(argv: list[str] | None = None) -> int:
    docs = Path(argv[0]) if argv else DOCS
    problems = check_site(docs)
    for problem in problems:
        print(problem)
    if not ARTICLE.exists():
        print(f"note: {ARTICLE} not found; the copied-passage check was skipped", file=sys.stderr)
    print(f"make check: {len(problems)} problem(s) in {docs}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
