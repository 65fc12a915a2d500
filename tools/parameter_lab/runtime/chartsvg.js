// A worker that draws a Vega-Lite spec as an SVG string, off the main thread: a demo's
// chart after a run is a static image, like the one drawn at build, so the page never
// parses Vega unless the reader asks for a live chart.
//   in: {id, spec}   out: {id, svg} | {id, error}
import * as vega from "vega";
import { compile } from "vega-lite";

// Without a DOM, Vega estimates text widths; measure them with an OffscreenCanvas instead,
// so labels and legends are laid out as in the page.
const context = typeof OffscreenCanvas === "undefined" ? null : new OffscreenCanvas(1, 1).getContext("2d");
if (context) {
  vega.textMetrics.width = (item, text) => {
    const value = text == null ? "" : String(text).trim();
    if (!value || vega.fontSize(item) <= 0) return 0;
    context.font = vega.font(item);
    return context.measureText(value).width;
  };
}

self.onmessage = async ({ data: { id, spec } }) => {
  let view = null;
  try {
    view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
    self.postMessage({ id, svg: await view.toSVG() });
  } catch (err) {
    self.postMessage({ id, error: String(err?.message ?? err) });
  } finally {
    view?.finalize();
  }
};
