"""A reader's edits kept across reloads and navigation (localStorage), on the plain and the
COOP/COEP server: nothing is stored until an edit, a link's values win, Reset forgets, and
a block changed by a redeploy offers the old edit instead of applying it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PageGuard, warm_pages
from tests.browser.helpers import NAVIGATION_MS, block, code, open_editor, wait_status

KEPT = "Object.keys(localStorage).filter((k) => k.startsWith('plab-edit:'))"


@pytest.fixture
def reader(warm_context) -> Iterator[tuple[Page, PageGuard]]:
    """A new page in a context shared by this module's cases, its localStorage emptied."""
    for page, guard in warm_pages(*warm_context):
        page.goto(guard.origin)
        page.evaluate("localStorage.clear()")
        yield page, guard


def _edit_cell(page: Page, block_id: str, text: str) -> None:
    content = open_editor(page, block_id)
    content.press("Control+End")
    content.type(text)


def test_an_edit_survives_a_reload_and_a_navigation_until_reset(reader):
    page, _ = reader
    original = code(page, "hello")
    open_editor(page, "hello")
    page.wait_for_timeout(400)  # longer than the edit's save delay: an open editor is no edit
    assert page.evaluate(KEPT) == [], "nothing is stored until the reader edits"
    _edit_cell(page, "hello", "\n# kept")
    page.wait_for_function(f"{KEPT}.length === 1")
    calc = block(page, "calc")
    calc.locator("input[data-control=layers]").fill("12")
    page.wait_for_function(f"{KEPT}.length === 2")
    wait_status(page, "calc")

    page.reload()
    expect(block(page, "hello").locator("[data-demo-code]")).to_contain_text("# kept")
    expect(calc.locator("input[data-control=layers]")).to_have_value("12")
    assert "layers=12" in code(page, "calc")
    assert wait_status(page, "calc") == "done", "kept values run, so output and controls agree"

    page.get_by_role("link", name="二つ目のページ").click()
    expect(block(page, "second")).to_be_visible(timeout=NAVIGATION_MS)
    page.go_back()
    expect(block(page, "hello").locator("[data-demo-code]")).to_contain_text("# kept")

    block(page, "hello").locator("[data-demo-reset]").click()
    calc.locator("[data-demo-reset]").click()
    assert code(page, "hello").strip() == original.strip()
    page.wait_for_function(f"{KEPT}.length === 0")
    page.reload()
    assert code(page, "hello").strip() == original.strip()


def test_an_edit_typed_just_before_a_reload_is_kept(reader):
    """Edits are stored after a pause in the typing; leaving the page stores at once."""
    page, _ = reader
    _edit_cell(page, "hello", "\n# at once")
    page.reload()  # well within the pause
    expect(block(page, "hello").locator("[data-demo-code]")).to_contain_text("# at once")


def test_a_link_wins_over_kept_values(reader):
    page, guard = reader
    block(page, "calc").locator("input[data-control=layers]").fill("12")
    page.wait_for_function(f"{KEPT}.length === 1")
    wait_status(page, "calc")
    page.goto(guard.origin + "#calc:layers=20")
    page.reload()  # the same document with a fragment: a fresh load
    expect(block(page, "calc").locator("input[data-control=layers]")).to_have_value("20")
    assert wait_status(page, "calc") == "done"


def test_a_block_changed_by_a_redeploy_offers_the_old_edit(reader):
    page, guard = reader
    _edit_cell(page, "hello", "\n# kept")
    page.wait_for_function(f"{KEPT}.length === 1")

    def redeployed(route):  # the same page, built from a changed block
        response = route.fetch()
        body = response.text().replace("&#34;, 6 * 7)", "&#34;, 6 * 8)")
        assert body != response.text(), "the block's source was found in the page"
        route.fulfill(response=response, body=body)

    page.route(guard.origin, redeployed)
    page.reload()
    hello = block(page, "hello")
    offer = hello.locator(".plab-kept")
    expect(offer).to_be_visible()
    assert "# kept" not in code(page, "hello"), "the old edit is not applied silently"
    offer.locator("[data-kept-use]").click()
    expect(hello.locator("[data-demo-code]")).to_contain_text("# kept")
    expect(offer).to_have_count(0)
