// node --test: the snapshot store. Its key names what it holds; it round-trips, stored
// without its zero pages; a damaged copy fails loudly (its checksum) instead of booting; a
// new one replaces old.
import { beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import {
  StoredSnapshot,
  checksum,
  dataEnd,
  deleteSnapshot,
  encodeSnapshot,
  loadSnapshot,
  saveSnapshot,
  snapshotURL,
  zeroFreeMemory,
} from "../../tools/parameter_lab/runtime/snapshot.js";

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
// As the worker loads it: from its open cache's match.
const load = async (url) => loadSnapshot((await caches.open("plab-x")).match(url));

test("the key names the core, the wheel and the worker, next to the runtime files", () => {
  assert.equal(
    snapshotURL(INDEX, "plab_site_demos-0.1.0-0abc-py3-none-any.whl", "worker.123.js"),
    "https://example.org/site/assets/plab/snapshot/pyodide-f1dda1cc85/plab_site_demos-0.1.0-0abc-py3-none-any.whl/worker.123.js.snap",
  );
  assert.notEqual(snapshotURL(INDEX, "a.whl", "w.js"), snapshotURL(INDEX, "b.whl", "w.js"));
  assert.notEqual(snapshotURL(INDEX, "a.whl", "w.js"), snapshotURL(INDEX, "a.whl", "w2.js"));
});

test("a snapshot round-trips, stored without its zero pages", async () => {
  // Pages 0 and 200 hold data, the rest (most of a heap's free space) is zero.
  const bytes = new Uint8Array(256 * 4096);
  bytes.set([1, 2, 3], 10);
  bytes[200 * 4096 + 4095] = 9;
  const url = snapshotURL(INDEX, "a.whl", "w.js");
  const size = await saveSnapshot("plab-x", url, bytes);
  assert.ok(size < 3 * 4096, `stored in ${size} bytes`);
  assert.deepEqual((await load(url)).decode(), bytes);
});

test("any length, any offset, and nothing but data round-trip", () => {
  for (const length of [0, 3, 4096, 4097, 3 * 4096 + 1234]) {
    const data = new Uint8Array(length + 1).map((_, i) => (i * 7919) & 0xff).subarray(1); // odd offset
    assert.deepEqual(new StoredSnapshot(encodeSnapshot(data)).decode(), data, `length ${length}`);
    const zeros = new Uint8Array(length);
    assert.deepEqual(new StoredSnapshot(encodeSnapshot(zeros)).decode(), zeros, `${length} zeros`);
  }
});

test("written into a used memory from an offset: kept pages copied, zero pages zeroed, the rest left", () => {
  // What a boot does: the snapshot's first `from` bytes are Pyodide's header, the rest its
  // memory, written over a wasm memory that its start-up has already partly written.
  const length = 5 * 4096 + 100;
  const memory = new Uint8Array(length);
  memory.fill(5, 0, 4096); // page 0: data (the header's page)
  memory.fill(6, 2 * 4096 + 7, 2 * 4096 + 9); // page 2: a little data; pages 1, 3, 4: zero
  memory.fill(8, 5 * 4096, length); // the last, short page
  const saved = new StoredSnapshot(encodeSnapshot(memory));
  assert.equal(saved.length, length);
  for (const from of [0, 48, 4096 + 16, 3]) {
    const target = new Uint8Array(length + 500).fill(0xee); // all of it written by start-up
    saved.writeTo(target, from);
    assert.deepEqual(target.subarray(0, length - from), memory.subarray(from), `from ${from}`);
    assert.ok(target.subarray(length - from).every((b) => b === 0xee), "past the memory: untouched");
  }
  const header = new Uint8Array(10); // a short target gets the start only
  saved.writeTo(header);
  assert.deepEqual(header, memory.subarray(0, 10));
});

test("pages as they were at start are not stored, and a restore finds them in place or fails", () => {
  // As a boot sees it: the snapshot's first 128 bytes are Pyodide's header, then the memory,
  // whose first 3 pages (the wasm's static data) were `startBytes` when the runtime started.
  const from = 128;
  const startBytes = new Uint8Array(3 * 4096).map((_, i) => (i * 13 + 5) & 0xff);
  const memory = new Uint8Array(6 * 4096); // snapshot bytes: header, then memory
  memory.fill(1, 0, from);
  memory.set(startBytes, from);
  memory[from + 4096 + 7] ^= 0xff; // Python wrote into the static data's second page
  memory.fill(9, 5 * 4096, 5 * 4096 + 10);
  const start = { from, bytes: startBytes };
  const encoded = encodeSnapshot(memory, start);
  const plain = encodeSnapshot(memory);
  // Snapshot pages straddle memory pages (the header shifts them): only a snapshot page
  // wholly within the static data and wholly unchanged is left out (here page 2 alone).
  const unchanged = [1, 2, 3].filter((p) => {
    const a = p * 4096, b = a + 4096;
    const within = a >= from && b <= from + startBytes.length;
    return within && memory.subarray(a, b).every((v, i) => v === startBytes[a - from + i]);
  });
  assert.deepEqual(unchanged, [2]);
  assert.equal(plain.length - encoded.length, 4096, "the unchanged page is not stored");
  const saved = new StoredSnapshot(encoded);
  assert.deepEqual(saved.decode(start), memory);
  assert.throws(() => saved.decode(), /not the one the snapshot was made over/);
  // A fresh wasm memory: its static data as at start, the rest zero.
  const fresh = () => {
    const heap = new Uint8Array(6 * 4096);
    heap.set(startBytes, 0);
    return { HEAPU8: heap };
  };
  const module = fresh();
  saved.restoreInto(module, from);
  assert.deepEqual(module.HEAPU8.subarray(0, memory.length - from), memory.subarray(from));
  // Static data other than the snapshot's (another wasm, or a start that wrote elsewhere).
  const other = fresh();
  other.HEAPU8[2 * 4096] ^= 1; // in snapshot page 2, the one left out
  const before = other.HEAPU8.slice();
  assert.throws(() => saved.restoreInto(other, from), /not the one the snapshot was made over/);
  assert.deepEqual(other.HEAPU8, before, "nothing written");
});

test("pages as at start reach exactly to the start data's edges, a short last page too", () => {
  // The start data begins on a page boundary and ends with the memory, in a short last page:
  // the pages at both edges are as at start, and so left out.
  const length = 5 * 4096 + 50;
  const memory = new Uint8Array(length).map((_, i) => (i * 7 + 1) & 0xff);
  const start = { from: 4096, bytes: memory.slice(4096) };
  memory[2 * 4096 + 9] ^= 0xff; // page 2 changed since: kept
  const encoded = encodeSnapshot(memory, start);
  const plain = encodeSnapshot(memory);
  assert.equal(plain.length - encoded.length, 3 * 4096 + 50, "pages 1, 3, 4 and the short page 5 left out");
  const saved = new StoredSnapshot(encoded);
  assert.deepEqual(saved.decode(start), memory);
  const heap = new Uint8Array(length + 4096);
  heap.set(start.bytes, 4096);
  saved.restoreInto({ HEAPU8: heap });
  assert.deepEqual(heap.subarray(0, length), memory);
});

test("a memory's data ends past its last page that is not zero", () => {
  const memory = new Uint8Array(10 * 4096);
  assert.equal(dataEnd(memory), 0);
  memory[5] = 1;
  assert.equal(dataEnd(memory), 4096);
  memory[3 * 4096 + 4095] = 1; // pages 1 and 2 zero between: data, as a data segment's gaps
  assert.equal(dataEnd(memory), 4 * 4096);
  memory[memory.length - 1] = 1;
  assert.equal(dataEnd(memory), memory.length);
  assert.equal(dataEnd(new Uint8Array(4096 + 10).fill(2)), 4096 + 10, "a short last page");
});

test("restoring into a smaller heap grows it first, or fails: never a copy cut short", () => {
  const memory = new Uint8Array(3 * 4096).fill(3);
  const saved = new StoredSnapshot(encodeSnapshot(memory));
  const grows = {
    HEAPU8: new Uint8Array(4096),
    growMemory(size) {
      this.HEAPU8 = new Uint8Array(size);
      return 1;
    },
  };
  saved.restoreInto(grows, 100); // the first 100 bytes are the header: not memory
  assert.equal(grows.HEAPU8.length, 3 * 4096 - 100);
  assert.deepEqual(grows.HEAPU8, memory.subarray(100));
  const fixed = { HEAPU8: new Uint8Array(4096), growMemory: () => undefined }; // Emscripten says no
  assert.throws(() => saved.restoreInto(fixed, 100), /does not fit/);
  const roomy = { HEAPU8: new Uint8Array(4 * 4096), growMemory: () => assert.fail("no need to grow") };
  saved.restoreInto(roomy, 100);
  assert.deepEqual(roomy.HEAPU8.subarray(0, 3 * 4096 - 100), memory.subarray(100));
});

test("a restore reads no memory past the heap's top: a fresh instance never wrote there", () => {
  // Pages 1 and 3 are zero in the snapshot; the fresh heap has a byte written in each. Page 1
  // lies below the heap's top (the runtime's start may have written it): it is zeroed. Page
  // 3 lies past the top, where a fresh instance wrote nothing: it is not even read, so the
  // byte this test planted there stays (a restore that tested it would zero it).
  const memory = new Uint8Array(4 * 4096);
  memory.fill(5, 0, 4096);
  memory.fill(6, 2 * 4096, 3 * 4096);
  const saved = new StoredSnapshot(encodeSnapshot(memory));
  const heap = new Uint8Array(4 * 4096);
  heap[4096 + 10] = 1;
  heap[3 * 4096 + 10] = 1;
  saved.restoreInto({ HEAPU8: heap, _sbrk: (n) => (assert.equal(n, 0), 2 * 4096 + 100) });
  assert.equal(heap[4096 + 10], 0, "below the top: zeroed");
  assert.equal(heap[3 * 4096 + 10], 1, "past the top: not read");
  assert.deepEqual(heap.subarray(0, 3 * 4096), memory.subarray(0, 3 * 4096));
  // A top out of range (or no _sbrk at all) bounds nothing: every zero page is tested.
  for (const _sbrk of [() => -1, () => 5 * 4096, () => 1.5, undefined]) {
    const all = new Uint8Array(4 * 4096);
    all[3 * 4096 + 10] = 1;
    saved.restoreInto({ HEAPU8: all, _sbrk });
    assert.deepEqual(all, memory, String(_sbrk));
  }
});

test("no entry: null", async () => {
  assert.equal(await load(snapshotURL(INDEX, "a.whl", "w.js")), null);
  await saveSnapshot("plab-x", snapshotURL(INDEX, "a.whl", "w.js"), new Uint8Array(10));
  assert.equal(await load(snapshotURL(INDEX, "b.whl", "w.js")), null);
});

test("the checksum changes with any byte, in any lane, and with words moved between lanes", () => {
  // 9 whole words (two rounds of four lanes, then one odd word) and 3 tail bytes.
  const bytes = new Uint8Array(9 * 4 + 3).map((_, i) => (i * 37 + 11) & 0xff);
  const sum = checksum(bytes);
  for (let i = 0; i < bytes.length; i++) {
    for (const bit of [0x01, 0x80]) {
      const flipped = bytes.slice();
      flipped[i] ^= bit;
      assert.notEqual(checksum(flipped), sum, `byte ${i}, bit ${bit}`);
    }
  }
  const swapped = bytes.slice();
  swapped.set(bytes.subarray(4, 8), 0); // words 0 and 1: lanes a and b
  swapped.set(bytes.subarray(0, 4), 4);
  assert.notEqual(checksum(swapped), sum);
  // A bare FNV over words only carries a change upward: bit 31 flipped in two words of a
  // lane (or of two lanes) cancelled out.
  for (const [x, y] of [[0, 4], [0, 1], [3, 7]]) {
    const high = bytes.slice();
    high[4 * x + 3] ^= 0x80;
    high[4 * y + 3] ^= 0x80;
    assert.notEqual(checksum(high), sum, `bit 31 of words ${x} and ${y}`);
  }
  assert.notEqual(checksum(bytes.subarray(0, bytes.length - 1)), sum, "a byte missing");
  assert.equal(checksum(bytes.slice()), sum, "the same bytes elsewhere: the same sum");
});

test("a damaged header fails as damaged data does", () => {
  const memory = new Uint8Array(20 * 4096);
  memory.fill(3, 0, 3 * 4096); // the rest zero, as a heap's end is: not stored
  const stored = encodeSnapshot(memory);
  assert.equal(new StoredSnapshot(stored.slice()).length, memory.length);
  for (const [word, value] of [[1, 5 * 4096], [1, 40 * 4096], [3, 12345]]) {
    const damaged = stored.slice();
    new Uint32Array(damaged.buffer)[word] = value; // its length, or the start pages' checksum
    assert.throws(() => new StoredSnapshot(damaged), /damaged/, `word ${word} = ${value}`);
  }
});

test("a damaged snapshot throws instead of returning bad memory", async () => {
  const url = snapshotURL(INDEX, "a.whl", "w.js");
  await saveSnapshot("plab-x", url, new Uint8Array(4096).fill(7));
  const cache = stores.get("plab-x");
  const stored = cache.entries.get(url);
  const flipped = stored.slice();
  flipped[flipped.length - 6] ^= 0x01; // one bit of the data
  cache.entries.set(url, flipped);
  await assert.rejects(load(url), /damaged/);
  cache.entries.set(url, stored.slice(0, stored.length - 20)); // truncated
  await assert.rejects(load(url), /damaged/);
  cache.entries.set(url, stored.slice(0, 10));
  await assert.rejects(load(url), /truncated/);
  cache.entries.set(url, new TextEncoder().encode("not a snapshot at all"));
  await assert.rejects(load(url), /not a Parameter Lab snapshot/);
  await deleteSnapshot("plab-x", url);
  assert.equal(await load(url), null);
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

// A heap as Emscripten's module shows it: first-fit malloc over free ranges below a top
// (sbrk) that grows on demand, free() giving ranges back. Its bookkeeping lives outside the
// memory, so any byte the zeroing writes that it was not handed shows.
function fakeHeap(size, top) {
  const free = [[64, top]]; // [start, end): the first 64 bytes hold static data
  const used = new Map();
  const module = {
    HEAPU8: new Uint8Array(size).fill(0xaa, 0, top), // all of it was written once
    top,
    grew: false,
    _sbrk(grow) {
      module.top += grow;
      if (module.top > module.HEAPU8.length) {
        // As Emscripten's memory grows: a new, larger view, the old one left behind.
        const grown = new Uint8Array(2 * module.HEAPU8.length);
        grown.set(module.HEAPU8);
        module.HEAPU8 = grown;
        module.grew = true;
      }
      return module.top - grow;
    },
    _malloc(n) {
      const at = free.findIndex(([a, b]) => b - a >= n);
      if (at < 0) {
        if (module.top + n > 4 * size) return 0;
        used.set(module._sbrk(n), n);
        return module.top - n;
      }
      const [a, b] = free[at];
      free.splice(at, 1, ...(b - a > n ? [[a + n, b]] : []));
      used.set(a, n);
      return a;
    },
    _free(a) {
      free.push([a, a + used.get(a)]);
      used.delete(a);
    },
  };
  return { module, free, used };
}

test("zeroing the free heap writes only what malloc hands out, and gives it all back", () => {
  const { module, free, used } = fakeHeap(1 << 22, 3 << 20);
  const live = [module._malloc(5000), module._malloc(300), module._malloc(1 << 20)];
  for (const at of live) module.HEAPU8.fill(0x11, at, at + used.get(at));
  const freeBefore = free.reduce((sum, [a, b]) => sum + b - a, 0);
  const zeroed = zeroFreeMemory(module);
  assert.ok(zeroed > freeBefore - 256 * 4 && zeroed <= freeBefore, `${zeroed} of ${freeBefore}`);
  assert.equal(used.size, live.length, "everything taken is given back");
  const grown = module.top - (3 << 20); // a malloc the free chunks could not serve grew the heap
  assert.equal(free.reduce((sum, [a, b]) => sum + b - a, 0), freeBefore + grown);
  for (const at of live) assert.ok(module.HEAPU8.subarray(at, at + used.get(at)).every((b) => b === 0x11), "live data kept");
  assert.ok(module.HEAPU8.subarray(0, 64).every((b) => b === 0xaa), "static data kept");
  const stillDirty = module.HEAPU8.subarray(64, 3 << 20).reduce((n, b) => n + (b === 0xaa), 0);
  assert.ok(stillDirty < 256, `${stillDirty} free bytes left unzeroed (pieces under 256 bytes)`);
  assert.equal(zeroFreeMemory({ HEAPU8: new Uint8Array(8) }), 0, "no allocator: nothing done");
  assert.equal(module.grew, false, "the memory never grew for it");
  // Little room past the top: a probe for a size no free chunk serves must not grow it.
  const tight = fakeHeap((1 << 20) + (200 << 10), 1 << 20); // 200 KB past the top
  tight.module._malloc((1 << 20) - 64 - 150_000); // in use: all but 150 KB of the heap
  const freed = zeroFreeMemory(tight.module);
  assert.equal(tight.module.grew, false, "no growth for a probe no free chunk serves");
  assert.ok(freed > 140_000 && freed <= 150_000, `the free 150 KB zeroed all the same: ${freed}`);
  assert.equal(tight.used.size, 1);
});
