"""Every page loads from the test server alone, renders math, and Japanese search works."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.helpers import COUNT_WORKERS, settle
from tests.conftest import ROOT
from tools import site_nav


def _url_path(page: str) -> str:
    """``scale.md`` -> ``scale/``, the top page -> ``""`` (MkDocs's directory URLs)."""
    name = site_nav.slug(page)
    if name == "index" or name.endswith("/index"):
        return name.removesuffix("index")
    return name + "/"


# Every page in the nav of mkdocs.yml (a new chapter is covered unasked).
PAGES = [_url_path(page) for page in site_nav.pages(ROOT)]


def test_math_is_mathml_drawn_with_the_self_hosted_math_font(
    browser, built_site: Path, site_url: str
):
    path = next(p for p in PAGES if 'class="plab-math' in _html(built_site, p))
    probe = browser.new_page(viewport={"width": 412, "height": 823})
    probe.goto(site_url + path, wait_until="load")
    top = probe.locator(".plab-math").first.evaluate("e => e.getBoundingClientRect().top")
    probe.close()
    # A screen short enough that the first formula lies over two screens down.
    height = int(top / 3)
    assert height >= 100, f"{path}: its first formula is too near the top for this test"
    context = browser.new_context(viewport={"width": 412, "height": height})
    page = context.new_page()
    scripts, fonts = [], []
    page.on("request", lambda r: r.resource_type == "script" and scripts.append(r.url))
    page.on(
        "request",
        lambda r: re.search(r"plab-math\.[0-9a-f]+\.woff2", r.url) and fonts.append(r.url),
    )
    page.goto(site_url + path, wait_until="networkidle")
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert not fonts, "the math font was fetched with no formula within a screen of being seen"
    formulas = "math.plab-math, .plab-math--display > math"  # inline, display
    formula = page.locator(formulas).first
    formula.scroll_into_view_if_needed()
    expect(formula).to_be_visible()
    # The browser draws the MathML with the site's math font, and no math script ran.
    expect(formula).to_have_css("font-family", re.compile("PLab Math"))
    # A formula still far from the screen is given the font only as it nears.
    far = page.locator(formulas).last
    assert far.evaluate("e => e.getBoundingClientRect().top > 3 * innerHeight")
    assert "PLab Math" not in far.evaluate("e => getComputedStyle(e).fontFamily")
    page.wait_for_function(
        "() => [...document.fonts].some((f) => f.family.includes('PLab Math')"
        " && f.status === 'loaded')"
    )
    assert not [u for u in scripts if re.search(r"math|katex|temml", u.rsplit("/", 1)[-1])]
    # The font is fetched only once the page has loaded: it never delays the first paint.
    font_start, load_start = page.evaluate(
        """() => [
          performance.getEntriesByType("resource")
            .find((e) => /plab-math\\.[0-9a-f]+\\.woff2/.test(e.name))?.startTime,
          performance.getEntriesByType("navigation")[0].loadEventStart,
        ]"""
    )
    assert font_start is not None and load_start > 0 and font_start >= load_start
    # Screen readers get the MathML itself: no hidden duplicate of any formula.
    assert page.locator(".plab-math [aria-hidden], .plab-math .katex").count() == 0
    context.close()


def _html(built_site: Path, path: str) -> str:
    return (built_site / path / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("intent", ["keyboard", "touch"])
def test_search_waits_for_the_reader_then_finds_the_japanese_chapter(
    browser, site_url: str, intent: str
):
    """No page fetches Material's search index or starts its search worker until the reader
    shows they mean to search (runtime/searchintent.js): on a desktop by the search key, on
    a phone by a tap on the search button. Search then finds a Japanese word."""
    touch = intent == "touch"
    context = browser.new_context(locale="ja-JP", **(PHONE if touch else {}))
    page = context.new_page()
    index: list[str] = []
    page.on("request", lambda r: "search_index" in r.url and index.append(r.url))
    workers: list[str] = []
    page.on("request", lambda r: "/workers/search." in r.url and workers.append(r.url))
    page.goto(site_url, wait_until="networkidle")
    page.wait_for_timeout(300)  # a request sent late (after load, say) would show too
    assert index == [], "the index was fetched before any intent"
    assert workers == [], "the search worker started before any intent"
    # The hold lived only while the page was parsed: XMLHttpRequest and Worker are the
    # browser's again.
    natives = page.evaluate("[XMLHttpRequest.prototype.send.toString(), Worker.toString()]")
    assert all(n.endswith("{ [native code] }") for n in natives), natives
    if touch:
        # The worker's address is relative to the first page: an instant navigation to a
        # page at another depth, before the reader searches, must not lose it. (Only here:
        # after one, Material's "/" focuses the field without opening its results.)
        page.evaluate(
            "document.querySelector('a.md-nav__link[href$=\"hyperparameters/\"]').click()"
        )
        page.wait_for_url("**/hyperparameters/")
        page.locator('label[for="__search"]').first.tap()
    else:
        page.keyboard.press("/")  # Material's key for search: it focuses the field
    box = page.locator("input.md-search__input")
    expect(box).to_be_focused()
    box.fill("ハイパーパラメーター")
    box.press("End")  # fill() fires no key event, and Material searches on key events
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible(timeout=10_000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    assert any("hyperparameters/" in h for h in hrefs), hrefs
    assert len(index) == 1 and len(workers) == 1
    # A search result's link (?h=, Material's highlight) needs the index at once.
    page.goto(site_url + "hyperparameters/?h=学習率", wait_until="networkidle")
    assert len(index) == 2
    expect(page.locator("article mark").first).to_be_visible()
    context.close()


def test_phone_width_has_no_horizontal_scroll(browser, site_url: str):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP")
    page = context.new_page()
    too_wide = {}
    for path in PAGES:
        page.goto(site_url + path)
        settle(page)  # laid out, with what the page's scripts added
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            too_wide[path or "/"] = overflow
    context.close()
    assert not too_wide, f"pages wider than a phone screen (px): {too_wide}"


def test_charts_go_live_only_when_the_reader_asks(page: Page, site_url: str):
    vega, specs = [], []
    page.on("request", lambda r: "/assets/plab/charts." in r.url and vega.append(r.url))
    page.on("request", lambda r: "/assets/plab/chart-specs/" in r.url and specs.append(r.url))
    page.goto(site_url + "scale/", wait_until="networkidle")
    figures = page.locator("figure.plab-chart")
    assert figures.count() >= 3
    figures.first.scroll_into_view_if_needed()  # the image loads lazily
    expect(figures.first.locator("img.plab-chart-svg")).to_be_visible()
    assert vega == [] and specs == [], (
        "the page fetched no Vega and no spec before the reader asked"
    )
    toggle = figures.first.locator("[data-chart-live]")
    toggle.click()
    expect(figures.first).to_have_class(re.compile(r"\bplab-chart--live\b"), timeout=20_000)
    # Its spec first; then, once a chart is live, the page's other specs, each once (kept by
    # the service worker for offline reading).
    on_page = figures.evaluate_all(
        "els => els.map((el) => new URL(el.dataset.specUrl, document.baseURI).href)"
    )
    page.wait_for_function(
        "(n) => performance.getEntriesByType('resource')"
        ".filter((e) => e.name.includes('/chart-specs/')).length >= n",
        arg=len(set(on_page)),
    )
    assert specs[0] == on_page[0] and sorted(specs) == sorted(set(on_page)), specs
    expect(figures.first.locator(".plab-chart-live svg")).to_be_visible()
    expect(figures.first.locator("img.plab-chart-svg")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    labels = figures.first.locator(".plab-chart-live svg text").all_text_contents()
    assert any("パラメーター数" in t for t in labels)
    assert len(vega) == 1
    toggle.click()  # and back to the static image
    expect(figures.first.locator("img.plab-chart-svg")).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(figures.nth(1)).not_to_have_class(re.compile(r"\bplab-chart--live\b"))


def test_a_chart_whose_spec_cannot_load_says_so_and_the_next_press_works(guarded, site_url: str):
    page, guard = guarded
    guard.expect_console(r"net::ERR_FAILED")
    figure = page.locator("figure.plab-chart").first
    page.route("**/assets/plab/chart-specs/*.json", lambda route: route.abort())
    page.goto(site_url + "scale/")
    toggle = figure.locator("[data-chart-live]")
    toggle.click()
    failed = figure.locator(".plab-chart-failed")
    expect(failed).to_contain_text("グラフを描けませんでした")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(figure.locator("img.plab-chart-svg")).to_be_visible()
    page.unroute("**/assets/plab/chart-specs/*.json")
    toggle.click()
    expect(figure).to_have_class(re.compile(r"\bplab-chart--live\b"), timeout=20_000)
    expect(failed).to_have_count(0)


def test_charts_fall_back_to_static_svg_without_javascript(browser, site_url: str):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "scale/")
    images = page.locator("figure.plab-chart img.plab-chart-svg")
    expect(images).to_have_count(3)
    expect(images.first).to_be_visible()
    assert images.first.evaluate(
        "img => img.complete && img.naturalWidth > 0 && img.currentSrc === img.src"
    )
    context.close()


# What only a reader's act may fetch: the Python runtime, the demo widgets, the editor, Vega.
LIVE_LAYER = (
    "/pyodide-",
    "pyodide-lock.",
    ".whl",
    "/worker.",
    "/widgets.",
    "/editor.",
    "/charts.",
    "/chart-specs/",
)
PHONE = {"viewport": {"width": 412, "height": 823}, "is_mobile": True, "has_touch": True}


def nav_pages(built_site: Path, site_url: str) -> list[str]:
    """Every page of the built site, from its sitemap (a new chapter is covered unasked)."""
    urls = re.findall(r"<loc>([^<]+)</loc>", (built_site / "sitemap.xml").read_text())
    assert urls and all(u.startswith(site_url) for u in urls), urls
    return urls


def read_to_the_bottom(page: Page) -> None:
    """Read like a reader on a phone: swipe with a finger that lands on a block of each kind
    and on a chart (a swipe that starts on one is not an act on it), then scroll through to
    the end, pausing as a reader does."""
    cdp = page.context.new_cdp_session(page)
    kinds = (
        "[data-demo][data-kind=demo]",
        "[data-demo]:not([data-kind=demo])",
        "figure.plab-chart",
    )
    for target in [page.locator(kind).first for kind in kinds if page.locator(kind).count()]:
        target.scroll_into_view_if_needed()
        settle(page)  # drawn at its own size (content-visibility), not its placeholder's
        # The finger lands on what the block shows (its output, code or image), as a reader's
        # thumb on a phone does, not on its buttons.
        shown = target.locator(".plab-view, .plab-stream, [data-demo-code], img").first
        box = (shown if shown.count() else target).bounding_box()
        if not box:
            continue
        x = box["x"] + box["width"] / 2
        y = min(box["y"] + box["height"] / 2, page.viewport_size["height"] - 10)
        cdp.send(
            "Input.synthesizeScrollGesture",
            {
                "x": x,
                "y": max(y, 10),
                "yDistance": -200,
                "gestureSourceType": "touch",
                "speed": 1000,  # px/s: a 0.2 s swipe, as a thumb's
            },
        )
    cdp.detach()
    # Then from the top to the end, 0.8 of a screen at a time, 60 ms apart (in the page, so
    # the pauses are the reader's and not the test's round trips).
    page.evaluate(
        """async () => {
          scrollTo(0, 0);
          for (let i = 0; i < 300; i++) {
            if (innerHeight + scrollY >= document.documentElement.scrollHeight - 2) return;
            scrollBy(0, innerHeight * 0.8);
            await new Promise((r) => setTimeout(r, 60));
          }
        }"""
    )


# Every read of an element's geometry by a script, from the page's first line (Material's
# start-up and ours). A read inside a box the browser is skipping (content-visibility: auto,
# below the fold) lays that box out, and Material's start-up reads before the first paint.
NOTE_GEOMETRY_READS = """(() => {
  const reads = (window.__geometryReads = []);
  const note = (el) => reads.length < 1000 && reads.push(el);
  for (const [proto, names] of [
    [HTMLElement.prototype, ["offsetTop", "offsetLeft", "offsetWidth", "offsetHeight"]],
    [Element.prototype, ["clientWidth", "clientHeight", "scrollWidth", "scrollHeight"]],
  ]) {
    for (const name of names) {
      const { get } = Object.getOwnPropertyDescriptor(proto, name);
      Object.defineProperty(proto, name, {
        configurable: true,
        get() { note(this); return get.call(this); },
      });
    }
  }
  const rect = Element.prototype.getBoundingClientRect;
  Element.prototype.getBoundingClientRect = function () { note(this); return rect.call(this); };
})();"""
# The reads so far that fell inside a skipped box, still below the fold.
READS_IN_SKIPPED_BOXES = """() => {
  const name = (el) => [el.localName, ...el.classList].join(".");
  const skipping = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).contentVisibility === "auto" &&
        box.getBoundingClientRect().top > innerHeight) {
        return box;
      }
    }
    return null;
  };
  return [...new Set(window.__geometryReads)]
    .map((el) => [el, skipping(el)])
    .filter(([, box]) => box)
    .map(([el, box]) => `${name(el)} in ${name(box)}`);
}"""


# The build's chart images (assets/plab/svg/) whose request started before the load event.
CHART_IMAGES_BEFORE_LOAD = """() => {
  const loaded = performance.getEntriesByType("navigation")[0].loadEventStart;
  return performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/assets/plab/svg/") && e.startTime < loaded)
    .map((e) => `${e.name.split("/").at(-1)} at ${Math.round(e.startTime)} ms`)
    .map((text) => `${text}, load at ${Math.round(loaded)} ms`);
}"""
# Every chart image on the page shows its own image, not the placeholder that held it.
CHART_IMAGES_SHOWN = """() => [...document.querySelectorAll("img.plab-chart-svg")].every(
  (img) => !img.hasAttribute("data-plab-held") && img.src.includes("/assets/plab/svg/") &&
    img.complete && img.naturalWidth > 0 && img.currentSrc === img.src)"""


def test_reading_a_page_to_the_end_fetches_no_python_and_no_vega(
    browser, built_site: Path, site_url: str
):
    """Every page of the nav, read to its end on a phone: it loads from the test server
    alone, with no console error, and nothing of the live layer is fetched. Until the reader
    scrolls, no script lays out what is below the fold. The chart images load after the
    page, each by the end of the reading. (No Playwright route guards this page: routes would
    send its requests past the service worker.)"""
    context = browser.new_context(locale="ja-JP", **PHONE)
    context.add_init_script(NOTE_GEOMETRY_READS)
    page = context.new_page()
    fetched: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    costly, foreign, laid_out, held = {}, set(), {}, {}
    for url in nav_pages(built_site, site_url):
        fetched.clear()
        page.goto(url, wait_until="networkidle")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.locator("h1").first).to_be_visible()
        if reads := page.evaluate(READS_IN_SKIPPED_BOXES):
            laid_out[url] = reads
        page.evaluate(
            """() => { window.__touched = 0;
               document.addEventListener("pointerdown", (e) => {
                 const onBlock = e.target.closest("[data-demo]");
                 if (e.pointerType === "touch" && onBlock) window.__touched++;
               }, true); }"""
        )
        read_to_the_bottom(page)
        settle(page)  # what the reading set off has run
        # The build's chart images wait for the page's load (runtime/imagehold.js): none was
        # requested before it, and each has loaded by the end of the reading, as itself.
        early = page.evaluate(CHART_IMAGES_BEFORE_LOAD)
        if early:
            held[url] = early
        try:
            page.wait_for_function(CHART_IMAGES_SHOWN, timeout=10_000)
        except PlaywrightTimeout:
            shown = page.locator("img.plab-chart-svg").evaluate_all(
                "els => els.map(e => [e.getAttribute('src').slice(0, 60), e.currentSrc.slice(-40)])"
            )
            raise AssertionError(f"{url}: chart images not shown by the end: {shown}") from None
        if page.locator("[data-demo]").count():
            assert page.evaluate("window.__touched"), f"{url}: no swipe started on a block"
        live = [u for u in fetched if any(part in u for part in LIVE_LAYER)]
        if live:
            costly[url] = live
        foreign.update(u for u in fetched if not u.startswith((site_url, "data:", "blob:")))
        states = page.locator("[data-demo]").evaluate_all(
            "els => els.map(e => [e.dataset.status, e.dataset.mounted ?? null])"
        )
        assert all(s == ["idle", None] for s in states), (url, states)
    context.close()
    assert not foreign, f"requests to other hosts: {sorted(foreign)}"
    assert not errors, f"console errors: {errors}"
    assert not costly, f"fetched by reading alone: {costly}"
    assert not laid_out, f"laid out below the fold before the reader scrolled: {laid_out}"
    assert not held, f"chart images requested before the page's load event: {held}"


def test_one_tap_on_run_fetches_python_and_shows_output(browser, site_url: str):
    context = browser.new_context(locale="ja-JP", **PHONE)
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(site_url + "memory/", wait_until="networkidle")
    calc = page.locator("[data-demo=param-calculator]")
    calc.scroll_into_view_if_needed()  # drawn as a reader sees it (content-visibility)
    settle(page)
    results = calc.locator(".plab-view :is(.plab-table, .plab-text)")
    views = results.all_inner_texts()
    assert views and all(views), "the pre-rendered result, read before the tap"
    calc.locator("[data-demo-run]").tap()
    # At once: progress in words, and the pre-rendered result still there.
    expect(calc).to_have_attribute("data-status", re.compile("loading|running"), timeout=500)
    expect(calc.locator("[data-demo-status]")).not_to_have_text("", timeout=500)
    assert results.all_inner_texts() == views
    page.wait_for_function(
        "document.querySelector('[data-demo=param-calculator]').dataset.status === 'done'",
        timeout=90_000,
    )
    assert any("/pyodide-" in u and u.endswith(".wasm") for u in fetched)
    assert results.all_inner_texts() == views, "untouched: the same result"
    context.close()


def _focus_the_calculator(context, site_url: str) -> Page:
    context.add_init_script(COUNT_WORKERS)
    page = context.new_page()
    page.goto(site_url + "memory/", wait_until="networkidle")
    calc = page.locator("[data-demo=param-calculator]")
    calc.locator("select[data-control=preset]").focus()  # focus is intent
    expect(calc).to_have_attribute("data-mounted", "true")
    return page


def test_with_save_data_only_run_fetches_python(browser, site_url: str):
    # Without save-data, focus prefetches, and the count sees it at mount: so it can fail.
    plain = browser.new_context(locale="ja-JP")
    assert _focus_the_calculator(plain, site_url).evaluate("window.__workers") == 1
    plain.close()
    context = browser.new_context(locale="ja-JP")
    context.add_init_script(
        "Object.defineProperty(navigator, 'connection', { value: { saveData: true } })"
    )
    fetched: list[str] = []
    context.on("request", lambda r: fetched.append(r.url))
    page = _focus_the_calculator(context, site_url)
    calc = page.locator("[data-demo=param-calculator]")
    # A prefetch starts its worker in the same task that mounts the block: decided by now.
    assert page.evaluate("window.__workers") == 0
    settle(page)
    assert not [u for u in fetched if "/pyodide-" in u or "/worker." in u], fetched
    calc.locator("[data-demo-run]").click()
    page.wait_for_function(
        "document.querySelector('[data-demo=param-calculator]').dataset.status === 'done'",
        timeout=90_000,
    )
    assert any("/worker." in u for u in fetched)
    context.close()


def test_focus_inside_a_block_starts_python_without_running_it(warm_site, site_url: str):
    page, _ = warm_site
    page.goto(site_url + "memory/", wait_until="networkidle")
    calc = page.locator("[data-demo=param-calculator]")
    calc.locator("select[data-control=preset]").focus()
    page.wait_for_function(
        "performance.getEntriesByName('plab-python-ready').length > 0", timeout=90_000
    )
    assert calc.get_attribute("data-status") == "idle", "prefetched, not run"


def test_calculator_counts_a_pasted_config_offline(warm_site, site_url: str):
    """The parameter calculator needs no numpy, so it runs in the browser even offline."""
    page, _ = warm_site
    config = (ROOT / "demos/data/configs/opt-125m.json").read_text()
    page.goto(site_url + "memory/")
    calc = page.locator("[data-demo=param-calculator]")
    calc.locator("textarea[data-control=config_json]").fill(config)
    page.wait_for_function(
        "document.querySelector('[data-demo=param-calculator]').dataset.status === 'done'",
        timeout=90_000,
    )
    expect(calc.locator(".plab-view[data-view='table:summary']")).to_contain_text("125,239,296")


def test_an_unopened_data_table_costs_no_dom_yet_reads_everywhere(
    page: Page, browser, built_site: Path, site_url: str
):
    """A chart's data table the reader has not opened is no DOM (Lighthouse counts every
    element), yet the reader who opens it, a browser without scripts and search all get it."""
    path = next(p for p in PAGES if "plab-chart-data" in _html(built_site, p))
    page.goto(site_url + path, wait_until="networkidle")
    details = page.locator("details.plab-chart-data").first
    assert details.evaluate("d => d.querySelectorAll('*').length") == 2  # summary, noscript
    details.locator("summary").click()
    rows = details.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    cells = details.locator("td").all_inner_texts()
    # Without scripts the same table is there (inside <noscript>, parsed as markup).
    context = browser.new_context(java_script_enabled=False)
    no_js = context.new_page()
    no_js.goto(site_url + path)
    plain = no_js.locator("details.plab-chart-data").first
    plain.locator("summary").click()
    expect(plain.locator("table tbody tr").first).to_be_visible()
    assert plain.locator("td").all_inner_texts() == cells
    context.close()
    # Search indexed its text from the built HTML.
    index = json.loads((built_site / "search" / "search_index.json").read_text("utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith(path))
    words = [c for c in cells if len(c) > 3]
    assert words and all(w in text for w in words[:5]), words[:5]
