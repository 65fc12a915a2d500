"""Browser harness: the built site served locally, and a guarded Playwright page on Chromium.

Every test that takes ``page`` fails on a console error, an uncaught page error, or a
request to any host other than the test server. A test that provokes an error on
purpose declares it with ``page_guard.expect_console(pattern)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.conftest import free_port, mkdocs_build, one_build_at_a_time
from tools.browser_harness import CHROMIUM, CHROMIUM_ARGS, ISOLATION_COOKIE, serve

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_url(built_site: Path, site_port: int) -> Iterator[str]:
    with serve(built_site, port=site_port) as url:
        yield url


@pytest.fixture(scope="session")
def isolated_site_url(built_site: Path) -> Iterator[str]:
    """The same site with COOP/COEP headers, so the page is crossOriginIsolated."""
    with serve(built_site, isolated=True) as url:
        yield url


@pytest.fixture(scope="session")
def playground_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def playground_site(tmp_path_factory: pytest.TempPathFactory, playground_port: int) -> Path:
    """tests/browser/playground: the real plugin, with pages that misbehave on purpose."""
    site = tmp_path_factory.mktemp("playground")
    with one_build_at_a_time():
        result = mkdocs_build(
            Path(__file__).parent / "playground",
            site,
            site_url=f"http://127.0.0.1:{playground_port}/",
        )
    assert result.returncode == 0, f"playground build failed:\n{result.stderr}"
    return site


@pytest.fixture(scope="session")
def playground_url(playground_site: Path, playground_port: int) -> Iterator[str]:
    with serve(playground_site, port=playground_port) as url:
        yield url


@pytest.fixture(scope="session")
def isolated_playground_url(playground_site: Path) -> Iterator[str]:
    with serve(playground_site, isolated=True) as url:
        yield url


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@dataclass
class PageGuard:
    """What the page did that a test must not ignore."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    expected: list[re.Pattern] = field(default_factory=list)
    allowed_hosts: list[str] = field(default_factory=list)

    def expect_console(self, pattern: str) -> None:
        self.expected.append(re.compile(pattern))

    def allow_requests_to(self, prefix: str) -> None:
        """Let the page *try* to reach ``prefix``; the request is still refused."""
        self.allowed_hosts.append(prefix)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.console_errors if not any(p.search(e) for p in self.expected)]


def _guard_context(context: BrowserContext, origin: str, guard: PageGuard) -> BrowserContext:
    def route(route, request):
        if request.url.startswith(origin) or request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            if not any(request.url.startswith(p) for p in guard.allowed_hosts):
                guard.foreign_requests.append(request.url)
            route.abort()

    context.route("**/*", route)
    return context


def guard_page(page: Page, guard: PageGuard) -> Page:
    """Record the page's console errors and uncaught errors (its workers' too) in ``guard``."""
    page.on("console", lambda m: m.type == "error" and guard.console_errors.append(m.text))
    page.on("pageerror", lambda e: guard.console_errors.append(f"pageerror: {e}"))
    return page


def check_guard(guard: PageGuard) -> None:
    assert not guard.foreign_requests, f"requests to other hosts: {guard.foreign_requests}"
    assert not guard.unexpected_errors(), f"console errors: {guard.unexpected_errors()}"


def guarded_context(
    browser: Browser,
    origin: str,
    guard: PageGuard,
    *,
    isolated: bool = False,
    service_workers: str = "block",
) -> BrowserContext:
    """A new context whose requests ``guard`` watches; ``isolated``: COOP/COEP is sent.
    The site's service worker is blocked unless asked for: requests it answers never reach
    Playwright's routes, which many cases use to break a file on purpose."""
    context = _guard_context(
        browser.new_context(locale="ja-JP", service_workers=service_workers), origin, guard
    )
    if isolated:
        name, value = ISOLATION_COOKIE.split("=")
        context.add_cookies([{"name": name, "value": value, "url": origin}])
    return context


def guarded_page(
    browser: Browser, origin: str, *, isolated: bool = False
) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page in a new context; ``isolated``: the server sends COOP/COEP to it."""
    guard = PageGuard(origin)
    context = guarded_context(browser, origin, guard, isolated=isolated)
    page = guard_page(context.new_page(), guard)
    yield page, guard
    context.close()
    check_guard(guard)


@dataclass
class Profile:
    """A persistent browser profile on disk: each visit is a new browser on the same profile,
    as a reader coming back another day (the Cache API and its snapshot survive)."""

    playwright: Playwright
    directory: Path
    origin: str
    guard: PageGuard
    isolated: bool = False  # the server sends COOP/COEP to it

    def visit(self) -> BrowserContext:
        context = self.playwright.chromium.launch_persistent_context(
            self.directory,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            locale="ja-JP",
            service_workers="block",  # see guarded_context
        )
        if self.isolated:
            name, value = ISOLATION_COOKIE.split("=")
            context.add_cookies([{"name": name, "value": value, "url": self.origin}])
        return _guard_context(context, self.origin, self.guard)


@pytest.fixture(params=["plain", "coop-coep"])
def playground_profile(
    request, playwright_session: Playwright, playground_url: str, tmp_path: Path
) -> Iterator[Profile]:
    """Visits to the playground with one persistent profile, served plain and isolated."""
    profile = Profile(
        playwright_session,
        tmp_path / "profile",
        playground_url,
        PageGuard(playground_url),
        isolated=request.param == "coop-coep",
    )
    yield profile
    check_guard(profile.guard)


@pytest.fixture(scope="module", params=["plain", "coop-coep"])
def warm_context(
    request, browser: Browser, playground_url: str
) -> Iterator[tuple[BrowserContext, PageGuard]]:
    """One context per server and test module, for the cases that do not need Python's
    first boot on a new browser (a URL fragment, slider values, Stop of a running loop, a
    crash, kept edits): each case gets a new page (a new load, a new worker, see
    ``warm_pages``); only the runtime's files and the Python snapshot in the Cache API carry
    over from one case to the next, as for a reader following links."""
    yield from shared_context(browser, playground_url, isolated=request.param == "coop-coep")


def shared_context(
    browser: Browser, origin: str, *, isolated: bool = False
) -> Iterator[tuple[BrowserContext, PageGuard]]:
    """A guarded context that several tests' pages share (``warm_pages``), closed at the end."""
    guard = PageGuard(origin)
    context = guarded_context(browser, origin, guard, isolated=isolated)
    yield context, guard
    context.close()


def warm_pages(context: BrowserContext, guard: PageGuard) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded new page in a context shared by several tests, for the cases about what a
    block shows and does, not about how Python boots, stops or is fetched. The page is a new
    load with a new worker; what carries over from the test before is only what a reader's
    browser keeps between two pages: the runtime's files and the Python snapshot in the Cache
    API (the first page that booted raw stores it before it closes)."""
    from tests.browser.helpers import boots, wait_snapshot_saved

    for kept in (guard.console_errors, guard.foreign_requests, guard.expected, guard.allowed_hosts):
        kept.clear()
    page = guard_page(context.new_page(), guard)
    yield page, guard
    try:
        if [b["from"] for b in boots(page)] == ["raw"]:
            wait_snapshot_saved(page)
    finally:
        page.close()
    check_guard(guard)


@pytest.fixture(scope="session")
def warm_playground_context(
    browser: Browser, playground_url: str
) -> Iterator[tuple[BrowserContext, PageGuard]]:
    yield from shared_context(browser, playground_url)


@pytest.fixture
def warm_playground(warm_playground_context) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page on the plain playground, in a context shared with other tests
    (``warm_pages``)."""
    yield from warm_pages(*warm_playground_context)


@pytest.fixture(scope="session")
def warm_site_context(
    browser: Browser, site_url: str
) -> Iterator[tuple[BrowserContext, PageGuard]]:
    yield from shared_context(browser, site_url)


@pytest.fixture
def warm_site(warm_site_context) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page on the site in a context shared with other tests (``warm_pages``), for
    the cases about what a block computes and shows, not about how Python is fetched or
    boots. What a case keeps in localStorage (a reader's edits) goes with it."""
    for page, guard in warm_pages(*warm_site_context):
        try:
            yield page, guard
        finally:
            if not page.is_closed() and page.url.startswith(guard.origin):
                page.evaluate("localStorage.clear()")


@pytest.fixture
def guarded(browser: Browser, site_url: str) -> Iterator[tuple[Page, PageGuard]]:
    yield from guarded_page(browser, site_url)


@pytest.fixture
def page(guarded) -> Page:
    return guarded[0]


@pytest.fixture
def page_guard(guarded) -> PageGuard:
    return guarded[1]


@pytest.fixture
def playground(browser: Browser, playground_url: str) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page on the playground site (no COOP/COEP: stop terminates the worker)."""
    yield from guarded_page(browser, playground_url)


@pytest.fixture
def isolated_playground(
    browser: Browser, isolated_playground_url: str
) -> Iterator[tuple[Page, PageGuard]]:
    """A guarded page on the playground served with COOP/COEP (stop interrupts Python)."""
    yield from guarded_page(browser, isolated_playground_url)
