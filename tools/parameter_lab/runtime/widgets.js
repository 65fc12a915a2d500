// Demo and code-cell widgets: the DOM side of each block. What a block does next is decided
// by its state machine (blockstate.js); a widget only carries out the effects and shows the
// state. All widgets share one PythonRuntime (one worker per tab, kept across navigation).
//
// Output is text, never HTML: streams, tracebacks and the runner's formatted views go in
// with textContent. A chart after a run is a static SVG image drawn off the main thread,
// unless the reader asked for the live chart (Vega in the page).
import { PythonRuntime } from "./client.js";
import { initial, transition } from "./blockstate.js";
import { callSource, defaultsOf, displayOf, formatValues, kwargsJson, parseValues, typeOf } from "./controls.js";
import { figuresOf, resetFigures, showFigures } from "./figures.js";
import { dropHold, releaseImages } from "./imagehold.js";
import { language, strings } from "./i18n.js";
import { formatFragment, parseFragment } from "./urlstate.js";
import * as kept from "./kept.js";

let runtime = null;
let urls = null; // {editor, charts, chartsvg, runtime: {...}}
let mounted = []; // widgets of the current page
let root = null;

// A reader who types and at once reloads, closes the tab or switches apps loses no key:
// edits waiting for their pause are stored as the page goes (pagehide) or is hidden (the
// last event a phone may send).
const saveEditsNow = () => mounted.forEach((w) => w.saveEditNow());
addEventListener("pagehide", saveEditsNow);
document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && saveEditsNow());

/**
 * Mount a widget on every block in `page` (after disposing the previous page's), then carry
 * out what the reader asked for before this module arrived: [{id, action: "run"} |
 * {id, action: "live", view}]. The same page again (document$ re-emitted) keeps its widgets.
 */
export function mountBlocks(page, config, requests = []) {
  urls = config;
  runtime ??= new PythonRuntime(config.runtime);
  // Run pressed before this module arrived: Python starts before the widgets are built (a
  // few ms of DOM work that would otherwise hold up the worker), its job joins it below.
  if (requests.some((r) => r.action === "run")) prefetch();
  const same = mounted.length && page === root && mounted.every((w) => w.el.isConnected);
  if (!same) {
    for (const w of mounted) w.leave();
    root = page;
    mounted = [...page.querySelectorAll("[data-demo]")].map((el) =>
      el.dataset.kind === "demo" ? new DemoWidget(el) : new CellWidget(el),
    );
    applyFragment(location.hash, { scroll: true });
    const linked = parseFragment(location.hash)?.id;
    for (const w of mounted) w.restoreKept(w.id === linked);
  }
  for (const { id, action, view } of requests) {
    const widget = mounted.find((w) => w.id === id);
    if (action === "run") widget?.dispatch({ type: "run" });
    else if (action === "live") widget?.toggleLive?.(view, true);
  }
  return mounted.length;
}

/** Start Python ahead of a run the reader is about to ask for. */
export function prefetch() {
  runtime?.ensure().catch(() => {}); // a failure surfaces on Run, with a retry
}

/** Apply "#<demo id>:name=value&…" (a link, a scenario, the URL): set the controls, run. */
export function applyFragment(hash, { scroll = true } = {}) {
  const parsed = parseFragment(hash);
  const widget = parsed && mounted.find((w) => w.id === parsed.id && w instanceof DemoWidget);
  if (!widget) return false; // not ours, or not on this page: ignored, never an error
  widget.setValues(parseValues(widget.spec.controls, parsed.texts));
  if (scroll) widget.el.scrollIntoView({ block: "center" });
  widget.dispatch({ type: "change" });
  return true;
}

// localStorage, or null where the browser forbids it (reading the property may throw).
const storage = (() => {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
})();

// ---- shared widget behaviour -------------------------------------------------------------
class Widget {
  constructor(el) {
    this.el = el;
    this.id = el.dataset.demo;
    this.state = initial();
    this.handles = new Map(); // machine job -> runtime job id
    this.abort = new AbortController();
    this.output = el.querySelector("[data-demo-output]");
    this.statusEl = el.querySelector("[data-demo-status]");
    this.stopButton = el.querySelector("[data-demo-stop]");
    this.prerendered = this.output.cloneNode(true); // restored by Reset
    this.on(el.querySelector("[data-demo-run]"), "click", () => this.dispatch({ type: "run" }));
    this.on(this.stopButton, "click", () => this.dispatch({ type: "stop" }));
    this.on(el.querySelector("[data-demo-reset]"), "click", () => this.dispatch({ type: "reset" }));
    this.on(el.querySelector("[data-demo-copy]"), "click", () => this.copy());
    this.on(el, "keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.dispatch({ type: "run" });
      }
    });
    el.dataset.mounted = "true"; // the widget is live (for tests and themes)
    this.keptKey = kept.keyOf(location.pathname, this.id);
  }

  /** The block as built, whose hash stamps a kept edit: a redeploy that changes it makes
   * the old edit an offer instead of applying it. */
  builtSource() {
    return "";
  }

  /** Show the reader's kept edit (or offer it, when the block changed since). */
  restoreKept(linked) {
    if (this.changedEarly) return;
    const stored = kept.read(storage, this.keptKey);
    const source = kept.sourceHash(this.builtSource());
    const decision = kept.decide(stored, source, linked);
    if (decision === "apply") this.applyEdit(stored.edit);
    else if (decision === "offer") this.offerEdit(stored.edit);
  }

  /** Store at once an edit still waiting for its pause (CellWidget). */
  saveEditNow() {}

  /** Keep the reader's edit; `edit` null (back to the block as built) forgets it. */
  keep(edit) {
    if (edit === null) kept.forget(storage, this.keptKey);
    else kept.write(storage, this.keptKey, kept.sourceHash(this.builtSource()), edit);
  }

  offerEdit(edit) {
    const s = strings();
    const box = document.createElement("div");
    box.className = "plab-kept";
    box.setAttribute("role", "status");
    const p = document.createElement("p");
    p.textContent = s.keptOffer;
    const use = document.createElement("button");
    use.type = "button";
    use.className = "plab-btn";
    use.dataset.keptUse = "";
    use.textContent = s.keptUse;
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "plab-btn";
    discard.dataset.keptDiscard = "";
    discard.textContent = s.keptDiscard;
    this.on(use, "click", () => {
      box.remove();
      this.applyEdit(edit);
      this.keep(edit); // now stamped with this build's source
    });
    this.on(discard, "click", () => {
      box.remove();
      this.keep(null);
    });
    box.append(p, use, discard);
    this.el.querySelector(".plab-kept")?.remove();
    this.output.before(box);
  }

  on(target, type, fn) {
    target?.addEventListener(type, fn, { signal: this.abort.signal });
  }

  dispatch(event) {
    const { state, effects } = transition(this.state, event);
    this.state = state;
    this.show();
    for (const effect of effects) {
      if (effect.type === "start") this.start(effect.job);
      else if (effect.type === "cancel") runtime.cancel(this.handles.get(effect.job));
      else if (effect.type === "restore") this.reset();
    }
  }

  show() {
    const { status } = this.state;
    if (status === "disposed") return;
    this.el.dataset.status = status;
    this.stopButton.disabled = status !== "loading" && status !== "running";
    if (status === "stopping") this.say(strings().stopping);
    if (status === "idle") this.say("");
  }

  say(text) {
    this.statusEl.textContent = text;
  }

  leave() {
    this.saveEditNow();
    this.dispatch({ type: "navigate" });
    this.abort.abort();
    this.editor?.destroy();
  }

  start(job) {
    const s = strings();
    const started = performance.now();
    this.el.querySelector(".plab-failure")?.remove();
    this.say(runtime.phase !== "ready" ? s.preparing : runtime.busy ? s.queued : s.running);
    const mine = () => this.state.job === job;
    let streams = null;
    const { id, outcome } = runtime.run(this.job(), {
      onStage: (stage) => mine() && s[stage] && this.say(s[stage]),
      onStart: () => this.dispatch({ type: "started", job }),
      onStream: (stream, text) => {
        if (!mine()) return;
        streams ??= this.freshStreams();
        const span = document.createElement("span");
        span.className = `plab-${stream}`;
        span.textContent = text; // text, never HTML
        streams.append(span);
      },
    });
    this.handles.set(job, id);
    outcome.then((o) => {
      this.handles.delete(job);
      if (!mine()) return; // reset or left meanwhile
      let ended;
      try {
        ended = this.showOutcome(o, streams, Math.round(performance.now() - started));
      } catch (err) {
        this.showFailure(s.error, err); // a drawing bug must not leave the block "running"
        ended = "error";
      }
      this.dispatch({ type: "finished", job, outcome: ended });
    });
  }

  /** Show an outcome; return the state it ends in: "done", "error" or "stopped". */
  showOutcome(o, streams, ms) {
    const s = strings();
    if (o.stopped) {
      this.say(s.stopped);
      return "stopped";
    }
    if (o.loadError) {
      this.say("");
      this.showFailure((o.stalled ? s.stalled : s.loadFailed) + s.keptPrerendered, o.loadError);
      return "error";
    }
    if (o.fatal) {
      this.say(s.fatal);
      this.showFailure(s.fatal, o.error?.message ?? "");
      return "error";
    }
    if (!o.ok) {
      const missing = o.error?.missing;
      if (missing && this instanceof DemoWidget) {
        // The demo's code is fine; a package could not be fetched. Keep the pre-rendered
        // result and name the package, with a retry.
        this.restoreOutput();
        this.say("");
        this.showFailure(s.missing(missing) + s.keptPrerendered, o.error.message);
        return "error";
      }
      streams ??= this.freshStreams();
      const span = document.createElement("span");
      span.className = "plab-stderr";
      span.textContent = o.error?.traceback ?? String(o.error?.message ?? "");
      streams.append(span);
      this.clearViews();
      this.say(missing ? s.missing(missing) : s.error);
      return "error";
    }
    this.showResult(o, streams);
    this.say(s.done(ms));
    return "done";
  }

  showResult() {}

  clearViews() {}

  /** A fresh stream box for this run's output (the previous run's text goes). */
  freshStreams() {
    const pre = document.createElement("pre");
    pre.className = "plab-stream";
    this.output.querySelector(".plab-note")?.remove();
    const old = this.output.querySelector(".plab-stream");
    if (old) old.replaceWith(pre);
    else this.output.prepend(pre);
    return pre;
  }

  showFailure(text, detail) {
    const box = document.createElement("div");
    box.className = "plab-failure";
    box.setAttribute("role", "alert");
    const p = document.createElement("p");
    p.textContent = text;
    const small = document.createElement("small");
    small.textContent = String(detail?.message ?? detail ?? "");
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "plab-btn";
    retry.textContent = strings().retry;
    retry.addEventListener("click", () => this.dispatch({ type: "run" }), { once: true, signal: this.abort.signal });
    box.append(p, small, retry);
    this.el.querySelector(".plab-failure")?.remove();
    this.output.before(box);
  }

  restoreOutput() {
    const fresh = this.prerendered.cloneNode(true);
    releaseImages(fresh); // copied while its chart image was held (imagehold.js)
    this.output.replaceWith(fresh);
    this.output = fresh;
    this.el.querySelector(".plab-failure")?.remove();
  }

  /** Reset: the block as the page first showed it, and no kept edit. */
  reset() {
    this.restoreOutput();
    this.el.querySelector(".plab-kept")?.remove();
    this.keep(null);
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.code());
      this.say(strings().copied);
    } catch {
      this.say(strings().copyFailed);
    }
  }
}

// ---- code cells --------------------------------------------------------------------------
class CellWidget extends Widget {
  constructor(el) {
    super(el);
    this.codeEl = el.querySelector("[data-demo-code]");
    this.original = this.codeEl.textContent;
    const edit = () => this.openEditor();
    this.on(this.codeEl, "focus", edit);
    this.on(this.codeEl, "click", edit);
    // Clicked (so focused) before this module arrived: open the editor now.
    if (document.activeElement === this.codeEl) edit();
  }

  job() {
    return { kind: "cell", code: this.code(), filename: strings().cellFilename };
  }

  builtSource() {
    return this.original;
  }

  applyEdit(edit) {
    if (typeof edit?.code !== "string") return;
    if (this.editor) this.editor.setCode(edit.code);
    else this.codeEl.textContent = edit.code;
    this.say(strings().keptApplied);
  }

  // Stored after a pause in the typing, not at every key.
  onEdit() {
    clearTimeout(this.saving);
    this.saving = setTimeout(() => this.saveEditNow(), 300);
  }

  saveEditNow() {
    if (this.saving === undefined) return; // no edit waiting
    clearTimeout(this.saving);
    this.saving = undefined;
    const code = this.code();
    this.keep(code === this.original ? null : { code });
  }

  code() {
    return this.editor ? this.editor.getCode() : this.codeEl.textContent;
  }

  showResult(outcome, streams) {
    if (!streams) this.freshStreams(); // no output this time: the old output goes
  }

  async openEditor() {
    if (this.editor || this.opening) return;
    this.opening = true;
    let createEditor;
    try {
      ({ createEditor } = await loadEditor());
    } catch (err) {
      // Offline or blocked: the code stays as built, and the next click tries again.
      console.warn(`parameter-lab: the editor could not be loaded (${err?.message ?? err})`);
      return;
    } finally {
      this.opening = false;
    }
    if (this.abort.signal.aborted) return;
    this.editor = createEditor(this.codeEl, this.codeEl.textContent, {
      onRun: () => this.dispatch({ type: "run" }),
      onChange: () => this.onEdit(),
    });
    this.editor.focus();
  }

  reset() {
    if (this.editor) this.editor.setCode(this.original);
    else this.codeEl.textContent = this.original;
    clearTimeout(this.saving);
    this.saving = undefined;
    super.reset();
  }
}

// The editor module, shared by every cell. A failed import is not kept: the browser
// remembers a module URL's failure, so the next attempt asks for a new URL.
let editorModule = null;
let editorFailures = 0;
function loadEditor() {
  const url = editorFailures ? `${urls.editor}?retry=${editorFailures}` : urls.editor;
  editorModule ??= import(url).catch((err) => {
    editorModule = null;
    editorFailures += 1;
    throw err;
  });
  return editorModule;
}

// ---- parameterised demos -------------------------------------------------------------------
class DemoWidget extends Widget {
  constructor(el) {
    super(el);
    this.spec = JSON.parse(el.dataset.spec);
    this.codeEl = el.querySelector("[data-demo-code]");
    this.values = defaultsOf(this.spec.controls); // the exact state; elements only show it
    this.elements = new Map(
      [...el.querySelectorAll("[data-control]")].map((input) => [input.dataset.control, input]),
    );
    this.charts = new Map(); // view -> its latest Vega-Lite spec with data
    this.live = new Set(); // views the reader asked to see live
    this.on(el.querySelector("form"), "submit", (e) => e.preventDefault());
    let changedEarly = false;
    for (const c of this.spec.controls) {
      const input = this.elements.get(c.name);
      if (!input) continue;
      const type = typeOf(c);
      this.on(input, type.event, () => this.onControl(c, input));
      // A control the reader changed before this script arrived still counts.
      if (type.changed(input)) {
        const value = type.read(input, c);
        if (value !== undefined) {
          this.values[c.name] = value;
          this.showValue(c);
          changedEarly = true;
        }
      }
    }
    this.on(el, "click", (e) => {
      const button = e.target.closest?.("[data-chart-live]");
      const view = button?.closest("[data-view]")?.dataset.view;
      if (view) this.toggleLive(view, button.getAttribute("aria-pressed") !== "true");
    });
    if (changedEarly) {
      this.changedEarly = true; // newer than any kept edit: it is kept instead
      this.codeEl.textContent = callSource(this.spec, this.values);
      const pairs = formatValues(this.spec.controls, this.values);
      this.keep(pairs.length ? { values: Object.fromEntries(pairs) } : null);
      this.dispatch({ type: "change" });
    }
  }

  builtSource() {
    return this.el.dataset.spec;
  }

  /** Kept control values: set like a link's, and run, so output and controls agree. */
  applyEdit(edit) {
    if (!edit?.values || typeof edit.values !== "object") return;
    this.setValues(parseValues(this.spec.controls, edit.values));
    this.dispatch({ type: "change" });
  }

  onControl(c, input) {
    const type = typeOf(c);
    const value = type.read(input, c);
    if (value === undefined) return; // mid-typing: nothing to run yet
    this.values[c.name] = value;
    this.showValue(c);
    this.codeEl.textContent = callSource(this.spec, this.values);
    this.writeFragment();
    const pairs = formatValues(this.spec.controls, this.values);
    this.keep(pairs.length ? { values: Object.fromEntries(pairs) } : null);
    clearTimeout(this.typing);
    if (type.delay) this.typing = setTimeout(() => this.dispatch({ type: "change" }), type.delay);
    else this.dispatch({ type: "change" });
  }

  showValue(c) {
    const input = this.elements.get(c.name);
    const out = input?.parentElement.querySelector("[data-control-value]");
    if (out) out.textContent = displayOf(this.values[c.name], c);
    if (c.type === "slider") input.setAttribute("aria-valuetext", displayOf(this.values[c.name], c));
  }

  /** Set every control: `values` over the author's defaults. */
  setValues(values) {
    this.values = { ...defaultsOf(this.spec.controls), ...values };
    for (const c of this.spec.controls) {
      const input = this.elements.get(c.name);
      if (!input) continue;
      typeOf(c).write(input, c, this.values[c.name]);
      this.showValue(c);
    }
    this.codeEl.textContent = callSource(this.spec, this.values);
  }

  writeFragment() {
    const pairs = formatValues(this.spec.controls, this.values);
    const url = pairs.length ? formatFragment(this.id, pairs) : location.pathname + location.search;
    history.replaceState(history.state, "", url);
  }

  job() {
    this.figures = figuresOf(root, this.id);
    return {
      kind: "demo",
      module: this.spec.module,
      function: this.spec.function,
      kwargs: kwargsJson(this.spec.controls, this.values),
      views: JSON.stringify(this.spec.views),
      figures: JSON.stringify(this.figures.requests),
      labels: JSON.stringify(this.spec.labels ?? {}), // the page's words for the model's ids
      language: language(),
    };
  }

  code() {
    return callSource(this.spec, this.values);
  }

  showResult(outcome, streams) {
    if (!streams) this.output.querySelector(".plab-stream")?.remove();
    const result = JSON.parse(outcome.result);
    for (const view of outcome.views) {
      const box = this.viewBox(view.view);
      if (view.kind === "text") box.replaceChildren(textView(view.text));
      else if (view.kind === "table") box.replaceChildren(...tableView(view, this.title(), this.spec.tablePreview));
      else if (view.kind === "chart") this.drawChart(box, view.view, result);
    }
    showFigures(this.figures?.spans ?? [], outcome.figures);
  }

  clearViews() {
    this.output.querySelector(".plab-views")?.replaceChildren();
  }

  /** The demo's name in the page, as the build's templates use it: its title, else its id. */
  title() {
    return this.el.querySelector(".plab-title")?.textContent || this.id;
  }

  viewBox(name) {
    let views = this.output.querySelector(".plab-views");
    if (!views) {
      views = document.createElement("div");
      views.className = "plab-views";
      this.output.append(views);
    }
    let box = [...views.children].find((el) => el.dataset.view === name);
    if (!box) {
      box = document.createElement("div");
      box.className = "plab-view";
      box.dataset.view = name;
      views.append(box);
    }
    return box;
  }

  drawChart(box, name, result) {
    const view = this.spec.viewSpecs?.[name];
    if (!view) return;
    const datasets = { ...(view.spec.datasets ?? {}) };
    for (const [dataset, key] of Object.entries(view.datasets)) datasets[dataset] = result?.[key] ?? [];
    const spec = { ...view.spec, datasets };
    this.charts.set(name, spec);
    this.liveButton(box);
    if (this.live.has(name)) this.drawLive(box, spec);
    else this.drawStatic(box, spec);
  }

  // The static image: drawn in the chart worker, shown as an <img> (an SVG image runs no
  // script, whatever text the reader's input put in it).
  async drawStatic(box, spec) {
    const token = (box.drawn = (box.drawn ?? 0) + 1);
    let img = box.querySelector("img.plab-chart-svg");
    try {
      const svg = await chartSVG(spec);
      if (box.drawn !== token || !box.isConnected) return; // a newer run drew meanwhile
      if (!img) {
        img = document.createElement("img");
        img.className = "plab-chart-svg";
        img.alt = spec.description ?? spec.title?.text ?? spec.title ?? "";
        box.prepend(img);
      }
      // Drawn before the page's load event released the build's image (imagehold.js): the
      // release must not put it back over this one.
      dropHold(img);
      if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
      img.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
      img.removeAttribute("loading");
      box.querySelector(".plab-chart-error")?.remove();
      // The size the build gave the <img> was its own image's: a new one (other axis labels,
      // another legend) has its own.
      await img.decode().catch(() => {});
      if (box.drawn === token && img.naturalWidth) {
        img.width = img.naturalWidth;
        img.height = img.naturalHeight;
      }
    } catch (err) {
      if (box.drawn !== token) return;
      const note = box.querySelector(".plab-chart-error") ?? document.createElement("p");
      note.className = "plab-note plab-chart-error";
      note.textContent = `${strings().chartFailed}: ${err.message ?? err}`;
      box.append(note);
    }
  }

  async drawLive(box, spec) {
    let live = box.querySelector(".plab-chart-live");
    if (!live) {
      live = document.createElement("div");
      live.className = "plab-chart-live";
      box.prepend(live); // where the image was, above the button
    }
    live.hidden = false;
    const { draw } = await import(urls.charts);
    if (!box.isConnected) return;
    await draw(live, spec);
  }

  liveButton(box) {
    let button = box.querySelector("[data-chart-live]");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "plab-btn plab-chart-toggle";
      button.dataset.chartLive = "";
      button.textContent = strings().chartLive;
      box.append(button);
    }
    button.setAttribute("aria-pressed", String(this.live.has(box.dataset.view)));
    return button;
  }

  /** Show `view` as a live Vega chart (on) or as the static image (off). */
  toggleLive(view, on) {
    const box = this.viewBox(view);
    this.liveButton(box).setAttribute("aria-pressed", String(on));
    if (!on) {
      this.live.delete(view);
      box.querySelector(".plab-chart-live")?.remove();
      return;
    }
    this.live.add(view);
    const spec = this.charts.get(view);
    if (spec) this.drawLive(box, spec).catch((err) => this.showFailure(strings().chartFailed, err));
    else this.dispatch({ type: "run" }); // no data in the page yet: compute it
  }

  reset() {
    super.reset();
    clearTimeout(this.typing);
    this.setValues({});
    this.charts.clear();
    this.live.clear();
    resetFigures(figuresOf(root, this.id).spans);
    history.replaceState(history.state, "", location.pathname + location.search);
  }
}

function textView(text) {
  const pre = document.createElement("pre");
  pre.className = "plab-text";
  pre.textContent = text;
  return pre;
}

// The markup of the build's view.html as Material leaves it: a focusable region that scrolls,
// named as the build names it (the demo's title and the page's column headers, not the
// view's key). A long table shows its first rows, and the whole table once the reader opens
// its <details> (drawn then, as the build's waits as <noscript> until then).
function tableView({ columns, rows }, title, preview = { limit: Infinity, shown: 0 }) {
  const label = `${title} – ${columns.join(" / ")}`;
  if (rows.length <= preview.limit) return [tableRegion(columns, rows, label)];
  const all = document.createElement("details");
  all.className = "plab-rows";
  const summary = document.createElement("summary");
  summary.textContent = strings().allRows(rows.length);
  all.append(summary);
  all.addEventListener("toggle", () => all.open && all.childElementCount === 1 && all.append(tableRegion(columns, rows, label)));
  return [tableRegion(columns, rows.slice(0, preview.shown), label), all];
}

function tableRegion(columns, rows, label) {
  const wrap = document.createElement("div");
  wrap.className = "plab-table";
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", label);
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = column;
    head.append(th);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = cell;
  }
  // Material wraps the page's tables when it mounts the page; a table drawn later gets the
  // same wrappers, so it looks (and scrolls) as the pre-rendered one did.
  const scroll = document.createElement("div");
  scroll.className = "md-typeset__scrollwrap";
  const inner = document.createElement("div");
  inner.className = "md-typeset__table";
  inner.append(table);
  scroll.append(inner);
  wrap.append(scroll);
  return wrap;
}

// ---- the chart worker: Vega-Lite → SVG text, off the main thread -------------------------
let chartWorker = null;
const drawings = new Map();
let nextDrawing = 1;

function chartSVG(spec) {
  if (!chartWorker) {
    chartWorker = new Worker(urls.chartsvg, { type: "module", name: "plab-charts" });
    chartWorker.onmessage = ({ data }) => {
      const pending = drawings.get(data.id);
      drawings.delete(data.id);
      if (data.error) pending?.reject(new Error(data.error));
      else pending?.resolve(data.svg);
    };
    chartWorker.onerror = (event) => {
      event.preventDefault();
      for (const pending of drawings.values()) pending.reject(new Error(event.message || "chart worker failed"));
      drawings.clear();
      chartWorker = null;
    };
  }
  const id = nextDrawing++;
  return new Promise((resolve, reject) => {
    drawings.set(id, { resolve, reject });
    chartWorker.postMessage({ id, spec });
  });
}
