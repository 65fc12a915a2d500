// Material's search index, held until the reader shows they mean to search.
//
// Material requests its whole search index (every page's text: this site's is 343 KB, 71 KB
// gzipped, against 10 KB for a one-page site) as each first page loads. On a slow phone that
// request competes with the page's first paint (Lighthouse's LCP of future/: 2.36 s with it,
// 1.77 s without, against 1.61 s for a plain page), and a reader who never searches pays for
// it. Here its XMLHttpRequest is opened as Material opens it, but sent only on intent: the
// search field focused, hovered or touched (the search keys focus it too), or an address that
// asks for search at once (Material's ?q= and a result's ?h=). Material shows "Initializing
// search" until the index arrives, as it does on any slow network.
//
// The patch of XMLHttpRequest lives only while the page is parsed (Material's bundle is a
// script at the end of the body): it is undone at DOMContentLoaded, unless another script
// wrapped XMLHttpRequest after it (a monitoring tool, say), whose wrapper must stay: ours
// then only passes every request on. If a Material release stops fetching the index this
// way, nothing is held, and the index loads as before.

// Where a reader's intent to search shows: the search form (field, reset), and the header's
// search button, a label for Material's search toggle.
const INTENT = 'form[name="search"], label[for="__search"]';
const INTENT_EVENTS = ["focusin", "pointerover", "pointerdown", "touchstart"];

/** Whether ``url`` (as Material opens it, relative or not) is a search index. */
export function isSearchIndex(url) {
  try {
    return /(^|\/)search\/search_index\.json$/.test(new URL(url, "http://site.invalid/").pathname);
  } catch {
    return false;
  }
}

/** Whether the page's query string asks for search at once: Material's shared search
 * (?q=) or the highlight of a search result (?h=). */
export function wantsSearchAtOnce(query) {
  const params = new URLSearchParams(query);
  return params.has("q") || params.has("h");
}

/** Hold the search index's request in ``win`` (a window) until intent; returns release(),
 * which sends it at once. Installed once per window, and only while the page is parsed
 * (Material's bundle has not run yet). */
export function holdSearchIndex(win) {
  const proto = win.XMLHttpRequest?.prototype;
  const parsing = win.document?.readyState === "loading";
  if (!proto || !parsing || win.__plabSearchHeld || wantsSearchAtOnce(win.location?.search ?? "")) {
    return () => {};
  }
  win.__plabSearchHeld = true; // a site that adds the script twice holds the index once
  const { open, send } = proto;
  const opened = new WeakSet();
  const waiting = []; // [request, arguments of send]
  let released = false;
  let parsed = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const event of INTENT_EVENTS) win.document.removeEventListener(event, onIntent, true);
    for (const [request, args] of waiting.splice(0)) send.apply(request, args);
  };
  function onIntent(event) {
    if (typeof event.target?.closest === "function" && event.target.closest(INTENT)) release();
  }
  const heldOpen = function (method, url, ...rest) {
    if (!released && !parsed && isSearchIndex(String(url))) opened.add(this);
    return open.call(this, method, url, ...rest);
  };
  const heldSend = function (...args) {
    if (released || !opened.has(this)) return send.apply(this, args);
    opened.delete(this);
    waiting.push([this, args]);
  };
  proto.open = heldOpen;
  proto.send = heldSend;
  // Material's bundle has run by then (a classic script in the body).
  win.document.addEventListener(
    "DOMContentLoaded",
    () => {
      parsed = true;
      if (proto.open === heldOpen) proto.open = open;
      if (proto.send === heldSend) proto.send = send;
    },
    { once: true },
  );
  for (const event of INTENT_EVENTS) win.document.addEventListener(event, onIntent, { capture: true, passive: true });
  return release;
}
