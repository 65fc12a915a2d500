// CodeMirror 6 with Python highlighting, loaded only when a reader starts editing.
// Tab indents; Escape then Tab leaves the editor (CodeMirror's own tab-focus escape).
import { basicSetup } from "codemirror";
import { EditorView, keymap } from "@codemirror/view";
import { Compartment, EditorState, Prec } from "@codemirror/state";
import { indentWithTab } from "@codemirror/commands";
import { python } from "@codemirror/lang-python";
import { oneDark } from "@codemirror/theme-one-dark";

const isDark = () => document.body.getAttribute("data-md-color-scheme") === "slate";

export function createEditor(parent, code, { onRun }) {
  const theme = new Compartment();
  const runKey = Prec.highest(
    keymap.of([{ key: "Mod-Enter", run: () => (onRun(), true) }]),
  );
  parent.replaceChildren();
  parent.removeAttribute("tabindex");
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        runKey,
        basicSetup,
        keymap.of([indentWithTab]),
        python(),
        theme.of(isDark() ? oneDark : []),
        EditorView.contentAttributes.of({ "aria-label": "Python コード（Esc → Tab でエディタを抜けます）" }),
      ],
    }),
  });
  // Follow Material's palette toggle.
  const watcher = new MutationObserver(() =>
    view.dispatch({ effects: theme.reconfigure(isDark() ? oneDark : []) }),
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
