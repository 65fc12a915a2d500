// The Python worker: one per tab, shared by every block. A module worker, because Pyodide
// 314 runs only there. The page (client.js) sends one job at a time; every message carries
// the job's id, and every failure comes back as data.
//
//   in:  {type: "init", indexURL, lockURL, package, runner, wheel, cacheName, cachePrefix,
//         scope, immutablePrefixes, interruptBuffer?}   (interruptBuffer: the shared bytes
//         of sharedbytes.js, the signal for Pyodide and "busy with a job")
//        {type: "run", id, kind: "cell", code, filename}
//        {type: "run", id, kind: "demo", module, function, kwargs, views, figures, labels,
//         language}   (kwargs, views, figures, labels: JSON text for the runner's call_demo)
//   out: {type: "progress", stage, id?}
//        {type: "ready", info}   (info: {from: "raw"|"snapshot", cache, snapshotError?,
//         phases: {name: ms}}: where the boot's time went, see phases.js)
//        {type: "init-error", message, stalled?} | {type: "snapshot", bytes}
//        {type: "stream", id, stream, text}
//        {type: "done", id, ok, result?, views?, figures?, error?, fatal?}
//
// Boot: from the memory snapshot in the Cache API when there is one (~4× faster), else raw,
// after which the worker makes that snapshot for the next boot (private Pyodide APIs,
// guarded: any failure means a raw boot, the snapshot deleted, one console line). Without a
// usable Cache API (private modes) there is no snapshot to keep, so none is made.
import { dataEnd, deleteSnapshot, loadSnapshot, saveSnapshot, snapshotURL, zeroFreeMemory } from "./snapshot.js";
import { dropOtherCaches, openCache, pruneEntries } from "./sitecache.js";
import { StallWatch } from "./stall.js";
import { unzip } from "./unzip.js";
import { Phases } from "./phases.js";
import { BUSY, SIGINT, SIGNAL } from "./sharedbytes.js";
import { EarlyReads, compileEarly } from "./earlyreads.js";

let pyodide = null;
let runner = null;
let interrupt = null; // the bytes (sharedbytes.js) shared with the page when it is cross-origin isolated
let current = null; // id of the job in progress: where streamed output belongs
const storing = new Map(); // url -> its cache.put in progress
const post = (msg) => self.postMessage(msg);
// Where the boot's time went, reported with "ready" (info.phases, in ms).
const phases = new Phases();

// A boot is stalled when no byte of any pending download has arrived for STALL_TICKS
// seconds of the worker's idle time. 10 s: a slow mobile link (2G, ~300 ms round trips)
// still delivers a chunk every second or two once a transfer runs, and opening a connection
// takes a few round trips, so 10 s of silence means a dead request, while the reader has
// long started to wonder. A module import shows no bytes, only its end, so it may take 3×
// as long (pyodide.asm.mjs is ~1 MB, ~300 KB gzipped).
const TICK_MS = 1000;
const STALL_TICKS = 10;
const IMPORT_STALL_TICKS = 30;

class Stalled extends Error {}
// The core's wasm did not compile or instantiate: its bytes are not kept (see boot).
class WasmFailed extends Error {}

// Runtime files are content-hashed or version-pinned, so a cached copy is always right, and
// a copy whose bytes do not match is evicted (unpackWheel). Static hosts cannot send long
// cache headers; the Cache API keeps the files for return visits.
//
// Pyodide does not reject when a core file fails to download: it waits forever. So every
// failed fetch under indexURL is reported to onCoreFailure, which fails the boot at once,
// and every download is watched for stalls while the boot lasts. A file read from the cache
// ahead of Pyodide's request (EarlyReads) answers that request.
function wrapFetch(cache, prefixes, indexURL, watch, onCoreFailure, early) {
  const nativeFetch = self.fetch.bind(self);
  const checked = async (input, init, url) => {
    const token = watch.begin(url.split("/").at(-1));
    let response;
    try {
      response = await nativeFetch(input, init);
    } catch (err) {
      watch.end(token);
      if (url.startsWith(indexURL)) onCoreFailure(new Error(`${url}: ${err.message ?? err}`));
      throw err;
    }
    if (!response.ok && url.startsWith(indexURL)) {
      onCoreFailure(new Error(`${url}: HTTP ${response.status}`));
    }
    if (!response.body) {
      watch.end(token);
      return response;
    }
    // Count the bytes as they arrive, so a slow download is not taken for a stalled one.
    const counted = response.body.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          watch.progress();
          controller.enqueue(chunk);
        },
        flush: () => watch.end(token),
      }),
    );
    const { status, statusText, headers } = response;
    return new Response(counted, { status, statusText, headers });
  };
  self.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url ?? String(input);
    const end = phases.begin(`fetch ${url.split("/").at(-1)}`); // to the response, not its body
    try {
      return await cachedFetch(input, init, url);
    } finally {
      end();
    }
  };
  const cachedFetch = async (input, init, url) => {
    if (!cache || !prefixes.some((p) => url.startsWith(p))) return checked(input, init, url);
    await storing.get(url); // a second fetch of a file being stored waits for it
    if (init?.cache !== "reload") {
      const hit = (await early?.take(url)) ?? (await cache.match(url).catch(() => null));
      if (hit) return hit;
    }
    const response = await checked(input, init, url);
    if (response.ok) {
      const put = cache.put(url, response.clone()).catch(() => {});
      storing.set(url, put);
      put.then(() => storing.delete(url));
    }
    return response;
  };
}

// A module import, watched as one request whose bytes cannot be counted.
async function watchedImport(watch, url) {
  const token = watch.begin(url.split("/").at(-1), IMPORT_STALL_TICKS);
  try {
    return await import(url);
  } finally {
    watch.end(token);
  }
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
// loadPackage takes ~0.7 s. A snapshot holds Python's memory, not the file system, so the
// files are unpacked on every boot: in JavaScript (unzip.js), as unpackArchive's Python
// (zipfile, shutil, a temporary file) took ~40 ms of a ~550 ms snapshot boot. Checked
// against the lock's hash first: a copy that does not match (a cache holding another
// deploy's bytes under this URL) is evicted and fetched once more from the server, past the
// HTTP cache too. The first copy is read, hashed and unzipped while Pyodide loads
// (readWheel, started by bootWith): only the file writes need Python.
async function unpackWheel(py, msg, cache, first) {
  const url = wheelURL(msg);
  const expected = py.lockfile?.packages?.[msg.package]?.sha256;
  let digest = null;
  for (const init of [undefined, { cache: "reload" }]) {
    if (init) await cache?.delete(url);
    const read = init ? readWheel(msg, init) : first ?? readWheel(msg);
    const wheel = await phases.time("wheel wait", () => read);
    digest = wheel.digest;
    if (!expected || digest === expected) {
      const files = await wheel.files; // the lock's bytes that do not unzip fail here
      await phases.time("wheel write", () => {
        const sitePackages = py.runPython("import sysconfig; sysconfig.get_paths()['purelib']");
        for (const { name, data } of files) {
          const path = `${sitePackages}/${name}`;
          py.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
          py.FS.writeFile(path, data);
        }
      });
      return;
    }
    await storing.get(url);
  }
  await cache?.delete(url); // never keep bytes known to be wrong
  throw new Error(
    `${msg.wheel}: the server's copy does not match the site's lock (sha256 ${digest}, expected ${expected}), ` +
      "even fetched again; the site may be half-way through a deploy",
  );
}

const wheelURL = (msg) => new URL(msg.wheel, msg.lockURL).href;

// The wheel's bytes, their sha256, and its files (a promise, awaited only once the hash
// matched: other bytes may be no zip at all).
async function readWheel(msg, init) {
  const bytes = await phases.time("wheel read", async () => {
    const response = await fetch(wheelURL(msg), init);
    if (!response.ok) throw new Error(`${msg.wheel}: HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  const files = phases.time("wheel unzip", () => unzip(bytes));
  files.catch(() => {});
  return { digest: await phases.time("wheel sha256", () => sha256(bytes)), files };
}

async function sha256(bytes) {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
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

async function boot(msg, watch) {
  let coreFailed;
  const failure = new Promise((_, reject) => (coreFailed = reject));
  failure.catch(() => {});
  const coreFailure = { failed: false };
  const fail = (err) => {
    coreFailure.failed = true;
    coreFailed(err);
  };
  const ticker = setInterval(() => {
    const stalled = watch.tick();
    if (stalled) fail(new Stalled(`${stalled}: no data for ${STALL_TICKS} s`));
  }, TICK_MS);
  // Pyodide's loader and its module (which loadPyodide would import only after its own
  // set-up: the same URL, so the same module) need no cache: they start first.
  const modules = {
    loader: phases.time("import pyodide.mjs", () => watchedImport(watch, `${msg.indexURL}pyodide.mjs`)),
    asm: phases.time("import pyodide.asm.mjs", () => watchedImport(watch, `${msg.indexURL}pyodide.asm.mjs`)),
  };
  for (const imported of Object.values(modules)) imported.catch(() => {});
  const cache = await openCache(msg.cacheName);
  // From the cache at once: the snapshot, and the core's files Pyodide will ask for.
  const early = cache ? new EarlyReads(cache, [snapshotKey(msg), ...coreFiles(msg)]) : null;
  wrapFetch(cache, msg.immutablePrefixes, msg.indexURL, watch, fail, early);
  // Drop this site's caches of older cores (their snapshots go with them).
  if (cache) dropOtherCaches(msg.cachePrefix, msg.cacheName).catch(() => {});
  const info = { from: "raw", cache: Boolean(cache) };
  try {
    const booted = await Promise.race([bootWith(msg, modules, cache, early, info, coreFailure), failure]);
    return { ...booted, cache };
  } catch (err) {
    // Bytes that are no wasm (a host half-way through a deploy) must not stay in the cache:
    // the next boot (Retry, or the next Run) fetches them again.
    if (err instanceof WasmFailed && cache) {
      await storing.get(coreWasm(msg)); // its copy may still be on its way into the cache
      await cache.delete(coreWasm(msg)).catch(() => {});
    }
    throw err;
  } finally {
    clearInterval(ticker);
  }
}

// What loadPyodide fetches (the lock, the stdlib, the wasm), as the URLs it asks for.
const coreWasm = (msg) => `${msg.indexURL}pyodide.asm.wasm`;
const coreFiles = (msg) => [new URL(msg.lockURL).href, `${msg.indexURL}python_stdlib.zip`, coreWasm(msg)];

// The snapshot's key names the wheel by what it holds (its file name hashes its files), not
// by its URL (which hashes its bytes): a wheel only compressed otherwise keeps the snapshot.
const snapshotKey = (msg) =>
  snapshotURL(msg.indexURL, msg.wheel.split("/").at(-1), new URL(import.meta.url).pathname.split("/").at(-1));

// loadPyodide, timed as a whole ("python") and in its parts: the wasm's compile and
// instantiation ("compile", from Pyodide's one call to WebAssembly.instantiateStreaming,
// after waiting for its response: "wasm wait"), and what follows it ("restore": Python's
// memory from the snapshot or its start, the stdlib mounted, Pyodide's API set up).
// `compiled`: the wasm module when it was compiled from the cache ahead of Pyodide's call
// (compileEarly); Pyodide's own response is then not read, and only "instantiate" remains.
// A wasm that does not compile or instantiate fails the load: Pyodide itself only logs
// "wasm instantiation failed!" and then waits forever, with no download left to stall.
// `pristine` (optional) is handed the wasm memory's data as instantiated, before anything
// ran (instantiatedData).
async function timedLoad(loadPyodide, options, compiled, pristine = null) {
  const native = WebAssembly.instantiateStreaming;
  let endRestore = () => {};
  let failed;
  const failure = new Promise((_, reject) => (failed = reject));
  failure.catch(() => {});
  const instantiate = async (source, imports) => {
    const module = await phases.time("compile wait", () => compiled);
    if (module) {
      Promise.resolve(source).then((r) => r.body?.cancel().catch(() => {}), () => {});
      const instance = await phases.time("instantiate", () => WebAssembly.instantiate(module, imports));
      return { module, instance };
    }
    const response = await phases.time("wasm wait", () => source);
    return phases.time("compile", () => native.call(WebAssembly, response, imports));
  };
  WebAssembly.instantiateStreaming = async (source, imports) => {
    let result;
    try {
      result = await instantiate(source, imports);
    } catch (err) {
      failed(new WasmFailed(`pyodide.asm.wasm: ${err?.message ?? err}`));
      throw err;
    }
    // Only ever a smaller snapshot at stake: nothing here may fail the boot.
    if (pristine) {
      const end = phases.begin("pristine");
      try {
        pristine(instantiatedData(result.instance));
      } catch {
        // the snapshot stores those pages too
      }
      end();
    }
    endRestore = phases.begin("restore");
    return result;
  };
  try {
    return await phases.time("python", () => Promise.race([loadPyodide(options), failure]));
  } finally {
    endRestore();
    WebAssembly.instantiateStreaming = native;
  }
}

// The data a wasm instance's memory holds as instantiated (its data segments), up to its last
// byte that is not zero, or null: a snapshot boot's fresh instance holds the same, and
// Pyodide's start leaves most of it as it is (~3.4 MB of a snapshot's ~12.6), so the
// snapshot need not store those pages (encodeSnapshot's `start`; restoreInto checks them).
function instantiatedData(instance) {
  const memory = Object.values(instance?.exports ?? {}).find((value) => value instanceof WebAssembly.Memory);
  const bytes = memory && new Uint8Array(memory.buffer);
  const end = bytes ? dataEnd(bytes) : 0;
  return end ? bytes.slice(0, end) : null;
}

// Pyodide restores a snapshot by copying all of it (~31 MB) into the wasm memory, from a
// buffer the whole memory would first have to be decoded into. Instead its restoreSnapshot
// (a private API: any surprise fails the snapshot boot, and a raw boot follows) gets only
// the snapshot's header, which it checks (magic, build id) and parses (its JS state); the
// pages that are not zero go straight from the stored copy into the fresh wasm memory
// ("snapshot write"). That memory is the wasm's own size (Pyodide 314 does not size it by
// what loadPyodide is given); a heap that grew before its snapshot was made grows it first,
// where Pyodide's own restore would fail and a silent copy would cut the heap short.
async function restoreFrom(saved, loadPyodide, options, create, compiled) {
  const createPyodideModule = async (settings) => {
    const module = await create(settings);
    const API = module.API;
    const restore = API?.restoreSnapshot;
    if (typeof restore !== "function") throw new Error("this Pyodide has no restoreSnapshot");
    API.restoreSnapshot = () => {
      const sizes = new Uint8Array(8);
      saved.writeTo(sizes);
      const headerLength = pyodideHeaderLength(sizes);
      if (headerLength < 8 || headerLength > saved.length) throw new Error("the snapshot's header is damaged");
      const header = new Uint8Array(headerLength);
      saved.writeTo(header);
      const config = restore.call(API, header); // checks it; copies no memory: there is none
      const end = phases.begin("snapshot write");
      saved.restoreInto(module, headerLength);
      end();
      return config;
    };
    return module;
  };
  // loadPyodide reads only its length (as the memory's size, which Pyodide 314 then leaves
  // to the wasm); it is never written.
  const sized = new Uint8Array(saved.length);
  return timedLoad(loadPyodide, { ...options, _loadSnapshot: sized, createPyodideModule }, compiled);
}

// Where the memory starts in a snapshot Pyodide makes: after its header, whose length is
// the second little-endian uint32.
const pyodideHeaderLength = (bytes) => new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);

async function bootWith(msg, modules, cache, early, info, coreFailure) {
  post({ type: "progress", stage: "download" });
  // Side by side with Pyodide's modules: the snapshot, the wheel, and the wasm compiled
  // from the cache.
  const compiled = early
    ? early.take(coreWasm(msg)).then((r) => r && phases.time("compile", () => compileEarly(r)))
    : null;
  const options = { indexURL: msg.indexURL, lockFileURL: msg.lockURL };
  const key = snapshotKey(msg);
  let saved = null;
  if (early) {
    try {
      saved = await loadSnapshot(early.take(key), phases);
    } catch (err) {
      info.snapshotError = String(err?.message ?? err);
    }
  }
  // Unpacked once Python is up (unpackWheel). Read after the snapshot, which Python waits
  // for: on a busy thread, reading and unzipping the wheel beside it made it arrive later.
  const wheel = readWheel(msg);
  wheel.catch(() => {});
  // A module that does not arrive fails the boot: it is the network's fault, not the
  // snapshot's, which must not be deleted for it (a raw boot would fail the same way).
  const { loadPyodide } = await modules.loader;
  const { default: createModule } = await modules.asm;
  post({ type: "progress", stage: "boot" });
  let restored = null;
  if (saved) {
    try {
      restored = await restoreFrom(saved, loadPyodide, options, createModule, compiled);
      // From sys.modules: imported before the snapshot.
      runner = await phases.time("runner", () => restored.pyimport(msg.runner));
    } catch (err) {
      // The network's fault, or the wasm's bytes' (a raw boot would fail the same way, and
      // Retry fetches them anew): not the snapshot's, which stays.
      if (coreFailure.failed || err instanceof WasmFailed) throw err;
      info.snapshotError = String(err?.message ?? err);
    }
  }
  if (restored && !info.snapshotError) {
    post({ type: "progress", stage: "packages" });
    // A failure here is not the snapshot's.
    await phases.time("wheel", () => unpackWheel(restored, msg, cache, wheel));
    info.from = "snapshot";
    return { py: restored, info };
  }
  if (info.snapshotError) {
    console.warn(`parameter-lab: the saved Python snapshot failed (${info.snapshotError}); booting without it`);
    await deleteSnapshot(msg.cacheName, key);
  }
  // Making a snapshot costs boot time; without a cache to keep it, none is made.
  let start = null; // the wasm's data as instantiated: what the snapshot need not store
  const making = cache ? { ...options, _makeSnapshot: true } : options;
  const py = await timedLoad(loadPyodide, making, compiled, cache && ((data) => (start = data)));
  post({ type: "progress", stage: "packages" });
  await phases.time("wheel", () => unpackWheel(py, msg, cache, wheel));
  await phases.time("runner", () => importPackage(py, msg));
  if (!cache) return { py, info };
  try {
    await phases.time("free zeroed", () => zeroFreeMemory(py._module)); // a smaller snapshot
    const bytes = py.makeMemorySnapshot();
    // Encode and store after "ready": the first job must not wait for it. The runtime's
    // files are stored first, so "snapshot" means the next visit finds everything.
    info.snapshot = async () => {
      try {
        const unchanged = start && { from: pyodideHeaderLength(bytes), bytes: start };
        post({ type: "snapshot", bytes: await saveSnapshot(msg.cacheName, key, bytes, unchanged) });
      } catch (err) {
        console.warn(`parameter-lab: could not store the Python snapshot (${err?.message ?? err})`);
      }
    };
  } catch (err) {
    console.warn(`parameter-lab: no Python snapshot this time (${err?.message ?? err})`);
  }
  return { py, info };
}

// Once this deploy's files are stored, the site's entries that it no longer uses (older
// wheels, locks, snapshots) go: a returning reader's cache holds one deploy, not all.
async function pruneOld(msg, cache) {
  await Promise.all(storing.values());
  const lock = new URL(msg.lockURL).href;
  const wheel = wheelURL(msg);
  const snapshot = snapshotKey(msg);
  const used = (url) => url.startsWith(msg.indexURL) || url === lock || url === wheel || url === snapshot;
  await pruneEntries(cache, msg.scope, used);
}

let site = null; // the init message: the site's package and runner names

async function init(msg) {
  site = msg;
  const workerMs = performance.now(); // since this worker was created: its own load
  const endTotal = phases.begin("boot");
  const { py, info, cache } = await boot(msg, new StallWatch(STALL_TICKS));
  endTotal();
  info.phases = { worker: Math.round(workerMs), ...phases.summary() };
  pyodide = py;
  pyodide.setStdout(streamTo("stdout"));
  pyodide.setStderr(streamTo("stderr"));
  if (msg.interruptBuffer) {
    interrupt = msg.interruptBuffer;
    pyodide.setInterruptBuffer(interrupt.subarray(SIGNAL, SIGNAL + 1));
  }
  const snapshot = info.snapshot;
  delete info.snapshot;
  // After "ready": the first job must not wait for the snapshot or the clean-up.
  const store = cache
    ? async () => {
        await Promise.all(storing.values());
        await snapshot?.();
        await pruneOld(msg, cache).catch(() => {});
      }
    : null;
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

const interrupted = () => interrupt !== null && interrupt[SIGNAL] === SIGINT;

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

// The job's one "done". Not busy first: a Stop that finds the worker not busy waits for it.
function done(id, outcome) {
  if (interrupt) interrupt[BUSY] = 0;
  post({ type: "done", id, ...outcome });
}

async function run(msg) {
  current = msg.id;
  if (interrupt) interrupt[BUSY] = 1;
  try {
    // What the code imports, through the site's own modules (runner.imports_of, as the build).
    const own = JSON.stringify(ownImports(pyodide, site));
    const code = msg.kind === "cell" ? runner.imports_in(msg.code, own) : runner.imports_of(msg.module, own);
    await loadImports(code, msg.id, site);
    if (interrupted()) {
      interrupt[SIGNAL] = 0; // Stop arrived while packages loaded: Python never started
      done(msg.id, failureOf({ type: "KeyboardInterrupt" }));
      return;
    }
    post({ type: "progress", stage: "running", id: msg.id });
    const outcome =
      msg.kind === "cell"
        ? toJs(runner.run_cell(msg.code, msg.filename ?? "<cell>"))
        : toJs(runner.call_demo(msg.module, msg.function, msg.kwargs, msg.views, msg.language, msg.figures, msg.labels));
    done(msg.id, outcome);
  } catch (err) {
    done(msg.id, failureOf(err));
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
      (err) => post({ type: "init-error", message: String(err?.message ?? err), stalled: err instanceof Stalled }),
    );
  } else if (msg.type === "run") {
    ready.then(() => run(msg));
  }
};
