"""Benchmark the in-browser runtime. A script that prints figures, not a test.

    python tools/bench_demos.py [--runs 5] [--page parameters/] [--cell pyodide-1] [--only eg]

Medians over fresh browser contexts (cold caches), in Debian's Chromium, on a plain static
server (no COOP/COEP, as on GitHub Pages):
  (a) raw Pyodide: boot to the first print, from the same vendored files, on a bare page
  (b) our chapter page: click Run on a stdlib cell → its output            (target b/a ≤ 1.15)
  (c) a warm rerun of that cell                                             (target ≤ 50 ms)
  (d) bytes a chapter page transfers as it is read to the end, without any interaction,
      against the same page built without its blocks                       (target ≤ +30 KB)
  (e) a returning reader: a second visit with the same browser profile, its cold Run → output,
      divided by the first visit's                                          (target ≤ 0.3)
      with the worker's boot phases on each visit (plab-python-ready's detail.phases)
  (f) Stop during a runaway loop, then Run at once: Stop → the next output, divided by (a)
                                                                            (target ≤ 0.4)
  (g) an offline reopen: a chapter visited and run once, the network gone (Playwright's
      set_offline), the chapter opened again: its first contentful paint, and Run → output
      of the stdlib cell (and from navigation to that output, Run pressed at the load event)
  (h) bytes the server sends on a first visit before intent (the page loaded and read to the
      end, no click), counted at the server, so the service worker's fetches count too;
      with --against REV, also for REV's site (built from a temporary git worktree), to
      show they did not grow                                                (target: +0)
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.browser_harness import ALL_KEPT, CHROMIUM, CHROMIUM_ARGS, free_port, serve  # noqa: E402

BOOT_MS = 120_000

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
# Appended to a chapter in a copy of the site for (f): a loop to stop, a cell to run after.
STOP_CELLS = """

```pyodide id="bench-loop" prerender="false"
while True:
    pass
```

```pyodide id="bench-after" prerender="false"
print("after", 6 * 7)
```
"""
# In the page: resolve on the block's next data-status equal to `state` (not its current one);
# reject if it ends otherwise (an error, a stop), so a failure never waits forever.
NEXT_STATUS = """const next = (el, state) => new Promise((resolve, reject) => {
  new MutationObserver((_, obs) => {
    const now = el.dataset.status;
    if (now === state) resolve(performance.now());
    else if (["done", "error", "stopped"].includes(now)) {
      reject(new Error(`${el.dataset.demo}: ${now}: ${el.textContent.slice(-300)}`));
    } else return;
    obs.disconnect();
  }).observe(el, { attributes: true, attributeFilter: ["data-status"] });
});"""


def step(text: str) -> None:
    print(f"  … {text}", file=sys.stderr, flush=True)


# ---- builds (served by tools.browser_harness, as a reader's host serves them) ---------------


def build(project: Path, out: Path, port: int, plugin: Path | None = None) -> None:
    """Build `project` into `out`; `plugin`: the folder to import parameter_lab from (another
    checkout's tools/), else the installed one."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SITE_URL": f"http://127.0.0.1:{port}/"}
    if plugin:
        env["PYTHONPATH"] = os.pathsep.join([str(plugin), str(plugin.parent)])
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
    )
    if result.returncode:
        sys.exit(f"build of {project} failed:\n{result.stderr}")


def copy_project(tmp: Path) -> Path:
    """A copy of the site's sources that the bench may change; heavy inputs are linked."""
    project = tmp / "copy"
    shutil.copytree(ROOT / "site_src", project / "site_src")
    for name in ("mkdocs.yml", "tools", "demos", "node_modules", ".cache", "package-lock.json"):
        (project / name).symlink_to(ROOT / name)
    return project


def build_revision(rev: str, tmp: Path, out: Path, port: int) -> None:
    """Build the site as commit `rev` has it, from a temporary git worktree."""
    tree = tmp / "against"
    git = ["git", "-C", str(ROOT), "worktree"]
    subprocess.run([*git, "add", "--detach", str(tree), rev], check=True, capture_output=True)
    try:
        for name in ("node_modules", ".cache"):
            (tree / name).symlink_to(ROOT / name)
        build(tree, out, port, plugin=tree / "tools")
    finally:
        subprocess.run([*git, "remove", "--force", str(tree)], check=True, capture_output=True)


def strip_blocks(project: Path, page_path: str) -> None:
    md = project / "site_src" / (page_path.strip("/") + ".md")
    text = md.read_text()
    text = re.sub(r"^```(pyodide|demo)[^\n]*\n.*?^```\n", "", text, flags=re.S | re.M)
    # The reactive prose names the blocks: scenario links become their text, figures a dash.
    text = re.sub(r"\[([^\]]*)\]\(\{\{[^}]*\}\}\)", r"\1", text)
    md.write_text(re.sub(r"\{\{.*?\}\}", "—", text))


# ---- the measurements --------------------------------------------------------------------


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
    page.wait_for_function("!isNaN(parseFloat(document.title))", timeout=BOOT_MS)
    value = float(page.title())
    context.close()
    return value


def timed_run(page: Page, cell: str) -> float:
    """Click Run on `cell` and time it to "done", inside the page (no driver overhead)."""
    return page.evaluate(
        f"""(cell) => {{ {NEXT_STATUS}
          const root = document.querySelector(`[data-demo=${{cell}}]`);
          const done = next(root, "done");
          const start = performance.now();
          window.benchClick = start;
          root.querySelector("[data-demo-run]").click();
          return done.then((t) => (window.benchDone = t) - start);
        }}""",
        cell,
    )


def chapter_ms(browser: Browser, url: str, page_path: str, cell: str) -> tuple[float, float]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + page_path, wait_until="networkidle")
    cold = timed_run(page, cell)
    warm = timed_run(page, cell)
    context.close()
    return cold, warm


def read_to_the_end(page: Page) -> None:
    for _ in range(200):
        if page.evaluate("innerHeight + scrollY >= document.documentElement.scrollHeight - 2"):
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    page.wait_for_timeout(1500)


def bytes_read(browser: Browser, url: str, page_path: str) -> dict[str, int]:
    """Bytes the page fetched (Resource Timing, as sent: gzipped) while read to the end,
    untouched: {"page": HTML, "images": SVG charts, "scripts": JS, "other": the rest}."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    runtime = []
    page.on("request", lambda r: "/pyodide-" in r.url and runtime.append(r.url))
    page.goto(url + page_path, wait_until="networkidle")
    read_to_the_end(page)
    total = page.evaluate(
        r"""() => {
          const kinds = { page: 0, images: 0, scripts: 0, other: 0 };
          for (const e of [...performance.getEntriesByType("navigation"),
                           ...performance.getEntriesByType("resource")]) {
            // Material's search worker fetches its index on its own schedule, in both
            // variants alike: counting it would measure timing noise.
            if (e.name.endsWith("search/search_index.json")) continue;
            const kind = e.entryType === "navigation" ? "page"
              : /\.svg$/.test(e.name) ? "images" : /\.m?js$/.test(e.name) ? "scripts" : "other";
            kinds[kind] += e.encodedBodySize;
          }
          return kinds;
        }"""
    )
    context.close()
    if runtime:
        print(f"    note: reading {page_path} fetched Pyodide: {runtime[0]}")
    return total


def offline_reopen(browser: Browser, url: str, page_path: str, cell: str) -> dict[str, float]:
    """(g): visit, run, go offline, reopen: {"paint", "run", "output"} in ms."""
    context = browser.new_context(service_workers="allow")
    page = context.new_page()
    page.goto(url + page_path, wait_until="networkidle")
    page.wait_for_function("navigator.serviceWorker?.controller != null", timeout=BOOT_MS)
    timed_run(page, cell)
    page.wait_for_function(
        "performance.getEntriesByName('plab-python-snapshot').length > 0", timeout=BOOT_MS
    )
    page.wait_for_function(ALL_KEPT, timeout=BOOT_MS)
    page.close()
    context.set_offline(True)
    again = context.new_page()
    again.goto(url + page_path, wait_until="load")
    run = timed_run(again, cell)
    paint, output, booted = again.evaluate(
        """() => [performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
                  window.benchDone,
                  performance.getEntriesByName('plab-python-ready')[0]?.detail.from]"""
    )
    context.close()
    if booted != "snapshot":
        sys.exit(f"(g): the offline reopen booted {booted}, not from the snapshot")
    return {"paint": paint, "run": run, "output": output}


def bytes_before_intent(
    browser: Browser, url: str, page_path: str, sent: list[tuple[str, int]]
) -> tuple[int, int]:
    """(h): bytes the server sent while a fresh reader loaded `page_path` and read it to the
    end without acting, the service worker's registration and copies included; and apart,
    those of Material's search index (fetched on intent since search_on_intent)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="allow")
    page = context.new_page()
    sent.clear()
    page.goto(url + page_path, wait_until="networkidle")
    read_to_the_end(page)
    page.wait_for_load_state("networkidle")
    total = sum(n for path, n in sent if "search_index.json" not in path)
    search = sum(n for path, n in sent if "search_index.json" in path)
    context.close()
    return total, search


def returning_reader(
    pw: Playwright, url: str, page_path: str, cell: str, profile: Path
) -> tuple[float, float, dict, dict, int]:
    """The cold Run → output on a first visit and on a second visit with the same profile,
    the worker's boot phases (ms) on each, and the bytes of the snapshot as stored."""
    times, phases, stored = [], [], 0
    for _ in range(2):
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        page = context.new_page()
        page.goto(url + page_path, wait_until="networkidle")
        times.append(timed_run(page, cell))
        phases.append(
            page.evaluate(
                """() => { const ready = performance.getEntriesByName('plab-python-ready')[0];
                  return { ...ready.detail.phases, from: ready.detail.from,
                           'click → ready': ready.startTime - window.benchClick,
                           'ready → output': window.benchDone - ready.startTime }; }"""
            )
        )
        # The snapshot is stored after the runtime's files: once it is, the visit is complete.
        page.wait_for_function(
            "performance.getEntriesByName('plab-python-snapshot').length > 0"
            " || performance.getEntriesByName('plab-python-ready')[0]?.detail.from === 'snapshot'",
            timeout=BOOT_MS,
        )
        stored = stored or page.evaluate(
            "performance.getEntriesByName('plab-python-snapshot')[0]?.detail.bytes ?? 0"
        )
        context.close()
    if phases[1]["from"] != "snapshot":
        print("    note: the second visit did not boot from the snapshot")
    return times[0], times[1], phases[0], phases[1], stored


def stop_then_run_ms(browser: Browser, url: str, page_path: str) -> tuple[float, float]:
    """Stop a runaway loop, then Run another cell at once: (Stop → stopped, Stop → output)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(url + page_path, wait_until="networkidle")
    timed_run(page, "bench-after")  # Python is up, as it is when a reader starts a loop
    page.wait_for_function(
        "performance.getEntriesByName('plab-python-snapshot').length > 0", timeout=BOOT_MS
    )
    stopped, output = page.evaluate(
        f"""async () => {{ {NEXT_STATUS}
          const loop = document.querySelector("[data-demo=bench-loop]");
          const after = document.querySelector("[data-demo=bench-after]");
          const running = next(loop, "running");
          loop.querySelector("[data-demo-run]").click();
          await running;
          await new Promise((r) => setTimeout(r, 500));
          const stopped = next(loop, "stopped");
          const start = performance.now();
          loop.querySelector("[data-demo-stop]").click();
          const t1 = await stopped;
          const done = next(after, "done");
          after.querySelector("[data-demo-run]").click();
          const t2 = await done;
          return [t1 - start, t2 - start];
        }}"""
    )
    # Its text, not its rendered text: a block below the fold is not drawn (plab.css:
    # content-visibility), and its innerText is empty until a frame after it is reached.
    text = page.locator("[data-demo=bench-after] [data-demo-output]").text_content()
    context.close()
    if "after 42" not in text:
        sys.exit(f"(f): the cell after the loop printed {text!r}")
    return stopped, output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", default="parameters/", help="a chapter with a stdlib cell")
    parser.add_argument("--cell", default="pyodide-1", help="the id of that stdlib cell")
    parser.add_argument("--bytes-page", default="scale/", help="a chapter for (d)")
    parser.add_argument("--only", default="abcdefgh", help="the figures to measure, e.g. 'eg'")
    parser.add_argument("--against", help="for (h): a git revision to compare with, e.g. main")
    args = parser.parse_args()
    want = set(args.only)
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        port, copy_port = free_port(), free_port()
        build(ROOT, tmp / "site", port)
        copy = copy_project(tmp)
        strip_blocks(copy, args.bytes_page)
        chapter = copy / "site_src" / (args.page.strip("/") + ".md")
        chapter.write_text(chapter.read_text() + STOP_CELLS)
        build(copy, tmp / "copy-site", copy_port)
        plab = tmp / "site/assets/plab"
        (index,) = [p.name for p in plab.glob("pyodide-*") if p.is_dir()]
        (lock,) = [p.name for p in plab.glob("pyodide-lock.*.json")]
        against_port = free_port()
        if args.against and "h" in want:
            step(f"building {args.against}")
            build_revision(args.against, tmp, tmp / "against-site", against_port)
        sent: list[tuple[str, int]] = []  # what the servers sent, for (h)

        with (
            serve(tmp / "site", port=port, compress=True, sent=sent) as url,
            serve(tmp / "copy-site", port=copy_port, compress=True) as copy_url,
            serve(tmp / "against-site", port=against_port, compress=True, sent=sent) as against_url,
            sync_playwright() as pw,
        ):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            a = runs = with_blocks = without = visits = stops = offline = intent = []
            if want & set("abf"):
                step("(a) bare boots")
                a = [
                    bare_boot_ms(browser, url, f"assets/plab/{index}/", f"assets/plab/{lock}")
                    for _ in range(args.runs)
                ]
            if want & set("bc"):
                step("(b, c) chapter runs")
                runs = [chapter_ms(browser, url, args.page, args.cell) for _ in range(args.runs)]
            if "d" in want:
                step("(d) reading")
                with_blocks = [bytes_read(browser, url, args.bytes_page) for _ in range(args.runs)]
                without = [bytes_read(browser, copy_url, args.bytes_page) for _ in range(args.runs)]
            if "e" in want:
                step("(e) returning readers")
                visits = [
                    returning_reader(pw, url, args.page, args.cell, tmp / f"profile-{i}")
                    for i in range(args.runs)
                ]
            if "f" in want:
                step("(f) stop, then run")
                stops = [stop_then_run_ms(browser, copy_url, args.page) for _ in range(args.runs)]
            if "g" in want:
                step("(g) offline reopens")
                offline = [
                    offline_reopen(browser, url, args.page, args.cell) for _ in range(args.runs)
                ]
            if "h" in want:
                step("(h) first visits before intent")
                sites = [url, against_url] if args.against else [url]
                intent = [
                    [bytes_before_intent(browser, site, args.bytes_page, sent) for site in sites]
                    for _ in range(args.runs)
                ]
            browser.close()

    med = statistics.median
    if a:
        print(f"(a) bare Pyodide boot → first print : {med(a):8.0f} ms")
    if runs:
        b, c = med(r[0] for r in runs), med(r[1] for r in runs)
        print(f"(b) chapter Run (cold) → output     : {b:8.0f} ms")
        if a:
            print(f"    ratio b/a                       : {b / med(a):8.2f}   (target ≤ 1.15)")
        print(f"(c) warm rerun                      : {c:8.1f} ms   (target ≤ 50)")
    if with_blocks:
        total = lambda runs: med(sum(r.values()) for r in runs)  # noqa: E731
        added = (total(with_blocks) - total(without)) / 1024
        print(
            f"(d) {args.bytes_page} read to the end    : "
            f"{total(with_blocks) / 1024:8.1f} KB with blocks, "
            f"{total(without) / 1024:.1f} KB without: +{added:.1f} KB (target ≤ 30), gzipped"
        )
        for kind in ("page", "images", "scripts", "other"):
            delta = (med(r[kind] for r in with_blocks) - med(r[kind] for r in without)) / 1024
            print(f"      {kind:<8}: {delta:+8.1f} KB")
    if visits:
        first, second = med(v[0] for v in visits), med(v[1] for v in visits)
        print(
            f"(e) returning reader, cold Run → output: first visit {first:.0f} ms, "
            f"second {second:.0f} ms: ratio {med(v[1] / v[0] for v in visits):.2f} "
            "(target ≤ 0.3; issue 20's goal ≤ 0.15)"
        )
        print(f"    the snapshot as stored: {med(v[4] for v in visits) / 2**20:.1f} MB")
        print_phases({"first visit": [v[2] for v in visits], "second": [v[3] for v in visits]})
    if stops:
        stopped, output = med(s[0] for s in stops), med(s[1] for s in stops)
        print(
            f"(f) Stop a loop, then Run: stopped in {stopped:.0f} ms, next output {output:.0f} ms "
            f"after Stop" + (f": ratio to (a) {output / med(a):.2f} (target ≤ 0.4)" if a else "")
        )

    if offline:
        paint, run, output = (med(o[k] for o in offline) for k in ("paint", "run", "output"))
        print(
            f"(g) offline reopen of {args.page}: first contentful paint {paint:.0f} ms, "
            f"Run → output {run:.0f} ms ({output:.0f} ms from navigation, Run at load)"
        )
    if intent:
        ours, search = (med(i[0][k] for i in intent) for k in (0, 1))
        line = f"(h) {args.bytes_page} first visit before intent: {ours / 1024:.1f} KB sent"
        if args.against:
            theirs, their_search = (med(i[1][k] for i in intent) for k in (0, 1))
            line += f", {args.against}: {theirs / 1024:.1f} KB: {(ours - theirs) / 1024:+.1f} KB"
        print(line + " (target: +0)")
        line = f"    besides, Material's search index: {search / 1024:.1f} KB"
        if args.against:
            line += f", {args.against}: {their_search / 1024:.1f} KB"
        print(line)


def print_phases(columns: dict[str, list[dict]]) -> None:
    """The worker's boot phases (plab-python-ready's detail.phases), medians in ms. Phases
    overlap where work runs in parallel; "boot" is the worker's whole boot."""
    names: list[str] = []
    for runs in columns.values():
        for run in runs:
            names += [k for k, v in run.items() if k not in names and isinstance(v, int | float)]
    print("    boot phases, ms (median)     " + "".join(f"{c:>13}" for c in columns))
    for name in names:
        cells = []
        for runs in columns.values():
            values = [r[name] for r in runs if name in r]
            cells.append(f"{statistics.median(values):13.0f}" if values else f"{'—':>13}")
        print(f"      {name:<27}" + "".join(cells))


if __name__ == "__main__":
    main()
