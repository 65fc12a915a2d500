"""Scaffold a chapter: ``python -m tools.new_chapter SLUG "TITLE"`` (or ``make chapter``).

Creates ``site_src/SLUG.md`` from a template that builds strictly as it stands (front
matter, headings, a working demo block, まとめ), adds it to the nav in ``mkdocs.yml``
after the last chapter, and writes ``tests/chapters/test_SLUG.py``, which checks that
the chapter's demo blocks are valid and pre-render.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAV_SECTION = "  - 章:"  # the nav group chapters live in

CHAPTER = """---
title: {title}
description: {title}について、ブラウザで動くデモを使って解説します。
---

# {title}

この章で扱うことを二、三文で書きます。読者が章を読み終えたときに何ができるようになるかを示してください。

## 最初の節

本文を書きます。用語が初めて出てくるところでは、[パラメーター](glossary.md#parameter)のように用語集へリンクします。
数値には脚注かリンクで出典を付けます[^example]。

```demo
module: demos.linear
id: {slug}-demo
title: デモの題名
controls:
  - {{name: lr, label: 学習率, type: slider, min: 0.001, max: 1.0, value: 0.1, scale: log}}
  - {{name: steps, label: ステップ数, type: slider, min: 1, max: 200, value: 50}}
view: [loss_curve]
caption: デモで何を見てほしいかを書きます。
```

デモの設定を変えると何が見えるのかを、具体的な値を挙げて説明します（「学習率を0.5にすると…」）。

## まとめ

- この章の要点を箇条書きにします。

トップページ「[パラメーター・ラボ](index.md)」に戻る。

[^example]: 出典の例：Vaswani, A. et al. (2017). [Attention Is All You Need](https://arxiv.org/abs/1706.03762).
"""

TEST = '''"""The {slug} chapter: its demo blocks are valid and pre-render with their defaults."""

from tests.chapters.helpers import assert_chapter_demos_run


def test_{name}_demos_run():
    assert_chapter_demos_run("{slug}.md")
'''


def scaffold(slug: str, title: str, root: Path = ROOT) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", slug):
        raise SystemExit(f"SLUG {slug!r} must be lowercase letters, digits and '-'")
    if not title.strip() or "\n" in title or ":" in title:
        raise SystemExit("TITLE must be one line without ':'")
    page = root / "site_src" / f"{slug}.md"
    test = root / "tests" / "chapters" / f"test_{slug.replace('-', '_')}.py"
    if page.exists():
        raise SystemExit(f"{page.relative_to(root)} already exists; choose another SLUG")
    mkdocs = root / "mkdocs.yml"
    nav = _insert_nav(mkdocs.read_text(), f"      - {title}: {slug}.md")
    page.write_text(CHAPTER.format(slug=slug, title=title), encoding="utf-8")
    test.write_text(TEST.format(slug=slug, name=slug.replace("-", "_")), encoding="utf-8")
    mkdocs.write_text(nav, encoding="utf-8")
    return [page, test, mkdocs]


def _insert_nav(text: str, entry: str) -> str:
    lines = text.split("\n")
    try:
        start = lines.index(NAV_SECTION)
    except ValueError:
        raise SystemExit(f"mkdocs.yml has no `{NAV_SECTION.strip()}` nav section") from None
    end = start + 1
    while end < len(lines) and lines[end].startswith("      - "):
        end += 1
    lines.insert(end, entry)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Scaffold a new chapter.")
    parser.add_argument("slug", help="file name without .md, e.g. rlhf")
    parser.add_argument("title", help="the chapter title, e.g. 人間のフィードバックによる学習")
    args = parser.parse_args(argv)
    for path in scaffold(args.slug, args.title):
        print(f"wrote {path.relative_to(ROOT)}")
    print("next: write the chapter, then `make serve` to preview and `make test` before a PR")
    return 0


if __name__ == "__main__":
    sys.exit(main())
