// node --test: reads started ahead of their use. Each is taken once (a body reads once),
// none rejects, and a wasm that does not compile leaves the compile to Pyodide.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EarlyReads, compileEarly } from "../../tools/parameter_lab/runtime/earlyreads.js";

// The smallest valid module: the magic number and version 1.
const EMPTY_WASM = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
const wasmResponse = (bytes) => new Response(bytes, { headers: { "content-type": "application/wasm" } });

test("every read starts at once, and is taken once", async () => {
  const asked = [];
  const cache = {
    match: async (url) => {
      asked.push(url);
      return url === "a" ? new Response("A") : undefined;
    },
  };
  const early = new EarlyReads(cache, ["a", "b"]);
  assert.deepEqual(asked, ["a", "b"], "both asked before anyone takes them");
  assert.equal(await (await early.take("a")).text(), "A");
  assert.equal(await early.take("a"), undefined, "its body was handed out already");
  assert.equal(await early.take("b"), undefined, "not in the cache");
  assert.equal(await early.take("c"), undefined, "never asked for");
});

test("a failing cache is no read, not an error", async () => {
  const early = new EarlyReads({ match: () => Promise.reject(new Error("quota")) }, ["a"]);
  assert.equal(await early.take("a"), undefined);
});

test("the wasm compiles from its response; nothing, or bytes that are no wasm, give null", async () => {
  assert.ok((await compileEarly(wasmResponse(EMPTY_WASM))) instanceof WebAssembly.Module);
  assert.equal(await compileEarly(undefined), null);
  assert.equal(await compileEarly(wasmResponse(new Uint8Array([1, 2, 3]))), null);
});
