// Live Vega charts, loaded only when the reader asks for one (the 「グラフを操作する」 button,
// a click on the chart, or focus on its button). Until then the page shows the SVG drawn at
// build, and never parses Vega. Specs come from the build (Altair); the live chart follows
// Material's palette.
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

/** A site chart (<figure data-chart>): show it live (`on`) or as its static SVG. */
export async function showSiteChart(figure, on) {
  const live = figure.querySelector(".plab-chart-live");
  const button = figure.querySelector("[data-chart-live]");
  button?.setAttribute("aria-pressed", String(on));
  if (!on) {
    live.hidden = true;
    figure.classList.remove("plab-chart--live");
    return;
  }
  if (!drawn.has(live)) await draw(live, JSON.parse(figure.dataset.spec));
  live.hidden = false;
  figure.classList.add("plab-chart--live");
}

// Redraw live charts when the reader switches between light and dark.
new MutationObserver(() => {
  for (const [el, spec] of drawn) {
    if (el.isConnected) draw(el, spec);
    else drawn.delete(el);
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
