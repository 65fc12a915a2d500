"""What the browser tests do to a block, and how they read it back."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

FINISHED = ("done", "error", "stopped")
BOOT_MS = 90_000  # a cold Pyodide boot on a loaded 2-core machine
# An instant navigation on a loaded machine (a fresh-clone CI run once took over 5 s, the
# first boot's files still being stored).
NAVIGATION_MS = 15_000
PYTHON_WORKER = "/assets/plab/worker."  # Material runs a search worker too


def block(page: Page, block_id: str):
    return page.locator(f"[data-demo={block_id}]")


def status(page: Page, block_id: str) -> str:
    return block(page, block_id).get_attribute("data-status")


def wait_status(page: Page, block_id: str, states=FINISHED, timeout: int = BOOT_MS) -> str:
    try:
        page.wait_for_function(
            "([id, states]) => states.includes("
            "document.querySelector(`[data-demo=${id}]`)?.dataset.status)",
            arg=[block_id, list(states)],
            timeout=timeout,
        )
    except Exception as exc:
        root = block(page, block_id)
        state = root.get_attribute("data-status"), root.locator("[data-demo-status]").inner_text()
        raise AssertionError(f"{block_id} never reached {states}: status {state}") from exc
    return status(page, block_id)


def run(page: Page, block_id: str, timeout: int = BOOT_MS) -> str:
    block(page, block_id).locator("[data-demo-run]").click()
    return wait_status(page, block_id, timeout=timeout)


def output(page: Page, block_id: str) -> str:
    """A block's output as a reader sees it (scrolled to: see ``results``)."""
    block(page, block_id).scroll_into_view_if_needed()
    return block(page, block_id).locator("[data-demo-output]").inner_text()


def boots(page: Page) -> list[dict]:
    """How each Python worker of this page booted: [{"from": "raw" | "snapshot", …}, …]."""
    return page.evaluate("performance.getEntriesByName('plab-python-ready').map((e) => e.detail)")


def damage_cached(page: Page, chosen: str, make: str) -> int:
    """Put ``make(bytes)`` (JS: an async function of the stored bytes) behind every entry of
    the page's caches whose URL ``chosen`` (JS: a function of the URL) accepts, keeping the
    entry's headers, as a damaged copy on disk would. Returns how many entries it damaged."""
    return page.evaluate(
        """async ([chosen, make]) => {
          [chosen, make] = [eval(chosen), eval(make)];
          let n = 0;
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
              if (!chosen(request.url)) continue;
              const stored = await cache.match(request);
              const bytes = await make(new Uint8Array(await stored.arrayBuffer()));
              await cache.put(request, new Response(bytes, { headers: stored.headers }));
              n += 1;
            }
          }
          return n;
        }""",
        [chosen, make],
    )


def wait_snapshot_saved(page: Page, timeout: int = 60_000) -> None:
    page.wait_for_function(
        "performance.getEntriesByName('plab-python-snapshot').length > 0", timeout=timeout
    )


def record_statuses(page: Page, block_id: str) -> None:
    """Record every data-status the block takes, in window.__statuses[block_id]."""
    page.evaluate(
        """(id) => {
          window.__statuses ??= {};
          const el = document.querySelector(`[data-demo=${id}]`);
          const seen = (window.__statuses[id] = [el.dataset.status]);
          new MutationObserver(() => seen.push(el.dataset.status))
            .observe(el, { attributes: true, attributeFilter: ["data-status"] });
        }""",
        block_id,
    )


def statuses(page: Page, block_id: str) -> list[str]:
    return page.evaluate("(id) => window.__statuses[id]", block_id)


def results(page: Page, block_id: str) -> list[str]:
    """The text of a demo's text and table views (not their buttons or images), as a reader
    sees it: a block below the fold is not rendered (content-visibility), so it has no
    rendered text until it is scrolled to."""
    block(page, block_id).scroll_into_view_if_needed()
    settle(page)
    views = block(page, block_id).locator(".plab-view :is(.plab-table, .plab-text)")
    return views.all_inner_texts()


def open_editor(page: Page, block_id: str) -> Locator:
    """Click a block's code, as a reader who wants to edit it; return the editor's content
    once CodeMirror has replaced the listing."""
    cell = block(page, block_id)
    cell.locator("[data-demo-code]").click()
    content = cell.locator(".cm-content")
    expect(content).to_be_visible(timeout=10_000)
    return content


def code(page: Page, block_id: str) -> str:
    """The Python a block shows (inside a <details> that may be closed)."""
    return block(page, block_id).locator("[data-demo-code]").text_content()


def settle(page: Page) -> None:
    """Return once the page has drawn two frames and then gone idle: whatever the last act
    set off (observers, timers due, the tasks they queue) has run by then, on any machine.
    The event a negative check waits for, instead of a fixed sleep."""
    page.evaluate(
        """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(
             () => requestIdleCallback(done, { timeout: 5000 }))))"""
    )


# Counts the Python workers a page starts (not Material's search worker): runtime.ensure()
# makes one synchronously, so once a block is mounted, whether it prefetched is already
# decided and visible here.
COUNT_WORKERS = """
  window.__workers = 0;
  const Original = window.Worker;
  window.Worker = class extends Original {
    constructor(url, options) {
      super(url, options);
      if (options?.name === "plab-python") window.__workers += 1;
    }
  };
"""
