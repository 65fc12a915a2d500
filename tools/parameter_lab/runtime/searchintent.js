// Material's search, held until the reader shows they mean to search.
//
// Material requests its whole search index (every page's text: this site's is 343 KB, 71 KB
// gzipped, against 10 KB for a one-page site) as each first page loads, and starts its
// search worker (40 KB, 13 KB gzipped) beside it. On a slow phone those requests compete
// with the page's first paint (Lighthouse's LCP of future/: 2.36 s with the index, 1.77 s
// without, against 1.61 s for a plain page), and a reader who never searches pays for them.
// Here the index's XMLHttpRequest is opened as Material opens it, but sent only on intent:
// the search field focused, hovered or touched (the search keys focus it too), or an
// address that asks for search at once (Material's ?q= and a result's ?h=). The worker is a
// stand-in until then (heldWorkerFor), which starts the real one on the same intent; Material
// posts to it only once the index has arrived. Material shows "Initializing search" until
// the index arrives, as it does on any slow network.
//
// The patches of XMLHttpRequest and Worker live only while the page is parsed (Material's
// bundle is a script at the end of the body): they are undone at DOMContentLoaded, unless
// another script wrapped them after us (a monitoring tool, say), whose wrapper must stay:
// ours then only passes everything on. If a Material release stops fetching the index or
// starting its worker this way, nothing is held, and search loads as before.

// Where a reader's intent to search shows: the search form (field, reset), and the header's
// search button, a label for Material's search toggle.
const INTENT = 'form[name="search"], label[for="__search"]';
const INTENT_EVENTS = ["focusin", "pointerover", "pointerdown", "touchstart"];

const pathOf = (url) => {
  try {
    return new URL(url, "http://site.invalid/").pathname;
  } catch {
    return "";
  }
};

/** Whether ``url`` (as Material opens it, relative or not) is a search index. */
export const isSearchIndex = (url) => /(^|\/)search\/search_index\.json$/.test(pathOf(url));

/** Whether ``url`` is Material's search worker (assets/javascripts/workers/search.<hash>.min.js). */
export const isSearchWorker = (url) => /(^|\/)workers\/search\.[0-9a-f]+\.min\.js$/.test(pathOf(url));

/** Whether the page's query string asks for search at once: Material's shared search
 * (?q=) or the highlight of a search result (?h=). */
export function wantsSearchAtOnce(query) {
  const params = new URLSearchParams(query);
  return params.has("q") || params.has("h");
}

/** Hold Material's search in ``win`` (a window) until intent: the index's request, and its
 * worker. Returns release(), which sends the one and starts the other at once. Installed
 * once per window, and only while the page is parsed (Material's bundle has not run yet). */
export function holdSearch(win) {
  const proto = win.XMLHttpRequest?.prototype;
  const parsing = win.document?.readyState === "loading";
  if (!proto || !parsing || win.__plabSearchHeld || wantsSearchAtOnce(win.location?.search ?? "")) {
    return () => {};
  }
  win.__plabSearchHeld = true; // a site that adds the script twice holds search once
  const { open, send } = proto;
  const NativeWorker = win.Worker;
  const opened = new WeakSet();
  const waiting = []; // [request, arguments of send]
  const workers = []; // stand-ins (heldWorkerFor)
  let released = false;
  let parsed = false;
  const holding = () => !released && !parsed; // new requests and workers are held
  const release = () => {
    if (released) return;
    released = true;
    for (const event of INTENT_EVENTS) win.document.removeEventListener(event, onIntent, true);
    for (const [request, args] of waiting.splice(0)) send.apply(request, args);
    for (const worker of workers.splice(0)) worker.start();
  };
  function onIntent(event) {
    if (typeof event.target?.closest === "function" && event.target.closest(INTENT)) release();
  }
  const heldOpen = function (method, url, ...rest) {
    if (holding() && isSearchIndex(String(url))) opened.add(this);
    return open.call(this, method, url, ...rest);
  };
  const heldSend = function (...args) {
    if (released || !opened.has(this)) return send.apply(this, args);
    opened.delete(this);
    waiting.push([this, args]);
  };
  proto.open = heldOpen;
  proto.send = heldSend;
  // Not on file://, where the real constructor throws at once and Material then hides its
  // search: a stand-in would leave a search box that never answers.
  const holdWorkers = NativeWorker && win.location?.protocol !== "file:";
  const heldWorker = holdWorkers
    ? function Worker(url, options) {
        if (!new.target) return NativeWorker(url, options); // throws, as the native one does
        if (new.target !== heldWorker || !holding() || !isSearchWorker(String(url))) {
          return Reflect.construct(NativeWorker, [url, options], new.target); // a subclass too
        }
        // Resolved now, as the real constructor would: by the intent, instant navigation
        // may have moved the page, and a relative address with it.
        const worker = heldWorkerFor(win, NativeWorker, new URL(url, win.document.baseURI).href, options);
        workers.push(worker);
        return worker;
      }
    : null;
  if (heldWorker) {
    heldWorker.prototype = NativeWorker.prototype; // instanceof Worker holds for real ones
    win.Worker = heldWorker;
  }
  // Material's bundle has run by then (a classic script in the body).
  win.document.addEventListener(
    "DOMContentLoaded",
    () => {
      parsed = true;
      if (proto.open === heldOpen) proto.open = open;
      if (proto.send === heldSend) proto.send = send;
      if (heldWorker && win.Worker === heldWorker) win.Worker = NativeWorker;
    },
    { once: true },
  );
  for (const event of INTENT_EVENTS) win.document.addEventListener(event, onIntent, { capture: true, passive: true });
  return release;
}

// A worker not started yet, for Material, which talks to its search worker only through
// addEventListener("message") and postMessage: it queues what is posted and, once started,
// passes the real worker's events on (no on* handlers: Material sets none).
function heldWorkerFor(win, NativeWorker, url, options) {
  const held = new win.EventTarget();
  const posted = [];
  let real = null;
  let ended = false;
  const pass = (event) => {
    const copy = new event.constructor(event.type, event);
    held.dispatchEvent(copy);
    if (copy.defaultPrevented) event.preventDefault(); // handled: not reported as uncaught
  };
  return Object.assign(held, {
    start() {
      if (real || ended) return;
      real = new NativeWorker(url, options);
      for (const type of ["message", "messageerror", "error"]) real.addEventListener(type, pass);
      for (const args of posted.splice(0)) real.postMessage(...args);
    },
    postMessage(...args) {
      if (real) real.postMessage(...args);
      else if (!ended) posted.push(args);
    },
    terminate() {
      ended = true;
      posted.length = 0;
      real?.terminate();
    },
  });
}
