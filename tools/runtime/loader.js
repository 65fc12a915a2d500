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

// A Run clicked before the widgets module has arrived is remembered, not lost.
const earlyRuns = new Set();
let widgetsReady = false;
document.addEventListener(
  "click",
  (event) => {
    const button = event.target.closest?.("[data-demo-run]");
    if (button && !widgetsReady) earlyRuns.add(button.closest("[data-demo]")?.dataset.demo);
  },
  true,
);

async function onPage() {
  widgetsReady = false;
  const article = document.querySelector("article") ?? document.body;
  const tasks = [];
  if (article.querySelector(".arithmatex")) {
    addStylesheet("katex_css");
    tasks.push(load("math").then((m) => m.renderMath(article)));
  }
  if (article.querySelector("[data-demo]")) {
    tasks.push(
      load("widgets").then((m) => {
        m.mountBlocks(article, runtimeUrls(), [...earlyRuns]);
        widgetsReady = true;
        earlyRuns.clear();
      }),
    );
  }
  if (article.querySelector("[data-chart]")) {
    tasks.push(load("charts").then((m) => m.drawPageCharts(article)));
  }
  await Promise.all(tasks);
}

// Material exposes document$, which emits on first load and after each instant navigation.
if (window.document$) window.document$.subscribe(() => void onPage());
else onPage();
