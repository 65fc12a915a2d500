// Live Vega charts, loaded only when the reader asks for one (the 「グラフを操作する」 button,
// a click on the chart, or focus on its button). Until then the page shows the SVG drawn at
// build, and never parses Vega. Specs come from the build (Altair): a demo's in its block, a
// site chart's, with its data, in a hashed file fetched when it goes live. The live chart
// follows Material's palette.
import embed from "vega-embed";
import { strings } from "./i18n.js";

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
  figure.querySelector(".plab-chart-failed")?.remove();
  try {
    if (!drawn.has(live)) await draw(live, await fetchSpec(figure.dataset.specUrl));
  } catch (err) {
    // The static chart stays; the reader is told why nothing moved, and may press again.
    button?.setAttribute("aria-pressed", "false");
    const note = document.createElement("p");
    note.className = "plab-failure plab-chart-failed";
    note.setAttribute("role", "status");
    note.textContent = `${strings().chartFailed}: ${err.message ?? err}`;
    button?.after(note);
    return;
  }
  live.hidden = false;
  figure.classList.add("plab-chart--live");
}

async function fetchSpec(url) {
  const response = await fetch(new URL(url, document.baseURI));
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// Redraw live charts when the reader switches between light and dark.
new MutationObserver(() => {
  for (const [el, spec] of drawn) {
    if (el.isConnected) draw(el, spec);
    else drawn.delete(el);
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
