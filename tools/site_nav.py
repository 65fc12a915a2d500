"""The site's pages as mkdocs.yml's nav lists them: tests and tools discover pages here.

A chapter is a page under the nav section CHAPTER_SECTION; ``make chapter`` appends there.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTER_SECTION = "章"  # the nav group the chapters live in, in reading order


def load_config(root: Path = ROOT) -> dict:
    """mkdocs.yml as plain data; its tags (!ENV, !!python/name) read as None."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)


def docs_dir(root: Path = ROOT) -> Path:
    return root / (load_config(root).get("docs_dir") or "docs")


def _files(items: list) -> list[str]:
    files = []
    for item in items:
        for value in item.values() if isinstance(item, dict) else [item]:
            files.extend(_files(value) if isinstance(value, list) else [value])
    return files


def pages(root: Path = ROOT) -> list[str]:
    """Every page in the nav, in order, as docs-relative paths (``index.md``, ``scale.md``)."""
    return _files(load_config(root)["nav"])


def chapters(root: Path = ROOT) -> list[str]:
    """The chapter pages, in reading order."""
    for item in load_config(root)["nav"]:
        if isinstance(item, dict) and CHAPTER_SECTION in item:
            return _files(item[CHAPTER_SECTION])
    raise LookupError(f"mkdocs.yml's nav has no {CHAPTER_SECTION!r} section")


def slug(page: str) -> str:
    """``scale.md`` -> ``scale``; the top page is ``index``."""
    return page.removesuffix(".md")


def built_html(site: Path, page: str) -> Path:
    """Where MkDocs (with directory URLs) writes ``page``."""
    name = slug(page)
    if name == "index" or name.endswith("/index"):
        return site / name.removesuffix("index") / "index.html"
    return site / name / "index.html"
