// Reads from the site's cache started before anyone asks for them. A returning reader's
// boot reads the snapshot first, and Pyodide asks for its core files (the lock, the stdlib,
// the wasm) only once its loader is imported and configured, ~100 ms later: reading them
// meanwhile takes those Cache API round trips off the boot's path.
//
//   const early = new EarlyReads(cache, [lockURL, wasmURL]);
//   await early.take(url)   // -> the cached Response, or undefined (none, or taken already)
//
// A Response's body can be read once, so each read is taken once; what is never taken is
// only a cache match whose body nobody reads.
export class EarlyReads {
  #pending = new Map();

  /** @param cache a Cache (or anything with match(url) -> Promise<Response|undefined>). */
  constructor(cache, urls) {
    for (const url of urls) this.#pending.set(url, cache.match(url).catch(() => undefined));
  }

  /** The early read of `url`: a promise of its Response, or of undefined when the cache has
   * none or it was taken already. Never rejects. */
  take(url) {
    const read = this.#pending.get(url);
    this.#pending.delete(url);
    return read ?? Promise.resolve(undefined);
  }
}

/** The wasm module compiled from `response` (streamed, as instantiateStreaming would), or
 * null when there is no response or it does not compile: Pyodide then compiles its own. */
export async function compileEarly(response) {
  if (!response) return null;
  try {
    return await WebAssembly.compileStreaming(response);
  } catch {
    return null;
  }
}
