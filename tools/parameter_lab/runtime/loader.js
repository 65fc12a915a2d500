// The only script every page loads (a few KB). On each page Material shows, including
// after navigation.instant swaps the content, it looks for what the page needs and
// imports that module lazily: math, demo widgets, charts. Plain pages cost nothing more.
// It alone knows the content-hashed file names (the build inlines the manifest here).
import manifest from "plab-manifest";

const base = new URL(".", import.meta.url);
const url = (name) => new URL(manifest[name], base).href;
const modules = new Map();

function load(name) {
  if (!modules.has(name)) modules.set(name, import(url(name)));
  return modules.get(name);
}

function addStylesheet(name) {
  const href = url(name);
  if (document.querySelector(`link[href="${href}"]`)) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  document.head.append(link);
}

function runtimeUrls() {
  return {
    worker: url("worker"),
    indexURL: url("pyodide"),
    lockURL: url("lock"),
    editor: url("editor"),
    charts: url("charts"),
    // One cache per runtime build; older ones are deleted by the worker.
    cacheName: `plab-${manifest.loader}`,
    immutablePrefixes: [base.href, manifest.cdn],
  };
}

// A Run clicked before its block's widget is live is remembered, not lost. Once a block is
// mounted its own listener handles the click, so nothing is ever run twice.
const earlyRuns = new Set();
document.addEventListener(
  "click",
  (event) => {
    const block = event.target.closest?.("[data-demo-run]")?.closest("[data-demo]");
    if (block && !block.dataset.mounted) earlyRuns.add(block.dataset.demo);
  },
  true,
);

async function mountWidgets(article) {
  const widgets = await load("widgets");
  if (!article.isConnected) return; // the reader navigated on meanwhile
  widgets.mountBlocks(article, runtimeUrls(), [...earlyRuns]);
  earlyRuns.clear();
}

// The widgets module is fetched only when a block nears the viewport, the reader touches
// one, or the URL names one: a chapter read from the top costs no demo code until then.
function whenWanted(blocks) {
  return new Promise((resolve) => {
    const ids = new Set(blocks.map((b) => b.dataset.demo));
    if (ids.has(decodeURIComponent(location.hash).slice(1).split(":")[0])) return resolve();
    const stop = new AbortController();
    const done = () => {
      stop.abort();
      observer.disconnect();
      resolve();
    };
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) done();
    }, { rootMargin: "200px 0px" });
    for (const block of blocks) {
      observer.observe(block);
      for (const type of ["pointerdown", "focusin", "keydown"]) {
        block.addEventListener(type, done, { signal: stop.signal });
      }
    }
  });
}

async function onPage() {
  const article = document.querySelector("article") ?? document.body;
  const tasks = [];
  if (article.querySelector(".arithmatex")) {
    addStylesheet("katex_css");
    tasks.push(load("math").then((m) => m.renderMath(article)));
  }
  const blocks = [...article.querySelectorAll("[data-demo]")];
  if (blocks.length) tasks.push(whenWanted(blocks).then(() => mountWidgets(article)));
  if (article.querySelector("[data-chart]")) {
    tasks.push(load("charts").then((m) => m.drawPageCharts(article)));
  }
  await Promise.all(tasks);
}

// Material exposes document$, which emits on first load and after each instant navigation.
if (window.document$) window.document$.subscribe(() => void onPage());
else onPage();
