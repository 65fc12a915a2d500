// The site's service worker: the pages a reader opened stay readable offline, with what
// they showed (pre-rendered output, static charts, math: all in the page and its files),
// and once Python ran, the demos run offline too.
//
// - Network first: online, every request goes to the server, so a new deploy is seen at
//   once and no stale page is ever served while the network works. Only when the network
//   fails does a stored copy answer.
// - Except the runtime's files (under ?assets=, the site's assets/plab/): each is named by
//   its content's hash or pinned by version, so a stored copy can never be stale, and it
//   answers without asking the server. A returning reader's Run then waits for no round
//   trip per module (the widgets, the Python worker, Pyodide's two modules) once the HTTP
//   cache's freshness has run out (GitHub Pages: 10 minutes).
// - Nothing is precached. The loader registers this worker after the page's load event,
//   and then hands it the URLs the page already loaded (from the HTTP cache, mostly), so
//   the first page is kept too; later requests are stored as they pass.
// - The Python runtime's big files (the core's wasm and stdlib, the lock, the wheel, the
//   snapshot) are kept by the Python worker in its own cache; they are not stored twice,
//   and offline they are found there.
// - Registered at the site's root with its deploy in the query (?v=<loader file>): a new
//   deploy installs a new worker, which drops the previous deploy's copies of this site
//   only (several sites may share the origin).
//
// Workbox's NetworkFirst and CacheFirst would do the fetch part, but with its router,
// expiration and precache plumbing it is several times this file, for two rules; this file
// has no imports.

const SCOPE = self.registration.scope;
const PREFIX = `plab-sw:${new URL(SCOPE).pathname}:`;
const PARAMS = new URL(location.href).searchParams;
const NAME = PREFIX + (PARAMS.get("v") ?? "");
const IMMUTABLE = PARAMS.has("assets") ? new URL(PARAMS.get("assets"), SCOPE).href : null;
const KEPT_BY_PYTHON = /(\/pyodide\.asm\.wasm|\/python_stdlib\.zip|\.whl|\/pyodide-lock\.[0-9a-f]+\.json)$|\/snapshot\//;

const storable = (url) => url.startsWith(SCOPE) && !KEPT_BY_PYTHON.test(new URL(url).pathname);
// Pages are stored without their query; a fragment never reaches the network.
const keyOf = (request) => (request.mode === "navigate" ? request.url.split("?")[0] : request.url);

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== NAME) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  if (request.headers.has("range")) return;
  const immutable = IMMUTABLE && request.url.startsWith(IMMUTABLE);
  event.respondWith(immutable ? storedFirst(request) : networkFirst(request));
});

// A request for the server's copy (cache: "reload", a wheel fetched again after a hash
// mismatch) skips the stored ones. A module's retry (?retry=N after a failed import) is
// another URL: it reaches the server unless an earlier retry of it was stored, whole.
async function storedFirst(request) {
  const stored = request.cache === "reload" ? undefined : caches.match(request.url);
  const hit = await stored?.catch(() => undefined);
  const script = request.destination === "script" || request.destination === "worker";
  return hit ?? networkFirst(request, { answerStored: script });
}

// `answerStored`: a script met for the first time is stored before it is answered, and
// answered from the store. V8 keeps a script's compiled code beside a copy that came from
// Cache Storage, so the next visit compiles none of it (Pyodide's JS, ~1.2 MB: tens of ms of
// a returning boot). A module is compiled only once whole: waiting for its end costs nothing.
async function networkFirst(request, { answerStored = false } = {}) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    // Offline: this site's stored copy, or the Python worker's (caches.match looks in both).
    const hit = await caches.match(keyOf(request)).catch(() => undefined);
    if (hit) return hit;
    throw err;
  }
  if (response.status !== 200 || !storable(request.url)) return response;
  const copy = response.clone();
  const stored = caches.open(NAME).then(async (cache) => {
    await cache.put(keyOf(request), copy);
    return cache;
  });
  if (!answerStored) {
    stored.catch(() => {});
    return response;
  }
  try {
    return (await (await stored).match(keyOf(request))) ?? response;
  } catch {
    return response; // not stored (no room, say): the network's copy, as before
  }
}

// {type: "keep", urls}: the loader's page was loaded before this worker controlled it.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "keep") return;
  const urls = event.data.urls.filter((url) => typeof url === "string" && storable(url));
  event.waitUntil(
    caches.open(NAME).then((cache) =>
      Promise.all(
        urls.map(async (url) => {
          if (await cache.match(url)) return;
          const response = await fetch(url).catch(() => null);
          if (response?.status === 200) await cache.put(url, response);
        }),
      ),
    ),
  );
});
