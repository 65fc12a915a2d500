"""The runtime across a real site's lifetime: redeploys between two visits of one reader, and
two sites sharing one origin (GitHub Pages project sites, PR previews). Each case runs on the
plain and the COOP/COEP server, in one browser context (one profile: the Cache API and the
Python snapshot carry over from visit to visit, each visit a new page and a new worker).

A redeploy here is what ``mkdocs build`` would deploy with another runtime: the playground's
pages, pointing at that runtime's loader, and its files in ``assets/plab/`` in place of the
old ones. The runtimes are built in-process by ``runtime_assets.build_runtime``, as the
plugin builds them, which is much faster than whole site builds.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from parameter_lab import runtime_assets
from parameter_lab.config import ParameterLabConfig
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageGuard, guard_page, guarded_context
from tests.browser.helpers import boots, output, run, wait_snapshot_saved
from tools.browser_harness import serve

PLAYGROUND = Path(__file__).parent / "playground"
ASSETS = Path("assets/plab")


def _runtime(package_dir: Path, cache: Path) -> runtime_assets.RuntimeBundle:
    cdn = ParameterLabConfig.pyodide_cdn.default
    return runtime_assets.build_runtime(runtime_assets.ensure_dist(), package_dir, cache, cdn=cdn)


def _other_zlib(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
    """zlib as another version (a CI image update) may compress: the same input, other bytes."""
    if level == zlib.Z_DEFAULT_COMPRESSION:
        level = 1
    return _COMPRESSOBJ(level, *args, **kwargs)


_COMPRESSOBJ = zlib.compressobj


@pytest.fixture(scope="module")
def deploys(playground_site: Path, tmp_path_factory) -> dict[str, Path]:
    """The playground as built, and two redeploys: the same sources compressed by another
    zlib, and a changed demos package."""
    root = tmp_path_factory.mktemp("deploys")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(zlib, "compressobj", _other_zlib)
        recompressed = _runtime(PLAYGROUND / "demos", root / "cache-zlib")
    changed = root / "changed-src" / "demos"
    shutil.copytree(PLAYGROUND / "demos", changed, ignore=shutil.ignore_patterns("__pycache__"))
    with (changed / "params.py").open("a") as f:
        f.write("\n# a redeploy changed this module\n")
    return {
        "first": playground_site,
        "other zlib": _deploy(playground_site, recompressed, root / "other-zlib"),
        "changed": _deploy(
            playground_site, _runtime(changed, root / "cache-changed"), root / "changed"
        ),
    }


def _deploy(site: Path, runtime: runtime_assets.RuntimeBundle, target: Path) -> Path:
    """``site``'s pages with ``runtime`` in place of its own, as a rebuild would deploy them."""
    shutil.copytree(site, target)
    assets = target / ASSETS
    old = {
        next(assets.glob("loader.*.js")).name: runtime.manifest["loader"],
    }
    for entry in assets.iterdir():
        if entry.name != "svg":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(runtime.directory, assets, dirs_exist_ok=True)
    (assets / "manifest.json").unlink()
    for html in target.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        for before, after in old.items():
            text = text.replace(before, after)
        html.write_text(text, encoding="utf-8")
    return target


class Host:
    """One origin whose folders are replaced between visits, as a deploy does."""

    def __init__(self, root: Path):
        self.root = root

    def put(self, path: str, site: Path) -> None:
        target = self.root / path
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(site, target)


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[Host, str]]:
    root = tmp_path / "host"
    root.mkdir()
    with serve(root) as url:
        yield Host(root), url


@pytest.fixture(params=["plain", "coop-coep"])
def reader(request, browser, host) -> Iterator[tuple[object, PageGuard, Host]]:
    """One reader's browser context on ``host``, served plain and cross-origin isolated."""
    server, url = host
    guard = PageGuard(url)
    context = guarded_context(browser, url, guard, isolated=request.param == "coop-coep")
    yield context, guard, server
    context.close()
    assert not guard.foreign_requests, guard.foreign_requests
    assert not guard.unexpected_errors(), guard.unexpected_errors()


def _visit(context, guard: PageGuard, url: str) -> Page:
    page = guard_page(context.new_page(), guard)
    page.goto(url)
    assert run(page, "hello") == "done", page.locator("[data-demo=hello]").inner_text()
    assert "こんにちは 42" in output(page, "hello")
    return page


CACHED = """async () => {
  const out = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname).sort();
  }
  return out;
}"""


def _cached(page: Page, kind: str) -> list[str]:
    """The cached paths of one kind: ".whl" (wheels: the snapshot's key names one too, but
    does not end so), "pyodide-lock." or "/snapshot/"."""
    found = [u for urls in page.evaluate(CACHED).values() for u in urls]
    return [u for u in found if (u.endswith(kind) if kind == ".whl" else kind in u)]


def _wait_pruned(page: Page) -> None:
    """Until this deploy's clean-up has left one wheel and one lock in the cache."""
    page.wait_for_function(
        f"""async () => {{
          const urls = Object.values(await ({CACHED})()).flat();
          return urls.filter((u) => u.endsWith(".whl")).length === 1
            && urls.filter((u) => u.includes("pyodide-lock.")).length === 1;
        }}""",
        timeout=10_000,
    )


def test_redeploys_between_two_visits(reader, deploys):
    """Another zlib gives the wheel other bytes for the same files; then a changed demo gives
    every name anew. Each later visit works, boots from the snapshot while that still holds
    (the files inside the wheel are the same), and leaves only the deploy's own files."""
    context, guard, host = reader
    host.put("site", deploys["first"])
    first = _visit(context, guard, guard.origin + "site/")
    wait_snapshot_saved(first)
    old_wheel = _cached(first, ".whl")
    first.close()

    host.put("site", deploys["other zlib"])
    second = _visit(context, guard, guard.origin + "site/")
    assert [b["from"] for b in boots(second)] == ["snapshot"]
    _wait_pruned(second)
    assert _cached(second, ".whl") != old_wheel, "the new bytes came under a new name"
    second.close()

    host.put("site", deploys["changed"])
    third = _visit(context, guard, guard.origin + "site/")
    assert [b["from"] for b in boots(third)] == ["raw"], "a changed package: a new snapshot"
    wait_snapshot_saved(third)
    _wait_pruned(third)
    assert len(_cached(third, "/snapshot/")) == 1, "the old deploy's snapshot went"
    third.close()


# What a misconfigured host may answer for a wheel: no zip at all. The hash is checked
# before the files are used, so the reader reads that the bytes are not the lock's.
BAD_BYTES = b"<!doctype html><title>404 Not Found</title>"


def test_a_cached_wheel_with_wrong_bytes_is_fetched_again(reader, deploys):
    """A cache holding other bytes behind the wheel's URL (however they got there) costs one
    more download, not the reader's access; if the server's bytes are wrong too, the block
    says so clearly, and Retry works once the server is right."""
    context, guard, host = reader
    host.put("site", deploys["first"])
    first = _visit(context, guard, guard.origin + "site/")
    wait_snapshot_saved(first)
    (wheel,) = _cached(first, ".whl")
    _damage(first, wheel)
    first.close()
    second = _visit(context, guard, guard.origin + "site/")
    assert [b["from"] for b in boots(second)] == ["snapshot"]
    _damage(second, wheel)
    second.close()

    third = guard_page(context.new_page(), guard)
    third.route(f"**{wheel}", lambda route: route.fulfill(body=BAD_BYTES))
    third.goto(guard.origin + "site/")
    assert run(third, "hello") == "error"
    failure = third.locator("[data-demo=hello] .plab-failure")
    expect(failure).to_contain_text("does not match the site's lock")
    third.unroute(f"**{wheel}")
    failure.locator("button").click()
    hello = third.locator("[data-demo=hello]")
    expect(hello).to_have_attribute("data-status", "done", timeout=60_000)
    third.close()


def _damage(page: Page, path: str) -> None:
    """Put other bytes behind ``path`` in the Cache API."""
    page.evaluate(
        """async ([path, bytes]) => {
          const url = new URL(path, location.href).href;
          for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            if (await cache.match(url)) await cache.put(url, new Response(new Uint8Array(bytes)));
          }
        }""",
        [path, list(BAD_BYTES)],
    )


def test_two_sites_on_one_origin_keep_their_snapshots(reader, deploys):
    """/a/ and /b/ (the same build, as two project sites): each keeps its own cache and
    snapshot while the reader goes back and forth."""
    context, guard, host = reader
    host.put("a", deploys["first"])
    host.put("b", deploys["first"])
    seen = []
    for site in ("a", "b", "a", "b"):
        page = _visit(context, guard, f"{guard.origin}{site}/")
        seen.append(boots(page)[0]["from"])
        if seen[-1] == "raw":
            wait_snapshot_saved(page)
        page.close()
    assert seen == ["raw", "raw", "snapshot", "snapshot"]
