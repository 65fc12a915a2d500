"""Accessibility of every built page: axe-core finds nothing, the blocks work by keyboard,
and a run's progress is announced.

Pages come from the built site's sitemap, so a new chapter is checked without editing this
file. axe-core is the version pinned in package-lock.json, injected into each page. Every
page is checked at a desktop and a phone viewport, in the light and the dark palette, with
its demos as built, and then with every block's <details> open and, for the blocks that
can run offline, after a run (then axe reads what the reader changed: the blocks, charts
and the figures in the text that follow a run). Offline, only stdlib Python runs in the
browser (numpy's wheel comes from the CDN), so which blocks run is decided by reading their
imports, down through the demos package.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.helpers import settle
from tests.conftest import ROOT

AXE = (ROOT / "node_modules/axe-core/axe.min.js").read_text(encoding="utf-8")
VIEWPORTS = {"1280x800": {"width": 1280, "height": 800}, "412x823": {"width": 412, "height": 823}}
# The phone viewport is a touch screen, as Lighthouse's mobile run and a reader's phone are:
# no (hover), a coarse pointer. Material makes a code block's scrolling <code> focusable only
# under (hover), so a desktop browser at phone width never showed the phone's fault.
TOUCH = {"412x823"}
SCHEMES = {"light": "default", "dark": "slate"}  # prefers-color-scheme -> Material's scheme
FINISHED = ("done", "error", "stopped")
BOOT_MS = 90_000  # a cold Pyodide boot on a loaded 2-core machine
# What a reader opens is checked too: a demo's code, a chart's data table.
OPENABLE = "[data-demo] details, .plab-chart details"
# What a run or an opened <details> changes: blocks, charts, and the figures in the text
# bound to a block's result. Once the page as built passed, only these are audited again
# after a run (the rest of the page is the same DOM it was).
CHANGED_BY_READER = "[data-demo], .plab-chart, [data-bind]"
# An opened <details> holds what it shows as DOM, no longer as <noscript> text (the loader).
UNOPENED_GONE = "() => !document.querySelector('details[open] > noscript[data-unopened]')"
# A demo's code is one tab stop, its <pre>; once opened, CodeMirror inside it keeps its own.
FOCUSABLE = ", ".join(
    [
        "[data-demo] :is(button, input, select, textarea, summary, [tabindex='0'])"
        ":not(.plab-code *)",
        ".plab-chart :is(button, summary, [tabindex='0'])",
        ".plab-table[tabindex='0']",
        ".plab-math--display",
    ]
)


def site_pages(built_site: Path, site_url: str) -> list[str]:
    locs = re.findall(r"<loc>([^<]+)</loc>", (built_site / "sitemap.xml").read_text())
    assert locs and all(u.startswith(site_url) for u in locs), locs
    # The sitemap must hold the nav: every page the home page's navigation links to.
    nav = set(re.findall(r'<a href="([^"#]+)" class="md-nav__link', _home(built_site)))
    nav = {h.removeprefix("./") for h in nav} - {"."}
    paths = {u.removeprefix(site_url) for u in locs}
    assert nav and not nav - paths, f"nav pages missing from sitemap.xml: {nav - paths}"
    return locs


def _home(built_site: Path) -> str:
    return (built_site / "index.html").read_text(encoding="utf-8")


# ---- axe -------------------------------------------------------------------------------------


# The rules whose result depends on the colours alone: all a second palette can change.
COLOUR_RULES = ("color-contrast", "link-in-text-block")


def axe_violations(
    page: Page, scope: str | None = None, rules: tuple[str, ...] | None = None
) -> list[dict]:
    """axe's violations on the whole page, or only inside the elements ``scope`` selects;
    every rule, or only ``rules``."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE)
    return page.evaluate(
        """async ([scope, rules]) => {
          const context = scope ? { include: [...document.querySelectorAll(scope)] } : document;
          const options = { resultTypes: ["violations"] };
          if (rules) options.runOnly = { type: "rule", values: rules };
          const result = await axe.run(context, options);
          return result.violations.map((v) => ({
            rule: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
          }));
        }""",
        [scope, list(rules) if rules else None],
    )


# Material's colour transitions last 250 ms. A page.evaluate has no timeout of its own: a
# transition that never ends (a fresh-clone run once waited on one for over 7 minutes, inside
# use_viewport) would hang the whole suite, so after this long the rest are finished (their
# final colours are what axe is to read) and named in the test's output.
TRANSITIONS_MS = 5_000


def wait_for_transitions(page: Page) -> None:
    """Wait until no CSS transition runs (Material fades colours when the palette changes),
    so contrast is read on the final colours."""
    stuck = page.evaluate(
        """async (limit) => {
          const deadline = performance.now() + limit;
          const later = (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
          // A frame, or 100 ms where the page draws none.
          const drawn = () => new Promise((r) => requestAnimationFrame(() => r()));
          const frame = () => Promise.race([drawn(), later(100)]);
          await frame();
          await frame();  // transitions start on the frame after the style change
          for (;;) {
            const running = document.getAnimations().filter(
              (a) => a instanceof CSSTransition && a.playState === "running");
            if (!running.length) return [];
            if (performance.now() >= deadline) {
              running.forEach((a) => a.finish());
              return running.map((a) => `${a.effect?.target?.tagName} ${a.transitionProperty}`);
            }
            await Promise.race([
              Promise.all(running.map((a) => a.finished.catch(() => null))),
              later(deadline - performance.now()),
            ]);
          }
        }""",
        TRANSITIONS_MS,
    )
    if stuck:
        print(f"transitions finished after {TRANSITIONS_MS} ms: {stuck}")


def use_scheme(page: Page, scheme: str) -> None:
    """Switch the palette as a reader's system setting would, and wait until it applied."""
    page.emulate_media(color_scheme=scheme)
    page.wait_for_function(
        "([s]) => document.body.getAttribute('data-md-color-scheme') === s"
        " && !document.body.hasAttribute('data-md-color-switching')",
        arg=[SCHEMES[scheme]],
    )
    wait_for_transitions(page)  # Material's colour transitions end before contrast is read


def current_scheme(page: Page) -> str:
    body = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    return next((name for name, value in SCHEMES.items() if value == body), "light")


# Blocks below the fold are not styled or laid out until a reader nears them (plab.css:
# content-visibility). axe reads contrast from what is drawn, so everything is drawn first,
# as each part is once the reader scrolls to it.
DRAW_ALL = ".md-typeset > * { content-visibility: visible !important; }"


def audit(
    page: Page,
    where: str,
    found: list[str],
    scope: str | None = None,
    schemes: tuple[str, ...] = tuple(SCHEMES),
) -> None:
    """axe in each of ``schemes`` (palettes), switched in the page: every rule in the one it
    shows first, then the colour rules in the others; on the whole page, or only inside
    ``scope`` (axe_violations)."""
    if not page.evaluate("!!document.querySelector('style[data-draw-all]')"):
        page.add_style_tag(content=DRAW_ALL).evaluate("el => el.dataset.drawAll = ''")
    first = current_scheme(page)
    for scheme in sorted(schemes, key=lambda s: s != first):
        use_scheme(page, scheme)
        for v in axe_violations(page, scope, None if scheme == first else COLOUR_RULES):
            for target in v["targets"]:
                found.append(f"{where} [{scheme}] {v['rule']}: {target} ({v['help']})")


def emulate_device(page: Page, viewport: str) -> None:
    """Size the page as ``viewport`` and, for a phone, make it a touch screen without hover.
    Scripts read (hover) when they start: set it before loading a page."""
    session = _sessions.get(page)
    if session is None:
        # Emulation lasts as long as the session that set it: keep one per page.
        session = _sessions[page] = page.context.new_cdp_session(page)
    touch = viewport in TOUCH
    session.send("Emulation.setTouchEmulationEnabled", {"enabled": touch, "maxTouchPoints": 5})
    page.set_viewport_size(VIEWPORTS[viewport])


_sessions: dict[Page, object] = {}


def use_viewport(page: Page, viewport: str) -> None:
    """Resize the page and wait until the layout and any transition it started settled."""
    emulate_device(page, viewport)
    page.wait_for_function(
        "([w, h]) => innerWidth === w && innerHeight === h",
        arg=[VIEWPORTS[viewport]["width"], VIEWPORTS[viewport]["height"]],
    )
    wait_for_transitions(page)


# ---- which blocks can run offline --------------------------------------------------------------


def _module_file(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def stdlib_only(source: str, package: str = "", seen: set[str] | None = None) -> bool:
    """True if ``source`` imports only the standard library, directly or through the site's
    own modules (those next to mkdocs.yml, e.g. the demos package)."""
    seen = set() if seen is None else seen
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: inside the importing module's package
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*parts, module] if module else parts)
            names = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        # Importing a.b.c runs a/__init__.py and a/b/__init__.py too.
        prefixes = {".".join(n.split(".")[: i + 1]) for n in names for i in range(n.count(".") + 1)}
        for name in sorted(prefixes):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names or top == "__future__" or name in seen:
                continue
            seen.add(name)
            path = _module_file(name)
            if path is None:
                if _module_file(top) is not None:  # an attribute of a site module, not a module
                    continue
                return False  # a third-party package: numpy, …
            inner = name if path.name == "__init__.py" else name.rpartition(".")[0]
            if not stdlib_only(path.read_text(encoding="utf-8"), inner, seen):
                return False
    return True


def runnable_blocks(page: Page) -> list[str]:
    """Ids of the page's blocks that run offline and were seen to finish at build."""
    ids = []
    for block in page.locator("[data-demo]").all():
        if block.get_attribute("data-kind") == "demo":
            module = json.loads(block.get_attribute("data-spec"))["module"]
            source = f"import {module}"
        else:
            if not block.locator(".plab-stream").count():  # not pre-rendered: may never end
                continue
            source = block.locator("[data-demo-code]").inner_text()
        if stdlib_only(source):
            ids.append(block.get_attribute("data-demo"))
    return ids


def run_by_keyboard(page: Page, block_id: str) -> str:
    block = page.locator(f'[data-demo="{block_id}"]')
    block.locator("[data-demo-run]").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        "([id, done]) => done.includes(document.querySelector(`[data-demo='${id}']`)"
        ".dataset.status)",
        arg=[block_id, list(FINISHED)],
        timeout=BOOT_MS,
    )
    return block.get_attribute("data-status")


# ---- the tests -------------------------------------------------------------------------------


# Which palettes are read at which width. Our colours depend on the palette only (plab.css
# has no width query but print) and the layout on the width only, so the dark palette is
# read where most readers are, at the phone's width, and the light one at both.
PALETTES_AT = {"412x823": ("light", "dark"), "1280x800": ("light",)}


def test_axe_finds_no_violation_on_any_page(guarded, built_site: Path, site_url: str):
    """Every page, at both viewports, in the palettes of PALETTES_AT, as built and after a
    run.

    The initial state is checked on a page loaded at each viewport. The blocks then run once
    per page (on the phone-sized page); the state after the run is checked at that viewport,
    then at the other one by resizing the same page, so Python boots once per page, not
    once per page and viewport. After the run, axe reads what the run and the opened
    <details> changed (CHANGED_BY_READER); the rest was checked as built."""
    page, _ = guarded
    phone, desktop = "412x823", "1280x800"
    assert set(VIEWPORTS) == {phone, desktop} == set(PALETTES_AT)
    found: list[str] = []
    ran = 0
    for url in site_pages(built_site, site_url):
        where = url.removeprefix(site_url) or "/"
        for viewport in (desktop, phone):  # the phone last: its page goes on to the runs
            emulate_device(page, viewport)
            page.emulate_media(color_scheme="light")
            page.goto(url)
            settle(page)  # the page's own scripts ran (no need to wait for the search index)
            hover = page.evaluate("matchMedia('(hover)').matches")
            assert hover == (viewport not in TOUCH), f"{viewport}: (hover) is {hover}"
            audit(page, f"{where} @{viewport} initial", found, schemes=PALETTES_AT[viewport])
        blocks = runnable_blocks(page)
        for block_id in blocks:
            status = run_by_keyboard(page, block_id)
            assert status == "done", f"{where}: {block_id} ended {status}"
        ran += len(blocks)
        # Then every <details> of the blocks and charts opened: their code and data tables.
        opened = page.evaluate(
            "(sel) => [...document.querySelectorAll(sel)].map((d) => (d.open = true)).length",
            OPENABLE,
        )
        if blocks or opened:
            page.wait_for_load_state("networkidle")
            page.wait_for_function(UNOPENED_GONE)
            state = f"after running {', '.join(blocks)}" if blocks else "opened"
            state += ", details open" if opened else ""
            for viewport in (phone, desktop):
                use_viewport(page, viewport)
                audit(
                    page,
                    f"{where} @{viewport} {state}",
                    found,
                    CHANGED_BY_READER,
                    PALETTES_AT[viewport],
                )
    assert ran, "no block ran offline: the after-run state was never checked"
    assert not found, f"{len(found)} axe violations:\n" + "\n".join(found)


# Tab from the start of the page's content (the blocks are in it; Material's header and
# navigation before it are Material's), as the loop below once did one key at a time: Tab,
# and after each Tab, Esc if the focus went into a code editor (it keeps Tab for indenting),
# until the focus has left the content or 800 Tabs were pressed. The page records where each
# Tab went, so Python reads it back once per TAB_BATCH keys. A Tab pressed while the focus
# waits in an editor for its Esc, or after the end, is swallowed before the page sees it: the
# keys that reach the page are exactly those of the one-key-at-a-time loop.
TAB_RECORDER = """() => {
  const s = (window.__tab = { reached: [], presses: 0, stuck: false, done: false, at: false });
  addEventListener("keydown", (e) => {
    if (e.key === "Escape") s.stuck = false;
    if (e.key !== "Tab") return;
    if (s.stuck || s.done || s.presses >= 800) {
      e.preventDefault();
      e.stopImmediatePropagation();
      return;
    }
    s.presses += 1;
    s.at = true;
  }, true);
  addEventListener("keyup", (e) => {
    if (e.key !== "Tab" || !s.at) return;
    s.at = false;
    const el = document.activeElement;
    if (!el.closest(".md-content")) { s.done = true; return; }  // past the content's end
    const id = el.closest("[data-a11y-id]")?.dataset.a11yId;
    if (id !== undefined) s.reached.push(id);
    if (el.closest(".cm-editor")) s.stuck = true;
  }, true);
}"""
TAB_BATCH = 10


def tab_through(page: Page) -> list[str]:
    """The a11y ids the focus reached, Tabbing from the start of the page's content
    (TAB_RECORDER)."""
    page.evaluate(TAB_RECORDER)
    # The next Tab goes to the content's first focusable element, as after a skip link.
    page.evaluate(
        """() => { const start = document.querySelector(".md-content");
                   start.tabIndex = -1; start.focus(); }"""
    )
    while True:
        for _ in range(TAB_BATCH):
            page.keyboard.press("Tab")
        state = page.evaluate("({ ...window.__tab })")
        if state["done"] or state["presses"] >= 800:
            return state["reached"]
        if state["stuck"]:
            page.keyboard.press("Escape")  # the editor keeps Tab for indenting


def test_every_block_control_is_reached_by_tab(guarded, built_site: Path, site_url: str):
    """Tab through each page's content: every control, button, chart toggle, data table and
    wide formula takes focus (their names are axe's part). Leaving a code editor takes Esc,
    then Tab, as the top page tells readers."""
    page, _ = guarded
    page.set_viewport_size(VIEWPORTS["1280x800"])
    unreached = {}
    for url in site_pages(built_site, site_url):
        page.goto(url)
        settle(page)
        page.evaluate(
            "(openable) => { for (const d of document.querySelectorAll(openable)) d.open = true; }",
            OPENABLE,
        )
        page.wait_for_function(UNOPENED_GONE)
        wanted = page.evaluate(
            """([openable, focusable]) => {
               return [...document.querySelectorAll(focusable)]
                 .filter((el) => !el.disabled && el.checkVisibility({ visibilityProperty: true }))
                 .map((el, i) => (el.dataset.a11yId = String(i)));
             }""",
            [OPENABLE, FOCUSABLE],
        )
        if not wanted:
            continue
        reached = set(tab_through(page))
        missing = sorted(set(wanted) - reached, key=int)
        if missing:
            unreached[url] = page.evaluate(
                "(ids) => ids.map((i) => document.querySelector(`[data-a11y-id='${i}']`)"
                ".outerHTML.slice(0, 120))",
                missing,
            )
    assert not unreached, f"not reachable by Tab: {json.dumps(unreached, ensure_ascii=False)}"


def _first_page_with(page: Page, built_site: Path, site_url: str, test, marker: str) -> str:
    """The first page, in the sitemap's order, where ``test(page)`` holds. Only pages whose
    built HTML holds ``marker`` are loaded: no other page can pass ``test``."""
    for url in site_pages(built_site, site_url):
        html = built_site / url.removeprefix(site_url) / "index.html"
        if marker not in html.read_text(encoding="utf-8"):
            continue
        page.goto(url, wait_until="networkidle")
        if test(page):
            return url
    pytest.fail("no page has what this test needs")


def test_a_run_is_announced_in_a_polite_live_region(guarded, built_site: Path, site_url: str):
    page, _ = guarded
    _first_page_with(page, built_site, site_url, runnable_blocks, "data-demo=")
    block_id = runnable_blocks(page)[0]
    status: Locator = page.locator(f'[data-demo="{block_id}"] [data-demo-status]')
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    status.evaluate(
        """(el) => { window.__said = [];
           new MutationObserver(() => window.__said.push(el.textContent))
             .observe(el, { childList: true, characterData: true, subtree: true }); }"""
    )
    assert run_by_keyboard(page, block_id) == "done"
    said = [s for s in page.evaluate("window.__said") if s.strip()]
    # Loading (or running) first, then the result: each change went through the region.
    assert len(set(said)) >= 2, said
    assert "完了" in said[-1], said


def test_a_chart_toggle_works_by_keyboard(guarded, built_site: Path, site_url: str):
    page, _ = guarded
    _first_page_with(
        page,
        built_site,
        site_url,
        lambda p: p.locator(".plab-chart-toggle").count(),
        "plab-chart-toggle",
    )
    figure = page.locator("figure.plab-chart").first
    toggle = figure.locator(".plab-chart-toggle")
    expect(toggle).to_have_accessible_name(re.compile(r"\S"))
    expect(toggle).to_have_accessible_description(re.compile(r"\S"))
    toggle.focus()
    page.keyboard.press("Enter")
    expect(figure).to_have_class(re.compile(r"\bplab-chart--live\b"), timeout=30_000)
    expect(figure.locator(".plab-chart-live svg")).to_be_visible()
