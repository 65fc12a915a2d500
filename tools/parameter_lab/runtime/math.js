// Renders pymdownx.arithmatex (generic mode) output with self-hosted KaTeX.
import katex from "katex";

export function renderMath(root) {
  for (const el of root.querySelectorAll(".arithmatex")) {
    if (el.dataset.rendered) continue;
    const source = el.textContent.trim();
    // generic mode wraps inline math in \( \) and display math in \[ \]
    const tex = source.slice(2, -2);
    katex.render(tex, el, { displayMode: el.tagName === "DIV", throwOnError: false });
    el.dataset.rendered = "true";
  }
}
