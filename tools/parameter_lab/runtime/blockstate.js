// One block's run lifecycle as a pure state machine: transition(state, event) returns the
// next state and the effects the widget must carry out. No DOM, no timers, no worker.
//
//   idle ─run/change→ loading ─started→ running ─finished→ done | error | stopped
//                        └──────── stop ──────→ stopping ─finished→ …
//
// Rules that hold in every state (tests/js/blockstate.test.mjs checks each state × event):
// - Runs never overlap. A change while a run is on its way queues exactly one rerun, which
//   starts with the latest values when the run ends. A second Run press adds nothing.
// - Stop targets this block's own job, and a later Run or change never cancels it: they
//   queue a rerun that starts after the stopped job has ended.
// - `started` and `finished` carry their job number; those of a job that is no longer
//   current (reset, disposed) are ignored.
// - Dispose and navigate cancel the job in flight, and a disposed block never starts one.
//
// Effects: {type: "start", job} (read the latest values and send them), {type: "cancel",
// job}, {type: "restore"} (show the pre-rendered output again).

export const STATES = ["idle", "loading", "running", "stopping", "done", "error", "stopped", "disposed"];
export const EVENTS = ["run", "change", "stop", "started", "finished", "reset", "dispose", "navigate"];
const SETTLED = new Set(["idle", "done", "error", "stopped"]);
const OUTCOMES = new Set(["done", "error", "stopped"]);

export const initial = () => ({ status: "idle", job: null, seq: 0, rerun: false });

const same = (state) => ({ state, effects: [] });

function start(state) {
  const job = state.seq + 1;
  return { state: { status: "loading", job, seq: job, rerun: false }, effects: [{ type: "start", job }] };
}

/** @param event {type, job?, outcome?: "done" | "error" | "stopped"} */
export function transition(state, event) {
  const { status } = state;
  if (status === "disposed") return same(state);
  const inFlight = !SETTLED.has(status);
  const current = event.job !== undefined && event.job === state.job;
  switch (event.type) {
    case "run":
      if (!inFlight) return start(state);
      if (status === "stopping") return same({ ...state, rerun: true });
      return same(state); // already on its way with these values
    case "change":
      if (!inFlight) return start(state);
      return same({ ...state, rerun: true });
    case "stop":
      if (status !== "loading" && status !== "running") return same(state);
      return {
        state: { ...state, status: "stopping", rerun: false },
        effects: [{ type: "cancel", job: state.job }],
      };
    case "started":
      if (!current || status !== "loading") return same(state);
      return same({ ...state, status: "running" });
    case "finished": {
      if (!current || !inFlight || !OUTCOMES.has(event.outcome)) return same(state);
      const ended = { ...state, status: event.outcome, job: null, rerun: false };
      return state.rerun ? start(ended) : same(ended);
    }
    case "reset":
      return {
        state: { ...state, status: "idle", job: null, rerun: false },
        effects: [
          ...(status === "loading" || status === "running" ? [{ type: "cancel", job: state.job }] : []),
          { type: "restore" },
        ],
      };
    case "dispose":
    case "navigate":
      return {
        state: { ...state, status: "disposed", job: null, rerun: false },
        effects: status === "loading" || status === "running" ? [{ type: "cancel", job: state.job }] : [],
      };
    default:
      return same(state);
  }
}
