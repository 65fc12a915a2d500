// The worker's memory snapshot in the Cache API: Pyodide's linear memory right after the
// first boot, with the site's package imported (~31 MB).
//
// Stored without its all-zero pages, not gzipped: decompressing ~6 MB of gzip took ~250 ms
// of a ~1.2 s snapshot boot (the largest part; tools/bench_demos.py (e) prints them all),
// while copying the pages that are not zero back takes a few ms (straight into the wasm
// memory: StoredSnapshot.writeTo), and reading more bytes from the cache costs little more.
// A header holds the length and a checksum of what is stored, checked before any of it is
// used, so a damaged or truncated copy fails to load instead of booting a broken interpreter.
//
// The entry lives in the runtime's cache under a URL naming the content hashes of what it
// holds: the Pyodide core, the site's wheel, and this worker (which decides what is
// imported before the snapshot). A changed site never boots a stale snapshot, and storing
// a new one deletes the others.

const MAGIC = 0x31424c50; // "PLB1", little-endian
const PAGE = 4096;
const HEADER = 16; // magic, length, checksum, reserved: four little-endian uint32

/** A 32-bit FNV-1a over 32-bit words (then the odd tail bytes): fast, and any flipped or
 * missing byte changes it. */
export function checksum(bytes) {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  for (let i = words.length << 2; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

const bitmapSize = (pages) => Math.ceil(pages / 32) * 4; // whole words: pages stay aligned

function isZero(bytes, start, end) {
  if ((bytes.byteOffset + start) % 4) {
    for (let i = start; i < end; i++) if (bytes[i] !== 0) return false;
    return true;
  }
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + start, (end - start) >>> 2);
  for (let i = 0; i < words.length; i++) if (words[i] !== 0) return false;
  for (let i = start + (words.length << 2); i < end; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** Memory -> stored form: header, a bitmap of the pages kept, then those pages. */
export function encodeSnapshot(memory) {
  if (memory.byteOffset % 4) memory = memory.slice(); // word access needs alignment
  const pages = Math.ceil(memory.length / PAGE);
  const bitmap = new Uint8Array(bitmapSize(pages));
  const kept = [];
  let size = 0;
  for (let p = 0; p < pages; p++) {
    const start = p * PAGE;
    const end = Math.min(start + PAGE, memory.length);
    if (isZero(memory, start, end)) continue;
    bitmap[p >>> 3] |= 1 << (p & 7);
    kept.push(memory.subarray(start, end));
    size += end - start;
  }
  const out = new Uint8Array(HEADER + bitmap.length + size);
  out.set(bitmap, HEADER);
  let at = HEADER + bitmap.length;
  for (const page of kept) {
    out.set(page, at);
    at += page.length;
  }
  const header = new Uint32Array(out.buffer, 0, HEADER / 4);
  header[0] = MAGIC;
  header[1] = memory.length;
  header[2] = checksum(out.subarray(HEADER));
  return out;
}

/** A stored snapshot, checked (magic, checksum, size) before anything reads it: a damaged
 * or truncated copy throws here, so it never reaches Python. Its memory is written out page
 * by page, into a buffer of its own (decode) or straight into the wasm memory (writeTo):
 * a boot need not build a ~31 MB copy only to copy it again. */
export class StoredSnapshot {
  #stored;
  #bitmap;
  #data; // where the kept pages start in #stored

  constructor(stored) {
    if (stored.byteOffset % 4) stored = stored.slice();
    if (stored.length < HEADER) throw new Error("the snapshot is truncated");
    const [magic, length, sum] = new Uint32Array(stored.buffer, stored.byteOffset, 3);
    if (magic !== MAGIC) throw new Error("not a Parameter Lab snapshot");
    const pages = Math.ceil(length / PAGE);
    const bits = bitmapSize(pages);
    if (stored.length < HEADER + bits || checksum(stored.subarray(HEADER)) !== sum) {
      throw new Error("the snapshot is damaged (checksum)");
    }
    const bitmap = stored.subarray(HEADER, HEADER + bits);
    let size = HEADER + bits;
    for (let p = 0; p < pages; p++) if (bitmap[p >>> 3] & (1 << (p & 7))) size += Math.min(PAGE, length - p * PAGE);
    if (size !== stored.length) throw new Error("the snapshot is damaged (size)");
    this.#stored = stored;
    this.#bitmap = bitmap;
    this.#data = HEADER + bits;
    this.length = length;
  }

  /** Write the memory's bytes from `from` on into `target` (target[i] = memory[from + i]),
   * as far as either goes. Kept pages are copied; a zero page is zeroed only where the
   * target is not zero already (a fresh wasm memory mostly is, and stays untouched).
   * `zeroed`: the target is known to be all zero. */
  writeTo(target, from = 0, { zeroed = false } = {}) {
    const end = Math.min(this.length, from + target.length);
    const pages = Math.ceil(this.length / PAGE);
    let at = this.#data;
    for (let p = 0; p < pages; p++) {
      const start = p * PAGE;
      const size = Math.min(PAGE, this.length - start);
      const kept = this.#bitmap[p >>> 3] & (1 << (p & 7));
      const lo = Math.max(start, from);
      const hi = Math.min(start + size, end);
      if (lo < hi) {
        if (kept) target.set(this.#stored.subarray(at + lo - start, at + hi - start), lo - from);
        else if (!zeroed && !isZero(target, lo - from, hi - from)) target.fill(0, lo - from, hi - from);
      }
      if (kept) at += size;
    }
  }

  /** Write the memory from `from` on into an Emscripten module's heap (module.HEAPU8),
   * grown first (module.growMemory) when it is the larger: a heap that grew before its
   * snapshot was made. A copy cut short would be a broken interpreter, so it throws when
   * the heap cannot grow. */
  restoreInto(module, from = 0) {
    const size = this.length - from;
    if (size > module.HEAPU8.length && !module.growMemory?.(size)) {
      throw new Error(`the snapshot's memory (${size} bytes) does not fit, and could not grow`);
    }
    this.writeTo(module.HEAPU8, from);
  }

  /** The whole memory, in a buffer of its own. */
  decode() {
    const memory = new Uint8Array(this.length);
    this.writeTo(memory, 0, { zeroed: true });
    return memory;
  }
}

/** The Cache API key of the snapshot for this core (<base>/pyodide-<hash>/), wheel and worker. */
export function snapshotURL(indexURL, wheel, worker) {
  const core = new URL(indexURL).pathname.split("/").filter(Boolean).at(-1);
  return new URL(`../snapshot/${core}/${wheel}/${worker}.snap`, indexURL).href;
}

const isSnapshot = (url) => new URL(url).pathname.includes("/snapshot/");

export async function saveSnapshot(cacheName, url, bytes) {
  const stored = encodeSnapshot(bytes);
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
