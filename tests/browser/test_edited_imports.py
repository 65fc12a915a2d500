"""An edited cell that imports the site's own modules loads exactly the Pyodide packages the
build found for them (issue 19: `from demos.mlp import run` in an edited cell): the worker
follows the import through the site's package (runner.imports_in, as the build's check) and
asks Pyodide for what that needs.

numpy cannot run here: its wheel is on the CDN, which this network refuses. So the numpy
case checks what can be seen honestly: the worker requests numpy's wheel, at the URL the
site's lock gives it, before Python runs, and the block ends with an error that names numpy
(not a hang). The stdlib case runs: a helper module needing nothing from Pyodide imports
and prints, with no request to the CDN.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.helpers import block, open_editor, output, run

CDN = "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/"


def _replace_code(page: Page, block_id: str, text: str) -> None:
    content = open_editor(page, block_id)
    content.press("Control+a")
    content.press("Delete")
    content.type(text)


def _numpy_url(site: Path) -> str:
    (lock,) = (site / "assets" / "plab").glob("pyodide-lock.*.json")
    entry = json.loads(lock.read_text())["packages"]["numpy"]
    name = entry["file_name"]
    return name if "://" in name else CDN + name


def test_an_edited_cell_loads_what_the_sites_modules_import(warm_playground, playground_site):
    page, guard = warm_playground
    guard.allow_requests_to(CDN)  # tried, and refused (offline)
    guard.expect_console(r"net::ERR_FAILED|Failed to load|numpy")
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.goto(guard.origin)

    # A helper of the site's that needs only the standard library: it runs, nothing fetched.
    _replace_code(page, "hello", "from demos import _checks\nprint(_checks.__name__)\n")
    assert run(page, "hello") == "done", output(page, "hello")
    assert "demos._checks" in output(page, "hello")
    assert not [url for url in requested if url.startswith(CDN)], requested

    # demos.mlp imports numpy itself and through demos.nn: numpy's wheel is asked for.
    _replace_code(page, "hello", "from demos.mlp import run\nprint(run)\n")
    assert run(page, "hello") == "error"
    assert _numpy_url(playground_site) in requested, [u for u in requested if ".whl" in u]
    # The block says which package could not be fetched (the offline message), not a hang.
    expect(block(page, "hello").get_by_role("status")).to_contain_text("「numpy」")
    assert "No module named 'numpy'" in output(page, "hello")
