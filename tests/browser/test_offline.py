"""Offline reading after one visit (the site's service worker), on the plain and the COOP/COEP
server: the reader opens a page and runs a demo, the network goes, and the page opens again
with everything it showed, and runs Python."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PageGuard, check_guard, guard_page, guarded_context
from tests.browser.helpers import block, boots, output, run, wait_snapshot_saved
from tools.browser_harness import ALL_KEPT, serve


@pytest.fixture(params=["plain", "coop-coep"])
def online(request, browser, playground_url) -> Iterator[tuple[object, PageGuard]]:
    guard = PageGuard(playground_url)
    context = guarded_context(
        browser,
        playground_url,
        guard,
        isolated=request.param == "coop-coep",
        service_workers="allow",
    )
    yield context, guard
    context.close()
    check_guard(guard)


def test_a_page_opened_once_reads_and_runs_offline(online):
    context, guard = online
    page = guard_page(context.new_page(), guard)
    page.goto(guard.origin)
    page.wait_for_function("navigator.serviceWorker?.controller != null", timeout=10_000)
    assert run(page, "hello") == "done"
    wait_snapshot_saved(page)
    page.wait_for_function(ALL_KEPT, timeout=10_000)
    page.close()

    context.set_offline(True)
    guard.expect_console(r"ERR_INTERNET_DISCONNECTED|Failed to fetch")
    # Known limit: Material's search worker started on the first page before the service
    # worker controlled it, so its lunr language files were never seen; search offline
    # lacks them until a second online visit. Reading and Python are unaffected.
    guard.expect_console(r"importScripts.*/assets/javascripts/lunr/")
    guard.expect_console(r"^Failed to load resource: net::ERR_FAILED$")  # checked below
    # Material's own background fetches (the sitemap for instant navigation, the search
    # index) may also have run before the service worker took control; offline they fail,
    # and Material reports "Network error". Reading and Python do not use them.
    guard.expect_console(r"^pageerror: Network error$")
    again: Page = guard_page(context.new_page(), guard)
    failed: list[str] = []
    again.on("requestfailed", lambda r: failed.append(r.url))
    started = time.monotonic()
    again.goto(guard.origin)
    painted = time.monotonic() - started
    assert "こんにちは 42" in output(again, "hello"), "the pre-rendered output"
    images = again.locator("article img").evaluate_all(
        """els => Promise.all(els.map((e) => e.getAttribute("data-plab-held") ?? e.src)
             .map((src) => fetch(src).then((r) => r.ok, () => src)))"""
    )
    assert images and all(i is True for i in images), f"images offline: {images}"
    assert run(again, "hello") == "done", block(again, "hello").inner_text()
    assert [b["from"] for b in boots(again)] == ["snapshot"]
    # What may fail offline is only Material's search (its worker's files and index) and
    # the sitemap its instant navigation reads.
    material = ("/assets/javascripts/", "/search/", "/sitemap.xml")
    assert all(any(part in url for part in material) for url in failed), failed
    total = time.monotonic() - started
    print(f"offline reopen: page {painted * 1000:.0f} ms, first output {total * 1000:.0f} ms")
    context.set_offline(False)


def test_a_returning_reader_asks_the_server_for_no_runtime_file(browser, playground_site):
    """Back on a page, Run waits for no round trip: the runtime's files are named by their
    content's hash, so the service worker's copies (the modules) and Python's (the core, the
    wheel, the snapshot) answer without asking the server whether they changed."""
    sent: list[tuple[str, int]] = []
    # The server counts every response (a 304 too), whoever asked: page, worker, service worker.
    with serve(playground_site, compress=True, sent=sent) as origin:
        guard = PageGuard(origin)
        # No guarded_context: Playwright's routes would send the pages' requests past the
        # service worker. The server's log shows every request instead.
        context = browser.new_context(locale="ja-JP", service_workers="allow")
        try:
            page = guard_page(context.new_page(), guard)
            page.goto(origin)
            page.wait_for_function("navigator.serviceWorker?.controller != null", timeout=10_000)
            assert run(page, "hello") == "done"
            wait_snapshot_saved(page)
            page.wait_for_function(ALL_KEPT, timeout=10_000)
            page.close()
            sent.clear()
            again = guard_page(context.new_page(), guard)
            browser.start_tracing(page=again, categories=["v8"])
            again.goto(origin)
            assert run(again, "hello") == "done", block(again, "hello").inner_text()
            trace = json.loads(browser.stop_tracing())["traceEvents"]
            assert [b["from"] for b in boots(again)] == ["snapshot"]
        finally:
            context.close()
    asked = [path for path, _ in sent if "/assets/plab/" in path]
    assert asked == [], f"the server was asked for {asked}"
    check_guard(guard)
    # Pyodide's JS was compiled from V8's code cache, kept beside the service worker's copy
    # (answered from Cache Storage on the first visit), and whole: its compile hint made V8
    # compile every function, not only the top level (~20 KB of cache without it).
    (asm,) = playground_site.glob("assets/plab/pyodide-*/pyodide.asm.mjs")
    compiled = [
        e["args"]["data"]
        for e in trace
        if e.get("name", "").lower() == "v8.compilemodule"
        and e.get("args", {}).get("data", {}).get("url", "").endswith("/pyodide.asm.mjs")
    ]
    names = sorted({e.get("name", "") for e in trace if "ompile" in e.get("name", "")})
    assert compiled, f"no compile of pyodide.asm.mjs in the trace's {names}"
    assert all(not c.get("cacheRejected") for c in compiled), compiled
    consumed = max(c.get("consumedCacheSize", 0) for c in compiled)
    assert consumed >= asm.stat().st_size // 4, (consumed, asm.stat().st_size)
