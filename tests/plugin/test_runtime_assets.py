"""The vendored runtime: a lock whose every package resolves to a pinned, checkable file."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
from parameter_lab import runtime_assets

from tests.conftest import ROOT

CDN = "https://cdn.jsdelivr.net/pyodide/v314.0.7/full/"


def _npm_lock() -> dict:
    return json.loads((ROOT / "node_modules/pyodide/pyodide-lock.json").read_text())


def _site_lock(site: Path) -> tuple[Path, dict]:
    (path,) = (site / "assets/plab").glob("pyodide-lock.*.json")
    return path, json.loads(path.read_text())


def test_the_service_worker_is_served_from_the_site_root(built_site: Path):
    """It controls only its own folder and below, and Pages cannot widen that by header."""
    (bundled,) = (built_site / "assets/plab").glob("sw.*.js")
    assert (built_site / runtime_assets.SW_NAME).read_bytes() == bundled.read_bytes()


def test_every_package_resolves_to_the_pinned_cdn_with_npm_sha256(built_site: Path):
    _, lock = _site_lock(built_site)
    npm = _npm_lock()["packages"]
    ours = runtime_assets.BROWSER_DIST
    assert set(lock["packages"]) == set(npm) | {ours}
    for name, entry in lock["packages"].items():
        if name == ours:
            continue
        assert entry["file_name"] == CDN + npm[name]["file_name"], name
        assert entry["sha256"] == npm[name]["sha256"], name
    assert lock["packages"]["numpy"]["file_name"] == (
        CDN + "numpy-2.4.6-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
    )


def test_our_wheel_is_served_with_its_sha256(built_site: Path):
    lock_path, lock = _site_lock(built_site)
    entry = lock["packages"][runtime_assets.BROWSER_DIST]
    wheel = lock_path.parent / entry["file_name"]  # relative names resolve against the lock URL
    assert wheel.exists()
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    # Its URL names its bytes (its file name names what it holds, which another zlib
    # compresses to other bytes): a cache keyed by URL never meets new bytes at an old URL.
    assert wheel.parent.name == "wheel-" + entry["sha256"][:12]
    assert entry["imports"] == ["demos", "plab_runner"]
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "plab_runner.py" in names and "demos/params.py" in names
        runner = (ROOT / "tools/parameter_lab/runner.py").read_bytes()
        assert zf.read("plab_runner.py") == runner, "the browser runs the build's runner"
        assert "demos/data/configs/gpt2.json" in names
        record = zf.read(next(n for n in names if n.endswith("/RECORD"))).decode()
        for line in record.splitlines():
            path, digest, _ = line.split(",")
            if digest:  # RECORD itself has no hash
                assert digest == "sha256=" + runtime_assets._record_hash(zf.read(path)), path


def test_pyodide_js_carries_the_compile_hint_once_and_is_otherwise_npms(
    built_site: Path, tmp_path: Path
):
    """V8 compiles all of Pyodide's JS as it loads (runtime_assets.COMPILE_HINT), so its code
    cache holds every function; the rest of the file is npm's, byte for byte."""
    (served,) = built_site.glob("assets/plab/pyodide-*/pyodide.asm.mjs")
    npm = (ROOT / "node_modules/pyodide/pyodide.asm.mjs").read_bytes()
    assert served.read_bytes() == runtime_assets.COMPILE_HINT + npm
    copy = tmp_path / "a.mjs"
    copy.write_bytes(npm)
    runtime_assets.hint_compile_all(copy)
    runtime_assets.hint_compile_all(copy)
    assert copy.read_bytes() == runtime_assets.COMPILE_HINT + npm


def test_wheel_name_changes_with_its_content(tmp_path: Path):
    package = tmp_path / "demos"
    package.mkdir()
    (package / "__init__.py").write_text("")
    first, _ = runtime_assets.build_browser_wheel(package, tmp_path)
    (package / "__init__.py").write_text("# changed\n")
    second, _ = runtime_assets.build_browser_wheel(package, tmp_path)
    assert first != second
    assert re.fullmatch(r"plab_site_demos-0\.1\.0-0[0-9a-f]{12}-py3-none-any\.whl", first)


def test_runtime_files_are_named_by_their_content(built_site: Path):
    hashed = re.compile(r"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{10})\.(js|css|json|woff2)$")
    files = [p for p in (built_site / "assets/plab").iterdir() if p.is_file()]
    assert len(files) >= 8
    for path in files:
        if path.suffix == ".whl":
            continue
        m = hashed.match(path.name)
        assert m, f"{path.name} has no content hash"
        assert hashlib.sha256(path.read_bytes()).hexdigest()[:10] == m["hash"], path.name


def test_local_pyodide_distribution_is_copied_in(tmp_path: Path):
    npm = _npm_lock()
    dist = tmp_path / "full"
    dist.mkdir()
    for entry in npm["packages"].values():
        (dist / entry["file_name"]).write_bytes(b"wheel")
    out = tmp_path / "out"
    out.mkdir()
    lock = runtime_assets.render_lock(
        npm, cdn=CDN, wheel=("w.whl", "0" * 64), imports=["demos"], local_packages=dist, out=out
    )
    numpy = lock["packages"]["numpy"]
    assert not numpy["file_name"].startswith("http")
    assert (out / numpy["file_name"]).exists()


def test_local_distribution_missing_a_file_is_a_clear_error(tmp_path: Path):
    with pytest.raises(runtime_assets.AssetError, match=r"PYODIDE_PACKAGES=.* has no "):
        runtime_assets.render_lock(
            _npm_lock(),
            cdn=CDN,
            wheel=("w.whl", "0" * 64),
            imports=["demos"],
            local_packages=tmp_path,
            out=tmp_path,
        )


def test_loader_embeds_this_sites_manifest(built_site: Path):
    (loader,) = (built_site / "assets/plab").glob("loader.*.js")
    text = loader.read_text()
    assert runtime_assets.MANIFEST_PLACEHOLDER not in text
    assert '"package":"plab-site-demos"' in text.replace(" ", "")
    assert '"runner":"plab_runner"' in text.replace(" ", "")


def test_pyodide_lock_library_cannot_read_the_314_lock():
    """Why the lock is written here (README): pyodide-lock 0.1.2's schema predates 314's."""
    lock = _npm_lock()
    assert "version" not in lock["info"]  # pyodide-lock 0.1.2 requires info.version
    assert all("tool" in entry for entry in lock["packages"].values())  # and forbids `tool`
