// The build's static chart images wait until the page has loaded and drawn its first frame.
// Each <img> sits in a <picture> whose first <source> (media "(scripting: enabled)") is a
// placeholder of the same proportions, written in the page: with scripts, the browser shows
// that and fetches nothing; without them, or in a browser that does not know the media
// feature, the <img>'s own src loads as any lazy image does. Once the text is on screen the
// placeholder goes, and the image loads as a lazy image would (at once when it is near).
//
// Why: a lazy image near the top (a demo's chart a screen or two down) was requested at the
// page's first layout, before its first paint, and Lighthouse's simulation counted it
// against the largest paint: ~0.17 s of LCP on hyperparameters/, against none without it.
//
// Inlined into each page (loaderstart.js), so no chart waits for a module to arrive; pages
// Material's instant navigation draws are released as its document$ announces them.

/** A held image's placeholder <source>. */
export const HELD = "source[data-plab-hold]";

/** Let every held image under `root` load. */
export function releaseImages(root) {
  for (const source of root.querySelectorAll(HELD)) source.remove();
}

/** Release the page's held images once it has loaded and a frame has been drawn, and those
 * of each page drawn after it; and before printing, which shows every image. */
export function releaseImagesAfterLoad(win) {
  const release = () => releaseImages(win.document);
  // A frame's callback runs before that frame is drawn; a task queued from it runs after.
  const afterFrame = () => win.requestAnimationFrame(() => win.setTimeout(release));
  const loaded = () => {
    afterFrame();
    win.document$?.subscribe?.(afterFrame);
  };
  if (win.document.readyState === "complete") loaded();
  else win.addEventListener("load", loaded, { once: true });
  win.addEventListener("beforeprint", release);
}
