// The Python worker: one per tab, shared by every block on the page. A module worker,
// because Pyodide 314 runs only there. Messages carry an id; errors come back as data.
//
//   in:  {type: "init", indexURL, lockURL, cacheName, immutablePrefixes, interruptBuffer?}
//        {type: "run-cell", id, code} | {type: "run-demo", id, module, function, kwargs}
//   out: {type: "progress", stage} | {type: "ready"} | {type: "init-error", message}
//        {type: "stream", id, stream, text} | {type: "done", id, ok, result?, error?}

let pyodide = null;
let runner = null;
let current = null; // id of the run in progress: where streamed output belongs
let queue = Promise.resolve(); // runs one at a time: there is one interpreter
const post = (msg) => self.postMessage(msg);

// Runtime files are content-hashed or version-pinned, so a cached copy is always right.
// Static hosts cannot send long cache headers; the Cache API keeps them for return visits.
//
// Pyodide does not reject when a core file fails to download: it waits forever. So every
// failed fetch under indexURL is reported to onCoreFailure, which fails the boot at once.
function wrapFetch(cacheName, prefixes, indexURL, onCoreFailure) {
  const nativeFetch = self.fetch.bind(self);
  const checked = async (input, init, url) => {
    let response;
    try {
      response = await nativeFetch(input, init);
    } catch (err) {
      if (url.startsWith(indexURL)) onCoreFailure(new Error(`${url}: ${err.message ?? err}`));
      throw err;
    }
    if (!response.ok && url.startsWith(indexURL)) {
      onCoreFailure(new Error(`${url}: HTTP ${response.status}`));
    }
    return response;
  };
  self.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url ?? String(input);
    if (!self.caches || !prefixes.some((p) => url.startsWith(p))) return checked(input, init, url);
    let cache = null;
    try {
      cache = await caches.open(cacheName);
      const hit = await cache.match(url);
      if (hit) return hit;
    } catch {
      cache = null; // Cache API unavailable (private mode …): just fetch
    }
    const response = await checked(input, init, url);
    if (cache && response.ok) cache.put(url, response.clone()).catch(() => {});
    return response;
  };
  if (!self.caches) return;
  // Drop caches left by older runtime versions.
  caches.keys().then((keys) =>
    keys.filter((k) => k.startsWith("plab-") && k !== cacheName).forEach((k) => caches.delete(k)),
  ).catch(() => {});
}

function streamTo(stream) {
  const decoder = new TextDecoder();
  return {
    write(buffer) {
      const text = decoder.decode(buffer, { stream: true });
      if (text) post({ type: "stream", id: current, stream, text });
      return buffer.length;
    },
  };
}

async function init(msg) {
  let coreFailed;
  const failure = new Promise((_, reject) => (coreFailed = reject));
  wrapFetch(msg.cacheName, msg.immutablePrefixes, msg.indexURL, coreFailed);
  post({ type: "progress", stage: "download" });
  const { loadPyodide } = await import(`${msg.indexURL}pyodide.mjs`);
  post({ type: "progress", stage: "boot" });
  pyodide = await Promise.race([
    loadPyodide({ indexURL: msg.indexURL, lockFileURL: msg.lockURL }),
    failure,
  ]);
  pyodide.setStdout(streamTo("stdout"));
  pyodide.setStderr(streamTo("stderr"));
  if (msg.interruptBuffer) pyodide.setInterruptBuffer(msg.interruptBuffer);
  post({ type: "progress", stage: "packages" });
  await pyodide.loadPackage("parameter-lab-demos");
  runner = pyodide.pyimport("demos._runtime");
}

async function loadImports(code, id) {
  const failures = [];
  post({ type: "progress", stage: "packages", id });
  // Offline, a failed package load resolves quietly: the import error that follows names it.
  await pyodide.loadPackagesFromImports(code, {
    messageCallback: () => {},
    errorCallback: (text) => failures.push(text),
  });
  return failures;
}

function toJs(proxy) {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
}

async function run(msg) {
  current = msg.id;
  try {
    let outcome;
    if (msg.type === "run-cell") {
      await loadImports(msg.code, msg.id);
      post({ type: "progress", stage: "running", id: msg.id });
      outcome = toJs(runner.run_cell(msg.code));
    } else {
      await loadImports(runner.imports_of(msg.module), msg.id);
      post({ type: "progress", stage: "running", id: msg.id });
      outcome = toJs(runner.call_demo(msg.module, msg.function, JSON.stringify(msg.kwargs)));
    }
    post({ type: "done", id: msg.id, ...outcome });
  } catch (err) {
    post({ type: "done", id: msg.id, ok: false, error: { type: "InternalError", message: String(err), traceback: String(err) } });
  } finally {
    current = null;
  }
}

let ready = null;
self.onmessage = (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    ready = init(msg).then(
      () => post({ type: "ready" }),
      (err) => post({ type: "init-error", message: String(err?.message ?? err) }),
    );
    return;
  }
  queue = queue.then(() => ready).then(() => run(msg));
};
