// CodeMirror 6 with Python highlighting, loaded only when a reader starts editing.
// Tab indents; Escape then Tab leaves the editor (CodeMirror's own tab-focus escape).
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";
import { strings } from "./i18n.js";

const isDark = () => document.body.getAttribute("data-md-color-scheme") === "slate";

// CodeMirror's default (light) colours, with the three that fall short of 4.5:1 on the block's
// #f5f5f5 and on the active line's tint darkened, hues kept: #e40 (escapes, f-string parts)
// 3.5:1, #085 (type names) 4.1:1, #f00 (invalid) 3.7:1. One Dark passes on the darker
// background plab.css gives it.
const AA_LIGHT = { "#e40": "#b33600", "#085": "#06764a", "#f00": "#c40000" };
const lightHighlight = syntaxHighlighting(
  HighlightStyle.define(
    defaultHighlightStyle.specs.map((s) => (s.color in AA_LIGHT ? { ...s, color: AA_LIGHT[s.color] } : s)),
  ),
);
const palette = () => (isDark() ? oneDark : lightHighlight);

export function createEditor(parent, code, { onRun, onChange = () => {} }) {
  const theme = new Compartment();
  const runKey = Prec.highest(
    keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }]),
  );
  parent.replaceChildren();
  parent.removeAttribute("tabindex");
  parent.classList.add("plab-code--editing");
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        runKey,
        basicSetup,
        keymap.of([indentWithTab]),
        python(),
        theme.of(palette()),
        EditorView.updateListener.of((update) => update.docChanged && onChange()),
        EditorView.contentAttributes.of({ "aria-label": strings().editorLabel }),
      ],
    }),
  });
  // Follow Material's palette toggle.
  const watcher = new MutationObserver(() =>
    view.dispatch({ effects: theme.reconfigure(palette()) }),
  );
  watcher.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  return {
    getCode: () => view.state.doc.toString(),
    setCode: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
    destroy: () => {
      watcher.disconnect();
      view.destroy();
    },
  };
}
