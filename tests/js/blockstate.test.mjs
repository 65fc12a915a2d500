// node --test: the block state machine, every state × every event, then the sequences the
// issue names (Stop while loading then Run, a change mid-run, a double Run, disposal).
import { test } from "node:test";
import assert from "node:assert/strict";
import { EVENTS, STATES, initial, transition } from "../../tools/parameter_lab/runtime/blockstate.js";

// A block in each state, its job (if any) numbered 1.
const AT = {
  idle: { status: "idle", job: null, seq: 0, rerun: false },
  loading: { status: "loading", job: 1, seq: 1, rerun: false },
  running: { status: "running", job: 1, seq: 1, rerun: false },
  stopping: { status: "stopping", job: 1, seq: 1, rerun: false },
  done: { status: "done", job: null, seq: 1, rerun: false },
  error: { status: "error", job: null, seq: 1, rerun: false },
  stopped: { status: "stopped", job: null, seq: 1, rerun: false },
  disposed: { status: "disposed", job: null, seq: 1, rerun: false },
};
const EVENT = {
  run: { type: "run" },
  change: { type: "change" },
  stop: { type: "stop" },
  started: { type: "started", job: 1 },
  finished: { type: "finished", job: 1, outcome: "done" },
  reset: { type: "reset" },
  dispose: { type: "dispose" },
  navigate: { type: "navigate" },
};
const START = (job) => ({ type: "start", job });
const CANCEL = { type: "cancel", job: 1 };
const RESTORE = { type: "restore" };

// [status after, rerun after, effects]. "·" rows: the state does not change at all.
const TABLE = {
  idle: {
    run: ["loading", false, [START(1)]], change: ["loading", false, [START(1)]],
    stop: "·", started: "·", finished: "·", reset: ["idle", false, [RESTORE]],
    dispose: ["disposed", false, []], navigate: ["disposed", false, []],
  },
  loading: {
    run: "·", change: ["loading", true, []], stop: ["stopping", false, [CANCEL]],
    started: ["running", false, []], finished: ["done", false, []],
    reset: ["idle", false, [CANCEL, RESTORE]],
    dispose: ["disposed", false, [CANCEL]], navigate: ["disposed", false, [CANCEL]],
  },
  running: {
    run: "·", change: ["running", true, []], stop: ["stopping", false, [CANCEL]],
    started: "·", finished: ["done", false, []], reset: ["idle", false, [CANCEL, RESTORE]],
    dispose: ["disposed", false, [CANCEL]], navigate: ["disposed", false, [CANCEL]],
  },
  stopping: {
    run: ["stopping", true, []], change: ["stopping", true, []], stop: "·", started: "·",
    finished: ["done", false, []], reset: ["idle", false, [RESTORE]],
    dispose: ["disposed", false, []], navigate: ["disposed", false, []],
  },
  done: {
    run: ["loading", false, [START(2)]], change: ["loading", false, [START(2)]], stop: "·",
    started: "·", finished: "·", reset: ["idle", false, [RESTORE]],
    dispose: ["disposed", false, []], navigate: ["disposed", false, []],
  },
  error: {
    run: ["loading", false, [START(2)]], change: ["loading", false, [START(2)]], stop: "·",
    started: "·", finished: "·", reset: ["idle", false, [RESTORE]],
    dispose: ["disposed", false, []], navigate: ["disposed", false, []],
  },
  stopped: {
    run: ["loading", false, [START(2)]], change: ["loading", false, [START(2)]], stop: "·",
    started: "·", finished: "·", reset: ["idle", false, [RESTORE]],
    dispose: ["disposed", false, []], navigate: ["disposed", false, []],
  },
  disposed: Object.fromEntries(Object.keys(EVENT).map((e) => [e, "·"])),
};

test("the table covers every state and every event", () => {
  assert.deepEqual(Object.keys(TABLE).sort(), [...STATES].sort());
  assert.deepEqual(Object.keys(EVENT).sort(), [...EVENTS].sort());
  for (const s of STATES) assert.deepEqual(Object.keys(TABLE[s]).sort(), [...EVENTS].sort(), s);
});

for (const s of STATES) {
  for (const e of EVENTS) {
    test(`${s} × ${e}`, () => {
      const before = structuredClone(AT[s]);
      const { state, effects } = transition(AT[s], EVENT[e]);
      assert.deepEqual(AT[s], before, "the input state is not mutated");
      const expected = TABLE[s][e];
      if (expected === "·") {
        assert.equal(state.status, s);
        assert.deepEqual(effects, []);
        assert.equal(state.rerun, AT[s].rerun);
        return;
      }
      const [status, rerun, fx] = expected;
      assert.equal(state.status, status);
      assert.equal(state.rerun, rerun);
      assert.deepEqual(effects, fx);
      if (fx.some((f) => f.type === "start")) assert.equal(state.job, fx[0].job);
      if (["done", "error", "stopped", "idle", "disposed"].includes(status)) assert.equal(state.job, null);
    });
  }
}

function play(events, state = initial()) {
  const effects = [];
  for (const event of events) {
    const out = transition(state, event);
    state = out.state;
    effects.push(...out.effects);
  }
  return { state, effects };
}

test("each finished outcome lands in its own state", () => {
  for (const outcome of ["done", "error", "stopped"]) {
    const { state } = play([{ type: "run" }, { type: "finished", job: 1, outcome }]);
    assert.equal(state.status, outcome);
  }
  const { state } = play([{ type: "run" }, { type: "finished", job: 1, outcome: "bogus" }]);
  assert.equal(state.status, "loading", "an unknown outcome is not an outcome");
});

test("events of a job that is no longer current change nothing", () => {
  for (const s of ["loading", "running", "stopping"]) {
    for (const type of ["started", "finished"]) {
      const { state, effects } = transition({ ...AT[s], job: 2, seq: 2 }, { type, job: 1, outcome: "done" });
      assert.equal(state.status, s);
      assert.deepEqual(effects, []);
    }
  }
});

test("Stop while loading, then Run: the block runs again", () => {
  const { state, effects } = play([
    { type: "run" }, { type: "stop" }, { type: "finished", job: 1, outcome: "stopped" }, { type: "run" },
  ]);
  assert.equal(state.status, "loading");
  assert.deepEqual(effects, [START(1), CANCEL, START(2)]);
});

test("a change mid-run queues exactly one rerun, started only when the run ends", () => {
  const { state, effects } = play([
    { type: "run" }, { type: "started", job: 1 }, { type: "change" }, { type: "change" }, { type: "change" },
  ]);
  assert.equal(state.status, "running");
  assert.deepEqual(effects, [START(1)], "no second run while the first is on");
  const next = transition(state, { type: "finished", job: 1, outcome: "done" });
  assert.equal(next.state.status, "loading");
  assert.deepEqual(next.effects, [START(2)]);
  assert.equal(next.state.rerun, false);
});

test("a double Run starts one run", () => {
  const { effects } = play([{ type: "run" }, { type: "run" }, { type: "started", job: 1 }, { type: "run" }]);
  assert.deepEqual(effects, [START(1)]);
});

test("Stop is not cancelled by a Run pressed while stopping; the rerun follows the stop", () => {
  const { state, effects } = play([{ type: "run" }, { type: "started", job: 1 }, { type: "stop" }, { type: "run" }]);
  assert.equal(state.status, "stopping");
  assert.deepEqual(effects, [START(1), CANCEL]);
  const next = transition(state, { type: "finished", job: 1, outcome: "stopped" });
  assert.deepEqual(next.effects, [START(2)]);
});

test("Stop drops a rerun queued before it", () => {
  const { state } = play([{ type: "run" }, { type: "change" }, { type: "stop" }]);
  const next = transition(state, { type: "finished", job: 1, outcome: "stopped" });
  assert.equal(next.state.status, "stopped");
  assert.deepEqual(next.effects, []);
});

test("a disposed block never starts a run, whatever arrives later", () => {
  const { state, effects } = play([
    { type: "run" }, { type: "change" }, { type: "dispose" },
    { type: "finished", job: 1, outcome: "done" }, { type: "run" }, { type: "change" },
  ]);
  assert.equal(state.status, "disposed");
  assert.deepEqual(effects, [START(1), CANCEL]);
});

test("reset during a run cancels it and ignores its late outcome", () => {
  const { state, effects } = play([
    { type: "run" }, { type: "started", job: 1 }, { type: "reset" }, { type: "finished", job: 1, outcome: "done" },
  ]);
  assert.equal(state.status, "idle");
  assert.deepEqual(effects, [START(1), CANCEL, RESTORE]);
});
