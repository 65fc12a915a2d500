// node --test: one site's cache on a shared origin. Names are scoped to the site's path;
// clean-up never touches another site's caches or entries, nor the pinned CDN's.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { cacheNames, dropOtherCaches, openCache, pruneEntries } from "../../tools/parameter_lab/runtime/sitecache.js";

class FakeCache {
  entries = new Set();
  async put(url) {
    this.entries.add(url);
  }
  async delete(request) {
    return this.entries.delete(request.url ?? request);
  }
  async keys() {
    return [...this.entries].map((url) => ({ url }));
  }
}
let stores;
beforeEach(() => {
  stores = new Map();
  globalThis.caches = {
    keys: async () => [...stores.keys()],
    delete: async (name) => stores.delete(name),
    open: async (name) => {
      if (!stores.has(name)) stores.set(name, new FakeCache());
      return stores.get(name);
    },
  };
});

test("names are scoped to the site's path: /a/ is no prefix of /a/b/", () => {
  const a = cacheNames("/a/", "pyodide-1");
  const ab = cacheNames("/a/b/", "pyodide-1");
  assert.equal(a.name, "plab:/a/:pyodide-1");
  assert.ok(!ab.name.startsWith(a.prefix));
  assert.notEqual(cacheNames("/b/", "pyodide-1").name, a.name);
});

test("a new core drops only this site's older caches", async () => {
  for (const name of ["plab:/a/:pyodide-1", "plab:/a/:pyodide-2", "plab:/a/b/:pyodide-1", "plab:/b/:pyodide-1", "other"]) {
    await caches.open(name);
  }
  const { prefix, name } = cacheNames("/a/", "pyodide-2");
  await dropOtherCaches(prefix, name);
  assert.deepEqual([...stores.keys()], ["plab:/a/:pyodide-2", "plab:/a/b/:pyodide-1", "plab:/b/:pyodide-1", "other"]);
});

test("pruning keeps what the deploy uses, the CDN's files, and nothing old of this site", async () => {
  const cache = await openCache("plab:/a/:pyodide-1");
  const scope = "https://u.github.io/a/assets/plab/";
  const kept = [`${scope}pyodide-1/python_stdlib.zip`, `${scope}lock.new.json`, "https://cdn/numpy.whl"];
  const old = [`${scope}lock.old.json`, `${scope}wheel-old/w.whl`];
  for (const url of [...kept, ...old]) await cache.put(url);
  const n = await pruneEntries(cache, scope, (url) => url.includes("pyodide-1/") || url.endsWith("lock.new.json"));
  assert.equal(n, 2);
  assert.deepEqual([...cache.entries], kept);
});

test("no usable Cache API: openCache says so instead of throwing", async () => {
  globalThis.caches = { open: async () => Promise.reject(new DOMException("denied", "SecurityError")) };
  assert.equal(await openCache("x"), null);
  delete globalThis.caches;
  assert.equal(await openCache("x"), null);
});
