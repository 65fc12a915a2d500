"""The chapters: real demos, pre-rendered; glossary links; sources; shape; accessibility."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "site_src"
CHAPTERS = ["parameters", "hyperparameters", "transformers", "scale", "tuning", "future"]
NEXT = dict(zip(CHAPTERS, [*CHAPTERS[1:], "parameters"]))
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _markdown(slug: str) -> str:
    return (DOCS / f"{slug}.md").read_text()


def _prose(text: str) -> str:
    """Text outside front matter, fences, math and footnote definitions."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(`{3,}).*?^\1", "", text, flags=re.S | re.M)
    text = re.sub(r"\$\$.*?\$\$", "", text, flags=re.S)
    text = re.sub(r"^\[\^[^\]]+\]:.*$", "", text, flags=re.M)
    # A chapter title inside a link to that chapter is a title, not a use of the term.
    return re.sub(r"\[[^\]]*\]\((?!glossary)[a-z-]+\.md(#[^)]*)?\)", "", text)


def _glossary_terms() -> dict[str, str]:
    """Glossary heading text -> its anchor."""
    text = (DOCS / "glossary.md").read_text()
    return dict(re.findall(r"^### (.+?) \{#([a-z-]+)\}$", text, flags=re.M))


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_has_at_least_one_demo_and_enough_original_prose(slug):
    text = _markdown(slug)
    assert re.search(r"^```demo$", text, flags=re.M), f"{slug}.md has no demo block"
    count = len(JAPANESE.findall(_prose(text)))
    assert count >= 1500, f"{slug}.md has {count} Japanese characters of prose"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_ends_with_summary_and_links_onward(slug):
    text = _markdown(slug)
    summary = text.split("\n## まとめ\n", 1)
    assert len(summary) == 2, f"{slug}.md has no まとめ section"
    assert f"]({NEXT[slug]}.md)" in summary[1], f"まとめ in {slug}.md must link to {NEXT[slug]}.md"


@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_glossary_term_used_links_to_the_glossary(slug):
    prose = _prose(_markdown(slug))
    terms = _glossary_terms()
    missing = []
    for term, anchor in terms.items():
        # パラメーター inside ハイパーパラメーター is the longer term, not this one.
        text = prose
        for longer in (t for t in terms if term in t and t != term):
            text = text.replace(longer, "")
        if term in text and f"(glossary.md#{anchor})" not in prose:
            missing.append(term)
    assert not missing, f"{slug}.md uses {missing} without linking them to the glossary"


def test_glossary_is_substantial():
    assert len(_glossary_terms()) >= 25


@pytest.mark.parametrize("slug", CHAPTERS)
def test_numbers_name_a_source(slug):
    """Every chapter cites: footnotes with links, or the reference page."""
    text = _markdown(slug)
    footnotes = re.findall(r"^\[\^[^\]]+\]: (.*)$", text, flags=re.M)
    assert footnotes or "references.md" in text, f"{slug}.md cites nothing"
    for note in footnotes:
        assert re.search(r"\]\((https://|references\.md)", note), f"footnote without a link: {note}"


def test_article_errors_are_corrected():
    everything = "".join(_markdown(s) for s in CHAPTERS)
    assert "1750億" in everything
    assert not re.search(r"GPT-3[^。]*数百億", everything)


@pytest.mark.parametrize("slug", ["index", *CHAPTERS])
def test_every_block_is_prerendered_in_the_built_page(slug, built_site: Path):
    html = (built_site / ("" if slug == "index" else slug) / "index.html").read_text()
    text = _markdown(slug)
    demos = re.findall(r'<figure class="plab-block plab-demo".*?</figure>', html, flags=re.S)
    assert len(demos) == len(re.findall(r"^```demo$", text, flags=re.M))
    for demo in demos:
        views = re.search(r'<div class="plab-views">(.*)</div></div>', demo, flags=re.S).group(1)
        assert re.search(r"<img|<table|<pre", views), "a demo shows no pre-rendered result"
        for img in re.findall(r"<img[^>]*>", views):
            assert re.search(r'alt="[^"]+"', img), f"chart image without alt text: {img}"
    # Cells: every one shows its build-time output, except those marked prerender="false".
    cells = re.findall(r'data-kind="cell".*?data-demo-output>(.*?)</div></div>', html, flags=re.S)
    opted_out = len(re.findall(r'^```pyodide[^\n]*prerender="false"', text, flags=re.M))
    assert len(cells) == len(re.findall(r"^```pyodide", text, flags=re.M))
    assert sum("plab-stream" not in c for c in cells) == opted_out


@pytest.mark.parametrize("slug", ["index", *CHAPTERS, "glossary", "references"])
def test_heading_levels_never_skip(slug, built_site: Path):
    html = (built_site / ("" if slug == "index" else slug) / "index.html").read_text()
    article = html[html.index("<article") : html.index("</article>")]
    levels = [int(h) for h in re.findall(r"<h([1-6])[ >]", article)]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, f"{slug}: h{before} is followed by h{after}"
