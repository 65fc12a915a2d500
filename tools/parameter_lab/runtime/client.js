// The page side of the Python worker: one per tab, kept across navigation.instant swaps
// (this module is evaluated once; Material only replaces the page content).
//
// Jobs wait here, not in the worker, and go to it one at a time, so the page always knows
// which job the worker is running: Stop on a queued job just drops it, and Stop on the
// running job interrupts Python (SharedArrayBuffer, with COOP/COEP) or terminates the
// worker. A terminated or crashed worker is replaced at once; the new one boots from the
// memory snapshot the first one saved, and queued jobs then run on it.
//
//   const {id, outcome} = runtime.run(job, {onStage, onStart, onStream})
//   runtime.cancel(id)
// `outcome` always resolves, never rejects: {ok, result?, views?, figures?, error?,
// stopped?, fatal?, loadError?, stalled?}. Errors are data.

import { BUSY, SHARED_BYTES, SIGINT, SIGNAL } from "./sharedbytes.js";

const INTERRUPT_GRACE_MS = 1500; // each step of a Stop with shared memory (#awaitStop)

export class PythonRuntime {
  #config;
  #worker = null;
  #ready = null; // the one ready-promise of the current worker
  #booted = false;
  #stage = null; // the current worker's boot stage
  #queue = []; // jobs not yet sent: {id, job, callbacks, resolve}
  #current = null; // the job the worker is running
  #nextId = 1;
  #shared = null; // Uint8Array [SIGNAL, BUSY] over a SharedArrayBuffer, or null
  #listeners = new Set();

  /** @param config {worker, indexURL, lockURL, package, runner, wheel, cacheName, cachePrefix,
   * scope, immutablePrefixes} */
  constructor(config) {
    this.#config = config;
  }

  /** "cold" (no worker), "booting" or "ready". */
  get phase() {
    return !this.#worker ? "cold" : this.#booted ? "ready" : "booting";
  }

  get busy() {
    return this.#current !== null;
  }

  /** Boot stages ("download", "boot", "packages") and readiness ({ready: info}). */
  onProgress(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Start the worker if there is none. Resolves with boot info once Python is ready;
   * rejects if it cannot boot (the jobs waiting get a loadError outcome). */
  ensure() {
    if (!this.#worker) this.#start();
    return this.#ready;
  }

  run(job, callbacks = {}) {
    const id = this.#nextId++;
    const outcome = new Promise((resolve) => this.#queue.push({ id, job, callbacks, resolve }));
    const entry = this.#queue.at(-1);
    if (this.#booted && this.#current) entry.callbacks.onStage?.("queued");
    else if (!this.#booted && this.#stage) entry.callbacks.onStage?.(this.#stage);
    this.#pump();
    return { id, outcome };
  }

  /** Stop job `id`, queued or running. Its outcome resolves as stopped. */
  cancel(id) {
    const queued = this.#queue.findIndex((entry) => entry.id === id);
    if (queued >= 0) {
      const [entry] = this.#queue.splice(queued, 1);
      entry.resolve({ ok: false, stopped: true });
      return;
    }
    const current = this.#current;
    if (!current || current.id !== id) return; // already finished
    if (this.#shared) {
      if (current.stopping) return; // a second Stop must not restart the grace
      current.stopping = true;
      this.#shared[SIGNAL] = SIGINT; // Python raises KeyboardInterrupt at its next check
      this.#awaitStop(current, false);
      return;
    }
    this.#replace("stop", { ok: false, stopped: true });
  }

  // At a grace's end, a worker no longer busy has answered (its "done" waits behind this
  // timer on a busy page), and a Python that took the signal is unwinding or caught
  // KeyboardInterrupt: either gets one more grace. A signal not taken means Python never
  // checked (stuck in C code, or the job still loading packages): terminate, as after the
  // second grace whatever the reason. The reason is in the timeline (#replace).
  #awaitStop(current, extended) {
    setTimeout(() => {
      if (this.#current !== current) return;
      const answered = this.#shared[BUSY] === 0;
      const taken = this.#shared[SIGNAL] === 0;
      if (!extended && (answered || taken)) return this.#awaitStop(current, true);
      const reason = answered ? "no done" : taken ? "interrupt caught" : "signal not taken";
      this.#replace(reason, { ok: false, stopped: true });
    }, INTERRUPT_GRACE_MS);
  }

  #start() {
    const worker = new Worker(this.#config.worker, { type: "module", name: "plab-python" });
    this.#worker = worker;
    this.#booted = false;
    this.#stage = null;
    this.#shared =
      globalThis.crossOriginIsolated && typeof SharedArrayBuffer !== "undefined"
        ? new Uint8Array(new SharedArrayBuffer(SHARED_BYTES))
        : null;
    let settle;
    this.#ready = new Promise((resolve, reject) => (settle = { resolve, reject }));
    this.#ready.catch(() => {}); // reported to the jobs; a prefetch alone must not warn
    worker.onmessage = ({ data }) => {
      if (this.#worker === worker) this.#receive(data, settle);
    };
    worker.onerror = (event) => {
      event.preventDefault?.();
      if (this.#worker !== worker) return;
      const message = event.message || "the Python worker failed";
      if (this.#booted) this.#replace("crash", { ok: false, fatal: true, error: { type: "FatalError", message, traceback: message } });
      else this.#fail(settle, message);
    };
    const { worker: _, ...init } = this.#config;
    worker.postMessage({ type: "init", ...init, interruptBuffer: this.#shared });
  }

  #receive(data, settle) {
    if (data.type === "progress" && data.id === undefined) {
      this.#stage = data.stage;
      for (const entry of this.#queue) entry.callbacks.onStage?.(data.stage);
      this.#emit({ stage: data.stage });
    } else if (data.type === "ready") {
      this.#booted = true;
      this.#stage = null;
      // Visible in the page's performance timeline: how this worker booted.
      performance.mark?.("plab-python-ready", { detail: data.info });
      settle.resolve(data.info);
      this.#emit({ ready: data.info });
      this.#pump();
    } else if (data.type === "snapshot") {
      performance.mark?.("plab-python-snapshot", { detail: { bytes: data.bytes } });
    } else if (data.type === "init-error") {
      this.#fail(settle, data.message, data.stalled);
    } else if (this.#current && data.id === this.#current.id) {
      const { callbacks } = this.#current;
      if (data.type === "stream") callbacks.onStream?.(data.stream, data.text);
      else if (data.type === "progress") {
        callbacks.onStage?.(data.stage);
        if (data.stage === "running") callbacks.onStart?.();
      } else if (data.type === "done") this.#finish(data);
    }
  }

  #finish(data) {
    const entry = this.#current;
    this.#current = null;
    if (this.#shared) this.#shared[SIGNAL] = 0; // a Stop that came too late must not hit the next job
    const { type: _, id: __, ...outcome } = data;
    if (outcome.error?.type === "KeyboardInterrupt") outcome.stopped = true;
    entry.resolve(outcome);
    if (outcome.fatal) this.#replace("fatal error", null);
    else this.#pump();
  }

  // The worker cannot boot (the network failed or stalled): every waiting job fails with
  // the reason, and the worker goes, so the next run (Retry) starts a fresh one.
  #fail(settle, message, stalled = false) {
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
    this.#booted = false;
    const waiting = this.#queue.splice(0);
    settle.reject(new Error(message));
    for (const entry of waiting) entry.resolve({ ok: false, loadError: message, ...(stalled && { stalled }) });
  }

  // Terminate the worker (the running job ends with `outcome`) and start a new one at once:
  // whoever pressed Stop or hit the crash is using Python, and the snapshot makes it quick.
  #replace(reason, outcome) {
    performance.mark?.("plab-python-replaced", { detail: { reason } }); // like plab-python-ready
    const entry = this.#current;
    this.#current = null;
    this.#worker?.terminate();
    this.#worker = null;
    this.#ready = null;
    this.#booted = false;
    if (entry && outcome) entry.resolve(outcome);
    this.#emit({ restarted: true });
    this.#start();
    for (const waiting of this.#queue) waiting.callbacks.onStage?.("download");
  }

  #pump() {
    if (this.#current || !this.#queue.length) return;
    if (!this.#booted) {
      this.ensure();
      return;
    }
    this.#current = this.#queue.shift();
    const { id, job } = this.#current;
    for (const waiting of this.#queue) waiting.callbacks.onStage?.("queued");
    this.#worker.postMessage({ type: "run", id, ...job });
  }

  #emit(event) {
    for (const fn of this.#listeners) fn(event);
  }
}
