// node --test: Material's search index is held until the reader shows intent; nothing else is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holdSearchIndex, isSearchIndex, wantsSearchAtOnce } from "../../tools/parameter_lab/runtime/searchintent.js";

/** A window with an XMLHttpRequest that records what is sent, and a document whose
 * listeners a test can fire. */
function fakeWindow(search = "", readyState = "loading") {
  const sent = [];
  class XMLHttpRequest {
    open(method, url) {
      this.url = url;
    }
    send() {
      sent.push(this.url);
    }
  }
  // As the DOM does: a listener is one (type, function, capture), removed only as added.
  let listeners = [];
  const capture = (options) => (typeof options === "boolean" ? options : !!options?.capture);
  const of = (type) => listeners.filter((l) => l.type === type);
  const document = {
    readyState,
    addEventListener: (type, fn, options) => listeners.push({ type, fn, capture: capture(options) }),
    removeEventListener: (type, fn, options) =>
      (listeners = listeners.filter((l) => !(l.type === type && l.fn === fn && l.capture === capture(options)))),
    fire: (type, event = {}) => of(type).forEach((l) => l.fn(event)),
    count: (type) => of(type).length,
  };
  return { XMLHttpRequest, document, location: { search }, sent };
}
const originals = (win) => [win.XMLHttpRequest.prototype.open, win.XMLHttpRequest.prototype.send];
const get = (win, url) => {
  const request = new win.XMLHttpRequest();
  request.open("GET", url);
  request.send();
};
const inside = (selector) => ({ target: { closest: (s) => (s === selector ? {} : null) } });
const INTENT = 'form[name="search"], label[for="__search"]';

test("the search index is known by its path, wherever the site lives", () => {
  assert.ok(isSearchIndex("search/search_index.json"));
  assert.ok(isSearchIndex("https://user.github.io/site/search/search_index.json"));
  assert.ok(!isSearchIndex("search/search_index.js")); // Material's file:// form: not held
  assert.ok(!isSearchIndex("sitemap.xml"));
  assert.ok(!isSearchIndex("my-search/search_index.json.bak"));
});

test("?q= and ?h= ask for search at once", () => {
  assert.ok(wantsSearchAtOnce("?q=%E5%AD%A6%E7%BF%92"));
  assert.ok(wantsSearchAtOnce("?h=lora"));
  assert.ok(!wantsSearchAtOnce(""));
  assert.ok(!wantsSearchAtOnce("?query=x"));
});

test("the index waits for intent; every other request goes at once", () => {
  const win = fakeWindow();
  holdSearchIndex(win);
  get(win, "../search/search_index.json");
  get(win, "../sitemap.xml");
  assert.deepEqual(win.sent, ["../sitemap.xml"]);
  win.document.fire("pointerover", inside("main")); // elsewhere on the page: no intent
  win.document.fire("focusin", { target: {} }); // a target that is no element
  assert.deepEqual(win.sent, ["../sitemap.xml"]);
  win.document.fire("focusin", inside(INTENT));
  assert.deepEqual(win.sent, ["../sitemap.xml", "../search/search_index.json"]);
  win.document.fire("focusin", inside(INTENT)); // sent once
  assert.equal(win.sent.length, 2);
  assert.equal(win.document.count("focusin"), 0, "its listeners are gone");
});

test("each kind of intent releases it: touch, hover, a press, focus", () => {
  for (const event of ["touchstart", "pointerover", "pointerdown", "focusin"]) {
    const win = fakeWindow();
    holdSearchIndex(win);
    get(win, "search/search_index.json");
    win.document.fire(event, inside(INTENT));
    assert.deepEqual(win.sent, ["search/search_index.json"], event);
  }
});

test("XMLHttpRequest is itself again once the page is parsed", () => {
  const win = fakeWindow();
  const [open, send] = originals(win);
  holdSearchIndex(win);
  assert.notEqual(win.XMLHttpRequest.prototype.send, send);
  get(win, "search/search_index.json"); // Material's bundle, before DOMContentLoaded
  win.document.fire("DOMContentLoaded");
  assert.deepEqual(originals(win), [open, send]);
  get(win, "search/search_index.json"); // not held now: only the bundle's request is
  assert.deepEqual(win.sent, ["search/search_index.json"]);
  win.document.fire("focusin", inside(INTENT));
  assert.deepEqual(win.sent, ["search/search_index.json", "search/search_index.json"]);
});

test("release() sends it at once", () => {
  const win = fakeWindow();
  const release = holdSearchIndex(win);
  get(win, "search/search_index.json");
  release();
  assert.deepEqual(win.sent, ["search/search_index.json"]);
});

test("a wrapper another script puts on XMLHttpRequest after ours stays", () => {
  const win = fakeWindow();
  holdSearchIndex(win);
  const proto = win.XMLHttpRequest.prototype;
  const [ours, calls] = [proto.send, []];
  proto.send = function (...args) {
    calls.push("monitor");
    return ours.apply(this, args);
  };
  const monitor = proto.send;
  get(win, "search/search_index.json");
  win.document.fire("DOMContentLoaded");
  assert.equal(proto.send, monitor, "not replaced by the original");
  get(win, "search/search_index.json"); // after parsing: ours only passes it on
  assert.deepEqual(win.sent, ["search/search_index.json"]);
  win.document.fire("focusin", inside(INTENT));
  assert.deepEqual(win.sent, ["search/search_index.json", "search/search_index.json"]);
  assert.deepEqual(calls, ["monitor", "monitor"]);
});

test("after parsing, nothing is patched: Material has already asked", () => {
  const win = fakeWindow("", "interactive");
  const [open, send] = originals(win);
  holdSearchIndex(win);
  assert.deepEqual(originals(win), [open, send]);
  get(win, "search/search_index.json");
  assert.deepEqual(win.sent, ["search/search_index.json"]);
});

test("nothing is held when the address asks for search, or twice in one window", () => {
  const shared = fakeWindow("?q=lora");
  const [open, send] = originals(shared);
  holdSearchIndex(shared);
  assert.deepEqual(originals(shared), [open, send]);
  const win = fakeWindow();
  holdSearchIndex(win);
  const patched = originals(win);
  holdSearchIndex(win); // a site that adds the script twice
  assert.deepEqual(originals(win), patched);
  assert.equal(win.document.count("focusin"), 1);
});

test("a window without XMLHttpRequest is left alone", () => {
  assert.doesNotThrow(() => holdSearchIndex({ document: { readyState: "loading" }, location: { search: "" } })());
});
