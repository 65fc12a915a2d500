"""The plugin in sites set up the way other people set them up: Material's blog, pages
that open with a rule, LaTeX and mkdocs-macros' ``{{ … }}`` beside our prose forms.

Each builds the tiny site (in this process, see ``TinySite.build``) with the one thing
changed that such a site has, and checks the page as that site expects it.
"""

from __future__ import annotations

import re

from tests.plugin.conftest import TinySite

POST = """\
---
date: 2024-01-31
---

# A post with a block

```pyodide
print(6 * 7)
```

<!-- more -->

The rest of the post.
"""


def _use_blog(site: TinySite) -> None:
    yml = site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("plugins:\n", "plugins:\n  - blog\n"))
    posts = site.root / "pages" / "blog" / "posts"
    posts.mkdir(parents=True)
    (site.root / "pages" / "blog" / "index.md").write_text("# Blog\n")
    (posts / "first.md").write_text(POST)


def test_a_block_in_a_blog_excerpt_renders_in_the_post_and_the_views(tiny_site: TinySite):
    _use_blog(tiny_site)
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not found by the validator" not in result.stderr
    out = tiny_site.root / "out"
    views = [out / "blog" / "index.html", out / "blog" / "archive" / "2024" / "index.html"]
    for page in [*views, next((out / "blog").glob("2024/01/31/*/index.html"))]:
        text = page.read_text(encoding="utf-8")
        assert '<span class="plab-stdout">42\n</span>' in text, page


def test_a_page_that_opens_with_a_rule_builds(tiny_site: TinySite):
    tiny_site.write_page("---\n\n# After a rule\n\nText.\n\n---\n\nMore text.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert tiny_site.html().count("<hr") == 2


def test_a_page_that_opens_with_a_lone_rule_builds(tiny_site: TinySite):
    tiny_site.write_page("---\n\n# After a rule\n\nText.\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "<hr" in tiny_site.html()


def test_latex_and_mkdocs_macros_braces_stay_for_their_owners(tiny_site: TinySite):
    tiny_site.write_page(
        "# T\n\n$\\frac{1}{{\\sqrt{2\\pi}}}$ is {{ page.title }}.\n\n"
        "```demo\nmodule: labdemos.double\n```\n\nDouble: {{ double-1: double }}.\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    text = tiny_site.html()
    assert "$\\frac{1}{{\\sqrt{2\\pi}}}$ is {{ page.title }}." in text
    assert re.search(r"Double: <span[^>]*>4\.0</span>", text)
