// One site's runtime files in the Cache API. Several sites share an origin (GitHub Pages
// project sites, PR previews: user.github.io/a/ and /b/), so every name is scoped to the
// site's URL path and clean-up only ever touches that site's own entries.
//
// Per site, one cache per Pyodide core: "plab:<site path>:<core folder>". A new core drops
// the site's older caches; within the current one, entries of older deploys (wheels, locks,
// snapshots under the site's assets/plab/) go as soon as the new deploy's are stored.

/** The site's cache name and the prefix every cache of that site starts with. */
export function cacheNames(sitePath, core) {
  const prefix = `plab:${sitePath}:`;
  return { prefix, name: prefix + core };
}

/** The open cache, or null when there is no usable Cache API (private modes: absent, or
 * every call rejects). Callers then fetch from the network and store nothing. */
export async function openCache(name) {
  if (!globalThis.caches) return null;
  try {
    return await caches.open(name);
  } catch {
    return null;
  }
}

/** Delete this site's caches other than `name` (an older core). Other sites' stay. */
export async function dropOtherCaches(prefix, name) {
  for (const key of await caches.keys()) {
    if (key.startsWith(prefix) && key !== name) await caches.delete(key);
  }
}

/** Delete the entries of `cache` under `scope` (the site's assets/plab/) that `keep`
 * rejects; entries elsewhere (the version-pinned CDN) stay. Returns how many went. */
export async function pruneEntries(cache, scope, keep) {
  let n = 0;
  for (const request of await cache.keys()) {
    if (request.url.startsWith(scope) && !keep(request.url)) {
      await cache.delete(request);
      n += 1;
    }
  }
  return n;
}
