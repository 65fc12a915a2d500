"""Benchmark the in-browser runtime. A script that prints figures, not a test.

    python tools/bench_demos.py [--runs 5] [--page parameters/] [--cell pyodide-1]

Medians over fresh browser contexts (cold caches), in Debian's Chromium:
  (a) raw Pyodide: boot to the first print, from the same vendored files, on a bare page
  (b) our chapter page: click Run on a stdlib cell → its output            (target b/a ≤ 1.15)
  (c) a warm rerun of that cell                                             (target ≤ 50 ms)
  (d) bytes a chapter page transfers before any interaction, against the same page
      built without its blocks                                              (target ≤ +30 KB)
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Browser, sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.server import serve  # noqa: E402
from tests.conftest import free_port, mkdocs_build  # noqa: E402

BARE_PAGE = """<!doctype html><meta charset="utf-8"><title>bare pyodide</title>
<script type="module">
const start = performance.now();
const worker = new Worker("__bare_worker__.js", { type: "module" });
worker.onmessage = () => { document.title = String(performance.now() - start); };
</script>"""
BARE_WORKER = """import { loadPyodide } from "./%(index)spyodide.mjs";
const py = await loadPyodide({
  indexURL: new URL("./%(index)s", location.href).href,
  lockFileURL: new URL("./%(lock)s", location.href).href,
});
py.setStdout({ batched: (t) => postMessage(t) });
py.runPython("print('ready')");
"""


def _build(project: Path, out: Path, port: int) -> None:
    result = mkdocs_build(project, out, site_url=f"http://127.0.0.1:{port}/")
    if result.returncode:
        sys.exit(f"build failed:\n{result.stderr}")


def bare_boot_ms(browser: Browser, url: str, index: str, lock: str) -> float:
    context = browser.new_context()
    page = context.new_page()
    page.route(url + "__bare__.html", lambda r: r.fulfill(body=BARE_PAGE, content_type="text/html"))
    page.route(
        url + "__bare_worker__.js",
        lambda r: r.fulfill(
            body=BARE_WORKER % {"index": index, "lock": lock}, content_type="text/javascript"
        ),
    )
    page.goto(url + "__bare__.html")
    page.wait_for_function("!isNaN(parseFloat(document.title))", timeout=120_000)
    value = float(page.title())
    context.close()
    return value


def chapter_ms(browser: Browser, url: str, page_path: str, cell: str) -> tuple[float, float]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + page_path, wait_until="domcontentloaded")
    # Timed inside the page, from the click to data-status="done", without driver overhead.
    timed_run = """(cell) => new Promise((resolve) => {
      const root = document.querySelector(`[data-demo=${cell}]`);
      root.dataset.status = "idle";
      const start = performance.now();
      new MutationObserver((_, obs) => {
        if (root.dataset.status !== "done") return;
        obs.disconnect();
        resolve(performance.now() - start);
      }).observe(root, { attributes: true, attributeFilter: ["data-status"] });
      root.querySelector("[data-demo-run]").click();
    })"""
    page.wait_for_selector(f"[data-demo={cell}][data-mounted]")
    timings = [page.evaluate(timed_run, cell) for _ in range(2)]  # cold, then warm
    context.close()
    return timings[0], timings[1]


def bytes_before_interaction(browser: Browser, url: str, page_path: str) -> int:
    """Body bytes the page fetched by itself (Resource Timing), once the network is idle."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    runtime_requests = []
    page.on("request", lambda r: "/pyodide-" in r.url and runtime_requests.append(r.url))
    page.goto(url + page_path, wait_until="networkidle")
    page.wait_for_timeout(1500)
    total = page.evaluate(
        """() => [...performance.getEntriesByType("navigation"),
                  ...performance.getEntriesByType("resource")]
             // Material's search worker fetches its index on its own schedule, in both
             // variants alike: counting it would measure timing noise.
             .filter((e) => !e.name.endsWith("search/search_index.json"))
             .reduce((sum, e) => sum + e.encodedBodySize, 0)"""
    )
    context.close()
    if runtime_requests:
        print(f"    note: {page_path} fetched Pyodide before interaction: {runtime_requests[0]}")
    return total


def _strip_blocks(project: Path, page_path: str) -> None:
    md = project / "site_src" / (page_path.strip("/") + ".md")
    text = md.read_text()
    md.write_text(re.sub(r"^```(pyodide|demo)[^\n]*\n.*?^```\n", "", text, flags=re.S | re.M))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", default="parameters/", help="a chapter with a stdlib cell")
    parser.add_argument("--cell", default="pyodide-1", help="the id of that stdlib cell")
    parser.add_argument("--bytes-page", default="scale/", help="a chapter for (d)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port, bare_port = free_port(), free_port()
        _build(ROOT, tmp / "site", port)
        plain = tmp / "plain"
        shutil.copytree(ROOT / "site_src", plain / "site_src")
        for name in ("mkdocs.yml", "tools", "demos", "node_modules", ".cache"):
            (plain / name).symlink_to(ROOT / name)
        _strip_blocks(plain, args.bytes_page)
        _build(plain, tmp / "plain-site", bare_port)
        plab = tmp / "site/assets/plab"
        (index,) = [p.name for p in plab.glob("pyodide-*") if p.is_dir()]
        (lock,) = [p.name for p in plab.glob("pyodide-lock.*.json")]

        with (
            serve(tmp / "site", port=port) as url,
            serve(tmp / "plain-site", port=bare_port) as plain_url,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            a = [
                bare_boot_ms(browser, url, f"assets/plab/{index}/", f"assets/plab/{lock}")
                for _ in range(args.runs)
            ]
            runs = [chapter_ms(browser, url, args.page, args.cell) for _ in range(args.runs)]
            with_blocks = [
                bytes_before_interaction(browser, url, args.bytes_page) for _ in range(args.runs)
            ]
            without = [
                bytes_before_interaction(browser, plain_url, args.bytes_page)
                for _ in range(args.runs)
            ]
            browser.close()

    med = statistics.median
    b, c = med(r[0] for r in runs), med(r[1] for r in runs)
    print(f"(a) bare Pyodide boot → first print : {med(a):8.0f} ms")
    print(f"(b) chapter Run (cold) → output     : {b:8.0f} ms")
    print(f"    ratio b/a                       : {b / med(a):8.2f}   (target ≤ 1.15)")
    print(f"(c) warm rerun                      : {c:8.1f} ms   (target ≤ 50)")
    added = (med(with_blocks) - med(without)) / 1024
    print(
        f"(d) {args.bytes_page} before interaction  : "
        f"{med(with_blocks) / 1024:8.1f} KB with blocks, "
        f"{med(without) / 1024:.1f} KB without: +{added:.1f} KB (target ≤ 30)"
    )


if __name__ == "__main__":
    main()
