"""The blocks' words in each UI language (the ``language`` option).

One data file per language, ``parameter_lab/locales/<language>.json``: ``build`` holds the
words of the HTML the build writes, ``runtime`` those the browser writes (``{ms}``-style
placeholders), handed to it through the runtime's manifest. A site adds a language, or
rewords one, with files of the same shape in its own folder (the ``locales_dir`` option);
no npm needed.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from parameter_lab.errors import SourceError

FALLBACK = "en"  # for a theme language no file covers


def shipped() -> dict[str, dict]:
    folder = resources.files("parameter_lab") / "locales"
    return {
        entry.name.removesuffix(".json"): json.loads(entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


def available(site_dir: Path | None) -> set[str]:
    names = set(shipped())
    if site_dir is not None:
        names |= {p.stem for p in site_dir.glob("*.json")}
    return names


def choose(option: str | None, theme_language: str | None, site_dir: Path | None) -> str:
    """The option if set, else the theme's language (``ja-JP`` reads as ``ja``), else English."""
    known = available(site_dir)
    if option:
        return option
    for name in (theme_language or "", (theme_language or "").split("-")[0]):
        if name in known:
            return name
    return FALLBACK


def load(language: str, site_dir: Path | None, display_dir: str = "") -> dict[str, dict]:
    """``{"build": …, "runtime": …}`` for ``language``: the shipped file with the site's over it."""
    base = shipped()
    words = {part: dict(base.get(language, {}).get(part, {})) for part in ("build", "runtime")}
    own = site_dir / f"{language}.json" if site_dir is not None else None
    where = f"{display_dir}/{language}.json" if display_dir else f"{language}.json"
    if own is not None and own.is_file():
        try:
            data = json.loads(own.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SourceError(where, exc.lineno, f"not valid JSON: {exc.msg}") from exc
        if not isinstance(data, dict) or not set(data) <= {"build", "runtime"}:
            raise SourceError(where, 1, 'expected {"build": {…}, "runtime": {…}}')
        for part, values in data.items():
            words[part].update(values)
    elif language not in base:
        raise SourceError(
            "mkdocs.yml",
            None,
            f"language {language!r} has no words: add {where} (copy "
            f"parameter_lab/locales/{FALLBACK}.json), or use one of {sorted(base)}",
        )
    reference = base[FALLBACK]
    missing = [f"{p}.{k}" for p in ("build", "runtime") for k in reference[p] if k not in words[p]]
    if missing:
        raise SourceError(where, None, f"missing words: {', '.join(missing)}")
    return words


def strings_for(language: str, site_dir: Path | None = None) -> dict[str, str]:
    """The build's words (templates' ``t``)."""
    return load(language, site_dir)["build"]
