"""The demo runtime in Chromium, offline: Pyodide in one module worker, run/stop/edit,
streams, tracebacks, text-only output, instant navigation, and the offline calculator.

The tests about booting, stopping, fetching and loading take ``playground``, a new browser
context each; those about what a block shows and does take ``warm_playground``, a new page in
a context they share (its Cache API keeps the runtime and the Python snapshot)."""

from __future__ import annotations

import json
import re
import time

from parameter_lab import i18n
from playwright.sync_api import Page, expect

from demos import params
from tests.browser.helpers import (
    BOOT_MS,
    NAVIGATION_MS,
    PYTHON_WORKER,
    settle,
    wait_snapshot_saved,
    wait_status,
)
from tests.browser.helpers import output as _output
from tests.browser.helpers import run as _run


def test_stdlib_cell_runs_and_prints(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin, wait_until="networkidle")
    # The pre-rendered output is there before Python boots.
    assert "こんにちは 42" in _output(page, "hello")
    assert _run(page, "hello") == "done"
    assert "こんにちは 42" in _output(page, "hello")
    expect(page.locator("[data-demo=hello] [data-demo-status]")).to_contain_text("完了")


def test_exception_shows_a_readable_traceback(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin)
    assert _run(page, "boom") == "error"
    text = _output(page, "boom")
    assert "ZeroDivisionError: division by zero" in text
    assert 'File "<セル>", line 4' in text and "return a / b" in text
    assert "plab_runner" not in text and "pyodide" not in text.lower()


def test_stdout_and_stderr_are_told_apart(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin)
    assert _run(page, "streams") == "done"
    assert page.locator("[data-demo=streams] .plab-stdout").inner_text().strip() == "out"
    assert page.locator("[data-demo=streams] .plab-stderr").inner_text().strip() == "err"


def test_output_is_text_never_html(warm_playground):
    page, guard = warm_playground
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(guard.origin)
    for _ in range(2):  # the pre-rendered output, then the browser's own run
        assert "<img src=x onerror=alert(1)>" in _output(page, "markup")
        assert page.locator("[data-demo=markup] [data-demo-output] img").count() == 0
        assert _run(page, "markup") == "done"
    assert dialogs == []


def _stop_a_runaway_loop(page: Page, url: str, isolated: bool) -> float:
    page.goto(url)
    assert page.evaluate("crossOriginIsolated") is isolated
    assert _run(page, "hello") == "done"  # boot first: Stop is measured on a running loop
    loop = page.locator("[data-demo=forever]")
    loop.locator("[data-demo-run]").click()
    expect(loop).to_have_attribute("data-status", "running", timeout=30_000)
    page.wait_for_timeout(300)
    started = time.monotonic()
    loop.locator("[data-demo-stop]").click()
    expect(loop).to_have_attribute("data-status", "stopped", timeout=5_000)
    elapsed = time.monotonic() - started
    # The page and the other blocks still work, and so does the next run.
    assert _run(page, "hello") == "done"
    assert "こんにちは 42" in _output(page, "hello")
    return elapsed


def test_stop_without_shared_memory_terminates_the_worker(playground):
    page, guard = playground
    elapsed = _stop_a_runaway_loop(page, guard.origin, isolated=False)
    assert elapsed < 1.0, f"stop took {elapsed:.2f} s"


def test_stop_with_coop_coep_interrupts_python(isolated_playground):
    page, guard = isolated_playground
    workers = []
    page.on("worker", lambda w: workers.append(w.url) if PYTHON_WORKER in w.url else None)
    elapsed = _stop_a_runaway_loop(page, guard.origin, isolated=True)
    assert elapsed < 1.0, f"stop took {elapsed:.2f} s"
    assert len(workers) == 1, "with SharedArrayBuffer, Stop must interrupt, not restart the worker"


def test_stop_with_coop_coep_terminates_code_that_catches_the_interrupt(isolated_playground):
    """Python takes the signal, the code swallows it: Stop ends it after two graces."""
    page, guard = isolated_playground
    page.goto(guard.origin)
    assert _run(page, "hello") == "done"
    swallows = page.locator("[data-demo=swallows]")
    swallows.locator("[data-demo-run]").click()
    expect(swallows).to_have_attribute("data-status", "running", timeout=30_000)
    started = time.monotonic()
    swallows.locator("[data-demo-stop]").click()
    expect(swallows).to_have_attribute("data-status", "stopped", timeout=10_000)
    elapsed = time.monotonic() - started
    replaced = page.evaluate(
        "performance.getEntriesByName('plab-python-replaced').map((e) => e.detail.reason)"
    )
    assert replaced == ["interrupt caught"], replaced
    assert 2.5 < elapsed < 6, f"stopped after {elapsed:.1f} s: two graces of 1.5 s"
    assert _run(page, "hello") == "done"


def test_instant_navigation_keeps_one_worker(playground):
    page, guard = playground
    workers = []
    page.on("worker", lambda w: workers.append(w.url) if PYTHON_WORKER in w.url else None)
    page.goto(guard.origin)
    assert _run(page, "hello") == "done"
    page.get_by_role("link", name="二つ目のページ").click()
    expect(page.locator("[data-demo=second]")).to_be_visible(timeout=NAVIGATION_MS)
    assert page.evaluate("location.pathname").endswith("/second/")
    assert _run(page, "second") == "done"
    assert "二つ目 45" in _output(page, "second")
    page.get_by_role("link", name="最初のページ").click()
    expect(page.locator("[data-demo=hello]")).to_be_visible()
    assert _run(page, "hello") == "done"
    assert len(workers) == 1
    assert len([w for w in page.workers if PYTHON_WORKER in w.url]) == 1


def test_editing_code_and_ctrl_enter(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin)
    code = page.locator("[data-demo=hello] [data-demo-code]")
    code.click()
    editor = page.locator("[data-demo=hello] .cm-content")
    expect(editor).to_be_visible()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type('print("編集しました")')
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        "document.querySelector('[data-demo=hello]').dataset.status === 'done'", timeout=BOOT_MS
    )
    assert "編集しました" in _output(page, "hello")
    # Tab indents inside the editor; Escape then Tab leaves it (keyboard users are not trapped).
    editor.click()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate("document.activeElement.closest('.cm-editor')")
    page.locator("[data-demo=hello] [data-demo-reset]").click()
    expect(editor).to_contain_text("こんにちは")
    assert "こんにちは 42" in _output(page, "hello")


def test_parameter_counts_in_pyodide_equal_cpython(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin)
    assert _run(page, "counts") == "done"
    in_browser = json.loads(page.locator("[data-demo=counts] .plab-stdout").inner_text())
    in_cpython = {
        n: params.count_params(params.load_preset(n)).total for n in params.preset_names()
    }
    assert in_browser == in_cpython


def test_demo_controls_run_the_latest_value_and_mirror_the_hash(warm_playground):
    page, guard = warm_playground
    page.goto(guard.origin)
    calc = page.locator("[data-demo=calc]")
    chart = calc.locator(".plab-view[data-view=param_breakdown] img")
    # The build sized the pre-rendered image; a redrawn one has a size of its own (axis labels
    # and legends change its width), so a size it would wrongly keep is made obvious here.
    chart.evaluate("img => { img.width = 7; img.height = 5; }")
    calc.locator("select[data-control=preset]").select_option(label="llama-2-7b")
    page.wait_for_function(
        "document.querySelector('[data-demo=calc]').dataset.status === 'done'", timeout=BOOT_MS
    )
    slider = calc.locator("input[data-control=layers]")
    for value in ("10", "20", "40"):  # three quick moves: only the last must win
        slider.fill(value)
    page.wait_for_function(
        "document.querySelector('[data-demo=calc]').dataset.status === 'done'"
        " && location.hash.includes('layers=40')",
        timeout=30_000,
    )
    settle(page)  # a late rerun would have started by now
    expect(calc).to_have_attribute("data-status", "done")
    rows = calc.locator(".plab-table tbody tr")
    attention = next(r for r in rows.all_inner_texts() if r.startswith("attention"))
    assert attention.replace(",", "").split()[-1] == str(40 * 4 * 4096 * 4096)
    assert "layers=40" in page.evaluate("location.hash")
    # The redrawn image took its own size once decoded, not the one it was given.
    page.wait_for_function(
        """img => img.src.startsWith('blob:') && img.complete && img.width > 7
                 && img.width === img.naturalWidth && img.height === img.naturalHeight""",
        arg=chart.element_handle(),
        timeout=5_000,
    )
    # The hash is a link: opening it restores the configuration and runs it.
    link = page.url
    page.goto("about:blank")
    page.goto(link)
    expect(page.locator("[data-demo=calc] input[data-control=layers]")).to_have_value("40")
    page.wait_for_function(
        "document.querySelector('[data-demo=calc]').dataset.status === 'done'", timeout=BOOT_MS
    )
    # After a run the chart is a static SVG image drawn off the main thread, not Vega.
    expect(chart).to_have_attribute("src", re.compile(r"^blob:"))
    chart.evaluate("img => img.decode()")  # rejects if the SVG cannot be drawn
    assert chart.evaluate("img => img.naturalWidth > 0")


def test_missing_package_is_named_and_prerendered_output_kept(warm_playground):
    page, guard = warm_playground
    guard.allow_requests_to("https://cdn.jsdelivr.net/pyodide/v314.0.7/full/")
    guard.expect_console(r"net::ERR_FAILED|Failed to load|numpy")
    page.goto(guard.origin)
    demo = page.locator("[data-demo=needs-numpy]")
    assert demo.locator(".plab-chart-svg").count() == 1
    assert _run(page, "needs-numpy") == "error"
    expect(demo.locator(".plab-failure")).to_contain_text("numpy")
    expect(demo.locator(".plab-failure button")).to_have_text("再試行")
    assert demo.locator(".plab-chart-svg").count() == 1, "the pre-rendered chart must stay"


def test_runtime_that_cannot_load_offers_a_retry(playground):
    page, guard = playground
    guard.expect_console(r"net::ERR_FAILED|Failed to load|Failed to fetch|worker")
    page.route("**/pyodide.asm.wasm", lambda route: route.abort())
    page.goto(guard.origin)
    assert _run(page, "hello") == "error"
    failure = page.locator("[data-demo=hello] .plab-failure")
    expect(failure).to_contain_text("読み込めませんでした")
    assert "こんにちは 42" in _output(page, "hello")
    page.unroute("**/pyodide.asm.wasm")
    failure.locator("button").click()
    page.wait_for_function(
        "document.querySelector('[data-demo=hello]').dataset.status === 'done'", timeout=BOOT_MS
    )


def test_returning_reader_downloads_no_runtime_again(playground):
    """Static hosts cannot send long cache headers; the worker's Cache API keeps the files."""
    page, guard = playground
    fetched = []
    page.context.on("request", lambda r: fetched.append(r.url))
    page.goto(guard.origin)
    assert _run(page, "hello") == "done"
    first = [u for u in fetched if u.endswith(("pyodide.asm.wasm", "python_stdlib.zip", ".whl"))]
    assert len(first) == 3, first  # the first visit downloads the core, stdlib and our wheel
    wait_snapshot_saved(page)  # stored after the runtime's files: all is in the cache
    fetched.clear()
    page.goto(guard.origin + "second/")
    assert _run(page, "second") == "done"
    again = [u for u in fetched if u.endswith(("pyodide.asm.wasm", "python_stdlib.zip", ".whl"))]
    assert again == [], f"downloaded again: {again}"


def test_clicks_before_the_widgets_arrive_are_not_lost(playground):
    """On a slow network the reader may click before the widgets module has loaded."""
    page, guard = playground
    held = []
    page.route("**/assets/plab/widgets.*.js", lambda route: held.append(route))

    def release(block: str) -> None:
        deadline = time.monotonic() + 10
        while not held and time.monotonic() < deadline:  # the route records the request
            page.wait_for_timeout(20)
        assert held, "the click should have requested the widgets module"
        assert page.locator(f"[data-demo={block}]").get_attribute("data-mounted") is None
        while held:
            held.pop().continue_()

    page.goto(guard.origin)
    page.locator("[data-demo=hello] [data-demo-code]").click()  # wants to edit
    release("hello")
    expect(page.locator("[data-demo=hello] .cm-content")).to_be_visible(timeout=10_000)

    page.goto(guard.origin + "second/")
    page.locator("[data-demo=second] [data-demo-run]").click()  # wants to run
    release("second")
    page.wait_for_function(
        "document.querySelector('[data-demo=second]').dataset.status === 'done'", timeout=BOOT_MS
    )


def test_the_loader_waits_for_the_load_event_and_a_run_pressed_before_it_is_kept(playground):
    """The loader is no request before the text's first paint: fetched at the load event (or
    at a first act on a block). A reader who presses Run while it is on its way is heard."""
    page, guard = playground
    held = []
    page.route("**/assets/plab/loader.*.js", lambda route: held.append(route))
    page.goto(guard.origin, wait_until="domcontentloaded")
    page.wait_for_function("document.readyState === 'complete'")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert len(held) == 1, "the load event should have asked for the loader, once"
    page.locator("[data-demo=hello] [data-demo-run]").click()  # before the loader listens
    assert page.locator("[data-demo=hello]").get_attribute("data-mounted") is None
    # Answered at once, in the site's words, though the loader is not here yet.
    expect(page.locator("[data-demo=hello] [data-demo-status]")).to_have_text(
        i18n.load("ja", None)["runtime"]["preparing"]
    )
    held.pop().continue_()
    page.wait_for_function(
        "document.querySelector('[data-demo=hello]').dataset.status === 'done'", timeout=BOOT_MS
    )
    expect(page.locator("[data-demo=hello] .plab-stdout")).to_be_visible()
    started = page.evaluate(
        """() => ({ load: performance.getEntriesByType('navigation')[0].loadEventStart,
                    loader: performance.getEntriesByType('resource')
                      .filter((e) => e.name.includes('/loader.')).map((e) => e.startTime) })"""
    )
    assert len(started["loader"]) == 1, started
    assert started["loader"][0] >= started["load"] > 0, started


def test_a_run_pressed_early_survives_material_drawing_the_page_again(warm_playground):
    """Material's instant navigation fetches and draws the same page again for some
    fragments (one with a malformed escape, typed or from a shared link). A Run pressed
    before the widgets arrived must still run, in the block as drawn anew."""
    page, guard = warm_playground
    held = []
    page.route("**/assets/plab/widgets.*.js", lambda route: held.append(route))
    page.goto(guard.origin)
    page.evaluate("document.querySelector('article').dataset.drawnFirst = ''")
    page.locator("[data-demo=hello] [data-demo-run]").click()
    page.wait_for_function("() => document.querySelector('[data-demo=hello]').dataset.status")
    page.goto(guard.origin + "#%E0%A4%A")
    page.wait_for_function("!('drawnFirst' in document.querySelector('article').dataset)")
    expect(page.locator("[data-demo=hello]")).to_have_attribute("data-status", "loading")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:  # the route records the request
        page.wait_for_timeout(20)
    assert held, "the click should have requested the widgets module"
    while held:
        held.pop().continue_()
    assert wait_status(page, "hello") == "done"
