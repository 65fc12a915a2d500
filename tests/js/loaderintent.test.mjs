// The loader's start (runtime/loaderintent.js): fetched once the page has loaded, or at the
// first act on a block once the page is parsed, and what the reader did before the loader
// listened is kept for it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { startLoaderWhenNeeded, takeEarlyActs } from "../../tools/parameter_lab/runtime/loaderintent.js";

// A tiny DOM, as far as the start reads it: elements know their selectors by name.
class Element {
  constructor(selectors = [], { parent = null, dataset = {}, id = "" } = {}) {
    this.selectors = new Set(selectors);
    this.parent = parent;
    this.children = [];
    this.dataset = dataset;
    this.id = id;
    this.pressed = 0;
    parent?.children.push(this);
  }
  matches(selectors) {
    return selectors.split(",").some((s) => this.selectors.has(s.trim()));
  }
  closest(selectors) {
    for (let el = this; el; el = el.parent) if (el.matches(selectors)) return el;
    return null;
  }
  querySelectorAll(selectors) {
    const found = [];
    const walk = (el) => el.children.forEach((c) => (c.matches(selectors) && found.push(c), walk(c)));
    walk(this);
    return found;
  }
  querySelector(selectors) {
    return this.querySelectorAll(selectors)[0] ?? null;
  }
}

// A demo with a Run button and a code listing, and a site chart with its live toggle.
function page() {
  const root = new Element();
  const demo = new Element(["[data-demo]"], { parent: root, dataset: { demo: "calc" } });
  const run = new Element(["button", "[data-demo-run]"], { parent: demo });
  const status = new Element(["[data-demo-status]"], { parent: demo });
  const code = new Element([], { parent: demo });
  const chart = new Element(["[data-chart]"], { parent: root, id: "chart-1" });
  const toggle = new Element(["button", "[data-chart-live]"], { parent: chart });
  const details = new Element(["details"], { parent: root });
  const link = new Element(["a[href^='#']"], { parent: root });
  return { root, demo, run, status, code, chart, toggle, details, link };
}

function fakeWindow({ readyState = "loading", path = "/site/page/" } = {}) {
  const listeners = { doc: new Map(), win: new Map() };
  const on = (map) => (type, fn) => map.set(type, [...(map.get(type) ?? []), fn]);
  const off = (map) => (type, fn) => map.set(type, (map.get(type) ?? []).filter((f) => f !== fn));
  let dom = page();
  const doc = {
    readyState,
    baseURI: `https://example.org${path}`,
    addEventListener: on(listeners.doc),
    removeEventListener: off(listeners.doc),
    querySelectorAll: (s) => dom.root.querySelectorAll(s),
    getElementById: (id) => dom.root.querySelectorAll("[data-chart]").find((el) => el.id === id) ?? null,
  };
  const win = {
    document: doc,
    location: { pathname: path },
    addEventListener: on(listeners.win),
    removeEventListener: off(listeners.win),
    console: { warn: () => {} },
  };
  const fire = (type, target, extra = {}) => {
    for (const fn of listeners.doc.get(type) ?? []) fn({ type, target, ...extra });
  };
  const parsed = () => {
    doc.readyState = "interactive";
    fire("DOMContentLoaded", doc);
  };
  const load = () => {
    doc.readyState = "complete";
    for (const fn of listeners.win.get("load") ?? []) fn();
  };
  const navigate = (to) => {
    win.location.pathname = to;
    doc.baseURI = `https://example.org${to}`;
  };
  const redraw = () => (dom = page()); // Material draws the same page anew
  return { win, fire, parsed, load, navigate, redraw, listeners, dom: () => dom };
}

function starter(win, outcome = () => Promise.resolve()) {
  const imported = [];
  startLoaderWhenNeeded(win, { src: "../assets/plab/loader.abc.js", preparing: "Preparing…" }, (url) => {
    imported.push(url);
    return outcome(imported.length);
  });
  return imported;
}
const LOADER = "https://example.org/site/assets/plab/loader.abc.js";

test("a reader who only reads fetches nothing until the load event, then the loader once", () => {
  const { win, fire, parsed, load, dom } = fakeWindow();
  const imported = starter(win);
  parsed();
  fire("focusin", new Element()); // outside any block (the search box, say)
  fire("click", new Element());
  assert.deepEqual(imported, []);
  load();
  load();
  assert.deepEqual(imported, [LOADER]);
  assert.deepEqual(takeEarlyActs(win), { presses: [], acted: false });
  assert.equal(dom().run.pressed, 0);
});

test("a page already loaded fetches it at once", () => {
  const { win } = fakeWindow({ readyState: "complete" });
  assert.deepEqual(starter(win), [LOADER]);
});

test("an act while the page is still parsed waits for the whole page, then starts it", () => {
  const { win, fire, parsed, dom } = fakeWindow();
  const imported = starter(win);
  fire("click", dom().run);
  assert.deepEqual(imported, [], "the loader needs the whole article, and Material's document$");
  parsed();
  assert.deepEqual(imported, [LOADER]);
  assert.deepEqual(takeEarlyActs(win).presses, [dom().run]);
});

test("Run pressed before the loader listens starts it and is pressed again for it, once", () => {
  const { win, fire, parsed, load, dom } = fakeWindow();
  const imported = starter(win);
  parsed();
  const { run } = dom();
  fire("pointerdown", run, { pointerType: "touch" }); // may be a scroll: no act
  assert.deepEqual(imported, []);
  assert.equal(dom().demo.dataset.status, undefined);
  fire("click", run);
  fire("click", run);
  assert.equal(dom().demo.dataset.status, "loading", "the press is answered at once");
  assert.equal(dom().status.textContent, "Preparing…");
  load(); // the load event fetches nothing more
  assert.deepEqual(imported, [LOADER]);
  assert.deepEqual(takeEarlyActs(win), { presses: [run], acted: false });
});

test("a mouse press in a demo is intent as well: the loader mounts it", () => {
  const { win, fire, parsed, dom } = fakeWindow();
  starter(win);
  parsed();
  fire("pointerdown", dom().run, { pointerType: "mouse" });
  fire("click", dom().run);
  assert.deepEqual(takeEarlyActs(win), { presses: [dom().run], acted: true });
});

test("a press on a demo's other button is kept as that press alone", () => {
  const { win, fire, parsed, dom } = fakeWindow();
  starter(win);
  parsed();
  const reset = new Element(["button"], { parent: dom().demo });
  fire("click", reset);
  assert.deepEqual(takeEarlyActs(win), { presses: [reset], acted: false });
  assert.equal(dom().demo.dataset.status, undefined, "only Run says it is preparing");
});

test("a toggle pressed twice is pressed twice again: it ends where the reader left it", () => {
  const { win, fire, parsed, dom } = fakeWindow();
  starter(win);
  parsed();
  fire("click", dom().toggle);
  fire("click", dom().toggle);
  assert.deepEqual(takeEarlyActs(win).presses, [dom().toggle, dom().toggle]);
});

test("Ctrl+Enter in a demo is kept as a press on its Run button", () => {
  const { win, fire, parsed, dom } = fakeWindow();
  starter(win);
  parsed();
  fire("keydown", dom().code, { key: "Enter", ctrlKey: true });
  assert.deepEqual(takeEarlyActs(win).presses, [dom().run]);
});

for (const [type, extra] of [["input", {}], ["focusin", {}], ["keydown", { key: "a" }]]) {
  test(`${type} inside a demo starts the loader, which mounts the demo`, () => {
    const { win, fire, parsed, dom } = fakeWindow();
    const imported = starter(win);
    parsed();
    fire(type, dom().code, extra);
    assert.deepEqual(imported, [LOADER]);
    assert.deepEqual(takeEarlyActs(win), { presses: [], acted: true });
  });
}

test("a chart's table opened, or a link to a demo's settings, starts the loader with nothing kept", () => {
  for (const which of ["details", "link"]) {
    const { win, fire, parsed, dom } = fakeWindow();
    const imported = starter(win);
    parsed();
    fire("click", dom()[which]);
    assert.deepEqual(imported, [LOADER], which);
    assert.deepEqual(takeEarlyActs(win), { presses: [], acted: false });
  }
});

test("a press survives Material drawing the same page anew: its block and place are kept", () => {
  const { win, fire, parsed, redraw, dom } = fakeWindow();
  starter(win);
  parsed();
  fire("click", dom().run);
  fire("click", dom().toggle);
  const before = dom();
  redraw();
  const early = takeEarlyActs(win);
  assert.deepEqual(early.presses, [dom().run, dom().toggle]);
  assert.notEqual(early.presses[0], before.run);
});

test("acts on a page the reader has left are dropped, and the loader comes from the first page's address", () => {
  const { win, fire, parsed, load, navigate, dom } = fakeWindow();
  const imported = starter(win);
  parsed();
  fire("click", dom().run);
  fire("focusin", dom().code);
  navigate("/site/chapter/deeper/"); // an instant navigation before the loader listened
  load();
  assert.deepEqual(imported, [LOADER]);
  assert.deepEqual(takeEarlyActs(win), { presses: [], acted: false });
});

test("once the loader took the early acts, nothing more is recorded", () => {
  const { win, fire, parsed, listeners, dom } = fakeWindow();
  starter(win);
  parsed();
  takeEarlyActs(win);
  assert.equal(listeners.doc.get("click").length, 0);
  fire("click", dom().run);
  assert.deepEqual(takeEarlyActs(win), { presses: [], acted: false });
});

test("a loader that fails to load is tried again at the next act, under another address", async () => {
  const { win, fire, parsed, navigate, dom } = fakeWindow();
  const imported = starter(win, (n) => (n === 1 ? Promise.reject(new Error("offline")) : Promise.resolve()));
  parsed();
  fire("focusin", dom().code);
  await new Promise((r) => setImmediate(r));
  navigate("/site/other/deeper/");
  fire("focusin", dom().code);
  assert.deepEqual(imported, [LOADER, `${LOADER}?retry=1`]);
});

test("a page without the start has no early acts", () => {
  assert.deepEqual(takeEarlyActs({}), { presses: [], acted: false });
});
