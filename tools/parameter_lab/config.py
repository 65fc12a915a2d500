"""Typed options of the parameter-lab MkDocs plugin (``plugins: - parameter-lab``).

Every option has a default that works for a new site; paths are relative to the folder
holding ``mkdocs.yml`` unless they say otherwise.
"""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError

PYODIDE_VERSION = "314.0.7"


class _On(base.Config):
    enabled = c.Type(bool, default=True)


class _Off(base.Config):
    enabled = c.Type(bool, default=False)


class Feature(c.SubConfig):
    """A part of the plugin a site can switch off, as Material's plugins do: ``enabled``.

    Written ``blocks: {enabled: false}``, or ``blocks: false`` for short (``math: true``,
    this option's form before it had sub-options, still means ``math: {enabled: true}``).
    """

    def __init__(self, on: bool) -> None:
        super().__init__()
        self.config_class = _On if on else _Off

    def run_validation(self, value: object) -> base.Config:
        if isinstance(value, bool):
            value = {"enabled": value}
        elif value is None:
            value = {}
        elif not isinstance(value, dict):
            raise ValidationError(
                f"expected true, false or {{enabled: true|false}}, got {value!r}; "
                "write e.g. `enabled: false` under this option"
            )
        return super().run_validation(value)


class ParameterLabConfig(base.Config):
    # The whole plugin: false leaves every page exactly as the site would build without it
    # (fences, `{{ }}` and math untouched, no runtime files), as Material's plugins do.
    enabled = c.Type(bool, default=True)
    # Each part can be switched off on its own (see Feature). Off, its syntax is left as
    # written, and what only it needs is not built or emitted:
    # `pyodide` and `demo` fences, run in the browser. Off, the demos package is not needed,
    # and (with charts off too) no browser runtime is emitted.
    blocks = Feature(on=True)
    # `{{ block: key }}` figures, scenario links and claims in the text.
    prose = Feature(on=True)
    # `chart` fences and the charts_module / dataset they are drawn from.
    charts = Feature(on=True)
    # The importable package holding the site's demo modules. A `demo` fence names modules
    # inside it; at build it is imported from the folder holding mkdocs.yml, and it is
    # packed into the wheel the reader's browser installs.
    demos_package = c.Type(str, default="demos")
    # A Python file declaring the site's charts (VIEWS, CHARTS, TABLES, load_dataset; see
    # parameter_lab.charts). Without it, demos show text and tables only.
    charts_module = c.Optional(c.File(exists=True))
    # The dataset the site's charts and tables are drawn from, relative to docs_dir.
    dataset = c.Optional(c.Type(str))
    # The language of the blocks' buttons, statuses and notes; by default the theme's
    # (theme.language), else English. Shipped: ja, en; others from locales_dir.
    language = c.Optional(c.Type(str))
    # A folder of <language>.json files (the shape of parameter_lab/locales/en.json) that
    # add a language or reword one, relative to the folder holding mkdocs.yml.
    locales_dir = c.Optional(c.Type(str))
    # Render math at build: formulas written for pymdownx.arithmatex (generic: true) become
    # MathML Core (Temml on Node.js), drawn natively by browsers with the self-hosted math
    # font; no math script or stylesheet is needed in the page. Off by default:
    # a site that renders its math in the browser (MathJax, KaTeX's auto-render) keeps
    # arithmatex's output exactly as it is, and needs no Node.js. `math: true` is short for
    # `math: {enabled: true}`.
    math = Feature(on=False)
    # With Material's search: its index (every page's text, often the largest file a page
    # fetches) is requested, and its search worker started, when the reader shows they mean
    # to search (the search field focused, hovered or touched; a search link, ?q= or ?h=),
    # not as each page loads, where they compete with the first paint on a slow phone. See
    # runtime/searchintent.js.
    search_on_intent = c.Type(bool, default=True)
    # Run every demo and pyodide block in CPython at build, so pages show real output
    # before (or without) Python in the browser. Turn off only to debug a slow build.
    prerender = c.Type(bool, default=True)
    # Also run them with other CPUs' rounding (other OpenBLAS kernels and SIMD widths, see
    # parameter_lab.numerics), and warn where a figure, a claim or a block's output would
    # differ: a reader's machine, or the reader's browser, would see something else.
    numeric_check = c.Type(bool, default=True)
    # Where absent packages (numpy …) come from at run time. Absolute, version-pinned,
    # so a cached page never mixes runtimes.
    pyodide_cdn = c.Type(str, default=f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/")
    # A directory holding a full Pyodide distribution. When set (or PYODIDE_PACKAGES is in
    # the environment) its packages are copied into the site and served locally instead.
    pyodide_packages = c.Optional(c.Type(str))
    # Build outputs reused between builds while their inputs are unchanged, relative to
    # the folder holding mkdocs.yml. Entries unused for cache_days are pruned.
    cache_dir = c.Type(str, default=".cache/parameter-lab")
    cache_days = c.Type(int, default=14)
