"""Write the reference article's fingerprint for the copied-passage check (``make check``).

    python tools/make_article_fingerprint.py [ARTICLE]

ARTICLE defaults to ../shared/reference/article-ja.txt beside this checkout. The article may
not be in the repository, so what is committed is tools/article_fingerprint.txt: one hash
per COPY_RUN-character window of the article (whitespace removed), sorted. tools/check.py
hashes the pages' windows the same way, so it runs anywhere, GitHub's CI included. Rerun
this whenever the article changes; a test compares the two wherever the article is present.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.check import COPY_RUN, FINGERPRINT, fingerprint  # noqa: E402

ARTICLE = ROOT.parent / "shared" / "reference" / "article-ja.txt"


def render(article: str) -> str:
    """The fingerprint file's text: a header that says what it is, then the hashes."""
    hashes = sorted(fingerprint(article))
    digest = hashlib.sha256(article.encode("utf-8")).hexdigest()
    header = [
        "# Fingerprint of the reference article (../shared/reference/article-ja.txt), which is",
        "# not in this repository. Written by tools/make_article_fingerprint.py; read by",
        f"# tools/check.py. One line per {COPY_RUN}-character window of the article with all",
        "# whitespace removed: the first 16 hex digits of the SHA-256 of its UTF-8 bytes.",
        f"# article sha256: {digest}",
        f"# windows: {len(hashes)}",
    ]
    return "\n".join([*header, *hashes]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", type=Path, default=ARTICLE)
    parser.add_argument("--out", type=Path, default=FINGERPRINT)
    args = parser.parse_args(argv)
    if not args.article.exists():
        print(f"{args.article}: no such file; pass the article's path", file=sys.stderr)
        return 2
    args.out.write_text(render(args.article.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
