// The one script file every page loads (a few KB), once the page has loaded or at the
// reader's first act on a block (loaderintent.js, inlined in the head). It costs nothing
// until they act: Python, the widgets, the editor and Vega load only on intent, never
// because a block scrolled into view or a pointer crossed it. Intent is a click, a tap, a
// key press or focus inside a block, a change to a control, or a link to a demo's settings
// (or the reader's own edit kept from an earlier visit, which mounts the widgets). With
// Save-Data, Python loads only on Run. After the load event it registers the service worker
// that keeps opened pages readable offline (one small script).
//
// It alone knows the content-hashed file names (the build puts the manifest in it), and
// it is evaluated once per tab: document$ tells it about each page navigation.instant shows.
import manifest from "plab-manifest";
import { cacheNames } from "./sitecache.js";
import { heldSrc } from "./imagehold.js";
import { anyKept } from "./kept.js";
import { isRunKey, showPreparing, takeEarlyActs } from "./loaderintent.js";

const base = new URL(".", import.meta.url); // <site>/assets/plab/
const caching = cacheNames(new URL("../../", base).pathname, manifest.pyodide.replace(/\/$/, ""));
const url = (name) => new URL(manifest[name], base).href;
const modules = new Map();
const saveData = () => navigator.connection?.saveData === true;
// The site's words for every module of the runtime (see i18n.js).
globalThis.plabStrings = manifest.strings;
const PREPARING = manifest.strings.preparing;
const UNAVAILABLE = manifest.strings.unavailable;

let failures = 0;
function load(name) {
  // After a failed load, a new URL: a browser may remember the failure of the old one.
  if (!modules.has(name)) modules.set(name, import(failures ? `${url(name)}?retry=${failures}` : url(name)));
  return modules.get(name);
}

const config = () => ({
  editor: url("editor"),
  charts: url("charts"),
  chartsvg: url("chartsvg"),
  runtime: {
    worker: url("worker"),
    indexURL: url("pyodide"),
    lockURL: url("lock"),
    package: manifest.package,
    runner: manifest.runner,
    wheel: manifest.wheel,
    // Keyed by the site (several share an origin) and the Pyodide core: its files are
    // content-hashed, so a new site version keeps them; a new core drops the site's old
    // cache (the worker deletes it).
    cacheName: caching.name,
    cachePrefix: caching.prefix,
    scope: base.href, // this site's runtime files: what clean-up may touch
    immutablePrefixes: [base.href, manifest.cdn],
  },
});

let article = null;
let articlePath = null; // the page `article` belongs to
let requests = []; // what the reader asked of blocks before the widgets module arrived
let widgets = null; // the widgets module, once loaded

/** Load the widgets module (once) and mount the current page's blocks. */
async function mount({ python = false } = {}) {
  const page = article;
  let module;
  try {
    module = await load("widgets");
  } catch (err) {
    // Offline, or blocked: the page stays as built; a later act tries again.
    modules.delete("widgets");
    failures += 1;
    for (const { id } of requests.splice(0)) {
      const block = page.querySelector(`[data-demo="${id}"]`);
      if (block) block.dataset.status = "error";
      const status = block?.querySelector("[data-demo-status]");
      if (status) status.textContent = UNAVAILABLE;
    }
    console.warn(`parameter-lab: the demo widgets could not be loaded (${err?.message ?? err})`);
    return null;
  }
  if (page !== article || !page?.isConnected) return null; // the reader navigated on meanwhile
  widgets = module;
  widgets.mountBlocks(page, config(), requests.splice(0));
  if (python && !saveData()) widgets.prefetch();
  return widgets;
}

const blockOf = (target) => target.closest?.("[data-demo]");
const unmounted = (block) => block && !block.dataset.mounted && article?.contains(block);

// Run pressed before the block's widget is live: show progress at once (the pre-rendered
// output stays), remember the request, and let the widget carry it out when it arrives.
function earlyRun(block) {
  requests.push({ id: block.dataset.demo, action: "run" });
  showPreparing(block, PREPARING);
  mount();
}

// A live chart that could not be drawn (its module or spec did not load): the static chart
// stays, the reader is told why nothing moved, and the next press tries again.
function showChartFailure(figure, err) {
  figure.querySelector(".plab-chart-failed")?.remove();
  const note = document.createElement("p");
  note.className = "plab-failure plab-chart-failed";
  note.setAttribute("role", "alert");
  note.textContent = `${manifest.strings.chartFailed}: ${err?.message ?? err}`;
  const toggle = figure.querySelector("[data-chart-live]");
  toggle?.setAttribute("aria-pressed", "false");
  toggle?.after(note);
}

document.addEventListener(
  "click",
  (event) => {
    const link = event.target.closest?.("a[href^='#']");
    if (link && applyLink(link.getAttribute("href"))) {
      event.preventDefault();
      return;
    }
    const toggle = event.target.closest?.("[data-chart-live]");
    const chart = event.target.closest?.("[data-chart]");
    if (chart && (toggle || event.target.matches?.("img.plab-chart-svg"))) {
      const on = toggle ? toggle.getAttribute("aria-pressed") !== "true" : true;
      chart.querySelector(".plab-chart-failed")?.remove();
      load("charts")
        .then((m) => m.showSiteChart(chart, on))
        .catch((err) => showChartFailure(chart, err));
      return;
    }
    const block = blockOf(event.target);
    if (!unmounted(block)) return; // a live widget handles its own clicks
    if (event.target.closest("[data-demo-run]")) earlyRun(block);
    else {
      const view = toggle?.closest("[data-view]")?.dataset.view;
      if (view) requests.push({ id: block.dataset.demo, action: "live", view });
      mount({ python: true }); // a click or a tap inside a block
    }
  },
  true,
);

document.addEventListener(
  "keydown",
  (event) => {
    const block = blockOf(event.target);
    if (!unmounted(block)) return;
    if (isRunKey(event)) earlyRun(block);
    else mount({ python: true });
  },
  true,
);

// A mouse button pressed in a block is intent a little before its click. A finger put down
// is not: it may be the start of a scroll (a tap arrives as a click).
document.addEventListener(
  "pointerdown",
  (event) => {
    if (event.pointerType === "mouse") intent(event.target);
  },
  true,
);
document.addEventListener("focusin", (event) => intent(event.target), true);

function intent(target) {
  if (target.closest?.("[data-chart-live]")) load("charts"); // about to go live
  const block = blockOf(target);
  if (unmounted(block)) mount({ python: true });
  else if (block && widgets && !saveData()) widgets.prefetch();
}

// A control changed before the widgets arrived: the widget sees it at mount and runs.
for (const type of ["input", "change"]) {
  document.addEventListener(type, (event) => unmounted(blockOf(event.target)) && mount(), true);
}

// What a reader has not opened (a chart's data table) waits in its <details> as <noscript>:
// one text node where scripts run, the table itself where they do not. Opening makes it DOM.
// Its markup is the build's own, already escaped (parameter_lab/templates/chart.html).
function expandUnopened(details) {
  for (const unopened of details.querySelectorAll(":scope > noscript[data-unopened]")) {
    const markup = document.createElement("template");
    markup.innerHTML = unopened.innerHTML;
    unopened.replaceWith(markup.content);
  }
}
// toggle does not bubble: listen in the capture phase.
document.addEventListener("toggle", (event) => event.target.open && expandUnopened(event.target), true);

// A link to a demo's settings on this page ("#id:name=value", e.g. a scenario link).
const FRAGMENT = /^#([a-z][a-z0-9-]*):/;
const demoNamedBy = (hash) => {
  const id = FRAGMENT.exec(hash)?.[1];
  return id ? article?.querySelector(`[data-kind="demo"][data-demo="${id}"]`) : null;
};
function applyLink(hash, push = true) {
  const block = demoNamedBy(hash);
  if (!block) return false;
  if (push) history.pushState(history.state, "", hash);
  if (widgets && block.dataset.mounted) widgets.applyFragment(hash);
  else mount(); // mounting applies the URL's fragment
  return true;
}
addEventListener("hashchange", () => applyLink(location.hash, false)); // typed, or Back

// A block the reader edited on an earlier visit: the widgets module shows the edit.
function anyKeptEdit() {
  let storage = null;
  try {
    storage = localStorage; // reading the property may throw where storage is forbidden
  } catch {
    return false;
  }
  const ids = [...article.querySelectorAll("[data-demo]")].map((el) => el.dataset.demo);
  return ids.length > 0 && anyKept(storage, location.pathname, ids);
}

// The math font (60 KB) is fetched once the page has loaded and a formula is within a screen
// of being seen, and each formula is given it (plab-math--font) only as it comes that near:
// no font request stands before the text's first paint, a reader who never nears a formula
// spends nothing on it, and the font's arrival lays out again only the formulas near the
// screen, not every formula of the page (fetched at load, its arrival was most of
// Lighthouse's blocking time on transformers/ and scale/). A screen ahead, the font has a
// screen's reading time to arrive, and a formula changes its look out of sight. Until then
// the system's math font draws it (swap). document.fonts outlives instant navigation.
const MATH_FONT = "plab-math--font";
let mathFont = null;
let mathWatch = null;
const formulasWithoutFont = () => document.querySelectorAll(`.plab-math:not(.${MATH_FONT})`);
function watchMath() {
  mathWatch?.disconnect();
  const formulas = formulasWithoutFont();
  if (!formulas.length) return;
  mathWatch = new IntersectionObserver(
    (entries) => {
      const near = entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target);
      for (const formula of near) mathWatch.unobserve(formula);
      giveMathFont(near);
    },
    { rootMargin: "100% 0px" },
  );
  for (const formula of formulas) mathWatch.observe(formula);
}
function giveMathFont(formulas) {
  if (!formulas.length) return;
  if (!mathFont) addMathFont();
  for (const formula of formulas) formula.classList.add(MATH_FONT);
}
function addMathFont() {
  const face = new FontFace("PLab Math", `url(${url("font")})`, { display: "swap" });
  mathFont = face;
  document.fonts.add(face);
  face.load().catch(() => {
    document.fonts.delete(face); // offline, say: the next page tries again
    mathFont = null;
  });
}
// Print shows every formula: all of them are given the font first.
addEventListener("beforeprint", () => {
  mathWatch?.disconnect();
  giveMathFont([...formulasWithoutFont()]);
});
const whenLoaded = (fn) =>
  document.readyState === "complete" ? fn() : addEventListener("load", fn, { once: true });

function onPage() {
  whenLoaded(watchMath);
  const samePage = articlePath === location.pathname;
  article = document.querySelector("article") ?? document.body;
  articlePath = location.pathname;
  // Material may draw the same page again (its instant navigation fetches the page anew for
  // some fragments, such as one with a malformed escape): what the reader asked of its blocks
  // before the widgets arrived still stands. On another page it is dropped.
  requests = samePage ? requests.filter(({ id }) => blockNamed(id)) : [];
  for (const { id, action } of requests) if (action === "run") showPreparing(blockNamed(id), PREPARING);
  for (const details of article.querySelectorAll("details[open]")) expandUnopened(details); // opened before this ran
  // The widgets module is already here (this tab used it): mounting costs nothing more, and
  // it disposes the previous page's widgets, which cancels their runs.
  if (widgets || requests.length || demoNamedBy(location.hash) || anyKeptEdit()) mount();
}

const blockNamed = (id) => article.querySelector(`[data-demo="${CSS.escape(id)}"]`);

// Offline reading: the site's service worker (sw.js), registered once the page has loaded,
// so the only bytes it adds before intent are its own small script. Its deploy is in the
// query (this loader's hashed name), so a new deploy replaces it, and so is where the
// runtime's hashed files live (served from its copies first). It is told what this page
// loaded before it controlled the page, so the page is readable offline too.
const root = new URL("../../", base);
function offline() {
  const sw = navigator.serviceWorker;
  if (!sw) return;
  const version = new URL(import.meta.url).pathname.split("/").at(-1);
  const query = new URLSearchParams({ v: version, assets: base.href.slice(root.href.length) });
  sw.register(new URL(`${manifest.service_worker}?${query}`, root), { scope: root.pathname })
    .then(() => sw.ready)
    .then((registration) => {
      // What the page loaded, its images (the static charts: small SVGs, loaded lazily,
      // and maybe still held: heldSrc) and its icon (the browser's own request, not in the
      // page's resource timing).
      const urls = performance.getEntriesByType("resource").map((entry) => entry.name);
      const images = [...document.images, ...document.querySelectorAll("link[rel~='icon']")]
        .map((el) => heldSrc(el) ?? el.src ?? el.href);
      if (mathFont) images.push(url("font")); // it may still be on its way
      registration.active?.postMessage({ type: "keep", urls: [location.href.split("#")[0], ...urls, ...images] });
    })
    .catch(() => {}); // not allowed here (a private mode, a policy): reading needs no worker
}
whenLoaded(offline);

// Material exposes document$, which emits on first load and after each instant navigation.
if (window.document$) window.document$.subscribe(() => onPage());
else onPage();

// What the reader did before this listened: the same clicks again, now heard, and an act
// inside a demo, which mounts its widgets (they see the controls as they are).
const early = takeEarlyActs(window);
for (const pressed of early.presses) pressed.click();
if (early.acted) mount({ python: true });
