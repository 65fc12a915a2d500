// When the loader (loader.js) is fetched: once the page has loaded, or at the reader's first
// act on a block if that comes sooner (never before the page is parsed: the loader needs the
// whole article, and Material's document$). Linked as a module script, it was a request
// started before the text's first paint, competing with the page's own (Lighthouse counts
// every request started before the largest paint towards it); the live layer waits for the
// reader.
//
// What the reader does to a block before the loader listens is kept for it, so nothing is
// lost: a press on a block's button, a chart's toggle or image (pressed again once the loader
// listens, found by its block and place, so a page Material draws anew keeps it), and any
// other act inside a demo (focus, a key, a control changed: the loader mounts the widgets,
// which see the controls as they are). Acts on another page (an instant navigation came
// first) are dropped. A details opened early is found open by the loader, and a link to a
// demo's settings is in the address it reads.

const ACTS = ["click", "pointerdown", "focusin", "keydown", "input", "change"];
// What the loader acts on when pressed, inside a demo or a site chart.
const PRESSABLE = "button, [data-chart-live], img.plab-chart-svg";
const BLOCK = "[data-demo], [data-chart]";
// Acts that start the loader without being kept: a chart's table opened, a link to a demo's
// settings followed (the loader reads the address).
const STARTS = "details, a[href^='#']";

/** Ctrl+Enter (⌘+Enter) in a demo runs it: here before the loader listens, and in it after. */
export const isRunKey = (event) =>
  event.type === "keydown" && event.key === "Enter" && (event.ctrlKey || event.metaKey);

/** Start fetching the loader (`src`, relative to the page as parsed) once the page has
 * loaded, or at the first act on a block once the page is parsed; a demo whose Run is pressed
 * meanwhile says `preparing` at once, as the loader would. Returns the record of early acts,
 * which the loader takes with `takeEarlyActs`: from then on its own listeners hear all. */
export function startLoaderWhenNeeded(win, { src, preparing = "" }, importModule = (url) => import(url)) {
  const doc = win.document;
  // Resolved now: an instant navigation may move the page before the loader is fetched.
  const address = new URL(src, doc.baseURI);
  const early = { presses: [], acted: null, taken: false };
  let wanted = false;
  let started = false;
  let failures = 0;
  const start = () => {
    wanted = true;
    if (started || doc.readyState === "loading") return; // DOMContentLoaded starts it
    started = true;
    const url = new URL(address);
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
    const block = target.closest(BLOCK);
    const pressed =
      event.type === "click"
        ? block && target.closest(PRESSABLE)
        : isRunKey(event) && block?.querySelector("[data-demo-run]");
    const path = win.location.pathname;
    if (pressed) {
      keepPress(early, block, pressed, path);
      if (pressed.matches("[data-demo-run]")) showPreparing(block, preparing);
    } else if (block?.matches("[data-demo]")) early.acted = path;
    if (block || target.closest(STARTS)) start();
  };
  for (const type of ACTS) doc.addEventListener(type, onAct, true);
  early.stop = () => {
    early.taken = true;
    for (const type of ACTS) doc.removeEventListener(type, onAct, true);
  };
  win.plabEarlyActs = early;
  doc.addEventListener("DOMContentLoaded", () => wanted && start());
  if (doc.readyState === "complete") start();
  else win.addEventListener("load", start, { once: true });
  return early;
}

/** A Run heard before the demo's widget is live, here or in the loader: the block says
 * `preparing` at once (the pre-rendered output stays meanwhile). */
export function showPreparing(block, preparing) {
  block.dataset.status = "loading";
  const status = block.querySelector("[data-demo-status]");
  if (status && preparing) status.textContent = preparing;
}

// A press, by its block and its place among the block's pressables (the element itself may
// be drawn anew). Run pressed twice runs once; a toggle pressed twice is back where it was.
function keepPress(early, block, pressed, path) {
  const place = [...block.querySelectorAll(PRESSABLE)].indexOf(pressed);
  const press = { path, demo: block.dataset.demo ?? null, chart: block.id || null, place };
  const run = pressed.matches("[data-demo-run]");
  const same = (p) => p.path === path && p.demo === press.demo && p.chart === press.chart && p.place === place;
  if (run && early.presses.some(same)) return;
  early.presses.push(press);
}

/** The loader's side: what the reader did on this page before it listened (the elements to
 * press again, and whether a demo was acted on), and no more recording from then on. Call it
 * once the loader's own listeners are in place. */
export function takeEarlyActs(win) {
  const early = win.plabEarlyActs;
  if (!early || early.taken) return { presses: [], acted: false };
  early.stop();
  const path = win.location.pathname;
  const doc = win.document;
  const presses = early.presses
    .filter((p) => p.path === path)
    .map((p) => {
      const block = p.demo !== null
        ? [...doc.querySelectorAll("[data-demo]")].find((el) => el.dataset.demo === p.demo)
        : doc.getElementById(p.chart);
      return block?.querySelectorAll(PRESSABLE)[p.place];
    })
    .filter(Boolean);
  return { presses, acted: early.acted === path };
}
