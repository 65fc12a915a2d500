// node --test: the bound figures' bookkeeping, on plain objects shaped like spans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { figuresOf, resetFigures, showFigures } from "../../tools/parameter_lab/runtime/figures.js";

function span(bind, format, text) {
  return { dataset: { bind, format }, textContent: text };
}

function root(spans) {
  return { querySelectorAll: (selector) => (selector === "[data-bind]" ? spans : []) };
}

test("figuresOf finds only the block's own figures, with their key paths and formats", () => {
  const spans = [
    span("fit.history.val_acc[-1]", "percent(1)", "90.5%"),
    span("fit-2.total", "int", "3"),
    span("fit.total", "ja", "1750億"),
  ];
  const { spans: mine, requests } = figuresOf(root(spans), "fit");
  assert.deepEqual(mine, [spans[0], spans[2]]);
  assert.deepEqual(requests, [["history.val_acc[-1]", "percent(1)"], ["total", "ja"]]);
});

test("showFigures writes new texts, marks changes, and keeps a figure the run lacks", () => {
  const a = span("fit.a", "int", "1");
  const b = span("fit.b", "int", "2");
  showFigures([a, b], ["5", null]);
  assert.equal(a.textContent, "5");
  assert.equal(a.dataset.changed, "true");
  assert.equal(b.textContent, "2");
  assert.equal(b.dataset.changed, undefined);
  showFigures([a, b], ["1", "2"]);
  assert.equal(a.dataset.changed, undefined, "back at the default: no mark");
});

test("resetFigures restores the page's text", () => {
  const a = span("fit.a", "int", "1");
  showFigures([a], ["7"]);
  resetFigures([a]);
  assert.equal(a.textContent, "1");
  assert.equal(a.dataset.changed, undefined);
});
