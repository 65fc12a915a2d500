// The page side of the Python worker: one per tab, kept across navigation.instant swaps
// (this module is evaluated once; Material only replaces the page content).
//
// ensure() starts the worker once and returns the single ready-promise. run() sends an
// id-tagged job and resolves with its outcome; output streams to the callback. stop()
// interrupts within milliseconds when SharedArrayBuffer exists (COOP/COEP), and otherwise
// terminates the worker; the next run starts a fresh one.

const STAGES = {
  download: "Python 実行環境をダウンロード中…",
  boot: "Python を起動中…",
  packages: "パッケージを読み込み中…",
  running: "実行中…",
};

export class PythonRuntime {
  constructor(urls) {
    this.urls = urls; // {worker, indexURL, lockURL, cacheName, immutablePrefixes}
    this.worker = null;
    this.ready = null;
    this.pending = new Map(); // id -> {resolve, onStream, onStage}
    this.nextId = 1;
    this.listeners = new Set(); // (stage) => void, for loading progress
    this.interrupt = null;
  }

  get started() {
    return this.worker !== null;
  }

  onProgress(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  ensure() {
    if (this.ready) return this.ready;
    const worker = new Worker(this.urls.worker, { type: "module", name: "plab-python" });
    this.worker = worker;
    if (self.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined") {
      this.interrupt = new Uint8Array(new SharedArrayBuffer(1));
    }
    this.ready = new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => {
        if (data.type === "ready") resolve();
        else if (data.type === "init-error") reject(new Error(data.message));
        else this.#dispatch(data);
      };
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(event.message || "worker failed to start"));
      };
    });
    this.ready.catch(() => this.#discard());
    worker.postMessage({
      type: "init",
      indexURL: this.urls.indexURL,
      lockURL: this.urls.lockURL,
      cacheName: this.urls.cacheName,
      immutablePrefixes: this.urls.immutablePrefixes,
      interruptBuffer: this.interrupt,
    });
    return this.ready;
  }

  async run(job, { onStream, onStage } = {}) {
    await this.ensure();
    const id = this.nextId++;
    if (this.interrupt) this.interrupt[0] = 0;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, onStream, onStage });
      this.worker.postMessage({ ...job, id });
    });
  }

  /** Stop every run in progress. Resolves once the page can run again. */
  stop() {
    if (!this.worker) return;
    if (this.interrupt) {
      this.interrupt[0] = 2; // SIGINT: Python raises KeyboardInterrupt at the next bytecode
      return;
    }
    this.#discard();
  }

  static stageText(stage) {
    return STAGES[stage] ?? "";
  }

  #dispatch(data) {
    if (data.type === "progress" && data.id === undefined) {
      for (const fn of this.listeners) fn(data.stage);
      return;
    }
    const run = this.pending.get(data.id);
    if (!run) return;
    if (data.type === "stream") run.onStream?.(data.stream, data.text);
    else if (data.type === "progress") run.onStage?.(data.stage);
    else if (data.type === "done") {
      this.pending.delete(data.id);
      run.resolve(data);
    }
  }

  // Terminate the worker; runs in flight end as "stopped", and ensure() starts afresh.
  #discard() {
    this.worker?.terminate();
    this.worker = null;
    this.ready = null;
    for (const [id, run] of this.pending) {
      run.resolve({ id, ok: false, stopped: true });
    }
    this.pending.clear();
  }
}
