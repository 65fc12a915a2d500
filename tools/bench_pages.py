"""Lighthouse on every page of the site, against a plain mkdocs-material page. A script that
prints figures, not a test.

    python tools/bench_pages.py [--runs 1]

In one run: the site is built strictly, and a plain mkdocs-material site is built beside it
with the same theme settings (language, fonts, features, palettes), the same Markdown
extensions and search, no custom_dir and no parameter-lab, holding one page of this site's
own Japanese prose (the longest page, its demo, pyodide and chart fences removed). Both are
served by the same local server with gzip, the way GitHub Pages serves them. Lighthouse
(pinned in package-lock.json) runs in its default mobile mode on Debian's Chromium, one
fresh browser per page and run; with --runs N each figure is the median. Runs go round
the pages in turn (every page, then every page again …), so a busy spell on this shared
machine falls on all pages alike rather than on the last ones; --pages limits the run to
pages whose path contains one of the given words (the plain page always runs); --details
prints, per page, what the report blames (LCP element and its phases, render-blocking
requests, main-thread work by kind, scripts' boot-up time, DOM size).

A run whose first paint came well after the page had loaded is run again (up to
STALL_RETRIES times), on every page and the plain page alike, and the table counts them
("stalls"). That is a fault of headless Chromium, not of the page: its compositor stops
offering frames to the page for about a second (viz's ThrottleUnresponsiveClient,
GoogleChrome/lighthouse#17148), the main thread idles, and the first paint waits for the
next frame. Here it struck 10-20% of runs on any page, the plain page as often as ours,
always near 1.26 s after a load at 0.2-0.35 s; Lantern turns it into 0.5 s more LCP.

Targets (issues 12 and 23): performance within 3 points of the plain page and LCP within
10% of it; accessibility, best practices and SEO at 100; elements within DOM_BUDGET.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mkdocs.utils import yaml_load  # noqa: E402

from tests.conftest import mkdocs_build  # noqa: E402
from tools.browser_harness import CHROMIUM, CHROMIUM_ARGS, free_port, serve  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules/lighthouse/cli/index.js"
AS_GITHUB_PAGES = {"compress": True, "max_age": 600}  # gzip, Cache-Control: max-age=600
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*(demo|pyodide|chart)\b.*?^\1\s*$", re.M | re.S)
PROSE_FORM = re.compile(r"\{\{.*?\}\}")  # the plugin's reactive prose: figures and claims
# Elements per page (Lighthouse's DOM size, Material's own included). The plain page has about
# 420; Lighthouse starts to count a DOM against a page above 800. A page's blocks and math
# take the rest: what a reader has not opened (a chart's data table, the rows of a demo's
# long table past its first ten) costs two elements, its <summary> and the <noscript> that
# holds it until opened; a demo's code listing, unopened, is one <pre> of plain text.
DOM_BUDGET = 900
# A first paint this long after the load event: the compositor's stall (see the docstring).
STALL_MS = 500
STALL_RETRIES = 3
MD_LINK = re.compile(r"\[([^\]]*)\]\((?!https?:)[^)]*\)")  # links to other pages: text only


def plain_project(out: Path) -> Path:
    """A mkdocs-material project with this site's theme settings and one page of its prose."""
    config = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    theme = {k: v for k, v in config["theme"].items() if k != "custom_dir"}
    plugins = [p for p in config["plugins"] if "parameter-lab" not in json.dumps(p)]
    docs = ROOT / config.get("docs_dir", "docs")
    pages = {p: _prose(p.read_text(encoding="utf-8")) for p in docs.rglob("*.md")}
    source, text = max(pages.items(), key=lambda item: len(item[1]))
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "index.md").write_text(text, encoding="utf-8")
    plain = {
        "site_name": config["site_name"],
        "site_description": config.get("site_description", ""),
        "site_url": "http://127.0.0.1/",  # replaced by SITE_URL at build
        "theme": theme,
        "plugins": plugins,
        "markdown_extensions": config.get("markdown_extensions", []),
    }
    text_yaml = yaml.safe_dump(plain, allow_unicode=True, sort_keys=False)
    text_yaml = text_yaml.replace("site_url: http://127.0.0.1/", "site_url: !ENV [SITE_URL]")
    (out / "mkdocs.yml").write_text(text_yaml, encoding="utf-8")
    print(f"plain page: the prose of {source.relative_to(ROOT)}", file=sys.stderr)
    return out


def _prose(markdown: str) -> str:
    markdown = re.sub(r"\A---\n.*?\n---\n", "", markdown, flags=re.S)  # front matter
    return MD_LINK.sub(r"\1", PROSE_FORM.sub("", FENCE.sub("", markdown)))


def lighthouse(url: str, workdir: Path) -> dict:
    out = workdir / "report.json"
    flags = " ".join(["--headless=new", *CHROMIUM_ARGS])
    cmd = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}"]
    cmd += [f"--chrome-path={CHROMIUM}", f"--chrome-flags={flags}"]
    cmd += [f"--only-categories={','.join(CATEGORIES)}"]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    if result.returncode or not out.exists():
        sys.exit(f"lighthouse failed on {url}:\n{result.stderr[-3000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        sys.exit(f"lighthouse error on {url}: {report['runtimeError']}")
    audits, cats = report["audits"], report["categories"]
    observed = audits["metrics"]["details"]["items"][0]
    return {
        "stalled": observed["observedFirstContentfulPaint"] - observed["observedLoad"] >= STALL_MS,
        "details": _details(audits),
        **{c: round(cats[c]["score"] * 100) for c in CATEGORIES},
        "tbt": audits["total-blocking-time"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "elements": audits["dom-size"]["numericValue"],
        "failed": sorted(
            f"{c}:{ref['id']}"
            for c in CATEGORIES[1:]
            for ref in cats[c]["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
        ),
    }


def _details(audits: dict) -> list[str]:
    """What one report blames, as short lines."""

    def items(audit_id: str) -> list[dict]:
        return (audits.get(audit_id, {}).get("details") or {}).get("items") or []

    lines = []
    for item in items("largest-contentful-paint-element"):
        inner = (item.get("items") or [{}])[0]
        if "node" in inner:
            node = inner["node"]
            lines.append(f"LCP element: {node.get('selector')} {node.get('snippet', '')[:90]}")
        elif "phase" in inner or "timing" in inner:
            phases = ", ".join(
                f"{row.get('phase')} {row.get('timing', 0):.0f} ms" for row in item["items"]
            )
            lines.append(f"LCP phases: {phases}")
    blocking = [
        f"{i['url'].rsplit('/', 1)[-1]} {i.get('wastedMs', 0):.0f} ms"
        for i in items("render-blocking-resources")
    ]
    if blocking:
        lines.append("render-blocking: " + ", ".join(blocking))
    work = [f"{i['groupLabel']} {i['duration']:.0f}" for i in items("mainthread-work-breakdown")]
    lines.append("main thread ms: " + ", ".join(work))
    boot = [
        f"{i['url'].rsplit('/', 1)[-1] or i['url']} {i['total']:.0f}"
        for i in items("bootup-time")[:4]
    ]
    lines.append("boot-up ms: " + ", ".join(boot))
    dom = audits.get("dom-size", {}).get("numericValue")
    requests = items("network-requests")
    lines.append(
        f"DOM {dom:.0f} elements, {len(requests)} requests: "
        + ", ".join(i["url"].rsplit("/", 1)[-1][:28] for i in requests[:14])
    )
    return lines


def run_all(targets: list[tuple[str, str]], runs: int, workdir: Path) -> list[tuple[str, dict]]:
    """Lighthouse ``runs`` times on every target, going round them in turn; medians. A run
    the compositor stalled is run again, up to STALL_RETRIES times, and counted."""
    results: dict[str, list[dict]] = {name: [] for name, _ in targets}
    stalls = dict.fromkeys(results, 0)
    for n in range(runs):
        for name, url in targets:
            for attempt in range(STALL_RETRIES + 1):
                print(f"lighthouse {name} ({n + 1}/{runs}) …", file=sys.stderr, flush=True)
                result = lighthouse(url, workdir)
                if not result["stalled"] or attempt == STALL_RETRIES:
                    break
                stalls[name] += 1
                print("  its first paint stalled: again", file=sys.stderr, flush=True)
            results[name].append(result)
    rows = []
    for name, _ in targets:
        kept = sum(r["stalled"] for r in results[name])  # stalled still, after every retry
        rows.append((name, {**_median(results[name]), "stalls": stalls[name], "stalled": kept}))
    return rows


def _median(results: list[dict]) -> dict:
    numbers = [k for k in results[0] if k not in ("failed", "details", "stalled")]
    merged = {k: statistics.median(r[k] for r in results) for k in numbers}
    merged["spread"] = (
        min(r["performance"] for r in results),
        max(r["performance"] for r in results),
    )
    merged["failed"] = sorted({f for r in results for f in r["failed"]})
    # The details of the run whose performance is the median (the lower middle one).
    ordered = sorted(results, key=lambda r: r["performance"])
    merged["details"] = ordered[(len(ordered) - 1) // 2]["details"]
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (median)")
    parser.add_argument("--pages", nargs="*", help="only pages whose path contains one of these")
    parser.add_argument("--details", action="store_true", help="print what each report blames")
    args = parser.parse_args()
    for need, hint in [
        (shutil.which("node"), "Node.js is not on PATH"),
        (LIGHTHOUSE.exists(), f"{LIGHTHOUSE} is missing: run `npm ci`"),
        (Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make browser-deps`"),
    ]:
        if not need:
            sys.exit(hint)

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        tmp = Path(tmp)
        site_port, plain_port = free_port(), free_port()
        for project, out, port in [
            (ROOT, tmp / "site", site_port),
            (plain_project(tmp / "plain-project"), tmp / "plain", plain_port),
        ]:
            result = mkdocs_build(project, out, site_url=f"http://127.0.0.1:{port}/")
            if result.returncode:
                sys.exit(f"build of {project} failed:\n{result.stderr}")
        with (
            serve(tmp / "site", port=site_port, **AS_GITHUB_PAGES) as site,
            serve(tmp / "plain", port=plain_port, **AS_GITHUB_PAGES),
        ):
            sitemap = (tmp / "site" / "sitemap.xml").read_text()
            urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
            targets = [(u.removeprefix(site) or "/", u) for u in urls]
            if args.pages:
                targets = [t for t in targets if any(p in t[0] for p in args.pages)]
            targets.append(("plain mkdocs-material", f"http://127.0.0.1:{plain_port}/"))
            rows = run_all(targets, args.runs, tmp)
    print_table(rows, args.runs)
    if args.details:
        for name, r in rows:
            print(f"\n{name}")
            for line in r["details"]:
                print(f"  {line}")


def print_table(rows: list[tuple[str, dict]], runs: int) -> None:
    plain = rows[-1][1]["performance"]
    plain_lcp = rows[-1][1]["lcp"]
    print(f"\nLighthouse 12.8 mobile, {runs} run(s) per page, median")
    head = f"{'page':<24}{'perf':>6}{'range':>8}{'Δplain':>8}{'a11y':>6}{'bp':>5}{'seo':>5}"
    print(head + f"{'TBT ms':>8}{'LCP s':>7}{'elements':>9}{'KB':>8}{'stalls':>8}  misses")
    for name, r in rows:
        misses = []
        if r["performance"] < plain - 3:
            misses.append("perf")
        if r["lcp"] > 1.1 * plain_lcp:
            misses.append("lcp")
        if r["elements"] > DOM_BUDGET:
            misses.append("dom")
        if r["stalled"]:
            misses.append(f"{r['stalled']:.0f} stalled run(s) kept")
        misses += r["failed"]
        print(
            f"{name:<24}{r['performance']:>6.0f}{'{:.0f}–{:.0f}'.format(*r['spread']):>8}"
            f"{r['performance'] - plain:>+8.0f}"
            f"{r['accessibility']:>6.0f}{r['best-practices']:>5.0f}{r['seo']:>5.0f}"
            f"{r['tbt']:>8.0f}{r['lcp'] / 1000:>7.2f}{r['elements']:>9.0f}"
            f"{r['bytes'] / 1024:>8.0f}{r['stalls']:>8}  " + (", ".join(misses) or "-")
        )
    print(
        f"targets: perf ≥ plain − 3 ({plain - 3:.0f}), LCP ≤ plain × 1.1 "
        f"({plain_lcp * 1.1 / 1000:.2f} s), elements ≤ {DOM_BUDGET} (DOM budget: an unopened "
        "data table, or a long table's rows past its first ten, costs 2 elements, its "
        "<summary> and <noscript>)"
    )
    print(
        f"stalls: runs whose first paint came {STALL_MS} ms or more after the load event, run "
        "again (headless Chromium's compositor held its frames: GoogleChrome/lighthouse#17148)"
    )


if __name__ == "__main__":
    main()
