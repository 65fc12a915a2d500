"""Scaffold a chapter: ``python -m tools.new_chapter SLUG "TITLE"`` (or ``make chapter``).

Creates ``site_src/SLUG.md`` from a template that builds strictly and passes the content
tests as it stands (front matter, headings, a working demo block, まとめ), adds it to the
nav in ``mkdocs.yml`` after the last chapter, and writes ``tests/chapters/test_SLUG.py``,
which checks that the chapter's demo blocks are valid and pre-render.

The nav is edited as YAML with ruamel.yaml, which keeps mkdocs.yml's comments, quoting and
layout, so any title (``C# と #タグ``, ``A: B``) lands whole.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from tools.site_nav import CHAPTER_SECTION

ROOT = Path(__file__).resolve().parents[1]

# The template's first sentence. While a chapter still has it, the chapter is a draft: the
# content tests wait for its prose (tests/test_chapters.py) but check everything else.
PLACEHOLDER = "この章で扱うことを二、三文で書きます。"

CHAPTER = """---
title: {title_yaml}
description: {description_yaml}
---

# {title_md}

{placeholder}読者が章を読み終えたときに何ができるようになるかを示してください。

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

つまみごとに、何を変えるのかを本文で説明します（たとえば「[学習率](glossary.md#learning-rate)」は一歩の大きさ、「ステップ数」は学習をくり返す回数）。
デモの設定を変えると何が見えるのかを、具体的な値を挙げて説明します。
値は手で書かずにデモから取ります（CONTRIBUTING「本文の数値をデモに結びつける」）。
既定の設定で学習すると、損失は {{{{ {slug}-demo: final.loss | fixed(4) }}}} まで下がります。
[設定を一つ変えて動かす]({{{{ {slug}-demo(lr=0.5) }}}})と、違いが見えます。

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


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, key order and quotes survive
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)  # mkdocs.yml's own layout
    yaml.width = 4096  # never fold a long line
    return yaml


def add_to_nav(text: str, title: str, page: str) -> str:
    """``text`` (mkdocs.yml) with ``{title: page}`` after the last chapter, all else as it was."""
    yaml = _yaml()
    config = yaml.load(text)
    section = next(
        (
            item[CHAPTER_SECTION]
            for item in config.get("nav") or []
            if isinstance(item, dict) and CHAPTER_SECTION in item
        ),
        None,
    )
    if section is None:
        raise SystemExit(f"mkdocs.yml has no `{CHAPTER_SECTION}:` section in its nav")
    section.append(CommentedMap([(title, page)]))
    out = io.StringIO()
    yaml.dump(config, out)
    return out.getvalue()


def scaffold(slug: str, title: str, root: Path = ROOT) -> list[Path]:
    if not re.fullmatch(r"[a-z][a-z0-9-]*", slug):
        raise SystemExit(f"SLUG {slug!r} must be lowercase letters, digits and '-'")
    title = title.strip()
    if not title or "\n" in title:
        raise SystemExit("TITLE must be one line of text")
    page = root / "site_src" / f"{slug}.md"
    test = root / "tests" / "chapters" / f"test_{slug.replace('-', '_')}.py"
    if page.exists():
        raise SystemExit(f"{page.relative_to(root)} already exists; choose another SLUG")
    mkdocs = root / "mkdocs.yml"
    nav = add_to_nav(mkdocs.read_text(encoding="utf-8"), title, f"{slug}.md")
    page.write_text(
        CHAPTER.format(
            slug=slug,
            placeholder=PLACEHOLDER,
            # JSON strings are YAML double-quoted scalars: a '#' or ':' stays in the title.
            title_yaml=json.dumps(title, ensure_ascii=False),
            description_yaml=json.dumps(
                f"{title}について、ブラウザで動くデモを使って解説します。", ensure_ascii=False
            ),
            # Escaped, a '#' is text: a trailing one would otherwise close the heading.
            title_md=title.replace("#", r"\#"),
        ),
        encoding="utf-8",
    )
    test.write_text(TEST.format(slug=slug, name=slug.replace("-", "_")), encoding="utf-8")
    mkdocs.write_text(nav, encoding="utf-8")
    return [page, test, mkdocs]


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
