// Live Vega charts, loaded only when the reader asks for one (the 「グラフを操作する」 button,
// a click on the chart, or focus on its button). Until then the page shows the SVG drawn at
// build, and never parses Vega. Specs come from the build (Altair): a demo's in its block, a
// site chart's, with its data, in a hashed file fetched when it goes live. The live chart
// follows Material's palette.
import embed from "vega-embed";

const isDark = () => document.body.getAttribute("data-md-color-scheme") === "slate";
const drawn = new Map(); // live container -> its spec, redrawn when the palette changes

export async function draw(el, spec) {
  const result = await embed(el, spec, {
    actions: false,
    renderer: "svg",
    theme: isDark() ? "dark" : undefined,
    config: { background: "transparent" },
    tooltip: { theme: isDark() ? "dark" : "light" },
  });
  el.classList.add("plab-live");
  drawn.set(el, spec);
  return result;
}

const specs = new Map(); // spec URL -> its spec, fetched once
const drawing = new Map(); // live container -> its first draw, under way

function specOf(figure) {
  const url = new URL(figure.dataset.specUrl, document.baseURI).href;
  if (!specs.has(url)) {
    const spec = fetch(url).then((response) => {
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      return response.json();
    });
    spec.catch(() => specs.delete(url)); // the next press asks again
    specs.set(url, spec);
  }
  return specs.get(url);
}

/** A site chart (<figure data-chart>): show it live (`on`) or as its static SVG. Throws
 * when the live chart cannot be drawn: the loader says so in the figure and unpresses its
 * button; the static chart stays. */
export async function showSiteChart(figure, on) {
  const live = figure.querySelector(".plab-chart-live");
  const button = figure.querySelector("[data-chart-live]");
  button?.setAttribute("aria-pressed", String(on));
  if (!on) {
    live.hidden = true;
    figure.classList.remove("plab-chart--live");
    return;
  }
  if (!drawn.has(live)) {
    if (!drawing.has(live)) {
      const draws = specOf(figure).then((spec) => draw(live, spec));
      draws.finally(() => drawing.delete(live)).catch(() => {});
      drawing.set(live, draws);
    }
    await drawing.get(live);
  }
  if (button && button.getAttribute("aria-pressed") !== "true") return; // pressed off meanwhile
  live.hidden = false;
  figure.classList.add("plab-chart--live");
  // The reader uses live charts: the page's other specs (a few KB each) are fetched too, so
  // the site's service worker keeps them for offline reading as it keeps what passes.
  for (const other of document.querySelectorAll("[data-spec-url]")) specOf(other).catch(() => {});
}

// Redraw live charts when the reader switches between light and dark.
new MutationObserver(() => {
  for (const [el, spec] of drawn) {
    if (el.isConnected) draw(el, spec);
    else drawn.delete(el);
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
