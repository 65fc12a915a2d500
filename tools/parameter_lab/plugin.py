"""The parameter-lab MkDocs plugin. Hooks are in event order; the work is in plain modules.

* ``on_config``: load the site's charts and dataset, build the hashed runtime (Pyodide,
  the math font, our ES modules, the site's demos wheel and lock), register the fences.
  Every hook does only what the switched-on parts need (``enabled``, ``blocks``, ``prose``,
  ``charts``, ``math``: see config.py); the plugin switched off does nothing at all.
* ``on_serve``: watch the demos package, the charts module and (in a checkout) the plugin.
* ``on_page_markdown``: find the page's fences as SuperFences reads them, validate them
  (``file:line`` errors), check their imports against Pyodide's lock, pre-render them and
  the text's scenarios in CPython, in every numeric environment this machine can be forced
  into; warn (so --strict fails) where the page would differ.
* the fence formatter: render each validated block from its template (the site's
  ``custom_dir/parameter_lab/`` first), also when a blog renders it again in an excerpt.
* ``on_page_content``: make sure every block found was rendered.
* ``on_page_context``: the page a blog view's excerpts are rendered into.
* ``on_post_page``: with the ``math`` option, render the page's formulas as MathML; inline
  the blocks' and the math's styles into the page's head.
* ``on_post_build``: copy the runtime and the SVGs into the site; prune old cache entries.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import re
import shutil
import sys
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from markdown import Markdown
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url, is_error_template, normalize_url
from parameter_lab import (
    browser_imports,
    caches,
    charts,
    i18n,
    numerics,
    prerender,
    prose,
    render,
    runtime_assets,
    scan,
    specs,
)
from parameter_lab.config import ParameterLabConfig
from parameter_lab.errors import SourceError
from parameter_lab.runner import format_view
from pymdownx.superfences import SuperFencesException

log = logging.getLogger("mkdocs.plugins.parameter_lab")
ASSETS_PREFIX = "assets/plab"  # where the hashed runtime lives in the built site
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class FenceError(PluginError, SuperFencesException):
    """A block failed to render: SuperFences passes its own exception type on (any other it
    swallows), and MkDocs reports a PluginError as the author's message, not a traceback."""


class ParameterLabPlugin(BasePlugin[ParameterLabConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        refresh_plugin_modules()  # `mkdocs serve` rebuilds in one process: pick up edits
        blocks, site_charts = self.config.blocks.enabled, self.config.charts.enabled
        self._fence_names = tuple(
            name for name in scan.FENCE_NAMES if (site_charts if name == "chart" else blocks)
        )
        self.site_root = Path(config.config_file_path or ".").resolve().parent
        self.docs_prefix = Path(os.path.relpath(config.docs_dir, self.site_root)).as_posix()
        self.cache = self.site_root / self.config.cache_dir
        try:
            locales = self.config.locales_dir
            locales_dir = self.site_root / locales if locales else None
            self.config.language = i18n.choose(
                self.config.language, config.theme.get("language"), locales_dir
            )
            words = i18n.load(self.config.language, locales_dir, locales or "")
            self.t = words["build"]
            self.font = charts.font_for(self.config.language)
            # Blocks off: no demos package is needed. Charts off: charts_module and dataset
            # are not read (nor Altair imported); demos show text and tables only.
            self.package_dir = (
                _import_root(self.site_root, self.config.demos_package) if blocks else None
            )
            charts_module = self.config.charts_module if site_charts else None
            self.site_charts = charts.load_site_charts(
                Path(charts_module) if charts_module else None, self._display(charts_module)
            )
            self.dataset = self.config.dataset if site_charts else None
            self.rows = charts.load_rows(
                self.site_charts,
                Path(config.docs_dir) / self.dataset if self.dataset else None,
                f"{self.docs_prefix}/{self.dataset}",
            )
            dist = runtime_assets.ensure_dist()
            self.available = browser_imports.lock_imports(dist / "pyodide" / "pyodide-lock.json")
            self.runtime, self.styles = None, None
            # The loader runs blocks, and shows charts live (charts come from charts_module).
            if blocks or self.site_charts.charts or self.site_charts.tables:
                local = self.config.pyodide_packages or os.environ.get("PYODIDE_PACKAGES")
                self.runtime = runtime_assets.build_runtime(
                    dist,
                    self.package_dir,
                    self.cache / "runtime",
                    cdn=self.config.pyodide_cdn,
                    local_packages=Path(local) if local else None,
                    strings=words["runtime"],
                    package=self.config.demos_package if blocks else None,
                )
            # The runtime holds the math font already; a math-only site gets it on its own.
            if self.runtime is not None:
                self.styles = runtime_assets.read_styles(dist)
            elif self.config.math.enabled:
                self.styles = runtime_assets.build_styles(dist, self.cache / "styles")
            # Only Material's search is known to hold (another theme's search has no intent
            # to wait for).
            self.search_hold = (
                runtime_assets.read_inline_script(dist, runtime_assets.SEARCH_HOLD)
                if self.config.search_on_intent and config.theme.name == "material"
                else None
            )
            # The loader is fetched once a page has loaded, or at the first act on a block; a
            # Run pressed before it arrives says so at once, in the site's words.
            self.loader_start = (
                runtime_assets.read_inline_script(dist, runtime_assets.LOADER_START)
                if self.runtime is not None
                else None
            )
            self.preparing = words["runtime"]["preparing"]
        except (SourceError, runtime_assets.AssetError) as exc:
            raise PluginError(f"parameter-lab: {exc}") from exc
        custom_dir = config.theme.custom_dir
        overrides = Path(custom_dir) / render.OVERRIDES if custom_dir else None
        render.use_template_dirs([str(overrides)] if overrides and overrides.is_dir() else [])
        self._register_fences(config)
        self._extensions, self._mdx_configs = config.markdown_extensions, config.mdx_configs
        self._numeric: numerics.Environments | None = None  # probed when first needed
        # Files named by their content's hash: path under ASSETS_PREFIX -> text, written in
        # on_post_build (static SVGs, and site charts' Vega-Lite specs).
        self._hashed: dict[str, str] = {}
        # The formatter is called with a fence's text only. It takes this page's blocks in
        # order; a fence rendered again elsewhere (Material's blog renders a post's excerpt
        # into its views, after every page) is the block that fence was on its own page.
        self._blocks: dict[tuple[str, str], deque[scan.Block]] = defaultdict(deque)
        self._built: dict[tuple[str, str], scan.Block] = {}  # ids made unique to their page
        self._page_blocks: list[scan.Block] = []
        return config

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable
    ) -> LiveReloadServer:
        if not self.config.enabled:
            return server
        if self.package_dir is not None:
            server.watch(str(self.package_dir))
        for path in self.site_charts.files:
            server.watch(str(path))
        if (runtime_assets.CHECKOUT / "node_modules").is_dir():  # a checkout: plugin edits too
            server.watch(str(runtime_assets.PACKAGE_DIR))
        return server

    def on_post_template(
        self, output_content: str, template_name: str, config: MkDocsConfig
    ) -> str | None:
        # Before the pages: the theme's static templates. Material's 404 page has its search too.
        if not self.config.enabled:
            return None
        hold = self._search_hold_for(output_content)
        # Addressed as MkDocs addresses a static template's scripts (absolute on error pages).
        base = (
            urlsplit(config.site_url or "/").path
            if is_error_template(template_name)
            else get_relative_url(".", template_name)
        )
        loader = self._loader_start(base=base)
        if not (hold or loader):
            return None
        return render.inline_head(output_content, search_hold=hold, loader_start=loader)

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        path = f"{self.docs_prefix}/{page.file.src_uri}"
        self._page_url, self._page_path = page.url, path
        raw = page.file.content_string
        try:
            self._check_front_matter_of_ours(raw, markdown, path)
            first_line = scan.body_offset(raw, markdown) + 1
            names = self._fence_names
            scanned = scan.find_fences(markdown, path, first_line, names)
            _require_superfences(self._extensions, scanned, path)
            parsed = {id(f): self._parse(f, path) for f in scanned}  # header errors first
            fences = scan.read_fences(markdown, path, first_line, self._read, scanned, names)
            blocks = [parsed.get(id(f)) or self._parse(f, path) for f in fences]
            _assign_ids(blocks, path)
            self._check_imports(blocks, path)
            prose_on = self.config.prose.enabled
            scenarios = prose.scenarios_of(markdown, blocks, path, first_line) if prose_on else []
            runs = self._run_page(blocks, scenarios, path)
            self._check_view_keys(blocks, path)
            here = runs[0] if runs else PageRun(blocks, {})
            self._scenarios = here.scenarios
            dataset = self.rows if self.dataset else None
            rendered = markdown
            if prose_on:
                rendered = prose.render_prose(
                    markdown, blocks, self._scenario, path, first_line, dataset
                )
            for message in self._compare_runs(runs, markdown, path, first_line):
                log.warning(message)  # --strict (and so CI) stops the build on any
            markdown = rendered
        except SourceError as exc:
            raise PluginError(str(exc)) from exc
        self._page_blocks = blocks
        self._blocks.clear()
        for block in blocks:
            self._blocks[(block.lang, block.source)].append(block)
            # Elsewhere (a blog view lists several posts' excerpts) the id names its page too.
            page_slug = re.sub(r"[^a-z0-9]+", "-", page.url.lower()).strip("-") or "index"
            self._built[(block.lang, block.source)] = dataclasses.replace(
                block, id=f"{page_slug}--{block.id}"
            )
        return markdown

    # -- the fence formatter, called by superfences while the page's Markdown renders --------

    def _check_front_matter_of_ours(self, raw: str, markdown: str, path: str) -> None:
        """Broken front matter shifts every line we report, so it stops the build, but only
        on a page with something of ours (a fence, or a prose form): the plugin never fails
        a page it has nothing to do with, which MkDocs shows as it always does."""
        try:
            _check_front_matter(raw, path)
        except SourceError:
            ours = self.config.prose.enabled and "{{" in markdown
            try:
                ours = ours or bool(scan.find_fences(markdown, path, 1, self._fence_names))
            except SourceError:
                ours = True  # a fence of ours, written wrong
            if ours:
                raise

    def _format(
        self,
        src: str,
        language: str,
        class_name: str,
        options: dict,
        md: Markdown,
        **kwargs: object,
    ) -> str:
        queue = self._blocks.get((language, src))
        block = queue.popleft() if queue else self._built.get((language, src))
        if block is None:
            # Our scan and superfences disagree about where a fence is: never drop it silently.
            raise FenceError(
                f"{self._page_path}: parameter-lab did not find this {language} fence where "
                "Markdown did; please report it with the page's text. First lines:\n"
                + "\n".join(src.splitlines()[:3])
            )
        try:
            if block.lang == "pyodide":
                return render.render_cell(block, self.t)
            if block.lang == "demo":
                return self._render_demo(block)
            return self._render_chart(block)
        except Exception as exc:  # superfences would swallow it: re-raise as its own type
            raise FenceError(
                f"{self._page_path}:{block.line}: rendering {block.id} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def on_page_content(
        self, html: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        # Markdown can still drop a rendered block (an indented code block shows the fence as
        # text after superfences rendered it). Whatever did not reach the page is an error.
        visible = _COMMENT.sub("", html)
        for block in self._page_blocks:
            if f'id="{block.id}"' in visible:
                continue
            raise PluginError(
                f"{self._page_path}:{block.line}: this {block.lang} fence was found but never "
                "rendered: it sits where Markdown does not read fences (an indented code "
                "block, a blockquote, an HTML block); move it out, or make it a plain code "
                "example with a longer outer fence"
            )
        return html

    def on_page_context(
        self, context: dict, page: Page, config: MkDocsConfig, nav: object
    ) -> dict | None:
        if not self.config.enabled:
            return None
        # Runs before the blog plugin's (priority -100) renders excerpts into this view:
        # their charts' relative URLs must start from this page.
        self._page_url = page.url
        return context

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        hold = self._search_hold_for(output)
        if self.styles is None:  # no runtime either: nothing but the search hold to add
            return render.inline_head(output, search_hold=hold) if hold else None
        # Math becomes MathML here, after the search plugin indexed the TeX source. Off (the
        # default), the page keeps arithmatex's output for the site's own math script.
        if self.config.math.enabled:
            from parameter_lab import formulas  # imported here: one self-contained wiring

            if getattr(self, "_math", None) is None:  # one Node process per build, on first use
                self._math = formulas.MathRenderer(runtime_assets.DIST / "node" / "temml.cjs")
            where = f"{self.docs_prefix}/{page.file.src_uri}"
            try:
                output = formulas.render_page(output, self._math, where, self.config.language)
            except formulas.MathError as exc:
                raise PluginError(f"parameter-lab: {exc}") from exc
        # Without a loader to add the math font once the page has loaded, the page names it.
        font_face = None
        if self.runtime is None and self.config.math.enabled:
            font = get_relative_url(f"{ASSETS_PREFIX}/{self.styles.font}", page.url)
            font_face = self.styles.font_face_at(font)
        return render.inline_head(
            output, self.styles.css, font_face, hold, self._loader_start(page)
        )

    def on_post_build(self, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        target = Path(config.site_dir) / ASSETS_PREFIX
        if self.runtime is not None:
            shutil.copytree(self.runtime.directory, target, dirs_exist_ok=True)
            (target / "manifest.json").unlink(missing_ok=True)  # build bookkeeping, not served
            sw = self.runtime.directory / self.runtime.manifest["sw"]
            shutil.copy2(sw, Path(config.site_dir) / runtime_assets.SW_NAME)
        elif self.styles is not None:  # math only: the font, without a runtime around it
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.cache / "styles" / self.styles.font, target / self.styles.font)
        for name, text in self._hashed.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(text, encoding="utf-8")
        caches.prune(self.cache, max_age_days=self.config.cache_days)

    # -- helpers --------------------------------------------------------------------------------

    def _loader_start(self, page: Page | None = None, base: str = ".") -> dict | None:
        """What fetches the loader (loader_start.html), with the loader's address as MkDocs
        writes a script's: relative to ``page``, or to ``base`` on a static template."""
        if self.loader_start is None:
            return None
        src = normalize_url(f"{ASSETS_PREFIX}/{self.runtime.loader}", page, base)
        return {"script": self.loader_start, "src": src, "preparing": self.preparing}

    def _search_hold_for(self, page_html: str) -> str | None:
        """The search index's hold, for a page with Material's search form (search_hold)."""
        return self.search_hold if self.search_hold and 'name="search"' in page_html else None

    def _display(self, path: str | None) -> str:
        if not path:
            return ""
        try:
            return Path(path).resolve().relative_to(self.site_root).as_posix()
        except ValueError:
            return path

    def _register_fences(self, config: MkDocsConfig) -> None:
        superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
        # A fence switched off stays the site's: its own custom fence of that name, or code.
        custom = [
            f for f in superfences.get("custom_fences", []) if f["name"] not in self._fence_names
        ]
        for name in self._fence_names:
            custom.append(
                {
                    "name": name,
                    "class": f"plab-{name}",
                    "format": self._format,
                    "validator": _accept_options,
                }
            )
        superfences["custom_fences"] = custom

    def _read(self, markdown: str) -> list[scan.Seen]:
        """The fences SuperFences reads in ``markdown``, with the site's own extensions."""
        seen: list[scan.Seen] = []

        def record(src: str, lang: str, _c: str, options: dict, *_: object, **kw: object) -> str:
            found = scan.Seen(lang, src, dict(options), str(kw.get("id_value") or ""))
            found.classes = list(kw.get("classes") or [])
            seen.append(found)
            return ""

        configs = {**self._mdx_configs}
        superfences = dict(configs.get("pymdownx.superfences", {}))
        superfences["custom_fences"] = [
            {**f, "format": record} if f["name"] in self._fence_names else f
            for f in superfences.get("custom_fences", [])
        ]
        configs["pymdownx.superfences"] = superfences
        Markdown(extensions=self._extensions, extension_configs=configs).convert(markdown)
        return seen

    def _parse(self, fence: scan.Fence, path: str) -> scan.Block:
        where = specs.Where(path, fence.line, fence.source if fence.lang != "pyodide" else "")
        if fence.lang == "pyodide":
            spec = specs.parse_cell_options(fence.opts, where)
        else:
            raw = specs.parse_yaml_body(fence.lang, fence.opts, fence.source, where)
            if fence.lang == "demo":
                views = set(self.site_charts.views)
                spec = specs.parse_demo(raw, where, self.config.demos_package, views)
            else:
                known = {*self.site_charts.charts, *self.site_charts.tables}
                spec = specs.parse_chart(raw, where, known)
        return scan.Block(fence.lang, fence.line, fence.source, "", spec)

    def _run_page(
        self, blocks: list[scan.Block], scenarios: list[tuple[scan.Block, dict]], path: str
    ) -> list[PageRun]:
        """Pre-render the page's blocks and run its scenarios, in one child per numeric
        environment; this machine's run first, its outcomes set on ``blocks``."""
        todo = []
        if self.config.prerender:
            for block in blocks:
                if block.lang == "pyodide" and block.spec["prerender"]:
                    todo.append(
                        (block, prerender.job_for_cell(block.source, self.t["cell_filename"]))
                    )
                elif block.lang == "demo":
                    todo.append((block, _demo_job(block, {})))
        jobs = [job for _, job in todo] + [_demo_job(b, o) for b, o in scenarios]
        if not jobs:
            return []
        environments = self._environments().each
        try:
            runs = prerender.run_everywhere(
                jobs, self.site_root, self.package_dir, self.cache / "prerender", environments
            )
        except prerender.PrerenderError as exc:
            owners = [block for block, _ in todo] + [block for block, _ in scenarios]
            index = exc.index if exc.index is not None and exc.index < len(owners) else None
            line = owners[index].line if index is not None else None
            raise SourceError(path, line, str(exc)) from exc
        page_runs = []
        for i, outcomes in enumerate(runs):
            mine = blocks if i == 0 else [dataclasses.replace(b) for b in blocks]
            copies = dict(zip(map(id, blocks), mine))
            for (block, _), outcome in zip(todo, outcomes):
                copies[id(block)].outcome = outcome
            scenario_outcomes = {
                _scenario_key(b, o): out
                for (b, o), out in zip(scenarios, outcomes[len(todo) :], strict=True)
            }
            page_runs.append(PageRun(mine, scenario_outcomes))
        for block, _ in todo:  # this machine's failures are the author's to fix
            outcome = block.outcome
            if not outcome["ok"]:
                hint = (
                    '; if the error is the point of the example, add prerender="false"'
                    if block.lang == "pyodide"
                    else "; fix the control defaults or the demo"
                )
                raise SourceError(
                    path,
                    block.line,
                    f"the {block.lang} block {block.id!r} raised during "
                    f"pre-render{hint}:\n{outcome['error']['traceback']}",
                )
        return page_runs

    def _environments(self) -> numerics.Environments:
        """Probed on the first page that runs anything, once per build."""
        if self._numeric is None:
            self._numeric = numerics.environments(forced=self.config.numeric_check)
            if self._numeric.note:
                log.info(
                    "parameter-lab: figures are checked in this machine's numeric environment "
                    f"only: {self._numeric.note}; CI's check stays the authority"
                )
        return self._numeric

    def _compare_runs(
        self, runs: list[PageRun], markdown: str, path: str, first_line: int
    ) -> list[str]:
        """Whatever the page would show differently in another numeric environment."""
        if len(runs) < 2:
            return []
        shown = [self._shown(run, markdown, path, first_line) for run in runs]
        return numerics.disagreements(path, self._environments().each, shown)

    def _shown(
        self, run: PageRun, markdown: str, path: str, first_line: int
    ) -> list[numerics.Shown]:
        def scenario(block: scan.Block, overrides: dict) -> object:
            outcome = run.scenarios[_scenario_key(block, overrides)]
            if not outcome["ok"]:
                raise prose.ScenarioError(outcome["error"]["traceback"])
            return outcome["result"]

        shown = []
        for block in run.blocks:
            if block.outcome is not None:
                shown += self._block_shown(block)
        for r in prose.read_forms(markdown, run.blocks, scenario, path, first_line):
            shown.append(numerics.Shown(r.line, r.form, r.kind, r.shown))
        return shown

    def _block_shown(self, block: scan.Block) -> list[numerics.Shown]:
        """A pre-rendered block as the reader sees it: its printed output, and each view."""
        name = f"the {block.lang} block {block.id!r}"
        outcome = block.outcome
        if not outcome["ok"]:
            error = outcome["error"]["traceback"].strip().splitlines()[-1]
            return [numerics.Shown(block.line, name, "block", f"raises {error}")]
        printed = "".join(text for _, text in outcome["streams"])
        shown = [numerics.Shown(block.line, f"{name}'s printed output", "block", printed)]
        if block.lang != "demo":
            return shown
        result = outcome.get("result")
        for view in block.spec["views"]:
            what = f"{name}'s view {view!r}"
            template = self.site_charts.views.get(view)
            if template is None:
                columns = block.spec["labels"]["columns"]
                drawn = format_view(view, result, self.config.language, columns)
                shown.append(numerics.Shown(block.line, what, "block", json.dumps(drawn)))
            elif isinstance(result, dict):
                data = {name: result.get(key, []) for name, key in template.datasets.items()}
                spec = charts.with_data(template.spec(self.font), data)
                svg = charts.render_svg(spec, self.cache / "svg")
                digest = hashlib.sha256(svg.encode()).hexdigest()[:10]
                shown.append(numerics.Shown(block.line, what, "block", svg, f"chart {digest}"))
        return shown

    def _check_imports(self, blocks: list[scan.Block], path: str) -> None:
        browser = browser_imports.Browser(
            self.available, self.config.demos_package, self.package_dir, self.site_root
        )
        for block in blocks:
            if block.lang == "pyodide":
                browser_imports.check_cell(block.source, browser, path, block.line + 1)
            elif block.lang == "demo":
                browser_imports.check_module(block.spec["module"], browser, path, block.line)

    def _check_view_keys(self, blocks: list[scan.Block], path: str) -> None:
        datasets = {name: view.datasets for name, view in self.site_charts.views.items()}
        for block in blocks:
            if block.lang == "demo" and block.outcome and block.outcome.get("ok"):
                specs.check_view_keys(block.spec, block.outcome.get("result"), path, datasets)

    def _scenario(self, block: scan.Block, overrides: dict) -> object:
        """The demo's result with some controls changed, as run by ``_run_page``."""
        outcome = self._scenarios[_scenario_key(block, overrides)]
        if not outcome["ok"]:
            raise prose.ScenarioError(outcome["error"]["traceback"])
        return outcome["result"]

    def _hashed_url(self, folder: str, text: str, suffix: str) -> str:
        """The page's URL of ``text`` as a file named by its hash (on_post_build writes it)."""
        name = f"{folder}/{hashlib.sha256(text.encode()).hexdigest()[:16]}{suffix}"
        self._hashed[name] = text
        return get_relative_url(f"{ASSETS_PREFIX}/{name}", self._page_url)

    def _svg_image(self, svg: str) -> dict:
        """A chart drawn at build, as its <img> gets it: URL and drawn size."""
        width, height = charts.svg_size(svg) or (None, None)
        return {"url": self._hashed_url("svg", svg, ".svg"), "width": width, "height": height}

    def _spec_url(self, spec: dict) -> str:
        """A site chart's spec, with its data, as a file fetched when the chart goes live: in
        the page it would be parsed and sent to every reader (tens of KB on a data page)."""
        text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
        return self._hashed_url("chart-specs", text, ".json")

    def _render_demo(self, block: scan.Block) -> str:
        view_specs, images = {}, {}
        result = block.outcome.get("result") if block.outcome else None
        for view in block.spec["views"]:
            template = self.site_charts.views.get(view)
            if template is None:
                continue
            spec = template.spec(self.font)
            view_specs[view] = {"spec": spec, "datasets": template.datasets}
            if isinstance(result, dict):
                data = {name: result.get(key, []) for name, key in template.datasets.items()}
                svg = charts.render_svg(charts.with_data(spec, data), self.cache / "svg")
                images[view] = (self._svg_image(svg), template.description)
        return render.render_demo(block, view_specs, images, self.t, self.config.language)

    def _render_chart(self, block: scan.Block) -> str:
        name = block.spec["name"]
        if name in self.site_charts.tables:
            return render.render_table(block, self.site_charts.tables[name], self.rows)
        chart = self.site_charts.charts[name]
        spec = chart.spec(self.rows, self.font)
        svg = charts.render_svg(spec, self.cache / "svg")
        table = None
        if chart.columns:
            table = {
                "view": chart.description,
                "kind": "table",
                "columns": list(chart.columns.values()),
                "rows": [[render.format_cell(r.get(k)) for k in chart.columns] for r in self.rows],
            }
        sources = get_relative_url(chart.source_page, self._page_url) if chart.source_page else None
        return render.render_chart(
            block,
            chart,
            self._spec_url(spec),
            self._svg_image(svg),
            table,
            sources,
            self.config.dataset,
            self.t,
        )


# Reloaded in this order when any of their files changed (each after what it imports).
# Not errors.py: the hooks catch its SourceError class, which must stay the same object.
_DOMAIN_MODULES = (
    "options", "controls", "runner", "scan", "specs", "i18n", "render",
    "charts", "caches", "numerics", "prerender", "prose", "runtime_assets", "browser_imports",
)  # fmt: skip
_loaded_at: dict[str, float] = {}


def refresh_plugin_modules() -> list[str]:
    """Reload the plugin's domain modules if a file changed since they were loaded.

    The hooks reach them through their modules (``specs.parse_demo``), so a reload is seen
    by the next build. This module's own hooks stay as loaded: restart for those.
    """
    mtimes = {
        name: Path(sys.modules[f"parameter_lab.{name}"].__file__).stat().st_mtime
        for name in _DOMAIN_MODULES
    }
    if not _loaded_at:
        _loaded_at.update(mtimes)
        return []
    if all(_loaded_at[name] == mtime for name, mtime in mtimes.items()):
        return []
    for name in _DOMAIN_MODULES:
        importlib.reload(sys.modules[f"parameter_lab.{name}"])
    render._env_for.cache_clear()  # templates are re-read too
    _loaded_at.update(mtimes)
    return list(_DOMAIN_MODULES)


def _import_root(site_root: Path, package: str) -> Path:
    """Make the site's demos package importable, fresh, and return its folder."""
    if str(site_root) not in sys.path:
        sys.path.insert(0, str(site_root))
    # `mkdocs serve` rebuilds in one process: forget the demos modules, so edits and new
    # functions are seen without a restart.
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    spec = _find_spec(package)
    src = site_root / "src"
    if spec is None and src.is_dir():  # a src/ layout, not installed
        sys.path.insert(1, str(src))
        importlib.invalidate_caches()
        spec = _find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        folder = package.replace(".", "/")
        raise SourceError(
            "mkdocs.yml",
            None,
            f"demos_package {package!r} is not a package next to mkdocs.yml or in src/: "
            f"create {folder}/__init__.py, or set demos_package to your package's name",
        )
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _require_superfences(extensions: list[str], scanned: list[scan.Fence], path: str) -> None:
    """Our fences are SuperFences' custom fences, configured under the extension's own name
    (see _register_fences): without ``pymdownx.superfences`` listed by that name, Markdown
    reads each as plain code, and read_fences would blame the fence's place instead."""
    if scanned and "pymdownx.superfences" not in extensions:
        first = scanned[0]
        raise SourceError(
            path,
            first.line,
            f"this {first.lang} fence needs pymdownx.superfences listed by that name under "
            "markdown_extensions in mkdocs.yml: add `- pymdownx.superfences`",
        )


def _find_spec(package: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.util.find_spec(package)
    except ModuleNotFoundError:  # a dotted name whose parent is not found
        return None


@dataclass
class PageRun:
    """A page's outcomes in one numeric environment: its blocks (with their pre-renders)
    and its scenarios' outcomes by ``_scenario_key``."""

    blocks: list[scan.Block]
    scenarios: dict[str, dict]


def _demo_job(block: scan.Block, overrides: dict) -> dict:
    spec = block.spec
    kwargs = {**specs.default_values(spec), **overrides}
    return prerender.job_for_demo(spec["module"], spec["function"], kwargs, spec["labels"])


def _scenario_key(block: scan.Block, overrides: dict) -> str:
    return block.id + repr(sorted(overrides.items()))


_META_KEY = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:")


def _check_front_matter(raw: str, path: str) -> None:
    """MkDocs silently shows broken front matter as page text; stop the build instead.

    Only what reads as front matter (``---`` then ``key:``) is checked: a page may open with
    a ``---`` rule, which MkDocs renders as one."""
    lines = raw.replace("\r\n", "\n").split("\n")
    if len(lines) < 2 or lines[0].strip() != "---" or not _META_KEY.match(lines[1]):
        return
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise SourceError(path, 1, "the front matter is never closed: add a line `---`")
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SourceError(
            path, line, f"the front matter is not valid YAML ({problem}); quote values with ':'"
        ) from exc
    if data is not None and not isinstance(data, dict):
        raise SourceError(path, 2, "the front matter must be a YAML mapping of key: value")


def _assign_ids(blocks: list[scan.Block], path: str) -> None:
    seen: dict[str, int] = {}
    counters: dict[str, int] = {}
    for block in blocks:
        explicit = block.spec.get("id")
        if explicit:
            block.id = explicit
        else:
            stem = block.spec["module"].rsplit(".", 1)[-1] if block.lang == "demo" else block.lang
            counters[stem] = counters.get(stem, 0) + 1
            block.id = f"{stem}-{counters[stem]}"
        if block.id in seen:
            raise SourceError(
                path,
                block.line,
                f"duplicate id {block.id!r} (first used on line {seen[block.id]}); "
                "give this block another id",
            )
        seen[block.id] = block.line


def _accept_options(language: str, inputs: dict, options: dict, attrs: dict, md: Markdown) -> bool:
    """Superfences validator: keep every header option; specs validates them with lines."""
    options.update(inputs)
    return True
