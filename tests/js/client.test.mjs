// node --test: the worker client against a scripted fake Worker. Jobs go one at a time;
// Stop reaches its own job whether queued, booting or running; a crash or a Stop without
// shared memory replaces the worker; every outcome resolves, as data.
import { beforeEach, mock, test } from "node:test";
import assert from "node:assert/strict";

class FakeWorker {
  static all = [];
  constructor(url, options) {
    this.url = url;
    this.options = options;
    this.sent = [];
    this.terminated = false;
    FakeWorker.all.push(this);
  }
  postMessage(msg) {
    this.sent.push(msg);
  }
  terminate() {
    this.terminated = true;
  }
  // The worker's side of the conversation.
  say(data) {
    this.onmessage({ data });
  }
  crash(message) {
    this.onerror({ message, preventDefault() {} });
  }
  get runs() {
    return this.sent.filter((m) => m.type === "run");
  }
}
globalThis.Worker = FakeWorker;
const { PythonRuntime } = await import("../../tools/parameter_lab/runtime/client.js");

const CONFIG = { worker: "w.js", indexURL: "i/", lockURL: "l.json", package: "p", runner: "r", wheel: "s.whl", cacheName: "c", cachePrefix: "p", scope: "s/", immutablePrefixes: [] };
const tick = () => new Promise((r) => setImmediate(r));
const latest = () => FakeWorker.all.at(-1);

beforeEach(() => {
  FakeWorker.all = [];
  performance.clearMarks();
  globalThis.crossOriginIsolated = false;
});

function booted() {
  const rt = new PythonRuntime(CONFIG);
  rt.ensure();
  latest().say({ type: "ready", info: { from: "raw" } });
  return rt;
}

test("one worker, one ready-promise, and the init message carries the manifest's names", async () => {
  const rt = new PythonRuntime(CONFIG);
  assert.equal(rt.phase, "cold");
  const a = rt.ensure();
  const b = rt.ensure();
  assert.equal(a, b);
  assert.equal(FakeWorker.all.length, 1);
  assert.equal(rt.phase, "booting");
  const [init] = latest().sent;
  assert.deepEqual(init, { type: "init", indexURL: "i/", lockURL: "l.json", package: "p", runner: "r", wheel: "s.whl", cacheName: "c", cachePrefix: "p", scope: "s/", immutablePrefixes: [], interruptBuffer: null });
  assert.deepEqual(latest().options, { type: "module", name: "plab-python" });
  latest().say({ type: "ready", info: { from: "snapshot" } });
  assert.deepEqual(await a, { from: "snapshot" });
  assert.equal(rt.phase, "ready");
});

test("jobs wait for the boot and then go one at a time, in order", async () => {
  const rt = new PythonRuntime(CONFIG);
  const first = rt.run({ kind: "cell", code: "1" });
  const second = rt.run({ kind: "cell", code: "2" });
  assert.equal(latest().runs.length, 0, "nothing is sent before Python is ready");
  latest().say({ type: "ready", info: {} });
  assert.deepEqual(latest().runs, [{ type: "run", id: first.id, kind: "cell", code: "1" }]);
  latest().say({ type: "done", id: first.id, ok: true });
  assert.deepEqual(await first.outcome, { ok: true });
  assert.equal(latest().runs.length, 2);
  assert.equal(latest().runs[1].id, second.id);
});

test("streams, stages and the start reach only the job they belong to", async () => {
  const rt = booted();
  const seen = [];
  const a = rt.run({}, { onStream: (s, t) => seen.push(["a", s, t]), onStart: () => seen.push(["a", "start"]) });
  const b = rt.run({}, { onStream: (s, t) => seen.push(["b", s, t]), onStage: (s) => seen.push(["b", s]) });
  const w = latest();
  w.say({ type: "stream", id: a.id, stream: "stdout", text: "x" });
  w.say({ type: "stream", id: b.id, stream: "stdout", text: "not yet running" });
  w.say({ type: "progress", id: a.id, stage: "running" });
  w.say({ type: "done", id: a.id, ok: true });
  await a.outcome;
  assert.deepEqual(seen, [["b", "queued"], ["a", "stdout", "x"], ["a", "start"]]);
});

test("Stop on a queued job drops it; the running job goes on", async () => {
  const rt = booted();
  const running = rt.run({ code: "loop" });
  const queued = rt.run({ code: "next" });
  rt.cancel(queued.id);
  assert.deepEqual(await queued.outcome, { ok: false, stopped: true });
  assert.equal(latest().terminated, false);
  latest().say({ type: "done", id: running.id, ok: true });
  await running.outcome;
  assert.equal(latest().runs.length, 1, "the dropped job is never sent");
});

test("Stop while Python loads ends the job at once, and the next run works on the same boot", async () => {
  const rt = new PythonRuntime(CONFIG);
  const job = rt.run({ code: "1" });
  rt.cancel(job.id);
  assert.deepEqual(await job.outcome, { ok: false, stopped: true });
  const again = rt.run({ code: "2" });
  latest().say({ type: "ready", info: {} });
  assert.equal(FakeWorker.all.length, 1);
  assert.equal(latest().runs[0].id, again.id);
  latest().say({ type: "done", id: again.id, ok: true });
  assert.deepEqual(await again.outcome, { ok: true });
});

test("without shared memory, Stop terminates the worker and a new one takes the queue", async () => {
  const rt = booted();
  const loop = rt.run({ code: "loop" });
  const next = rt.run({ code: "next" });
  const old = latest();
  rt.cancel(loop.id);
  assert.deepEqual(await loop.outcome, { ok: false, stopped: true });
  assert.equal(old.terminated, true);
  assert.equal(FakeWorker.all.length, 2, "a fresh worker starts at once");
  old.say({ type: "done", id: loop.id, ok: true }); // a late message from the old worker
  latest().say({ type: "ready", info: { from: "snapshot" } });
  assert.equal(latest().runs[0].id, next.id);
});

test("with shared memory, Stop interrupts Python and a late flag never hits the next job", async () => {
  globalThis.crossOriginIsolated = true;
  const rt = booted();
  const buffer = latest().sent[0].interruptBuffer;
  assert.ok(buffer instanceof Uint8Array);
  const loop = rt.run({ code: "loop" });
  const next = rt.run({ code: "next" });
  rt.cancel(loop.id);
  assert.equal(buffer[0], 2);
  assert.equal(latest().terminated, false);
  latest().say({ type: "done", id: loop.id, ok: false, error: { type: "KeyboardInterrupt" } });
  const outcome = await loop.outcome;
  assert.equal(outcome.stopped, true);
  assert.equal(buffer[0], 0, "cleared before the next job is sent");
  assert.equal(latest().runs.at(-1).id, next.id);
  assert.equal(FakeWorker.all.length, 1);
});

// Why each worker was replaced, as the timeline has it.
const replaced = () => performance.getEntriesByName("plab-python-replaced").map((e) => e.detail.reason);

// A Stop with shared memory: the worker's side of the two shared bytes is played here.
function stopping(test) {
  return async () => {
    globalThis.crossOriginIsolated = true;
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const rt = booted();
      const [signal, busy] = [0, 1];
      const shared = latest().sent[0].interruptBuffer;
      const start = (code) => {
        const job = rt.run({ code });
        shared[busy] = 1; // as the worker does when the job arrives
        return job;
      };
      await test({ rt, shared, signal, busy, start });
    } finally {
      mock.timers.reset();
    }
  };
}

test(
  "with shared memory, a job that never takes SIGINT (stuck in C code) is terminated after one grace",
  stopping(async ({ rt, start }) => {
    const stuck = start("C loop");
    rt.cancel(stuck.id);
    mock.timers.tick(1000);
    assert.equal(latest().terminated, false);
    mock.timers.tick(1000);
    assert.deepEqual(await stuck.outcome, { ok: false, stopped: true });
    assert.equal(FakeWorker.all.length, 2);
    assert.deepEqual(replaced(), ["signal not taken"]);
  }),
);

test(
  "with shared memory, a job that took SIGINT gets a second grace, and a job sent meanwhile is not hit",
  stopping(async ({ rt, shared, signal, busy, start }) => {
    const unwinding = start("loop");
    rt.cancel(unwinding.id);
    shared[signal] = 0; // Python took it; its "done" has not been seen yet
    mock.timers.tick(1600);
    assert.equal(latest().terminated, false, "a job that took the signal is unwinding");
    shared[busy] = 0;
    latest().say({ type: "done", id: unwinding.id, ok: false, error: { type: "KeyboardInterrupt" } });
    assert.equal((await unwinding.outcome).stopped, true);
    start("next"); // running when the second grace ends
    mock.timers.tick(2000);
    assert.equal(latest().terminated, false);
    assert.deepEqual(replaced(), []);
  }),
);

test(
  "with shared memory, code that catches KeyboardInterrupt is terminated after the second grace",
  stopping(async ({ rt, shared, signal, start }) => {
    const swallows = start("while True: try: … except KeyboardInterrupt: pass");
    rt.cancel(swallows.id);
    shared[signal] = 0; // taken, and caught by the code
    mock.timers.tick(1600);
    assert.equal(latest().terminated, false);
    mock.timers.tick(1600);
    assert.deepEqual(await swallows.outcome, { ok: false, stopped: true });
    assert.equal(FakeWorker.all.length, 2);
    assert.deepEqual(replaced(), ["interrupt caught"]);
  }),
);

test(
  "with shared memory, a worker that finished as Stop came is waited for, its done late",
  stopping(async ({ rt, shared, busy, start }) => {
    const finished = start("print(1)");
    shared[busy] = 0; // the worker posted its done; the page has not seen it yet
    rt.cancel(finished.id); // the signal stays: no Python runs to take it
    mock.timers.tick(1600);
    assert.equal(latest().terminated, false, "the worker answered");
    latest().say({ type: "done", id: finished.id, ok: true });
    assert.deepEqual(await finished.outcome, { ok: true });
    const lost = start("print(2)");
    shared[busy] = 0; // answered, but its done never arrives
    rt.cancel(lost.id);
    mock.timers.tick(1600);
    assert.equal(latest().terminated, false);
    mock.timers.tick(1600);
    assert.deepEqual(await lost.outcome, { ok: false, stopped: true });
    assert.deepEqual(replaced(), ["no done"]);
  }),
);

test(
  "with shared memory, a second Stop does not restart the grace or set the signal again",
  stopping(async ({ rt, shared, signal, start }) => {
    const loop = start("loop");
    rt.cancel(loop.id);
    mock.timers.tick(1400);
    shared[signal] = 0; // Python took the first
    rt.cancel(loop.id); // pressed again, just before the grace ends
    assert.equal(shared[signal], 0);
    mock.timers.tick(200);
    assert.equal(latest().terminated, false, "a job that took the signal gets its second grace");
  }),
);

test("a boot failure fails the waiting jobs as data, and the next run boots afresh", async () => {
  const rt = new PythonRuntime(CONFIG);
  const ready = rt.ensure();
  const job = rt.run({ code: "1" });
  latest().say({ type: "init-error", message: "pyodide.asm.wasm: HTTP 404" });
  assert.deepEqual(await job.outcome, { ok: false, loadError: "pyodide.asm.wasm: HTTP 404" });
  await assert.rejects(ready, /HTTP 404/);
  assert.equal(rt.phase, "cold");
  rt.run({ code: "2" });
  assert.equal(FakeWorker.all.length, 2);
});

test("a stalled boot says so, and the next run starts a fresh worker, not the hung one", async () => {
  const rt = new PythonRuntime(CONFIG);
  const job = rt.run({ code: "1" });
  const hung = latest();
  hung.say({ type: "init-error", message: "python_stdlib.zip: no data for 10 s", stalled: true });
  assert.deepEqual(await job.outcome, { ok: false, loadError: "python_stdlib.zip: no data for 10 s", stalled: true });
  assert.equal(hung.terminated, true);
  rt.run({ code: "1" }); // Retry
  assert.equal(FakeWorker.all.length, 2);
  assert.notEqual(latest(), hung);
});

test("a worker that dies while booting is a boot failure", async () => {
  const rt = new PythonRuntime(CONFIG);
  const job = rt.run({});
  latest().crash("SyntaxError in worker");
  assert.deepEqual(await job.outcome, { ok: false, loadError: "SyntaxError in worker" });
});

test("a fatal Python error replaces the worker; the next job runs on the new one", async () => {
  const rt = booted();
  const events = [];
  rt.onProgress((e) => events.push(e));
  const bad = rt.run({ code: "ctypes" });
  const next = rt.run({ code: "print(1)" });
  const old = latest();
  old.say({ type: "done", id: bad.id, ok: false, fatal: true, error: { type: "FatalError", message: "memory access out of bounds" } });
  const outcome = await bad.outcome;
  assert.equal(outcome.fatal, true);
  assert.equal(old.terminated, true);
  assert.deepEqual(events, [{ restarted: true }]);
  latest().say({ type: "ready", info: {} });
  assert.equal(latest().runs[0].id, next.id);
});

test("a worker crash after boot ends the running job as fatal and restarts", async () => {
  const rt = booted();
  const job = rt.run({});
  latest().crash("RuntimeError: unreachable");
  const outcome = await job.outcome;
  assert.equal(outcome.fatal, true);
  assert.equal(outcome.error.message, "RuntimeError: unreachable");
  assert.equal(FakeWorker.all.length, 2);
});

test("boot stages reach the jobs waiting for them and the listeners", () => {
  const rt = new PythonRuntime(CONFIG);
  const stages = [];
  const events = [];
  rt.onProgress((e) => events.push(e));
  rt.run({}, { onStage: (s) => stages.push(s) });
  latest().say({ type: "progress", stage: "download" });
  rt.run({}, { onStage: (s) => stages.push(`late:${s}`) });
  latest().say({ type: "progress", stage: "boot" });
  assert.deepEqual(stages, ["download", "late:download", "boot", "late:boot"]);
  assert.deepEqual(events, [{ stage: "download" }, { stage: "boot" }]);
});

test("cancel of a finished or unknown job does nothing", async () => {
  const rt = booted();
  const job = rt.run({});
  latest().say({ type: "done", id: job.id, ok: true });
  await job.outcome;
  rt.cancel(job.id);
  rt.cancel(999);
  assert.equal(FakeWorker.all.length, 1);
  assert.equal(latest().terminated, false);
});
