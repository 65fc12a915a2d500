// When the loader (loader.js) is fetched: once the page has loaded, or at the reader's first
// act on a block if that comes sooner. Linked as a module script, it was a request started
// before the text's first paint, competing with the page's own (Lighthouse counts every
// request started before the largest paint towards it); the live layer waits for the reader.
//
// What the reader does to a block before the loader has arrived is kept for it, so nothing
// is lost: a press on a button or a chart (replayed as the same click once the loader
// listens), and any other act inside a demo (focus, a key, a control changed: the loader
// mounts the widgets, which see the controls as they are). A details opened early is found
// open by the loader, and a link to a demo's settings is in the address it reads.

const ACTS = ["click", "pointerdown", "focusin", "keydown", "input", "change"];
// Clicks the loader acts on: Run and a demo's other buttons, a chart's live toggle and image.
const REPLAYED = "[data-demo] button, [data-chart-live], img.plab-chart-svg";

// Ctrl+Enter (⌘+Enter) in a demo runs it, as the loader reads it.
const isRunKey = (event) => event.type === "keydown" && event.key === "Enter" && (event.ctrlKey || event.metaKey);

/** Start fetching the loader (`src`, resolved against the page) at the load event or at the
 * first act on a block. Returns the early acts' record, which the loader takes with
 * `takeEarlyActs`: from then on its own listeners see everything. */
export function startLoaderWhenNeeded(win, src, importModule = (url) => import(url)) {
  const doc = win.document;
  const early = { clicks: [], acted: false, taken: false };
  let started = false;
  let failures = 0;
  const start = () => {
    if (started) return;
    started = true;
    win.removeEventListener("load", start);
    const url = new URL(src, doc.baseURI);
    if (failures) url.searchParams.set("retry", failures); // a browser remembers a failed import
    importModule(url.href).catch((err) => {
      // Offline, or blocked: the page stays as built, readable, and the next act tries again.
      started = false;
      failures += 1;
      win.console?.warn(`parameter-lab: the loader could not be loaded (${err?.message ?? err})`);
    });
  };
  const onAct = (event) => {
    if (early.taken) return;
    // A finger put down may be the start of a scroll, as the loader reads it: a tap is a click.
    if (event.type === "pointerdown" && event.pointerType !== "mouse") return;
    const target = event.target;
    if (typeof target?.closest !== "function") return;
    const demo = target.closest("[data-demo]");
    const pressed =
      event.type === "click"
        ? target.closest(REPLAYED)
        : isRunKey(event) && demo?.querySelector("[data-demo-run]");
    if (pressed && !early.clicks.includes(pressed)) early.clicks.push(pressed);
    if (demo && !pressed) early.acted = true;
    if (pressed || demo || target.closest("[data-chart], details")) start();
  };
  for (const type of ACTS) doc.addEventListener(type, onAct, true);
  early.stop = () => {
    early.taken = true;
    for (const type of ACTS) doc.removeEventListener(type, onAct, true);
  };
  win.plabEarlyActs = early;
  if (doc.readyState === "complete") start();
  else win.addEventListener("load", start);
  return early;
}

/** The loader's side: what the reader did before it listened, and no more recording. Call
 * it once the loader's own listeners are in place. */
export function takeEarlyActs(win) {
  const early = win.plabEarlyActs;
  if (!early || early.taken) return { clicks: [], acted: false };
  early.stop();
  return { clicks: early.clicks.filter((el) => el.isConnected), acted: early.acted };
}
