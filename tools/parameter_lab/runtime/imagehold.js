// The build's static chart images wait until the page has loaded and drawn its first frame.
// Run from the head (the inlined loader start), before the body is parsed: as the parser
// adds each chart <img>, its src is set aside and an empty SVG of the same proportions
// stands in (the same box: nothing moves), before any layout could start its fetch. Once
// the page has loaded and a frame is drawn, each gets its src back and loads as the lazy
// image it is (at once when it is near the screen).
//
// Why: a lazy image near the top (a demo's chart a screen or two down) was requested at the
// page's first layout, before its first paint, and Lighthouse's simulation counted it
// against the largest paint: ~0.17 s of LCP on hyperparameters/, against none without it.
//
// Only a script that runs holds an image, and the same script lets it go: without scripts,
// or with this one blocked, the page is as built. Pages that Material's instant navigation
// draws come after the load: their images are not held.

const CHART = "img.plab-chart-svg";
const HELD_SRC = "data-plab-held"; // the attribute a held image's own URL waits in
const HELD = `img[${HELD_SRC}]`;

/** An empty SVG of `img`'s proportions (its width and height attributes), as a data URL. */
export function placeholder(img) {
  const box = `0 0 ${img.getAttribute("width")} ${img.getAttribute("height")}`;
  return `data:image/svg+xml,${encodeURIComponent(`<svg xmlns='http://www.w3.org/2000/svg' viewBox='${box}'/>`)}`;
}

/** Hold `img` (a chart image with a src and a size): its src waits in data-plab-held, as the
 * URL it names now (a lazy image resolves a relative src only when it loads, and by then
 * Material's instant navigation may have moved the page's address on). */
export function hold(img) {
  if (!img.getAttribute("src") || img.hasAttribute(HELD_SRC)) return;
  if (!img.getAttribute("width") || !img.getAttribute("height")) return;
  img.setAttribute(HELD_SRC, img.src);
  img.setAttribute("src", placeholder(img));
}

/** Give every held image under `root` its src back. */
export function releaseImages(root) {
  for (const img of root.querySelectorAll(HELD)) release(img);
}

function release(img) {
  img.setAttribute("src", img.getAttribute(HELD_SRC));
  img.removeAttribute(HELD_SRC);
}

/** The URL a held image will load, or null when `el` is not held. */
export function heldSrc(el) {
  return el.getAttribute?.(HELD_SRC) ?? null;
}

/** Forget `img`'s hold without loading its src: a run's image replaces it. */
export function dropHold(img) {
  img.removeAttribute(HELD_SRC);
}

/** Hold the chart images the parser adds from now until the document is parsed, and release
 * them once it has loaded and a frame has been drawn; before printing, at once. */
export function holdImagesUntilLoaded(win) {
  const doc = win.document;
  const holdAdded = (records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(CHART)) hold(node);
        else if (node.firstElementChild) node.querySelectorAll(CHART).forEach(hold);
      }
    }
  };
  const releaseAll = () => releaseImages(doc);
  // A frame's callback runs before that frame is drawn; a task queued from it runs after.
  const afterFrame = () => win.requestAnimationFrame(() => win.setTimeout(releaseAll));
  if (doc.readyState === "complete") afterFrame();
  else win.addEventListener("load", afterFrame, { once: true });
  win.addEventListener("beforeprint", releaseAll);
  // A placeholder the page may not show (a policy without data: images) lets its image go.
  doc.addEventListener("error", ({ target }) => {
    if (target?.matches?.(HELD)) release(target);
  }, true);
  // Held only once their release is in place.
  if (doc.readyState === "loading" && win.MutationObserver) {
    const parsing = new win.MutationObserver(holdAdded);
    parsing.observe(doc.documentElement, { childList: true, subtree: true });
    doc.addEventListener("DOMContentLoaded", () => {
      holdAdded(parsing.takeRecords());
      parsing.disconnect();
    }, { once: true });
  }
}
