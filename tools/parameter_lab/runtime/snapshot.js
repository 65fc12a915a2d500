// The worker's memory snapshot in the Cache API: Pyodide's linear memory right after the
// first boot, with the site's package imported (~31 MB).
//
// Stored without its all-zero pages, nor the pages of the wasm's own data still as it was
// instantiated (a fresh instance holds them again: a checksum makes sure), and not gzipped:
// decompressing ~6 MB of gzip took ~250 ms of a ~1.2 s snapshot boot (the largest part;
// tools/bench_demos.py (e) prints them all), while copying the pages that are not zero back
// takes a few ms (straight into the wasm memory: StoredSnapshot.writeTo). What is left is
// mostly the read from the cache, so the fewer bytes stored, the sooner the boot.
// A header holds the length and a checksum of what is stored, checked before any of it is
// used, so a damaged or truncated copy fails to load instead of booting a broken interpreter.
//
// The entry lives in the runtime's cache under a URL naming the content hashes of what it
// holds: the Pyodide core, the site's wheel, and this worker (which decides what is
// imported before the snapshot). A changed site never boots a stale snapshot, and storing
// a new one deletes the others.

const MAGIC = 0x32424c50; // "PLB2", little-endian
const PAGE = 4096;
const HEADER = 16; // magic, length, checksum, start pages' checksum: four little-endian uint32

const FNV_PRIME = 0x01000193;
const FNV_SEED = 0x811c9dc5;

/** An FNV-1a over 32-bit words in four interleaved lanes, each word's mix rotated before it
 * is multiplied, then the lanes folded into one (then the odd tail words and bytes). Each
 * step is one-to-one in both its inputs, so any one changed word changes it; the rotation
 * carries a word's high bits down, where a bare FNV over words only carries changes upward
 * (two words with bit 31 flipped cancelled out). Four lanes, because one lane's
 * multiplications wait on each other: a quarter of the time (~2 ms for ~15 MB). */
export function checksum(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  const whole = words.length & ~3;
  let a = FNV_SEED;
  let b = FNV_SEED ^ 1; // unlike seeds: words moved from one lane to another change it
  let c = FNV_SEED ^ 2;
  let d = FNV_SEED ^ 3;
  for (let i = 0; i < whole; i += 4) {
    a = Math.imul(rotate(a ^ words[i]), FNV_PRIME);
    b = Math.imul(rotate(b ^ words[i + 1]), FNV_PRIME);
    c = Math.imul(rotate(c ^ words[i + 2]), FNV_PRIME);
    d = Math.imul(rotate(d ^ words[i + 3]), FNV_PRIME);
  }
  let h = FNV_SEED;
  for (const lane of [a, b, c, d]) h = mix(h, lane);
  for (let i = whole; i < words.length; i++) h = mix(h, words[i]);
  for (let i = words.length << 2; i < bytes.byteLength; i++) h = mix(h, bytes[i]);
  return h >>> 0;
}

const rotate = (x) => (x << 13) | (x >>> 19);
const mix = (h, word) => Math.imul(rotate(h ^ word), FNV_PRIME);

/** The stored checksum: the body's, with the header's other words (the memory's length, the
 * start pages' checksum) folded in, so that a damaged header fails as a damaged body does. */
const sealed = (body, length, startSum) => (mix(mix(checksum(body), length), startSum) >>> 0);

const bitmapSize = (pages) => Math.ceil(pages / 32) * 4; // whole words: pages stay aligned

/** A test of whether bytes[start:end] are all zero, over one view of `bytes`' buffer in
 * 32-bit words, made once: a restore tests ~4,000 pages of a fresh wasm memory, nearly all
 * zero, and a view (or a branch) per word or per page made that the larger part of it. */
function zeroTest(bytes) {
  const offset = bytes.byteOffset;
  const words = new Uint32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
  return (start, end) => {
    let i = offset + start; // in the buffer, from here on
    const stop = offset + end;
    for (; i < stop && i & 3; i++) if (bytes[i - offset] !== 0) return false;
    let w = i >>> 2;
    const wordsEnd = stop >>> 2;
    for (; w + 8 <= wordsEnd; w += 8) {
      if (words[w] | words[w + 1] | words[w + 2] | words[w + 3] | words[w + 4] | words[w + 5] | words[w + 6] | words[w + 7]) {
        return false;
      }
    }
    for (; w < wordsEnd; w++) if (words[w] !== 0) return false;
    for (i = Math.max(i, wordsEnd << 2); i < stop; i++) if (bytes[i - offset] !== 0) return false;
    return true;
  };
}

/** Where the bytes' data ends: past their last page that is not all zero (0 when all are). */
export function dataEnd(bytes) {
  const isZero = zeroTest(bytes);
  for (let end = bytes.length; end > 0; ) {
    const begin = Math.max(0, (Math.ceil(end / PAGE) - 1) * PAGE);
    if (!isZero(begin, end)) return end;
    end = begin;
  }
  return 0;
}

/** Whether bytes[a:a + n] equals other[b:b + n], word by word where both are aligned. */
function equalBytes(bytes, a, other, b, n) {
  if (!((bytes.byteOffset + a) % 4) && !((other.byteOffset + b) % 4) && !(n % 4)) {
    const x = new Uint32Array(bytes.buffer, bytes.byteOffset + a, n >>> 2);
    const y = new Uint32Array(other.buffer, other.byteOffset + b, n >>> 2);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (bytes[a + i] !== other[b + i]) return false;
  return true;
}

// What a page of the stored memory is: all zero, stored (kept), or as it was when the
// runtime started (the wasm's own data, which a fresh instance holds again: not stored).
const ZERO = 0;
const KEPT = 1;
const AT_START = 2;

/** One checksum over the pages at start, in order: what a restore finds in their place must
 * be what the snapshot was made over. `pageAt(p)` gives page p's bytes. */
function startSum(pages, isAtStart, pageAt) {
  let h = FNV_SEED;
  for (let p = 0; p < pages; p++) if (isAtStart(p)) h = mix(h, checksum(pageAt(p)));
  return h >>> 0;
}

/** Memory -> stored form: header, a bitmap of the pages kept and one of the pages as at
 * start, then the kept pages. `start` ({from, bytes}: memory[from + i] was bytes[i] as the
 * wasm was instantiated, before anything ran): pages still as they were then are not stored
 * (~3.4 MB of Pyodide's static data), and a checksum of them goes in the header. */
export function encodeSnapshot(memory, start = null) {
  if (memory.byteOffset % 4) memory = memory.slice(); // word access needs alignment
  const pages = Math.ceil(memory.length / PAGE);
  const isZero = zeroTest(memory);
  const bits = bitmapSize(pages);
  const bitmaps = new Uint8Array(2 * bits); // kept, then at start
  const kept = [];
  let size = 0;
  for (let p = 0; p < pages; p++) {
    const begin = p * PAGE;
    const end = Math.min(begin + PAGE, memory.length);
    if (isZero(begin, end)) continue;
    const asAtStart =
      start &&
      begin >= start.from &&
      end <= start.from + start.bytes.length &&
      equalBytes(memory, begin, start.bytes, begin - start.from, end - begin);
    bitmaps[(asAtStart ? bits : 0) + (p >>> 3)] |= 1 << (p & 7);
    if (asAtStart) continue;
    kept.push(memory.subarray(begin, end));
    size += end - begin;
  }
  const out = new Uint8Array(HEADER + bitmaps.length + size);
  out.set(bitmaps, HEADER);
  let at = HEADER + bitmaps.length;
  for (const page of kept) {
    out.set(page, at);
    at += page.length;
  }
  const header = new Uint32Array(out.buffer, 0, HEADER / 4);
  header[0] = MAGIC;
  header[1] = memory.length;
  header[3] = startSum(
    pages,
    (p) => bitmaps[bits + (p >>> 3)] & (1 << (p & 7)),
    (p) => memory.subarray(p * PAGE, Math.min((p + 1) * PAGE, memory.length)),
  );
  header[2] = sealed(out.subarray(HEADER), header[1], header[3]);
  return out;
}

/** A stored snapshot, checked (magic, checksum, size) before anything reads it: a damaged
 * or truncated copy throws here, so it never reaches Python. Its memory is written out page
 * by page, into a buffer of its own (decode) or straight into the wasm memory (writeTo):
 * a boot need not build a ~31 MB copy only to copy it again. */
export class StoredSnapshot {
  #stored;
  #bitmaps; // kept, then at start: `#bits` bytes each
  #bits;
  #startSum;
  #data; // where the kept pages start in #stored

  constructor(stored) {
    if (stored.byteOffset % 4) stored = stored.slice();
    if (stored.length < HEADER) throw new Error("the snapshot is truncated");
    const [magic, length, sum, startSum] = new Uint32Array(stored.buffer, stored.byteOffset, 4);
    if (magic !== MAGIC) throw new Error("not a Parameter Lab snapshot");
    const pages = Math.ceil(length / PAGE);
    const bits = bitmapSize(pages);
    if (stored.length < HEADER + 2 * bits || sealed(stored.subarray(HEADER), length, startSum) !== sum) {
      throw new Error("the snapshot is damaged (checksum)");
    }
    this.#stored = stored;
    this.#bitmaps = stored.subarray(HEADER, HEADER + 2 * bits);
    this.#bits = bits;
    this.#startSum = startSum;
    this.#data = HEADER + 2 * bits;
    this.length = length;
    let size = this.#data;
    for (let p = 0; p < pages; p++) if (this.#state(p) === KEPT) size += Math.min(PAGE, length - p * PAGE);
    if (size !== stored.length) throw new Error("the snapshot is damaged (size)");
  }

  /** Write the memory's bytes from `from` on into `target` (target[i] = memory[from + i]),
   * as far as either goes. Kept pages are copied; a zero page is zeroed only where the
   * target is not zero already (a fresh wasm memory mostly is, and stays untouched); a page
   * as at start is left as the target has it (restoreInto checks that first).
   * `zeroFrom`: the target is known to be zero from that index on (0: all of it). */
  writeTo(target, from = 0, { zeroFrom = target.length } = {}) {
    const end = Math.min(this.length, from + target.length);
    const pages = Math.ceil(this.length / PAGE);
    const isZero = zeroTest(target);
    let at = this.#data; // where page p's bytes are stored, when it is kept
    // A run of pages alike at a time: one copy for a run of kept pages.
    for (let p = 0, next; p < pages && p * PAGE < end; p = next) {
      const state = this.#state(p);
      for (next = p + 1; next < pages && this.#state(next) === state; next++);
      const begin = p * PAGE;
      const stop = Math.min(next * PAGE, this.length);
      const lo = Math.max(begin, from);
      const hi = Math.min(stop, end);
      if (state === KEPT) {
        if (lo < hi) target.set(this.#stored.subarray(at + lo - begin, at + hi - begin), lo - from);
        at += stop - begin;
      } else if (state === ZERO) {
        // Page by page: a page already zero is left untouched (not even written).
        const tested = Math.min(hi, from + zeroFrom);
        for (let page = lo, pageEnd; page < tested; page = pageEnd) {
          pageEnd = Math.min(tested, (Math.floor(page / PAGE) + 1) * PAGE);
          if (!isZero(page - from, pageEnd - from)) target.fill(0, page - from, pageEnd - from);
        }
      }
    }
  }

  #state(page) {
    const bit = 1 << (page & 7);
    if (this.#bitmaps[page >>> 3] & bit) return KEPT;
    return this.#bitmaps[this.#bits + (page >>> 3)] & bit ? AT_START : ZERO;
  }

  /** Write the memory from `from` on into an Emscripten module's heap (module.HEAPU8),
   * grown first (module.growMemory) when it is the larger: a heap that grew before its
   * snapshot was made. The pages as at start must be found as they were (their checksum),
   * or it throws before writing anything: a fresh instance of another wasm, or one whose
   * start wrote other data, would otherwise be a broken interpreter. So would a copy cut
   * short: it throws when the heap cannot grow. Memory past the heap's top (module._sbrk(0))
   * was never written since the wasm was instantiated, so it is zero and not read: ~18 MB of
   * a fresh instance, and the larger part of a restore's time. */
  restoreInto(module, from = 0) {
    const size = this.length - from;
    const top = heapTop(module); // before growing: what lies past it now is fresh
    if (size > module.HEAPU8.length && !module.growMemory?.(size)) {
      throw new Error(`the snapshot's memory (${size} bytes) does not fit, and could not grow`);
    }
    this.#checkStart(module.HEAPU8, from);
    this.writeTo(module.HEAPU8, from, { zeroFrom: top });
  }

  #checkStart(target, from) {
    const pages = Math.ceil(this.length / PAGE);
    const found = startSum(
      pages,
      (p) => this.#state(p) === AT_START,
      (p) => target.subarray(p * PAGE - from, Math.min((p + 1) * PAGE, this.length) - from),
    );
    if (found !== this.#startSum) throw new Error("the memory at start is not the one the snapshot was made over");
  }

  /** The whole memory, in a buffer of its own; `start` ({from, bytes}, as encodeSnapshot's)
   * gives the pages as at start, and must be the one it was made over. */
  decode(start = null) {
    const memory = new Uint8Array(this.length);
    const data = start ? start.bytes.subarray(0, Math.max(0, this.length - start.from)) : null;
    if (data) memory.set(data, start.from);
    this.#checkStart(memory, 0);
    this.writeTo(memory, 0, { zeroFrom: data ? start.from + data.length : 0 }); // zero past it
    return memory;
  }
}

/** The heap's top, where memory malloc never handed out begins (Emscripten's sbrk(0): the
 * stack and the static data lie below it); the whole memory's length for a module without
 * _sbrk or with an answer out of range. */
function heapTop(module) {
  const length = module.HEAPU8.length;
  const top = typeof module._sbrk === "function" ? module._sbrk(0) : length;
  return Number.isInteger(top) && top >= 0 && top < length ? top : length;
}

/** Zero the heap's free memory before a snapshot is made, so that fewer of its pages are
 * stored, and read at every returning boot (~1.8 of ~15 MB): each free chunk the allocator
 * can hand out below the heap's top is taken, largest sizes first, zeroed and given back.
 * Only memory malloc handed out is written, and free() then writes its own bookkeeping: the
 * allocator is left as any run of malloc and free leaves it. `module`: Emscripten's
 * (_malloc, _free, _sbrk, HEAPU8); one without them is left alone. Returns the bytes zeroed. */
export function zeroFreeMemory(module) {
  const { _malloc: malloc, _free: free, _sbrk: sbrk } = module ?? {};
  if (![malloc, free, sbrk].every((fn) => typeof fn === "function")) return 0;
  const top = sbrk(0); // memory past it was never used: zero already
  // A size no free chunk serves is taken from past the top, as far as the memory reaches:
  // sizes whose probe would grow the memory (for good, and every restore with it) are skipped.
  const room = module.HEAPU8.length - top - (64 << 10);
  const taken = [];
  let zeroed = 0;
  try {
    for (let size = 1 << 20; size >= 256; size >>>= 1) {
      if (size > room) continue;
      for (;;) {
        const at = malloc(size);
        if (!at) break;
        if (at + size > top) {
          free(at); // the heap grew for it: no free chunk of this size is left
          break;
        }
        module.HEAPU8.fill(0, at, at + size); // HEAPU8 anew: a malloc may grow the memory
        taken.push(at);
        zeroed += size;
      }
    }
  } finally {
    for (const at of taken) free(at);
  }
  return zeroed;
}

/** The Cache API key of the snapshot for this core (<base>/pyodide-<hash>/), wheel and worker. */
export function snapshotURL(indexURL, wheel, worker) {
  const core = new URL(indexURL).pathname.split("/").filter(Boolean).at(-1);
  return new URL(`../snapshot/${core}/${wheel}/${worker}.snap`, indexURL).href;
}

const isSnapshot = (url) => new URL(url).pathname.includes("/snapshot/");

/** Store the snapshot `bytes` under `url`; `start`: as encodeSnapshot's. */
export async function saveSnapshot(cacheName, url, bytes, start = null) {
  const stored = encodeSnapshot(bytes, start);
  const cache = await caches.open(cacheName);
  await cache.put(url, new Response(stored, { headers: { "content-type": "application/octet-stream" } }));
  for (const request of await cache.keys()) {
    if (isSnapshot(request.url) && request.url !== url) await cache.delete(request);
  }
  return stored.byteLength;
}

/** The stored snapshot, checked (a StoredSnapshot), or null when there is none; throws when
 * it is damaged. `match`: the cache's match for its URL (a promise of a Response, or of
 * undefined), made by the caller, so a boot can start that read beside its others.
 * `phases` (a Phases) times the read and the check apart. */
export async function loadSnapshot(match, phases = null) {
  const timed = (name, work) => (phases ? phases.time(name, work) : work());
  const stored = await timed("snapshot read", async () => {
    const hit = await match;
    return hit ? new Uint8Array(await hit.arrayBuffer()) : null;
  });
  if (!stored) return null;
  return timed("snapshot check", () => new StoredSnapshot(stored));
}

export async function deleteSnapshot(cacheName, url) {
  try {
    await (await caches.open(cacheName)).delete(url);
  } catch {
    // no Cache API: nothing was stored
  }
}
