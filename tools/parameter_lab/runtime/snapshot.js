// The worker's memory snapshot in the Cache API: Pyodide's linear memory right after the
// first boot, with the site's package imported. gzip shrinks ~31 MB to ~6 MB, and its
// CRC-32 makes a damaged copy fail to decompress instead of booting a broken interpreter.
//
// The entry lives in the runtime's cache under a URL naming the content hashes of what it
// holds: the Pyodide core, the site's wheel, and this worker (which decides what is
// imported before the snapshot). A changed site never boots a stale snapshot, and storing
// a new one deletes the others.

/** The Cache API key of the snapshot for this core (<base>/pyodide-<hash>/), wheel and worker. */
export function snapshotURL(indexURL, wheel, worker) {
  const core = new URL(indexURL).pathname.split("/").filter(Boolean).at(-1);
  return new URL(`../snapshot/${core}/${wheel}/${worker}.gz`, indexURL).href;
}

const isSnapshot = (url) => new URL(url).pathname.includes("/snapshot/");

export async function saveSnapshot(cacheName, url, bytes) {
  const body = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  // Read it all first: a Response built on a stream cannot be stored while it is pending.
  const gz = await new Response(body).arrayBuffer();
  const cache = await caches.open(cacheName);
  await cache.put(url, new Response(gz, { headers: { "content-type": "application/gzip" } }));
  for (const request of await cache.keys()) {
    if (isSnapshot(request.url) && request.url !== url) await cache.delete(request);
  }
  return gz.byteLength;
}

/** The snapshot's bytes, or null when there is none; throws when it is damaged.
 * `phases` (a Phases) times the read from the cache and the decompression apart. */
export async function loadSnapshot(cacheName, url, phases = null) {
  const timed = (name, work) => (phases ? phases.time(name, work) : work());
  const gz = await timed("snapshot read", async () => {
    if (!globalThis.caches || !(await caches.has(cacheName))) return null;
    const hit = await (await caches.open(cacheName)).match(url);
    return hit ? hit.arrayBuffer() : null;
  });
  if (!gz) return null;
  return timed("snapshot gunzip", async () => {
    const plain = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(plain).arrayBuffer());
  });
}

export async function deleteSnapshot(cacheName, url) {
  try {
    await (await caches.open(cacheName)).delete(url);
  } catch {
    // no Cache API: nothing was stored
  }
}
