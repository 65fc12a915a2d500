// node --test: the boot's phase timer. Durations add up per name, a phase ends once, and a
// phase that throws is still timed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Phases } from "../../tools/parameter_lab/runtime/phases.js";

const clockAt = (times) => () => times.shift();

test("a phase lasts from begin to its end, once", () => {
  const phases = new Phases(clockAt([10, 25, 99]));
  const end = phases.begin("wheel");
  end();
  end();
  assert.deepEqual(phases.summary(), { wheel: 15 });
});

test("phases of one name add up; others stay apart", () => {
  const phases = new Phases(clockAt([0, 1.25, 5, 7, 10, 20]));
  const a = phases.begin("fetch");
  a();
  const b = phases.begin("fetch");
  const c = phases.begin("compile");
  b();
  c();
  assert.deepEqual(phases.summary(), { fetch: 6.3, compile: 13 });
});

test("time() measures async work, and work that throws", async () => {
  const phases = new Phases(clockAt([0, 4, 10, 12]));
  assert.equal(await phases.time("import", async () => "module"), "module");
  await assert.rejects(phases.time("wheel", () => Promise.reject(new Error("HTTP 404"))), /404/);
  assert.deepEqual(phases.summary(), { import: 4, wheel: 2 });
});
