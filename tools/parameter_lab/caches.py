"""The build cache: what a key covers, entries written whole, damaged ones rebuilt, old
ones pruned.

Every entry is written to a temporary file and renamed into place, so a build that is
killed half-way leaves either the old entry or none. An entry that is still unreadable
(truncated, empty, edited by hand) is a miss: it is computed again, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def package_files(package_dir: Path) -> list[Path]:
    """The files of a Python package that its behaviour depends on, in a stable order.

    The one definition shared by the pre-render cache, the runtime cache and the browser
    wheel, so the three never disagree about what "the demos changed" means.
    """
    return sorted(
        p
        for p in package_dir.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )


def digest_files(digest: hashlib._Hash, base: Path, files: list[Path]) -> None:
    """Feed each file's path (relative to ``base``) and bytes into ``digest``."""
    for p in files:
        digest.update(p.relative_to(base).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file in the same folder, renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_json(path: Path, valid: Callable[[object], bool] = lambda _: True) -> object | None:
    """An entry's JSON, or None when it is missing, unreadable or not what ``valid`` wants."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not valid(value):
        return None
    _touch(path)
    return value


def read_text(path: Path, valid: Callable[[str], bool]) -> str | None:
    """An entry's text, or None when it is missing, unreadable or fails ``valid``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not valid(text):
        return None
    _touch(path)
    return text


def _touch(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache still serves its entries
        path.touch()  # recently used: kept by the pruning


def prune(cache: Path, max_age_days: int) -> list[Path]:
    """Delete entries of ``cache``'s sections not used (touched) for ``max_age_days``."""
    if not cache.is_dir():
        return []
    cutoff = time.time() - max_age_days * 86400
    removed = []
    for section in cache.iterdir():
        if not section.is_dir():
            continue
        for entry in section.iterdir():
            # A runtime entry is a folder: its manifest is what each build touches.
            # (One being built right now has no manifest yet, and a fresh folder time.)
            manifest = entry / "manifest.json"
            stamp = manifest if manifest.exists() else entry
            if stamp.stat().st_mtime < cutoff:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
                removed.append(entry)
    return removed
