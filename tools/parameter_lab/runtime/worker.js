// The Python worker: one per tab, shared by every block. A module worker, because Pyodide
// 314 runs only there. The page (client.js) sends one job at a time; every message carries
// the job's id, and every failure comes back as data.
//
//   in:  {type: "init", indexURL, lockURL, package, runner, wheel, cacheName,
//         immutablePrefixes, interruptBuffer?}
//        {type: "run", id, kind: "cell", code, filename}
//        {type: "run", id, kind: "demo", module, function, kwargs, views, figures, labels,
//         language}   (kwargs, views, figures, labels: JSON text for the runner's call_demo)
//   out: {type: "progress", stage, id?} | {type: "ready", info} | {type: "init-error", message}
//        {type: "snapshot", bytes} | {type: "stream", id, stream, text}
//        {type: "done", id, ok, result?, views?, figures?, error?, fatal?}
//
// Boot: from the memory snapshot in the Cache API when there is one (~4× faster), else raw,
// after which the worker makes that snapshot for the next boot (private Pyodide APIs,
// guarded: any failure means a raw boot, the snapshot deleted, one console line).
import { deleteSnapshot, loadSnapshot, saveSnapshot, snapshotURL } from "./snapshot.js";

let pyodide = null;
let runner = null;
let interrupt = null; // shared with the page when it is cross-origin isolated
let current = null; // id of the job in progress: where streamed output belongs
const storing = new Map(); // url -> its cache.put in progress
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
      await storing.get(url); // a second fetch of a file being stored waits for it
      cache = await caches.open(cacheName);
      const hit = await cache.match(url);
      if (hit) return hit;
    } catch {
      cache = null; // Cache API unavailable (private mode …): just fetch
    }
    const response = await checked(input, init, url);
    if (cache && response.ok) {
      const put = cache.put(url, response.clone()).catch(() => {});
      storing.set(url, put);
      put.then(() => storing.delete(url));
    }
    return response;
  };
  if (!self.caches) return;
  // Drop caches left by older runtime versions (their snapshots go with them).
  caches
    .keys()
    .then((keys) => keys.filter((k) => k.startsWith("plab-") && k !== cacheName).forEach((k) => caches.delete(k)))
    .catch(() => {});
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

// The site's wheel, unpacked into site-packages by hand rather than by loadPackage: a
// snapshot requires Pyodide's package registry untouched, and after a snapshot boot
// loadPackage takes ~0.7 s where this takes a few ms. A snapshot holds Python's memory, not
// the file system, so the files are unpacked on every boot. Checked against the lock's hash.
async function unpackWheel(py, msg) {
  const response = await fetch(new URL(msg.wheel, msg.lockURL));
  if (!response.ok) throw new Error(`${msg.wheel}: HTTP ${response.status}`);
  const bytes = await response.arrayBuffer();
  const expected = py.lockfile?.packages?.[msg.package]?.sha256;
  const digest = [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  if (expected && digest !== expected) throw new Error(`${msg.wheel}: sha256 ${digest}, expected ${expected}`);
  const sitePackages = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
  py.unpackArchive(bytes, "wheel", { extractDir: sitePackages });
}

// The runner and the package's own modules, imported so a snapshot holds them.
function importPackage(py, msg) {
  runner = py.pyimport(msg.runner);
  for (const name of ownImports(py, msg)) {
    try {
      py.pyimport(name).destroy();
    } catch {
      // an import that needs more than the stdlib waits for its first job
    }
  }
}

const ownImports = (py, msg) => py.lockfile?.packages?.[msg.package]?.imports ?? [];

// Pyodide packages a piece of code imports (numpy …), as loadPackagesFromImports finds them,
// leaving out the site's own package: it is unpacked already, and not in Pyodide's registry.
let packageOf = null; // top-level import -> Pyodide package; the lock is fixed per worker
function packagesFor(py, msg, code) {
  if (!packageOf) {
    packageOf = new Map();
    for (const [name, entry] of Object.entries(py.lockfile?.packages ?? {})) {
      for (const top of entry.imports ?? []) packageOf.set(top, name);
    }
    for (const own of ownImports(py, msg)) packageOf.delete(own);
  }
  const found = py.pyodide_py.code.find_imports(code);
  const names = found.toJs();
  found.destroy();
  return [...new Set(names.map((n) => packageOf.get(n)).filter(Boolean))];
}

async function boot(msg) {
  let coreFailed;
  const failure = new Promise((_, reject) => (coreFailed = reject));
  failure.catch(() => {});
  const coreFailure = { failed: false };
  wrapFetch(msg.cacheName, msg.immutablePrefixes, msg.indexURL, (err) => {
    coreFailure.failed = true;
    coreFailed(err);
  });
  post({ type: "progress", stage: "download" });
  const { loadPyodide } = await import(`${msg.indexURL}pyodide.mjs`);
  const options = { indexURL: msg.indexURL, lockFileURL: msg.lockURL };
  const key = snapshotURL(msg.indexURL, msg.wheel, new URL(import.meta.url).pathname.split("/").at(-1));
  const info = { from: "raw" };
  let saved = null;
  try {
    saved = await loadSnapshot(msg.cacheName, key);
  } catch (err) {
    info.snapshotError = String(err?.message ?? err);
  }
  post({ type: "progress", stage: "boot" });
  let restored = null;
  if (saved) {
    try {
      restored = await Promise.race([loadPyodide({ ...options, _loadSnapshot: saved }), failure]);
      runner = restored.pyimport(msg.runner); // from sys.modules: imported before the snapshot
    } catch (err) {
      if (coreFailure.failed) throw err; // the network, not the snapshot
      info.snapshotError = String(err?.message ?? err);
    }
  }
  if (restored && !info.snapshotError) {
    post({ type: "progress", stage: "packages" });
    await Promise.race([unpackWheel(restored, msg), failure]); // a failure here is not the snapshot's
    info.from = "snapshot";
    return { py: restored, info };
  }
  if (info.snapshotError) {
    console.warn(`parameter-lab: the saved Python snapshot failed (${info.snapshotError}); booting without it`);
    await deleteSnapshot(msg.cacheName, key);
  }
  const py = await Promise.race([loadPyodide({ ...options, _makeSnapshot: true }), failure]);
  post({ type: "progress", stage: "packages" });
  await Promise.race([unpackWheel(py, msg), failure]);
  importPackage(py, msg);
  try {
    const bytes = py.makeMemorySnapshot();
    // Compress and store after "ready": the first job must not wait for it. The runtime's
    // files are stored first, so "snapshot" means the next visit finds everything.
    info.snapshot = async () => {
      try {
        await Promise.all(storing.values());
        post({ type: "snapshot", bytes: await saveSnapshot(msg.cacheName, key, bytes) });
      } catch (err) {
        console.warn(`parameter-lab: could not store the Python snapshot (${err?.message ?? err})`);
      }
    };
  } catch (err) {
    console.warn(`parameter-lab: no Python snapshot this time (${err?.message ?? err})`);
  }
  return { py, info };
}

let site = null; // the init message: the site's package and runner names

async function init(msg) {
  site = msg;
  const { py, info } = await boot(msg);
  pyodide = py;
  pyodide.setStdout(streamTo("stdout"));
  pyodide.setStderr(streamTo("stderr"));
  if (msg.interruptBuffer) {
    interrupt = msg.interruptBuffer;
    pyodide.setInterruptBuffer(interrupt);
  }
  const store = info.snapshot;
  delete info.snapshot;
  return { info, store };
}

async function loadImports(code, id, msg) {
  const packages = packagesFor(pyodide, msg, code);
  if (!packages.length) return;
  post({ type: "progress", stage: "packages", id });
  // Offline, a failed package load resolves quietly: the import error that follows names it.
  await pyodide.loadPackage(packages, { messageCallback: () => {}, errorCallback: () => {} });
}

function toJs(proxy) {
  const value = proxy.toJs({ dict_converter: Object.fromEntries });
  proxy.destroy();
  return value;
}

const interrupted = () => interrupt !== null && interrupt[0] === 2;

function failureOf(err) {
  const message = String(err?.message ?? err);
  if (err?.pyodide_fatal_error) {
    return { ok: false, fatal: true, error: { type: "FatalError", message, traceback: message } };
  }
  if (err?.type === "KeyboardInterrupt" || interrupted()) {
    return { ok: false, stopped: true, error: { type: "KeyboardInterrupt", message: "", traceback: "" } };
  }
  return { ok: false, error: { type: "InternalError", message, traceback: message } };
}

async function run(msg) {
  current = msg.id;
  try {
    // What the code imports, through the site's own modules (runner.imports_of, as the build).
    const own = JSON.stringify(ownImports(pyodide, site));
    const code = msg.kind === "cell" ? runner.imports_in(msg.code, own) : runner.imports_of(msg.module, own);
    await loadImports(code, msg.id, site);
    if (interrupted()) {
      interrupt[0] = 0; // Stop arrived while packages loaded: Python never started
      post({ type: "done", id: msg.id, ...failureOf({ type: "KeyboardInterrupt" }) });
      return;
    }
    post({ type: "progress", stage: "running", id: msg.id });
    const outcome =
      msg.kind === "cell"
        ? toJs(runner.run_cell(msg.code, msg.filename ?? "<cell>"))
        : toJs(runner.call_demo(msg.module, msg.function, msg.kwargs, msg.views, msg.language, msg.figures, msg.labels));
    post({ type: "done", id: msg.id, ...outcome });
  } catch (err) {
    post({ type: "done", id: msg.id, ...failureOf(err) });
  } finally {
    current = null;
  }
}

let ready = null;
self.onmessage = ({ data: msg }) => {
  if (msg.type === "init") {
    ready = init(msg).then(
      ({ info, store }) => {
        post({ type: "ready", info });
        store?.();
      },
      (err) => post({ type: "init-error", message: String(err?.message ?? err) }),
    );
  } else if (msg.type === "run") {
    ready.then(() => run(msg));
  }
};
