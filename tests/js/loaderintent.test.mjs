// The loader's start (runtime/loaderintent.js): fetched at the load event or at the first act
// on a block, and what the reader did before it listened is kept for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startLoaderWhenNeeded, takeEarlyActs } from "../../tools/parameter_lab/runtime/loaderintent.js";

// Elements as far as the start reads them: closest() by a tiny selector list, and
// querySelector for a demo's Run button.
function element(matches, { run = null, connected = true } = {}) {
  const el = {
    isConnected: connected,
    closest: (selectors) => {
      for (const s of selectors.split(",").map((x) => x.trim())) if (matches[s]) return matches[s] === true ? el : matches[s];
      return null;
    },
    querySelector: (s) => (s === "[data-demo-run]" ? run : null),
  };
  return el;
}

function fakeWindow({ readyState = "loading" } = {}) {
  const listeners = { doc: new Map(), win: new Map() };
  const on = (map) => (type, fn) => map.set(type, [...(map.get(type) ?? []), fn]);
  const off = (map) => (type, fn) => map.set(type, (map.get(type) ?? []).filter((f) => f !== fn));
  const win = {
    document: { readyState, baseURI: "https://example.org/site/page/", addEventListener: on(listeners.doc), removeEventListener: off(listeners.doc) },
    addEventListener: on(listeners.win),
    removeEventListener: off(listeners.win),
    console: { warn: () => {} },
  };
  const fire = (type, target, extra = {}) => {
    for (const fn of listeners.doc.get(type) ?? []) fn({ type, target, ...extra });
  };
  const load = () => {
    for (const fn of listeners.win.get("load") ?? []) fn();
  };
  return { win, fire, load, listeners };
}

function starter(win, outcome = () => Promise.resolve()) {
  const imported = [];
  startLoaderWhenNeeded(win, "../assets/plab/loader.abc.js", (url) => {
    imported.push(url);
    return outcome(imported.length);
  });
  return imported;
}

test("nothing is fetched while the page loads and the reader only reads; then the load event fetches it once", () => {
  const { win, fire, load } = fakeWindow();
  const imported = starter(win);
  fire("focusin", element({})); // focus outside any block (the search box, say)
  fire("click", element({}));
  assert.deepEqual(imported, []);
  load();
  load();
  assert.deepEqual(imported, ["https://example.org/site/assets/plab/loader.abc.js"]);
});

test("a page already loaded fetches it at once", () => {
  const { win } = fakeWindow({ readyState: "complete" });
  assert.equal(starter(win).length, 1);
});

test("a press on Run before the loader is fetched starts it and is kept to be replayed", () => {
  const { win, fire, load } = fakeWindow();
  const imported = starter(win);
  const run = element({ "[data-demo] button": true, "[data-demo]": element({}) });
  fire("pointerdown", run, { pointerType: "touch" }); // may be a scroll: no act
  assert.equal(imported.length, 0);
  fire("click", run);
  fire("click", run); // pressed twice: replayed once
  assert.equal(imported.length, 1);
  load(); // the load event later fetches nothing more
  assert.equal(imported.length, 1);
  const early = takeEarlyActs(win);
  assert.deepEqual(early.clicks, [run]);
  assert.equal(early.acted, false, "the tap is replayed, not also a mount");
});

test("Ctrl+Enter in a demo is kept as a press on its Run button", () => {
  const { win, fire } = fakeWindow();
  starter(win);
  const run = element({});
  const code = element({ "[data-demo]": element({}, { run }) });
  fire("keydown", code, { key: "Enter", ctrlKey: true });
  assert.deepEqual(takeEarlyActs(win).clicks, [run]);
});

for (const [type, extra] of [["input", {}], ["focusin", {}], ["pointerdown", { pointerType: "mouse" }]]) {
  test(`${type} inside a demo asks the loader to mount it`, () => {
    const { win, fire } = fakeWindow();
    const imported = starter(win);
    fire(type, element({ "[data-demo]": element({}) }), extra);
    assert.equal(imported.length, 1);
    assert.deepEqual(takeEarlyActs(win), { clicks: [], acted: true });
  });
}

test("opening a chart's data table starts the loader without a replay (the toggle is native)", () => {
  const { win, fire } = fakeWindow();
  const imported = starter(win);
  fire("click", element({ details: true }));
  assert.equal(imported.length, 1);
  assert.deepEqual(takeEarlyActs(win), { clicks: [], acted: false });
});

test("once the loader took the early acts, nothing more is recorded, and a removed button is not replayed", () => {
  const { win, fire, listeners } = fakeWindow();
  starter(win);
  const gone = element({ "[data-demo] button": true, "[data-demo]": element({}) }, { connected: false });
  fire("click", gone);
  assert.deepEqual(takeEarlyActs(win).clicks, []);
  assert.equal(listeners.doc.get("click").length, 0);
  fire("click", element({ "[data-demo] button": true, "[data-demo]": element({}) }));
  assert.deepEqual(takeEarlyActs(win), { clicks: [], acted: false });
});

test("a loader that fails to load is tried again at the next act, under another address", async () => {
  const { win, fire } = fakeWindow();
  const imported = starter(win, (n) => (n === 1 ? Promise.reject(new Error("offline")) : Promise.resolve()));
  const demo = element({ "[data-demo]": element({}) });
  fire("focusin", demo);
  await new Promise((r) => setImmediate(r));
  fire("focusin", demo);
  assert.deepEqual(imported, [
    "https://example.org/site/assets/plab/loader.abc.js",
    "https://example.org/site/assets/plab/loader.abc.js?retry=1",
  ]);
});

test("no loader is without its early record", () => {
  assert.deepEqual(takeEarlyActs({}), { clicks: [], acted: false });
});
