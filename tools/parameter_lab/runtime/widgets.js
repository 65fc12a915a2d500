// Demo and code-cell widgets. mountBlocks() is called by the loader for every page Material
// shows; it disposes the previous page's widgets first, so nothing leaks across instant
// navigation, and all widgets share one PythonRuntime (one worker per tab).
import { PythonRuntime } from "./client.js";

let runtime = null;
let mounted = []; // widgets of the current page
let observer = null;
let urls = null;

export function mountBlocks(root, runtimeUrls, runNow = []) {
  urls = runtimeUrls;
  runtime ??= new PythonRuntime(runtimeUrls);
  // The same content again (document$ re-emitted): keep the live widgets and their runs.
  if (mounted.length && mounted.every((w) => w.el.isConnected && root.contains(w.el))) {
    for (const w of mounted) if (runNow.includes(w.id)) w.requestRun();
    return mounted.length;
  }
  for (const w of mounted) w.dispose();
  observer?.disconnect();
  mounted = [...root.querySelectorAll("[data-demo]")].map((el) =>
    el.dataset.kind === "demo" ? new DemoWidget(el) : new CellWidget(el),
  );
  // Prefetch the runtime when a block nears the viewport; plain reading costs nothing.
  observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        observer.disconnect();
        prefetch();
      }
    },
    { rootMargin: "300px 0px" },
  );
  for (const w of mounted) observer.observe(w.el);
  applyHash();
  for (const w of mounted) if (runNow.includes(w.id)) w.requestRun();
  return mounted.length;
}

function prefetch() {
  runtime.ensure().catch(() => {}); // failures surface on Run, with a retry
}

// ---- URL hash: "#<block id>:name=value&…" links a configuration -----------------------
function applyHash() {
  const m = /^#([a-z][a-z0-9-]*):(.*)$/.exec(decodeURIComponent(location.hash));
  if (!m) return;
  const widget = mounted.find((w) => w.id === m[1]);
  if (!(widget instanceof DemoWidget)) return;
  widget.setValues(Object.fromEntries(new URLSearchParams(m[2])));
  widget.el.scrollIntoView({ block: "center" });
  widget.requestRun();
}

function writeHash(widget) {
  const query = new URLSearchParams(
    Object.entries(widget.values()).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  history.replaceState(history.state, "", `#${widget.id}:${query}`);
}

// ---- shared widget behaviour -------------------------------------------------------------
class BaseWidget {
  constructor(el) {
    this.el = el;
    this.id = el.dataset.demo;
    this.kind = el.dataset.kind;
    this.abort = new AbortController();
    this.output = el.querySelector("[data-demo-output]");
    this.status = el.querySelector("[data-demo-status]");
    this.runButton = el.querySelector("[data-demo-run]");
    this.stopButton = el.querySelector("[data-demo-stop]");
    this.prerendered = this.output.cloneNode(true); // restored by Reset
    this.running = false;
    this.rerun = false; // a newer request arrived while running: run once more, latest only
    const on = (target, type, fn) => target?.addEventListener(type, fn, { signal: this.abort.signal });
    this.on = on;
    on(this.runButton, "click", () => this.requestRun());
    on(this.stopButton, "click", () => this.stop());
    on(el.querySelector("[data-demo-reset]"), "click", () => this.reset());
    on(el.querySelector("[data-demo-copy]"), "click", () => this.copy());
    on(el, "keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.requestRun();
      }
    });
    on(el, "pointerdown", prefetch);
    on(el, "focusin", prefetch);
    this.unsubscribe = runtime.onProgress((stage) => {
      if (this.running) this.say(PythonRuntime.stageText(stage));
    });
    el.dataset.mounted = "true"; // the widget is live (for tests and themes)
  }

  dispose() {
    this.abort.abort();
    this.unsubscribe();
    this.editor?.destroy();
  }

  setStatus(status) {
    this.el.dataset.status = status;
    this.stopButton.disabled = status !== "running" && status !== "loading";
  }

  say(text) {
    this.status.textContent = text;
  }

  requestRun() {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.execute();
  }

  async execute() {
    this.running = true;
    this.rerun = false;
    const job = this.job();
    const started = performance.now();
    this.setStatus(runtime.started ? "running" : "loading");
    this.say(PythonRuntime.stageText(runtime.started ? "running" : "download"));
    let streamBox = null;
    const onStream = (stream, text) => {
      if (!streamBox) streamBox = this.clearOutput();
      const span = document.createElement("span");
      span.className = `plab-${stream}`;
      span.textContent = text; // text, never HTML
      streamBox.append(span);
    };
    let outcome;
    try {
      outcome = await runtime.run(job, {
        onStream,
        onStage: (stage) => {
          if (stage === "running") this.setStatus("running");
          this.say(PythonRuntime.stageText(stage));
        },
      });
    } catch (err) {
      this.running = false;
      this.showLoadFailure(err);
      return;
    }
    this.running = false;
    if (!streamBox && !outcome.stopped) streamBox = this.clearOutput();
    if (outcome.stopped || outcome.error?.type === "KeyboardInterrupt") {
      this.setStatus("stopped");
      this.say("停止しました");
    } else if (!outcome.ok && outcome.error.missing && this.kind === "demo") {
      // The demo's own code is fine; a package could not be fetched. Keep the
      // pre-rendered result and say which package, with a retry.
      this.restorePrerendered();
      this.showLoadFailure(new Error(missingText(outcome.error.missing)), missingText(outcome.error.missing));
    } else if (!outcome.ok) {
      this.setStatus("error");
      this.say(outcome.error.missing ? missingText(outcome.error.missing) : "エラーが発生しました");
      const span = document.createElement("span");
      span.className = "plab-stderr";
      span.textContent = outcome.error.traceback;
      streamBox.append(span);
    } else {
      await this.showResult(outcome, streamBox);
      this.setStatus("done");
      this.say(`完了（${Math.round(performance.now() - started)} ms）`);
    }
    if (this.rerun) this.execute();
  }

  clearOutput() {
    this.output.replaceChildren();
    const pre = document.createElement("pre");
    pre.className = "plab-stream";
    this.output.append(pre);
    return pre;
  }

  async showResult() {}

  showLoadFailure(err, headline) {
    this.setStatus("error");
    this.say("");
    const box = document.createElement("div");
    box.className = "plab-failure";
    box.setAttribute("role", "alert");
    const text = document.createElement("p");
    text.textContent =
      (headline ?? "Python の実行環境を読み込めませんでした。ネットワークに接続できないか、配信元がブロックされています。") +
      " 下の結果はビルド時に計算したものです。";
    const detail = document.createElement("small");
    detail.textContent = String(err?.message ?? err);
    const retry = document.createElement("button");
    retry.type = "button";
    retry.className = "plab-btn";
    retry.textContent = "再試行";
    retry.addEventListener("click", () => {
      box.remove();
      this.requestRun();
    }, { once: true, signal: this.abort.signal });
    box.append(text, detail, retry);
    this.el.querySelector(".plab-failure")?.remove();
    this.output.before(box);
  }

  stop() {
    if (!this.running) return;
    this.rerun = false;
    runtime.stop();
  }

  restorePrerendered() {
    const fresh = this.prerendered.cloneNode(true);
    this.output.replaceWith(fresh);
    this.output = fresh;
  }

  reset() {
    this.restorePrerendered();
    this.el.querySelector(".plab-failure")?.remove();
    this.setStatus("idle");
    this.say("");
  }

  async copy() {
    try {
      await navigator.clipboard.writeText(this.code());
      this.say("コピーしました");
    } catch {
      this.say("コピーできませんでした");
    }
  }
}

function missingText(name) {
  return `パッケージ「${name}」を読み込めませんでした（オフラインか、配信元に接続できません）`;
}

// ---- code cells --------------------------------------------------------------------------
class CellWidget extends BaseWidget {
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
    return { type: "run-cell", code: this.code() };
  }

  code() {
    return this.editor ? this.editor.getCode() : this.codeEl.textContent;
  }

  async openEditor() {
    if (this.editor || this.opening) return;
    this.opening = true;
    const { createEditor } = await import(urls.editor);
    if (this.abort.signal.aborted) return;
    this.editor = createEditor(this.codeEl, this.codeEl.textContent, {
      onRun: () => this.requestRun(),
    });
    this.editor.focus();
  }

  reset() {
    super.reset();
    if (this.editor) this.editor.setCode(this.original);
    else this.codeEl.textContent = this.original;
  }
}

// ---- parameterised demos -------------------------------------------------------------------
class DemoWidget extends BaseWidget {
  constructor(el) {
    super(el);
    this.spec = JSON.parse(el.dataset.spec);
    this.codeEl = el.querySelector("[data-demo-code]");
    this.inputs = new Map(
      [...el.querySelectorAll("[data-control]")].map((input) => [input.dataset.control, input]),
    );
    const form = el.querySelector("form");
    this.on(form, "submit", (e) => e.preventDefault());
    for (const [name, input] of this.inputs) {
      const event = input.type === "range" || input.type === "number" || input.tagName === "TEXTAREA" || input.type === "text" ? "input" : "change";
      this.on(input, event, () => {
        this.showValue(name);
        this.codeEl.textContent = this.code();
        writeHash(this);
        this.requestRun();
      });
    }
    // A control the reader changed before this script arrived still counts.
    if ([...this.inputs.values()].some(changedFromMarkup)) {
      for (const name of this.inputs.keys()) this.showValue(name);
      this.codeEl.textContent = this.code();
      this.requestRun();
    }
  }

  control(name) {
    return this.spec.controls.find((c) => c.name === name);
  }

  read(name) {
    const c = this.control(name);
    const input = this.inputs.get(name);
    switch (c.type) {
      case "slider":
        if (c.scale === "log") {
          const t = Number(input.value) / 1000;
          return roundTo(Math.exp(Math.log(c.min) + t * (Math.log(c.max) - Math.log(c.min))), c);
        }
        return c.integer ? Math.round(Number(input.value)) : Number(input.value);
      case "number":
        return c.integer ? Math.round(Number(input.value)) : Number(input.value);
      case "select":
        return JSON.parse(input.value);
      case "checkbox":
        return input.checked;
      default:
        return input.value;
    }
  }

  values() {
    return Object.fromEntries([...this.inputs.keys()].map((name) => [name, this.read(name)]));
  }

  setValues(raw) {
    for (const [name, text] of Object.entries(raw)) {
      const c = this.control(name);
      const input = this.inputs.get(name);
      if (!c || !input) continue;
      if (c.type === "checkbox") input.checked = text === "true";
      else if (c.type === "select") {
        const option = [...input.options].find((o) => o.value === text || JSON.parse(o.value) === text);
        if (option) input.value = option.value;
      } else if (c.type === "slider" && c.scale === "log") {
        const v = Math.min(c.max, Math.max(c.min, Number(text)));
        input.value = String(Math.round((1000 * Math.log(v / c.min)) / Math.log(c.max / c.min)));
      } else input.value = text;
      this.showValue(name);
    }
    this.codeEl.textContent = this.code();
  }

  showValue(name) {
    const out = this.inputs.get(name).parentElement.querySelector("[data-control-value]");
    if (out) out.textContent = String(this.read(name));
  }

  job() {
    return { type: "run-demo", module: this.spec.module, function: this.spec.function, kwargs: this.values() };
  }

  code() {
    const args = Object.entries(this.values())
      .map(([k, v]) => `${k}=${pyRepr(v)}`)
      .join(", ");
    return `from ${this.spec.module} import ${this.spec.function}\n\nresult = ${this.spec.function}(${args})\n`;
  }

  async showResult(outcome, streamBox) {
    const result = JSON.parse(outcome.result);
    const views = document.createElement("div");
    views.className = "plab-views";
    this.output.append(views);
    if (!streamBox.childNodes.length) streamBox.remove();
    for (const view of this.spec.views) {
      const box = document.createElement("div");
      box.className = "plab-view";
      box.dataset.view = view;
      views.append(box);
      const [kind, key] = view.split(":");
      const data = key ? result?.[key] : result;
      if (kind === "table") box.append(renderTable(data));
      else if (kind === "text") box.append(renderText(data));
      else await this.drawChart(box, view, result);
    }
  }

  async drawChart(box, view, result) {
    const { spec, datasets } = this.spec.viewSpecs[view];
    const filled = { ...spec, datasets: { ...(spec.datasets ?? {}) } };
    for (const [name, key] of Object.entries(datasets)) filled.datasets[name] = result[key] ?? [];
    const { draw } = await import(urls.charts);
    await draw(box, filled);
  }

  reset() {
    for (const c of this.spec.controls) {
      this.setValues({ [c.name]: typeof c.value === "string" ? c.value : JSON.stringify(c.value) });
    }
    super.reset();
    history.replaceState(history.state, "", location.pathname + location.search);
  }
}

function changedFromMarkup(input) {
  if (input.type === "checkbox") return input.checked !== input.defaultChecked;
  if (input.tagName === "SELECT") return [...input.options].some((o) => o.selected !== o.defaultSelected);
  if (input.type === "range" || input.type === "number") {
    return Number(input.value) !== Number(input.defaultValue); // "0.0" and "0" are equal
  }
  return input.value !== input.defaultValue;
}

function roundTo(value, c) {
  if (c.integer) return Math.round(value);
  const digits = Math.max(0, -Math.floor(Math.log10(value)) + 2);
  return Number(value.toFixed(Math.min(digits, 10)));
}

function pyRepr(v) {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

function renderText(data) {
  const pre = document.createElement("pre");
  pre.className = "plab-text";
  pre.textContent = typeof data === "string" ? data : JSON.stringify(data, null, 1);
  return pre;
}

function renderTable(rows) {
  if (rows && !Array.isArray(rows) && typeof rows === "object") {
    rows = Object.entries(rows).map(([k, v]) => ({ 項目: k, 値: v }));
  }
  if (!Array.isArray(rows) || !rows.length || rows.some((r) => typeof r !== "object")) {
    return renderText(rows);
  }
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const wrap = document.createElement("div");
  wrap.className = "plab-table";
  const table = document.createElement("table");
  const head = table.createTHead().insertRow();
  for (const c of columns) head.append(Object.assign(document.createElement("th"), { textContent: c }));
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const c of columns) tr.insertCell().textContent = formatCell(r[c]);
  }
  wrap.append(table);
  return wrap;
}

function formatCell(v) {
  if (typeof v === "number") {
    return Number.isInteger(v) ? v.toLocaleString("ja-JP") : v.toLocaleString("ja-JP", { maximumSignificantDigits: 6 });
  }
  return v === null || v === undefined ? "" : String(v);
}
