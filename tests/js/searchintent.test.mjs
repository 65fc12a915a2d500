// node --test: Material's search index and search worker are held until the reader shows
// intent; nothing else is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holdSearch, isSearchIndex, isSearchWorker, wantsSearchAtOnce } from "../../tools/parameter_lab/runtime/searchintent.js";

/** A window with an XMLHttpRequest that records what is sent, and a document whose
 * listeners a test can fire. */
function fakeWindow(search = "", readyState = "loading", protocol = "https:") {
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
    baseURI: "https://example.org/site/",
    addEventListener: (type, fn, options) => listeners.push({ type, fn, capture: capture(options) }),
    removeEventListener: (type, fn, options) =>
      (listeners = listeners.filter((l) => !(l.type === type && l.fn === fn && l.capture === capture(options)))),
    fire: (type, event = {}) => of(type).forEach((l) => l.fn(event)),
    count: (type) => of(type).length,
  };
  // A worker that records what it is posted and can answer, as the real one would.
  const workers = [];
  class Worker extends EventTarget {
    constructor(url, options) {
      super();
      Object.assign(this, { url, options, posted: [], terminated: false });
      workers.push(this);
    }
    postMessage(data) {
      this.posted.push(data);
    }
    terminate() {
      this.terminated = true;
    }
    answer(data) {
      this.dispatchEvent(new MessageEvent("message", { data }));
    }
  }
  return { XMLHttpRequest, Worker, EventTarget, document, location: { search, protocol }, sent, workers };
}
const originals = (win) => [win.XMLHttpRequest.prototype.open, win.XMLHttpRequest.prototype.send, win.Worker];
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
  holdSearch(win);
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
    holdSearch(win);
    get(win, "search/search_index.json");
    win.document.fire(event, inside(INTENT));
    assert.deepEqual(win.sent, ["search/search_index.json"], event);
  }
});

test("XMLHttpRequest and Worker are themselves again once the page is parsed", () => {
  const win = fakeWindow();
  const before = originals(win);
  holdSearch(win);
  assert.notEqual(win.XMLHttpRequest.prototype.send, before[1]);
  assert.notEqual(win.Worker, before[2]);
  get(win, "search/search_index.json"); // Material's bundle, before DOMContentLoaded
  win.document.fire("DOMContentLoaded");
  assert.deepEqual(originals(win), before);
  get(win, "search/search_index.json"); // not held now: only the bundle's request is
  assert.deepEqual(win.sent, ["search/search_index.json"]);
  win.document.fire("focusin", inside(INTENT));
  assert.deepEqual(win.sent, ["search/search_index.json", "search/search_index.json"]);
});

test("release() sends it at once", () => {
  const win = fakeWindow();
  const release = holdSearch(win);
  get(win, "search/search_index.json");
  release();
  assert.deepEqual(win.sent, ["search/search_index.json"]);
});

test("a wrapper another script puts on XMLHttpRequest after ours stays", () => {
  const win = fakeWindow();
  holdSearch(win);
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
  const before = originals(win);
  holdSearch(win);
  assert.deepEqual(originals(win), before);
  get(win, "search/search_index.json");
  assert.deepEqual(win.sent, ["search/search_index.json"]);
});

test("nothing is held when the address asks for search, or twice in one window", () => {
  const shared = fakeWindow("?q=lora");
  const before = originals(shared);
  holdSearch(shared);
  assert.deepEqual(originals(shared), before);
  const win = fakeWindow();
  holdSearch(win);
  const patched = originals(win);
  holdSearch(win); // a site that adds the script twice
  assert.deepEqual(originals(win), patched);
  assert.equal(win.document.count("focusin"), 1);
});

test("a window without XMLHttpRequest is left alone", () => {
  assert.doesNotThrow(() => holdSearch({ document: { readyState: "loading" }, location: { search: "" } })());
});

const SEARCH_WORKER = "../assets/javascripts/workers/search.a7633da7.min.js";

test("Material's search worker is known by its path", () => {
  assert.ok(isSearchWorker(SEARCH_WORKER));
  assert.ok(isSearchWorker("https://user.github.io/site/assets/javascripts/workers/search.f8cc74c7.min.js"));
  assert.ok(!isSearchWorker("../assets/plab/worker.1e84d0759c.js"));
  assert.ok(!isSearchWorker("search.js"));
  assert.ok(!isSearchWorker("../workers/search.js"));
});

test("the search worker starts on intent; what was posted before reaches it, and its answers come back", () => {
  const win = fakeWindow();
  holdSearch(win);
  const other = new win.Worker("../assets/plab/worker.1e84d0759c.js", { type: "module" });
  assert.equal(win.workers.length, 1, "any other worker starts at once");
  assert.ok(other instanceof win.Worker);
  const search = new win.Worker(SEARCH_WORKER); // Material's bundle
  const heard = [];
  search.addEventListener("message", (event) => heard.push(event.data));
  search.postMessage({ type: 0 });
  assert.equal(win.workers.length, 1, "not started before intent");
  win.document.fire("focusin", inside(INTENT));
  assert.equal(win.workers.length, 2);
  const real = win.workers[1];
  assert.equal(real.url, "https://example.org/assets/javascripts/workers/search.a7633da7.min.js");
  assert.deepEqual(real.posted, [{ type: 0 }]);
  search.postMessage({ type: 2, data: "lora" });
  assert.deepEqual(real.posted, [{ type: 0 }, { type: 2, data: "lora" }]);
  real.answer({ type: 1 });
  assert.deepEqual(heard, [{ type: 1 }]);
  search.terminate();
  assert.ok(real.terminated);
});

test("a held worker's failure to load reaches the listener, and a handled one is not reported", () => {
  const win = fakeWindow();
  const release = holdSearch(win);
  const search = new win.Worker(SEARCH_WORKER);
  const heard = [];
  search.addEventListener("error", (event) => {
    heard.push(event.type);
    event.preventDefault();
  });
  release();
  const failure = new Event("error", { cancelable: true });
  win.workers[0].dispatchEvent(failure);
  assert.deepEqual(heard, ["error"]);
  assert.ok(failure.defaultPrevented);
});

test("a relative address is resolved when the worker is made, not when it starts", () => {
  const win = fakeWindow();
  holdSearch(win);
  new win.Worker(SEARCH_WORKER);
  win.document.baseURI = "https://example.org/site/chapter/deeper/"; // instant navigation
  win.document.fire("focusin", inside(INTENT));
  assert.equal(win.workers[0].url, "https://example.org/assets/javascripts/workers/search.a7633da7.min.js");
});

test("on file:// nothing but the index is held: the worker's own failure must show", () => {
  const win = fakeWindow("", "loading", "file:");
  const before = win.Worker;
  holdSearch(win);
  assert.equal(win.Worker, before);
});

test("a subclass of Worker gets a real worker of its own class, held or not", () => {
  const win = fakeWindow();
  holdSearch(win);
  class Mine extends win.Worker {
    hello() {
      return "mine";
    }
  }
  const mine = new Mine(SEARCH_WORKER);
  assert.equal(mine.hello(), "mine");
  assert.equal(win.workers.length, 1, "not held: it is not Material's");
  assert.throws(() => win.Worker(SEARCH_WORKER), TypeError);
});

test("a worker terminated before intent never starts; one started after parsing is not held", () => {
  const win = fakeWindow();
  holdSearch(win);
  new win.Worker(SEARCH_WORKER).terminate();
  win.document.fire("DOMContentLoaded");
  new win.Worker(SEARCH_WORKER); // the native Worker again: starts at once
  assert.equal(win.workers.length, 1);
  win.document.fire("focusin", inside(INTENT));
  assert.equal(win.workers.length, 1, "the terminated stand-in stays unstarted");
});

test("a wrapper another script puts on Worker after ours stays", () => {
  const win = fakeWindow();
  holdSearch(win);
  const ours = win.Worker;
  const monitor = function Worker(...args) {
    return new ours(...args);
  };
  win.Worker = monitor;
  win.document.fire("DOMContentLoaded");
  assert.equal(win.Worker, monitor, "not replaced by the original");
});
