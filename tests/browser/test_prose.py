"""Figures in the text follow the reader's runs; scenario links drive their block.

On memory/, the parameter calculator is stdlib Python, so it really runs offline in Pyodide.
The expected figures are computed here in CPython with the runner's own formatter.
"""

from __future__ import annotations

import json
import re

from parameter_lab.runner import figure
from playwright.sync_api import expect

from demos import params

BOOT = 120_000  # ms: a cold Pyodide boot on a loaded 2-core machine (the first case's)


def _total(preset: str) -> str:
    return figure(json.loads(json.dumps(params.run(preset=preset))), "total", "ja(1)")


def test_a_bound_figure_changes_after_the_reader_runs_its_block(warm_site, site_url: str):
    page, _ = warm_site
    page.goto(site_url + "memory/")
    bound = page.locator('[data-bind="param-calculator.total"]').first
    expect(bound).to_have_text(_total("llama-2-7b"))
    calc = page.locator("#param-calculator")
    calc.locator("select[data-control=preset]").select_option(json.dumps("mistral-7b-v0.1"))
    calc.locator("[data-demo-run]").click()
    expect(bound).to_have_text(_total("mistral-7b-v0.1"), timeout=BOOT)
    expect(bound).to_have_attribute("data-changed", "true")
    assert _total("mistral-7b-v0.1") != _total("llama-2-7b")  # the test can fail
    calc.locator("[data-demo-reset]").click()
    expect(bound).to_have_text(_total("llama-2-7b"))


def test_a_scenario_link_sets_the_controls_updates_the_url_and_runs(warm_site, site_url: str):
    page, _ = warm_site
    page.goto(site_url + "memory/")
    link = page.locator('a[data-scenario="param-calculator"]').first
    expect(link).to_have_accessible_name(re.compile(r"\S"))
    # The model the chapter's first scenario link names (the text may change which one).
    href = link.get_attribute("href")  # the fragment, made absolute by the page
    named = re.search(r"#param-calculator:preset=([\w.-]+)$", href)
    assert named, href
    preset = named[1]
    assert _total(preset) != _total("llama-2-7b"), "the link must change the figure"
    link.focus()
    page.keyboard.press("Enter")  # by keyboard, as any link
    calc = page.locator("#param-calculator")
    select = calc.locator("select[data-control=preset]")
    expect(select).to_have_value(json.dumps(preset))
    assert re.search(rf"#param-calculator:preset={re.escape(preset)}$", page.url), page.url
    expect(calc).to_have_attribute("data-status", re.compile("loading|running|done"))
    bound = page.locator('[data-bind="param-calculator.total"]').first
    expect(bound).to_have_text(_total(preset), timeout=BOOT)
    expect(calc).to_have_attribute("data-status", "done", timeout=BOOT)
