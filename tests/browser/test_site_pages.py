"""Every page loads from the test server alone, renders math, and Japanese search works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ROOT

PAGES = [
    "",
    "parameters/",
    "hyperparameters/",
    "transformers/",
    "scale/",
    "tuning/",
    "future/",
    "glossary/",
    "references/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_with_only_its_own_host(page: Page, site_url: str, path: str):
    page.goto(site_url + path, wait_until="networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("h1").first).to_be_visible()


def test_math_is_rendered_at_build_with_self_hosted_katex_css(page: Page, site_url: str):
    scripts = []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    page.goto(site_url + "parameters/", wait_until="networkidle")
    formula = page.locator(".plab-math .katex").first
    expect(formula).to_be_visible()
    # The page's own KaTeX stylesheet styles it, and no math script ran to draw it.
    assert "KaTeX_Main" in formula.evaluate("e => getComputedStyle(e).fontFamily")
    assert not [url for url in scripts if "/math." in url or "katex" in url], scripts


def test_japanese_search_finds_the_hyperparameter_chapter(page: Page, site_url: str):
    page.goto(site_url, wait_until="networkidle")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill("ハイパーパラメーター")
    box.press("End")  # fill() fires no key event, and Material searches on key events
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible(timeout=10_000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    assert any("hyperparameters/" in h for h in hrefs), hrefs


def test_phone_width_has_no_horizontal_scroll(browser, site_url: str):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    too_wide = {}
    for path in PAGES:
        page.goto(site_url + path, wait_until="networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[path or "/"] = overflow
    context.close()
    assert not too_wide, f"pages wider than a phone screen (px): {too_wide}"


def test_charts_are_drawn_live_with_tooltips_data(page: Page, site_url: str):
    page.goto(site_url + "scale/", wait_until="networkidle")
    live = page.locator("figure.plab-chart--live")
    expect(live).to_have_count(3, timeout=20_000)
    expect(live.first.locator(".plab-chart-live svg")).to_be_visible()
    # The static fallback is hidden once the live chart is drawn.
    expect(live.first.locator("img.plab-chart-svg")).to_be_hidden()
    labels = live.first.locator(".plab-chart-live svg text").all_text_contents()
    assert any("パラメーター数" in t for t in labels)


def test_charts_fall_back_to_static_svg_without_javascript(browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "scale/")
    images = page.locator("figure.plab-chart img.plab-chart-svg")
    expect(images).to_have_count(3)
    expect(images.first).to_be_visible()
    assert images.first.evaluate("img => img.complete && img.naturalWidth > 0")
    context.close()


@pytest.mark.parametrize("path", ["parameters/", "hyperparameters/", "scale/", "future/"])
def test_loading_a_chapter_runs_nothing(page: Page, site_url: str, path: str):
    """Pre-rendered output stands until the reader acts; no demo runs on its own."""
    page.goto(site_url + path, wait_until="networkidle")
    blocks = page.locator("[data-demo]")
    blocks.first.scroll_into_view_if_needed()  # widgets load as a block nears the viewport
    expect(blocks.first).to_have_attribute("data-mounted", "true")
    page.wait_for_timeout(500)
    assert set(blocks.evaluate_all("els => els.map(e => e.dataset.status)")) == {"idle"}


def test_calculator_counts_a_pasted_config_offline(page: Page, site_url: str):
    """The parameter calculator needs no numpy, so it runs in the browser even offline."""
    config = (ROOT / "demos/data/configs/opt-125m.json").read_text()
    page.goto(site_url + "scale/")
    calc = page.locator("[data-demo=param-calculator]")
    calc.locator("textarea[data-control=config_json]").fill(config)
    page.wait_for_function(
        "document.querySelector('[data-demo=param-calculator]').dataset.status === 'done'",
        timeout=90_000,
    )
    expect(calc.locator(".plab-view[data-view='table:summary']")).to_contain_text("125,239,296")
