// node --test: the snapshot store. Its key names what it holds; it round-trips through
// gzip; a damaged copy fails loudly (gzip's CRC) instead of booting; a new one replaces old.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { deleteSnapshot, loadSnapshot, saveSnapshot, snapshotURL } from "../../tools/parameter_lab/runtime/snapshot.js";

// The Cache API, as much of it as the store uses.
class FakeCache {
  entries = new Map();
  async put(url, response) {
    this.entries.set(String(url), new Uint8Array(await response.arrayBuffer()));
  }
  async match(url) {
    const bytes = this.entries.get(String(url));
    return bytes ? new Response(bytes) : undefined;
  }
  async delete(request) {
    return this.entries.delete(String(request.url ?? request));
  }
  async keys() {
    return [...this.entries.keys()].map((url) => ({ url }));
  }
}
let stores;
beforeEach(() => {
  stores = new Map();
  globalThis.caches = {
    has: async (name) => stores.has(name),
    open: async (name) => {
      if (!stores.has(name)) stores.set(name, new FakeCache());
      return stores.get(name);
    },
  };
});

const INDEX = "https://example.org/site/assets/plab/pyodide-f1dda1cc85/";

test("the key names the core, the wheel and the worker, next to the runtime files", () => {
  assert.equal(
    snapshotURL(INDEX, "plab_site_demos-0.1.0-0abc-py3-none-any.whl", "worker.123.js"),
    "https://example.org/site/assets/plab/snapshot/pyodide-f1dda1cc85/plab_site_demos-0.1.0-0abc-py3-none-any.whl/worker.123.js.gz",
  );
  assert.notEqual(snapshotURL(INDEX, "a.whl", "w.js"), snapshotURL(INDEX, "b.whl", "w.js"));
  assert.notEqual(snapshotURL(INDEX, "a.whl", "w.js"), snapshotURL(INDEX, "a.whl", "w2.js"));
});

test("a snapshot round-trips, stored compressed", async () => {
  const bytes = new Uint8Array(1 << 20).map((_, i) => (i % 251 === 0 ? i & 0xff : 0));
  const url = snapshotURL(INDEX, "a.whl", "w.js");
  const size = await saveSnapshot("plab-x", url, bytes);
  assert.ok(size < bytes.length / 10, `compressed to ${size} bytes`);
  assert.deepEqual(await loadSnapshot("plab-x", url), bytes);
});

test("no cache or no entry: null, nothing created", async () => {
  assert.equal(await loadSnapshot("plab-x", snapshotURL(INDEX, "a.whl", "w.js")), null);
  assert.equal(stores.size, 0, "looking does not create the cache");
  await saveSnapshot("plab-x", snapshotURL(INDEX, "a.whl", "w.js"), new Uint8Array(10));
  assert.equal(await loadSnapshot("plab-x", snapshotURL(INDEX, "b.whl", "w.js")), null);
});

test("a damaged snapshot throws instead of returning bad memory", async () => {
  const url = snapshotURL(INDEX, "a.whl", "w.js");
  await saveSnapshot("plab-x", url, new Uint8Array(4096).fill(7));
  const cache = stores.get("plab-x");
  const stored = cache.entries.get(url);
  const flipped = stored.slice();
  flipped[flipped.length - 6] ^= 0xff; // inside the CRC-32 trailer's reach
  cache.entries.set(url, flipped);
  await assert.rejects(loadSnapshot("plab-x", url));
  cache.entries.set(url, stored.slice(0, stored.length - 20)); // truncated
  await assert.rejects(loadSnapshot("plab-x", url));
  cache.entries.set(url, new TextEncoder().encode("not gzip at all"));
  await assert.rejects(loadSnapshot("plab-x", url));
  await deleteSnapshot("plab-x", url);
  assert.equal(await loadSnapshot("plab-x", url), null);
});

test("storing a snapshot deletes older ones and leaves runtime files alone", async () => {
  const old = snapshotURL(INDEX, "old.whl", "w.js");
  const fresh = snapshotURL(INDEX, "new.whl", "w.js");
  await saveSnapshot("plab-x", old, new Uint8Array(8));
  const cache = stores.get("plab-x");
  await cache.put(`${INDEX}pyodide.asm.wasm`, new Response(new Uint8Array(3)));
  await saveSnapshot("plab-x", fresh, new Uint8Array(8));
  assert.deepEqual([...cache.entries.keys()].sort(), [fresh, `${INDEX}pyodide.asm.wasm`].sort());
});
