"""Vendors the browser runtime into content-hashed files.

Everything the page loads comes from the site itself: the Pyodide core (npm
``pyodide``), KaTeX, CodeMirror and Vega-Embed (bundled from npm by esbuild), our
own ES modules, and the ``demos`` package as a wheel registered in a generated
Pyodide lock file. Only packages Pyodide does not ship in its npm core (numpy …)
resolve to the version-pinned CDN, unless a local Pyodide distribution is given.

Every file name carries a hash of its content, so any cache may keep it forever.
Only ``loader.<hash>.js`` knows the names: it embeds the manifest and hands URLs to
the modules it imports.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

RUNTIME_SRC = Path(__file__).parent / "runtime"
DEMOS_DIST = "parameter-lab-demos"  # the wheel's distribution name in the Pyodide lock
DEMOS_VERSION = "0.1.0"
# Files Pyodide's core loads by fixed name from its indexURL.
PYODIDE_CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
# Bundles built by esbuild from tools/runtime entries: logical name -> entry file.
BUNDLES = {
    "math": "math.js",
    "widgets": "widgets.js",
    "worker": "worker.js",
    "editor": "editor.js",
    "charts": "charts.js",
}
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed timestamps: the same sources give the same wheel bytes


class AssetError(RuntimeError):
    """A runtime asset cannot be built; the message says what to install or fix."""


@dataclass(frozen=True)
class RuntimeBundle:
    directory: Path  # holds every hashed file; copied to <site>/assets/plab/
    manifest: dict  # logical name -> hashed file name inside ``directory``

    @property
    def loader(self) -> str:
        """File name of the loader module, the one script each page links."""
        return self.manifest["loader"]


def build_runtime(
    root: Path, cache_dir: Path, cdn: str, local_packages: Path | None = None
) -> RuntimeBundle:
    """Build (or reuse from ``cache_dir``) every hashed runtime file."""
    node_modules = root / "node_modules"
    pyodide_dir = node_modules / "pyodide"
    if not (pyodide_dir / "pyodide.mjs").exists():
        raise AssetError(
            f"{pyodide_dir} is missing: run `npm ci` (or `make serve`, which does it for you)"
        )
    key = _fingerprint(root, cdn, local_packages)
    out = cache_dir / "runtime" / key
    done = out / "manifest.json"
    if done.exists():
        manifest = json.loads(done.read_text())
        return RuntimeBundle(out, manifest)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    manifest: dict = {}
    manifest["pyodide"] = _vendor_pyodide_core(pyodide_dir, out)
    wheel_name, wheel_sha = build_demos_wheel(root / "demos", out)
    lock = render_lock(
        json.loads((pyodide_dir / "pyodide-lock.json").read_text()),
        cdn=cdn,
        wheel=(wheel_name, wheel_sha),
        local_packages=local_packages,
        out=out,
    )
    manifest["lock"] = _write_hashed(out, "pyodide-lock.json", json.dumps(lock).encode())
    manifest["katex_css"] = _vendor_katex_css(node_modules / "katex" / "dist", out)
    manifest["css"] = _write_hashed(out, "plab.css", (RUNTIME_SRC / "plab.css").read_bytes())
    manifest["cdn"] = cdn  # absolute: the worker caches files under it as immutable
    for name, entry in BUNDLES.items():
        manifest[name] = _write_hashed(out, f"{name}.js", _esbuild(root, RUNTIME_SRC / entry))
    # The loader embeds the manifest, so it is built last and its hash covers every name.
    manifest_module = out / "manifest.json.tmp"
    manifest_module.write_text(json.dumps(manifest))
    loader = _esbuild(root, RUNTIME_SRC / "loader.js", define_manifest=manifest_module)
    manifest_module.unlink()
    manifest["loader"] = _write_hashed(out, "loader.js", loader)
    done.write_text(json.dumps(manifest, indent=1))
    return RuntimeBundle(out, manifest)


def render_lock(
    npm_lock: dict,
    *,
    cdn: str,
    wheel: tuple[str, str],
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
    packages[DEMOS_DIST] = {
        "name": DEMOS_DIST,
        "version": DEMOS_VERSION,
        "file_name": wheel_name,
        "install_dir": "site",
        "sha256": wheel_sha,
        "package_type": "package",
        "imports": ["demos"],
        # numpy is loaded on demand from each module's own imports: the stdlib-only
        # parts (the parameter calculator) must work offline.
        "depends": [],
        "unvendored_tests": False,
    }
    return {"info": npm_lock["info"], "packages": packages}


def build_demos_wheel(package_dir: Path, out: Path) -> tuple[str, str]:
    """Write ``demos`` as a pure-Python wheel; return (file name, sha256 hex).

    The build tag carries the content hash, so a changed model gets a new URL.
    (pyodide-build, which could do this, needs Python >= 3.12; see README.)
    """
    files = sorted(
        p
        for p in package_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    if not files:
        raise AssetError(f"{package_dir} has no files to package")
    content = hashlib.sha256()
    for p in files:
        content.update(p.relative_to(package_dir).as_posix().encode() + b"\0" + p.read_bytes())
    build_tag = "0" + content.hexdigest()[:12]  # a build tag must start with a digit
    dist = DEMOS_DIST.replace("-", "_")
    dist_info = f"{dist}-{DEMOS_VERSION}.dist-info"
    entries: list[tuple[str, bytes]] = [
        (f"demos/{p.relative_to(package_dir).as_posix()}", p.read_bytes()) for p in files
    ]
    entries.append(
        (
            f"{dist_info}/METADATA",
            f"Metadata-Version: 2.1\nName: {DEMOS_DIST}\nVersion: {DEMOS_VERSION}\n".encode(),
        )
    )
    entries.append(
        (
            f"{dist_info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: parameter-lab\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\nBuild: " + build_tag.encode() + b"\n",
        )
    )
    entries.append((f"{dist_info}/top_level.txt", b"demos\n"))
    record = "".join(f"{name},sha256={_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    name = f"{dist}-{DEMOS_VERSION}-{build_tag}-py3-none-any.whl"
    with zipfile.ZipFile(out / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for arcname, data in entries:
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return name, hashlib.sha256((out / name).read_bytes()).hexdigest()


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _vendor_pyodide_core(pyodide_dir: Path, out: Path) -> str:
    """Copy the core into ``pyodide-<hash>/``: Pyodide loads these files by fixed names."""
    digest = hashlib.sha256()
    for name in PYODIDE_CORE_FILES:
        digest.update(name.encode() + (pyodide_dir / name).read_bytes())
    target = out / f"pyodide-{digest.hexdigest()[:10]}"
    target.mkdir()
    for name in PYODIDE_CORE_FILES:
        shutil.copy2(pyodide_dir / name, target / name)
    return target.name + "/"


def _vendor_katex_css(dist: Path, out: Path) -> str:
    """Copy KaTeX's stylesheet with its fonts (it links them relatively) into a hashed dir."""
    digest = hashlib.sha256((dist / "katex.min.css").read_bytes())
    target = out / f"katex-{digest.hexdigest()[:10]}"
    target.mkdir()
    shutil.copy2(dist / "katex.min.css", target / "katex.min.css")
    shutil.copytree(dist / "fonts", target / "fonts")
    return f"{target.name}/katex.min.css"


def _write_hashed(out: Path, name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    hashed = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{dot}{ext}"
    (out / hashed).write_bytes(data)
    return hashed


def _esbuild(root: Path, entry: Path, define_manifest: Path | None = None) -> bytes:
    """Bundle one ES module entry (and what it imports from npm) into one minified module."""
    binary = root / "node_modules" / ".bin" / "esbuild"
    if not binary.exists():
        raise AssetError(f"{binary} is missing: run `npm ci`")
    args = [str(binary), str(entry), "--bundle", "--format=esm", "--minify", "--target=es2022"]
    args.append("--log-level=warning")
    if define_manifest is not None:
        args.append(f"--alias:plab-manifest={define_manifest}")
        args.append("--loader:.tmp=json")
    try:
        result = subprocess.run(args, cwd=root, capture_output=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise AssetError(f"esbuild failed on {entry}:\n{exc.stderr.decode()}") from exc
    return result.stdout


def _fingerprint(root: Path, cdn: str, local_packages: Path | None) -> str:
    digest = hashlib.sha256(f"{cdn}\0{local_packages}\0".encode())
    bases = [RUNTIME_SRC, root / "demos"]
    files = [(Path(__file__).parent, Path(__file__)), (root, root / "package-lock.json")]
    files += [(base, p) for base in bases for p in sorted(base.rglob("*"))]
    for base, p in files:
        if p.is_file() and "__pycache__" not in p.parts:
            digest.update(p.relative_to(base).as_posix().encode() + b"\0" + p.read_bytes())
    return digest.hexdigest()[:16]
