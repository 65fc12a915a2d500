// node --test: the stall counter. Only ticks with a request pending and no byte count; any
// byte, a request's start or its end starts the count again.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StallWatch } from "../../tools/parameter_lab/runtime/stall.js";

const ticks = (watch, n) => Array.from({ length: n }, () => watch.tick());

test("a request that delivers nothing stalls after the limit, naming itself", () => {
  const watch = new StallWatch(3);
  watch.begin("python_stdlib.zip");
  assert.deepEqual(ticks(watch, 3), [null, null, "python_stdlib.zip"]);
});

test("bytes arriving keep a slow download alive", () => {
  const watch = new StallWatch(3);
  watch.begin("pyodide.asm.wasm");
  for (let i = 0; i < 10; i++) {
    assert.deepEqual(ticks(watch, 2), [null, null]);
    watch.progress();
  }
});

test("nothing pending is never a stall: Python at work, or idle", () => {
  const watch = new StallWatch(2);
  const token = watch.begin("a");
  watch.end(token);
  assert.deepEqual(ticks(watch, 10), Array(10).fill(null));
  // and the quiet ticks before a request do not count against it
  watch.begin("b");
  assert.deepEqual(ticks(watch, 2), [null, "b"]);
});

test("a request that ends restarts the count for the others", () => {
  const watch = new StallWatch(3);
  watch.begin("slow");
  const quick = watch.begin("quick");
  ticks(watch, 2);
  watch.end(quick);
  assert.deepEqual(ticks(watch, 3), [null, null, "slow"]);
  watch.end(12345); // an unknown token changes nothing
  assert.equal(watch.tick(), "slow");
});

test("a request without byte counts may have a longer limit", () => {
  const watch = new StallWatch(2);
  watch.begin("pyodide.asm.mjs", 5);
  assert.deepEqual(ticks(watch, 5), [null, null, null, null, "pyodide.asm.mjs"]);
  watch.begin("lock.json"); // a new request starts the count again
  assert.deepEqual(ticks(watch, 2), [null, "lock.json"]);
});
