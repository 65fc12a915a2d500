// The only script every page loads (a few KB). On each page Material shows, including
// after navigation.instant swaps the content, it looks for what the page needs and
// imports that module lazily: math, demo widgets, charts. Plain pages cost nothing more.
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

async function onPage() {
  const article = document.querySelector("article") ?? document.body;
  if (article.querySelector(".arithmatex")) {
    addStylesheet("katex_css");
    (await load("math")).renderMath(article);
  }
}

// Material exposes document$, an observable that emits on first load and after each
// instant navigation. Without it (theme changed), run once.
if (window.document$) window.document$.subscribe(() => void onPage());
else onPage();
