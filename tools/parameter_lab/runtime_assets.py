"""The browser runtime: built once from npm into ``_dist/``, then hashed into each site.

Two stages, so that an installed plugin needs neither Node.js nor npm:

1. ``build_dist`` (in a checkout with ``node_modules``, and before building the wheel):
   the Pyodide core, Temml (run at build) and the math font, and our ES modules bundled by esbuild
   (with CodeMirror and Vega-Embed) go into ``parameter_lab/_dist/``, which the wheel
   carries. In a checkout it is rebuilt whenever its sources change.
2. ``build_runtime`` (at every ``mkdocs build``): those files get content-hashed names,
   the site's demos package becomes a wheel registered in a generated Pyodide lock, and
   the loader gets the manifest of every hashed name.

Only packages Pyodide does not ship in its npm core (numpy …) resolve to the
version-pinned CDN, unless a local Pyodide distribution is given. Every served file name
carries a hash of its content, so any cache may keep it forever.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from parameter_lab import caches

PACKAGE_DIR = Path(__file__).parent
RUNTIME_SRC = PACKAGE_DIR / "runtime"
DIST = PACKAGE_DIR / "_dist"
CHECKOUT = PACKAGE_DIR.parents[1]  # the repository root, when running from a checkout
BROWSER_DIST = "plab-site-demos"  # the browser wheel's distribution name in the Pyodide lock
BROWSER_VERSION = "0.1.0"
RUNNER_MODULE = "plab_runner"  # parameter_lab/runner.py, as the browser wheel names it
# Files Pyodide's core loads by fixed name from its indexURL.
PYODIDE_CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
# Bundles built by esbuild from runtime/ entries: logical name -> entry file.
BUNDLES = {
    "widgets": "widgets.js",
    "worker": "worker.js",
    "editor": "editor.js",
    "charts": "charts.js",
    "chartsvg": "chartsvg.js",  # a worker: demo charts as static SVG after a run
    "loader": "loader.js",
    "sw": "sw.js",  # the service worker; the plugin copies it to the site's root (SW_NAME)
}
# A service worker controls only its own folder and below, and GitHub Pages cannot send
# Service-Worker-Allowed: so it is served from the site's root, under this fixed name.
SW_NAME = "plab-sw.js"
# The loader is bundled before any site exists; each build puts its manifest here.
MANIFEST_PLACEHOLDER = '"__PLAB_MANIFEST__"'
# The self-hosted math font plab-math-font.css names by this file name (runtime/fonts/).
MATH_FONT = "plab-math.woff2"
# Classic scripts inlined into each page's head. With Material's search: its index waits for
# the reader's intent (runtime/searchintent.js). With the runtime: the loader is fetched once
# the page has loaded, or at the first act on a block (runtime/loaderintent.js).
SEARCH_HOLD = "searchhold.js"
LOADER_START = "loaderstart.js"
INLINE_SCRIPTS = (SEARCH_HOLD, LOADER_START)
MATH_FONT_FACE = "plab-math-font.css"  # its @font-face, for a site with math and no loader
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same bytes


class AssetError(RuntimeError):
    """A runtime asset cannot be built; the message says what to install or fix."""


@dataclass(frozen=True)
class Styles:
    """What a page of a site with blocks, charts or math needs before its first paint."""

    css: str  # plab.css, inlined into each page: a file would be one more blocking request
    font: str  # the hashed math font's file name, beside the runtime in assets/plab/
    font_face: str  # its @font-face, with url(MATH_FONT) still to be made the page's own

    def font_face_at(self, url: str) -> str:
        """The @font-face for a page that reaches the font at ``url``."""
        return self.font_face.replace(f"url({MATH_FONT})", f"url({url})")


@dataclass(frozen=True)
class RuntimeBundle:
    directory: Path  # holds every hashed file; copied to <site>/assets/plab/
    manifest: dict  # logical name -> hashed file name inside ``directory``

    @property
    def loader(self) -> str:
        """File name of the loader module, which each page fetches once loaded (loaderstart.js)."""
        return self.manifest["loader"]


# ---- stage 1: the distribution the wheel carries -------------------------------------------


def ensure_dist() -> Path:
    """``_dist/``, rebuilt first when running from a checkout whose sources changed."""
    node_modules = CHECKOUT / "node_modules"
    if (node_modules / "pyodide").is_dir():
        key = _dist_fingerprint(node_modules)
        stamp = DIST / "fingerprint"
        if not _stamped(stamp, key):
            with _exclusive(node_modules / ".plab-dist.lock"):  # two builds at once: one builds
                if not _stamped(stamp, key):
                    build_dist(node_modules, DIST)
                    stamp.write_text(key)
    if not (DIST / "bundles.json").exists():
        raise AssetError(
            f"{DIST} is missing: this parameter-lab has no browser runtime. Install the "
            "released wheel, or in a checkout run `npm ci` (make setup does it)"
        )
    return DIST


def _stamped(stamp: Path, key: str) -> bool:
    return stamp.exists() and stamp.read_text() == key


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold ``lock`` (a file) against other processes; where fcntl is missing, just go on."""
    try:
        import fcntl
    except ImportError:  # Windows: builds there are one at a time anyway
        yield
        return
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def build_dist(node_modules: Path, out: Path) -> None:
    """Copy and bundle everything the browser needs from ``node_modules`` into ``out``."""
    if not (node_modules / "pyodide" / "pyodide.mjs").exists():
        raise AssetError(f"{node_modules}/pyodide is missing: run `npm ci`")
    if out.exists():
        shutil.rmtree(out)
    (out / "pyodide").mkdir(parents=True)
    for name in (*PYODIDE_CORE_FILES, "pyodide-lock.json"):
        shutil.copy2(node_modules / "pyodide" / name, out / "pyodide" / name)
    hint_compile_all(out / "pyodide" / "pyodide.asm.mjs")
    # Run at build by Node to render math as MathML (parameter_lab.formulas); never served.
    (out / "node").mkdir()
    shutil.copy2(node_modules / "temml" / "dist" / "temml.cjs", out / "node" / "temml.cjs")
    shutil.copy2(RUNTIME_SRC / "fonts" / MATH_FONT, out / MATH_FONT)
    shutil.copy2(RUNTIME_SRC / "fonts" / "OFL.txt", out / "plab-math-OFL.txt")  # its licence
    shutil.copy2(RUNTIME_SRC / "plab.css", out / "plab.css")
    shutil.copy2(RUNTIME_SRC / MATH_FONT_FACE, out / MATH_FONT_FACE)
    placeholder = out / "manifest-placeholder.js"
    placeholder.write_text(f"export default {MANIFEST_PLACEHOLDER};\n")
    bundles = {}
    for name, entry in BUNDLES.items():
        code = _esbuild(node_modules, RUNTIME_SRC / entry, placeholder)
        (out / f"{name}.js").write_bytes(code)
        bundles[name] = f"{name}.js"
    placeholder.unlink()
    # Inlined into pages as classic scripts, so bundled as such (not modules).
    for name in INLINE_SCRIPTS:
        (out / name).write_bytes(_esbuild(node_modules, RUNTIME_SRC / name, None, fmt="iife"))
    if MANIFEST_PLACEHOLDER.encode() not in (out / "loader.js").read_bytes():
        raise AssetError('loader.js must `import manifest from "plab-manifest"`')
    (out / "bundles.json").write_text(json.dumps(bundles, indent=1))


def _dist_fingerprint(node_modules: Path) -> str:
    digest = hashlib.sha256()
    files = [Path(__file__), node_modules / ".package-lock.json"]
    files += sorted(p for p in RUNTIME_SRC.rglob("*") if p.is_file())
    for p in files:
        if p.exists():
            digest.update(p.name.encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]


# V8's explicit compile hint (Chrome 136+; other engines read a comment): every function of
# the file is compiled as it loads, so the code cache V8 keeps beside the service worker's
# copy holds them all. Pyodide's JS runs most of its ~1.2 MB at every boot, and without the
# hint a returning reader's boot compiled those functions one by one as they were first
# called (~50 ms of a ~400 ms returning boot here, measured with tools/bench_demos.py (e)).
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"


def hint_compile_all(path: Path) -> None:
    """Put COMPILE_HINT on the first line of the JS file at ``path`` (once)."""
    code = path.read_bytes()
    if not code.startswith(COMPILE_HINT):
        path.write_bytes(COMPILE_HINT + code)


def _esbuild(node_modules: Path, entry: Path, manifest: Path | None, fmt: str = "esm") -> bytes:
    """Bundle one ES module entry (and what it imports from npm) into one minified module
    (``fmt`` "esm"), or one classic script ("iife")."""
    binary = node_modules / ".bin" / "esbuild"
    if not binary.exists():
        raise AssetError(f"{binary} is missing: run `npm ci`")
    args = [str(binary), str(entry), "--bundle", f"--format={fmt}", "--minify", "--target=es2022"]
    args += ["--log-level=warning"]
    if manifest is not None:
        args += [f"--alias:plab-manifest={manifest}"]
    try:
        result = subprocess.run(args, cwd=node_modules.parent, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise AssetError(f"esbuild failed on {entry}:\n{exc.stderr.decode()}") from exc
    return result.stdout


# ---- stage 2: one site's hashed runtime ------------------------------------------------------


def build_runtime(
    dist: Path,
    package_dir: Path | None,
    cache_dir: Path,
    cdn: str,
    local_packages: Path | None = None,
    strings: dict[str, str] | None = None,
    package: str | None = None,
) -> RuntimeBundle:
    """Build (or reuse from ``cache_dir``) every hashed runtime file of one site.

    ``strings``: the words the browser writes, in the site's language (see i18n).
    ``package``: the demos package's dotted name (default: ``package_dir``'s name).
    ``package_dir`` None (a site with blocks off, charts on): the wheel holds the runner only."""
    package = package or (package_dir.name if package_dir else "")
    if strings is None:
        from parameter_lab import i18n

        strings = i18n.load("en", None)["runtime"]
    key = _runtime_fingerprint(dist, package_dir, cdn, local_packages, {**strings, "": package})
    out = cache_dir / key
    done = out / "manifest.json"
    manifest = caches.read_json(done, lambda m: _is_complete(out, m))
    if manifest is not None:
        return RuntimeBundle(out, manifest)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    manifest: dict = {}
    manifest["pyodide"] = _vendor_dir(dist / "pyodide", PYODIDE_CORE_FILES, "pyodide", out)
    wheel_name, wheel_sha = _by_bytes(out, *build_browser_wheel(package_dir, out, package))
    lock = render_lock(
        json.loads((dist / "pyodide" / "pyodide-lock.json").read_text()),
        cdn=cdn,
        wheel=(wheel_name, wheel_sha),
        imports=[package.split(".")[0], RUNNER_MODULE] if package else [RUNNER_MODULE],
        local_packages=local_packages,
        out=out,
    )
    manifest["lock"] = _write_hashed(out, "pyodide-lock.json", json.dumps(lock).encode())
    manifest["font"] = build_styles(dist, out).font  # the loader adds it once a page has loaded
    manifest["cdn"] = cdn  # absolute: the worker caches files under it as immutable
    manifest["package"] = BROWSER_DIST
    manifest["runner"] = RUNNER_MODULE
    manifest["wheel"] = wheel_name
    manifest["strings"] = strings
    manifest["service_worker"] = SW_NAME  # at the site's root, beside index.html
    bundles = json.loads((dist / "bundles.json").read_text())
    for name, file in bundles.items():
        if name != "loader":
            manifest[name] = _write_hashed(out, file, (dist / file).read_bytes())
    # The loader embeds the manifest, so it is written last and its hash covers every name.
    loader = (dist / bundles["loader"]).read_text(encoding="utf-8")
    loader = loader.replace(MANIFEST_PLACEHOLDER, json.dumps(manifest), 1)
    manifest["loader"] = _write_hashed(out, "loader.js", loader.encode())
    caches.write_atomic(done, json.dumps(manifest, indent=1))  # last: the entry is whole
    return RuntimeBundle(out, manifest)


_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def read_styles(dist: Path) -> Styles:
    """The stylesheet every page inlines, the math font's hashed name and its @font-face."""
    font = _hashed_name(MATH_FONT, (dist / MATH_FONT).read_bytes())
    face = (dist / MATH_FONT_FACE).read_text(encoding="utf-8")
    if f"url({MATH_FONT})" not in face:
        raise AssetError(f"{MATH_FONT_FACE} must load the math font as url({MATH_FONT})")
    # Every page carries the stylesheet: without its comments (plab.css has no strings that
    # hold "/*"), and without the blank lines they leave.
    css = _CSS_COMMENT.sub("", (dist / "plab.css").read_text(encoding="utf-8"))
    css = "\n".join(line for line in css.splitlines() if line.strip())
    if "</" in css:
        raise AssetError("plab.css must not contain '</': it is inlined into a <style>")
    return Styles(css=css, font=font, font_face=face)


def read_inline_script(dist: Path, name: str) -> str:
    """One of the classic scripts inlined into pages (INLINE_SCRIPTS), as text to inline."""
    try:
        script = (dist / name).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise AssetError(f"{dist / name} is missing: run `npm ci` ({exc})") from exc
    if "</" in script or "<!--" in script:
        raise AssetError(f"{name} must hold no '</' or '<!--': it is inlined into a <script>")
    return script


def build_styles(dist: Path, out: Path) -> Styles:
    """``read_styles``, with the hashed math font written into ``out``. A site without blocks
    or charts (math only) needs no more of the runtime than this."""
    out.mkdir(parents=True, exist_ok=True)
    styles = read_styles(dist)
    (out / styles.font).write_bytes((dist / MATH_FONT).read_bytes())
    return styles


# Manifest entries that name no file of the cached runtime (a URL, names, the words, the
# service worker's name at the site's root).
_NOT_FILES = ("cdn", "package", "runner", "strings", "service_worker")


def _is_complete(out: Path, manifest: object) -> bool:
    """A cached runtime whose every named file is there and not empty (else: rebuild)."""
    if not isinstance(manifest, dict) or "loader" not in manifest:
        return False
    names = [v for k, v in manifest.items() if k not in _NOT_FILES]
    files = [out / n for n in names if isinstance(n, str) and not n.endswith("/")]
    return all(f.is_file() and f.stat().st_size > 0 for f in files)


def render_lock(
    npm_lock: dict,
    *,
    cdn: str,
    wheel: tuple[str, str],
    imports: list[str],
    local_packages: Path | None = None,
    out: Path | None = None,
) -> dict:
    """Return a Pyodide lock whose every entry resolves to a pinned, checkable file.

    Packages from Pyodide's own lock get an absolute CDN URL (or are copied next to
    the lock from ``local_packages``); our wheel is added by a relative name, which
    Pyodide resolves against the lock file's own URL.
    """
    if not cdn.endswith("/"):
        raise AssetError(f"pyodide_cdn must end with '/': {cdn!r}")
    packages = {}
    for name, entry in npm_lock["packages"].items():
        entry = dict(entry)
        if local_packages is not None:
            source = local_packages / entry["file_name"]
            if not source.exists():
                raise AssetError(
                    f"PYODIDE_PACKAGES={local_packages} has no {entry['file_name']}: "
                    "point it at a full Pyodide 314.0.7 distribution"
                )
            assert out is not None, "copying local packages needs an output directory"
            shutil.copy2(source, out / entry["file_name"])
        else:
            entry["file_name"] = cdn + entry["file_name"]
        packages[name] = entry
    wheel_name, wheel_sha = wheel
    packages[BROWSER_DIST] = {
        "name": BROWSER_DIST,
        "version": BROWSER_VERSION,
        "file_name": wheel_name,
        "install_dir": "site",
        "sha256": wheel_sha,
        "package_type": "package",
        "imports": imports,
        # numpy is loaded on demand from each module's own imports: the stdlib-only
        # parts (the parameter calculator) must work offline.
        "depends": [],
        "unvendored_tests": False,
    }
    return {"info": npm_lock["info"], "packages": packages}


def build_browser_wheel(package_dir: Path | None, out: Path, package: str = "") -> tuple[str, str]:
    """Write the site's demos package, and the runner as ``plab_runner``, as a pure-Python
    wheel; return (file name, sha256 hex).

    The build tag carries the content hash, so a changed model gets a new URL.
    (pyodide-build, which could do this, needs Python >= 3.12; see README.)
    """
    files = caches.package_files(package_dir) if package_dir else []
    if package_dir and not files:
        raise AssetError(f"{package_dir} has no files to package")
    # A dotted package (mysite.demos) keeps its place: mysite/demos/…, and mysite/__init__.py.
    parts = (package or package_dir.name).split(".") if package_dir else []
    entries: list[tuple[str, bytes]] = [
        ("/".join([*parts, p.relative_to(package_dir).as_posix()]), p.read_bytes()) for p in files
    ]
    for depth in range(1, len(parts)):
        init = package_dir.parents[len(parts) - 1 - depth] / "__init__.py"
        if init.is_file():
            entries.append(("/".join([*parts[:depth], "__init__.py"]), init.read_bytes()))
    entries.append((f"{RUNNER_MODULE}.py", (PACKAGE_DIR / "runner.py").read_bytes()))
    content = hashlib.sha256()
    for arcname, data in entries:
        content.update(arcname.encode() + b"\0" + data)
    build_tag = "0" + content.hexdigest()[:12]  # a build tag must start with a digit
    dist = BROWSER_DIST.replace("-", "_")
    dist_info = f"{dist}-{BROWSER_VERSION}.dist-info"
    entries.append(
        (
            f"{dist_info}/METADATA",
            f"Metadata-Version: 2.1\nName: {BROWSER_DIST}\nVersion: {BROWSER_VERSION}\n".encode(),
        )
    )
    entries.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: parameter-lab\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\nBuild: " + build_tag.encode() + b"\n",
        )
    )
    top_level = "".join(f"{name}\n" for name in [*parts[:1], RUNNER_MODULE])
    entries.append((f"{dist_info}/top_level.txt", top_level.encode()))
    record = "".join(f"{name},sha256={_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    name = f"{dist}-{BROWSER_VERSION}-{build_tag}-py3-none-any.whl"
    with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in entries:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return name, hashlib.sha256((out / name).read_bytes()).hexdigest()


def _by_bytes(out: Path, name: str, sha: str) -> tuple[str, str]:
    """Move the wheel into a folder named by the hash of its bytes: its file name hashes
    what it holds, which another zlib compresses to other bytes, and a cache that keeps
    files by URL must never meet new bytes behind an old URL."""
    folder = out / f"wheel-{sha[:12]}"
    folder.mkdir()
    (out / name).rename(folder / name)
    return f"{folder.name}/{name}", sha


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _vendor_dir(source: Path, names: tuple[str, ...], stem: str, out: Path) -> str:
    """Copy ``names`` into ``<stem>-<hash>/``: these are loaded by fixed relative names."""
    digest = hashlib.sha256()
    for name in names:
        for p in sorted([source / name, *(source / name).rglob("*")]):
            if p.is_file():
                digest.update(p.relative_to(source).as_posix().encode() + p.read_bytes())
    target = out / f"{stem}-{digest.hexdigest()[:10]}"
    target.mkdir()
    for name in names:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name)
        else:
            shutil.copy2(source / name, target / name)
    return target.name + "/"


def _write_hashed(out: Path, name: str, data: bytes) -> str:
    hashed = _hashed_name(name, data)
    (out / hashed).write_bytes(data)
    return hashed


def _hashed_name(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"


def _runtime_fingerprint(
    dist: Path, package_dir: Path | None, cdn: str, local_packages: Path | None, strings: dict
) -> str:
    digest = hashlib.sha256(f"{cdn}\0{local_packages}\0".encode())
    digest.update(json.dumps(strings, sort_keys=True).encode())
    own = [Path(__file__), PACKAGE_DIR / "runner.py"]
    caches.digest_files(digest, PACKAGE_DIR, own)
    caches.digest_files(
        digest, dist, [p for p in (dist / "fingerprint", dist / "bundles.json") if p.is_file()]
    )
    if package_dir:
        caches.digest_files(digest, package_dir, caches.package_files(package_dir))  # as the wheel
    if not (dist / "fingerprint").exists():  # an installed wheel: its files are its identity
        for p in sorted(dist.glob("*.js")):
            digest.update(p.read_bytes())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    # `python -m parameter_lab.runtime_assets`: (re)build _dist/ in a checkout, before a wheel.
    print(ensure_dist())
