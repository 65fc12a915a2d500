// Vega-Embed, loaded only on pages that draw a chart. Specs come from the build (Altair);
// the theme follows Material's palette.
import embed from "vega-embed";

const isDark = () => document.body.getAttribute("data-md-color-scheme") === "slate";

export async function draw(el, spec) {
  const result = await embed(el, spec, {
    actions: false,
    renderer: "svg",
    theme: isDark() ? "dark" : undefined,
    config: { background: "transparent" },
    tooltip: { theme: isDark() ? "dark" : "light" },
  });
  el.classList.add("plab-live");
  return result;
}

export async function drawPageCharts(root) {
  for (const figure of root.querySelectorAll("[data-chart]")) {
    if (figure.dataset.drawn) continue;
    figure.dataset.drawn = "true";
    const spec = JSON.parse(figure.dataset.spec);
    const target = figure.querySelector(".plab-chart-live");
    await draw(target, spec);
    figure.classList.add("plab-chart--live");
  }
}

// Redraw live charts when the reader switches between light and dark.
new MutationObserver(() => {
  for (const figure of document.querySelectorAll("[data-chart][data-drawn]")) {
    const spec = JSON.parse(figure.dataset.spec);
    draw(figure.querySelector(".plab-chart-live"), spec);
  }
}).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
