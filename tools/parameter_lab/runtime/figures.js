// Figures in the page's text bound to a demo block ({{ block: key.path | format }} at build).
// After each successful run of a block, its figures show the run's values. The runner
// formats them in Python (one formatter for the build and the browser); this module only
// asks for them and writes the text it gets back.
//
// A span: <span class="plab-figure" data-bind="BLOCK.KEY.PATH" data-format="FMT">text</span>

/** The [key path, format] pairs bound to `blockId`, in page order, and their elements. */
export function figuresOf(root, blockId) {
  const prefix = `${blockId}.`;
  const spans = [...root.querySelectorAll("[data-bind]")].filter((el) =>
    el.dataset.bind.startsWith(prefix),
  );
  return {
    spans,
    requests: spans.map((el) => [el.dataset.bind.slice(prefix.length), el.dataset.format]),
  };
}

/**
 * Write a run's figure texts into their spans. A text of null (the reader's code changed the
 * result's shape) leaves the span as it is. `data-changed` marks a figure that differs from
 * what the page says by default, so CSS can mark it subtly.
 */
export function showFigures(spans, texts) {
  spans.forEach((el, i) => {
    const text = texts?.[i];
    if (typeof text !== "string") return;
    el.dataset.default ??= el.textContent;
    el.textContent = text;
    if (text === el.dataset.default) delete el.dataset.changed;
    else el.dataset.changed = "true";
  });
}

/** Put every figure of `spans` back to the page's default text (Reset). */
export function resetFigures(spans) {
  for (const el of spans) {
    if (el.dataset.default === undefined) continue;
    el.textContent = el.dataset.default;
    delete el.dataset.changed;
  }
}
