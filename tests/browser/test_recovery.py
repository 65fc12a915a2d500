"""What a reader can recover from without reloading: a core file that never arrives, a
browser with no usable Cache API, the editor failing to load once. On the plain and the
COOP/COEP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageGuard, guarded_page, warm_pages
from tests.browser.helpers import (
    PYTHON_WORKER,
    block,
    boots,
    damage_cached,
    output,
    run,
    wait_snapshot_saved,
    wait_status,
)

SERVERS = ["plain", "coop-coep"]


@pytest.fixture(params=SERVERS)
def cold(request, browser, playground_url) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page in a new context: nothing cached, Python boots from the network."""
    yield from guarded_page(browser, playground_url, isolated=request.param == "coop-coep")


@pytest.fixture
def warm(warm_context) -> Iterator[tuple[Page, PageGuard]]:
    """A new page in a context shared by this module's cases that are not about the first boot."""
    yield from warm_pages(*warm_context)


def test_a_stalled_core_file_fails_the_boot_and_retry_starts_a_fresh_worker(cold):
    page, guard = cold
    guard.expect_console(r"net::ERR_FAILED|Failed to fetch|Failed to load")
    held = []
    page.route("**/python_stdlib.zip", lambda route: held.append(route))  # never answered
    workers = []
    page.on("worker", lambda w: workers.append(w) if PYTHON_WORKER in w.url else None)
    page.goto(guard.origin)
    # The stall limit is 10 s of no data; a raw boot's other work is a few seconds more.
    assert run(page, "hello", timeout=40_000) == "error"
    assert held, "python_stdlib.zip was asked for and never answered"
    failure = block(page, "hello").locator(".plab-failure")
    expect(failure).to_contain_text("ネットワークが途中で止まった")
    expect(failure).to_contain_text("python_stdlib.zip")
    assert "こんにちは 42" in output(page, "hello"), "the pre-rendered output stays"
    page.unroute("**/python_stdlib.zip")
    failure.locator("button").click()  # Retry
    assert wait_status(page, "hello") == "done"
    assert len(workers) == 2, "Retry started a new worker instead of waiting on the hung one"


@pytest.fixture
def cold_plain(browser, playground_url) -> Iterator[tuple[Page, PageGuard]]:
    """As ``cold``, on the plain server only: what is tested does not depend on COOP/COEP."""
    yield from guarded_page(browser, playground_url)


def test_a_wasm_that_does_not_compile_fails_the_boot_and_is_not_kept(cold_plain):
    """Pyodide only logs a wasm it cannot instantiate, then waits forever. The block says
    so instead, the bad bytes are not kept, and Retry (the server mended) runs."""
    page, guard = cold_plain
    guard.expect_console(r"wasm instantiation failed|CompileError|WebAssembly")
    not_wasm = b"\0asm\x01\0\0\0not a module"
    page.route(
        "**/pyodide.asm.wasm",
        lambda route: route.fulfill(body=not_wasm, headers={"content-type": "application/wasm"}),
    )
    page.goto(guard.origin)
    assert run(page, "hello", timeout=40_000) == "error"
    failure = block(page, "hello").locator(".plab-failure")
    expect(failure).to_contain_text("pyodide.asm.wasm")
    page.unroute("**/pyodide.asm.wasm")
    failure.locator("button").click()  # Retry
    assert wait_status(page, "hello") == "done", block(page, "hello").inner_text()
    assert "こんにちは 42" in output(page, "hello")


def test_a_cached_wasm_that_does_not_compile_keeps_a_sound_snapshot(cold_plain):
    """A returning reader's cached wasm, damaged: the snapshot boot fails naming the wasm,
    as a raw boot would, and the snapshot is not blamed (it stays); Retry fetches the wasm
    anew and boots from that snapshot."""
    page, guard = cold_plain
    guard.expect_console(r"wasm instantiation failed|CompileError|WebAssembly")
    page.goto(guard.origin)
    assert run(page, "hello") == "done"
    wait_snapshot_saved(page)
    damaged = damage_cached(
        page,
        "(url) => url.endsWith('/pyodide.asm.wasm')",
        "async () => new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff])",
    )
    assert damaged == 1
    warnings: list[str] = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.reload()  # a new worker, as on the next visit
    assert run(page, "hello", timeout=40_000) == "error"
    failure = block(page, "hello").locator(".plab-failure")
    expect(failure).to_contain_text("pyodide.asm.wasm")
    assert not [w for w in warnings if "snapshot failed" in w], warnings
    failure.locator("button").click()  # Retry
    assert wait_status(page, "hello") == "done", block(page, "hello").inner_text()
    assert "こんにちは 42" in output(page, "hello")
    assert [b["from"] for b in boots(page)] == ["snapshot"], "the snapshot was kept"


# Private modes: Firefox's rejects every Cache API call (Chromium's incognito has one).
NO_CACHE_API = """
for (const name of ["open", "has", "keys", "delete", "match"]) {
  CacheStorage.prototype[name] = () =>
    Promise.reject(new DOMException("The operation is insecure.", "SecurityError"));
}
"""


def test_without_a_cache_api_python_runs_and_says_nothing(cold):
    page, guard = cold
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))

    def no_cache_api(route):
        response = route.fetch()
        route.fulfill(response=response, body=NO_CACHE_API + response.text())

    page.route("**/assets/plab/worker.*.js", no_cache_api)
    page.goto(guard.origin)
    assert run(page, "hello") == "done"
    assert "こんにちは 42" in output(page, "hello")
    assert run(page, "counter") == "done", "and the next run too"
    assert not [w for w in warnings if "parameter-lab" in w], warnings
    assert [(b["from"], b.get("cache")) for b in boots(page)] == [("raw", False)]


def test_the_editor_recovers_from_a_failed_import(warm):
    page, guard = warm
    guard.expect_console(r"net::ERR_FAILED|Failed to fetch dynamically imported module")
    failed = []

    def fail_once(route):
        if failed:
            route.continue_()
        else:
            failed.append(route.request.url)
            route.abort()

    page.route("**/assets/plab/editor.*.js*", fail_once)
    page.goto(guard.origin)
    cell = block(page, "hello").locator("[data-demo-code]")
    with page.expect_event("requestfailed", lambda r: "/editor." in r.url):
        cell.click()
    editor = block(page, "hello").locator(".cm-editor")
    assert not editor.count()
    # The reader clicks again (a few times, if the first click came before the failure
    # was handled): the editor opens.
    for _ in range(3):
        cell.click()
        try:
            expect(editor).to_be_visible(timeout=3_000)
            break
        except AssertionError:
            continue
    expect(editor).to_be_visible(timeout=1)
    assert len(failed) == 1
    assert run(page, "hello") == "done"
