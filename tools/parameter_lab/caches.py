"""Keeping the build cache small: entries unused for a while are deleted."""

from __future__ import annotations

import shutil
import time
from pathlib import Path


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
