"""Typed options of the parameter-lab MkDocs plugin (``plugins: - parameter-lab``)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

PYODIDE_VERSION = "314.0.7"


class ParameterLabConfig(base.Config):
    # Run every demo and pyodide block in CPython at build, so pages show real output
    # before (or without) Python in the browser. Turn off only to debug a slow build.
    prerender = c.Type(bool, default=True)
    # Where absent packages (numpy …) come from at run time. Absolute, version-pinned,
    # so a cached page never mixes runtimes.
    pyodide_cdn = c.Type(str, default=f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/")
    # A directory holding a full Pyodide distribution. When set (or PYODIDE_PACKAGES is in
    # the environment) its packages are copied into the site and served locally instead.
    pyodide_packages = c.Optional(c.Type(str))
    # The LLM dataset the charts and tables are built from, relative to docs_dir.
    llm_dataset = c.Type(str, default="data/llms.csv")
    # Build outputs that are reused between builds when their inputs did not change.
    cache_dir = c.Type(str, default=".cache")
