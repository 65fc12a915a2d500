"""The parameter-lab MkDocs plugin. Hooks are in event order; the work is in plain modules.

* ``on_config``: load the site's charts and dataset, build the hashed runtime (Pyodide,
  KaTeX, our ES modules, the site's demos wheel and lock), register the fences.
* ``on_serve``: watch the demos package, the charts module and (in a checkout) the plugin.
* ``on_page_markdown``: find and validate the page's fences (``file:line`` errors),
  pre-render them in CPython.
* the fence formatter: render each validated block from its template.
* ``on_page_content``: make sure every block found was rendered.
* ``on_post_build``: copy the runtime and the SVGs into the site; prune old cache entries.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import shutil
import sys
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path

import yaml
from markdown import Markdown
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from parameter_lab import (
    caches,
    charts,
    i18n,
    prerender,
    prose,
    render,
    runtime_assets,
    scan,
    specs,
)
from parameter_lab.config import ParameterLabConfig
from parameter_lab.errors import SourceError
from pymdownx.superfences import SuperFencesException

ASSETS_PREFIX = "assets/plab"  # where the hashed runtime lives in the built site
_COMMENT = re.compile(r"<!--.*?-->", re.S)


class ParameterLabPlugin(BasePlugin[ParameterLabConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        refresh_plugin_modules()  # `mkdocs serve` rebuilds in one process: pick up edits
        self.site_root = Path(config.config_file_path or ".").resolve().parent
        self.docs_prefix = Path(os.path.relpath(config.docs_dir, self.site_root)).as_posix()
        self.cache = self.site_root / self.config.cache_dir
        self.t = i18n.strings_for(self.config.language)
        try:
            self.package_dir = _import_root(self.site_root, self.config.demos_package)
            self.site_charts = charts.load_site_charts(
                Path(self.config.charts_module) if self.config.charts_module else None,
                self._display(self.config.charts_module),
            )
            dataset = self.config.dataset
            self.rows = charts.load_rows(
                self.site_charts,
                Path(config.docs_dir) / dataset if dataset else None,
                f"{self.docs_prefix}/{dataset}",
            )
            local = self.config.pyodide_packages or os.environ.get("PYODIDE_PACKAGES") or None
            self.runtime = runtime_assets.build_runtime(
                runtime_assets.ensure_dist(),
                self.package_dir,
                self.cache / "runtime",
                cdn=self.config.pyodide_cdn,
                local_packages=Path(local) if local else None,
            )
        except (SourceError, runtime_assets.AssetError) as exc:
            raise PluginError(f"parameter-lab: {exc}") from exc
        loader = ExtraScriptValue(f"{ASSETS_PREFIX}/{self.runtime.loader}")
        loader.type = "module"
        config.extra_javascript.append(loader)
        config.extra_css.append(f"{ASSETS_PREFIX}/{self.runtime.manifest['css']}")
        self._register_fences(config)
        self._svgs: dict[str, str] = {}  # file name -> SVG text, written in on_post_build
        self._blocks: dict[tuple[str, str], deque[scan.Block]] = defaultdict(deque)
        self._page_blocks: list[scan.Block] = []
        return config

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable
    ) -> LiveReloadServer:
        server.watch(str(self.package_dir))
        for path in self.site_charts.files:
            server.watch(str(path))
        if (runtime_assets.CHECKOUT / "node_modules").is_dir():  # a checkout: plugin edits too
            server.watch(str(runtime_assets.PACKAGE_DIR))
        return server

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        path = f"{self.docs_prefix}/{page.file.src_uri}"
        self._page_url, self._page_path = page.url, path
        raw = page.file.content_string
        try:
            _check_front_matter(raw, path)
            first_line = scan.body_offset(raw, markdown) + 1
            blocks = [self._parse(f, path) for f in scan.find_fences(markdown, path, first_line)]
            _assign_ids(blocks, path)
            self._prerender(blocks, path)
            self._scenarios = self._run_scenarios(
                prose.scenarios_of(markdown, blocks, path, first_line), path
            )
            markdown = prose.render_prose(markdown, blocks, self._scenario, path, first_line)
        except SourceError as exc:
            raise PluginError(str(exc)) from exc
        self._page_blocks = blocks
        self._blocks.clear()
        for block in blocks:
            self._blocks[(block.lang, block.source)].append(block)
        return markdown

    # -- the fence formatter, called by superfences while the page's Markdown renders --------

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
        if not queue:
            # Our scan and superfences disagree about where a fence is: never drop it silently.
            raise SuperFencesException(
                f"{self._page_path}: a {language} fence was not found by the validator; "
                "check that it is not inside a blockquote or an unclosed fence"
            )
        block = queue.popleft()
        try:
            if block.lang == "pyodide":
                return render.render_cell(block, self.t)
            if block.lang == "demo":
                return self._render_demo(block)
            return self._render_chart(block)
        except Exception as exc:  # superfences would swallow it: re-raise as its own type
            raise SuperFencesException(
                f"{self._page_path}:{block.line}: rendering {block.id} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc

    def on_page_content(self, html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
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

    def on_post_page(self, output: str, page: Page, config: MkDocsConfig) -> str:
        # Math becomes KaTeX HTML here, after the search plugin indexed the TeX source.
        from parameter_lab import formulas  # imported here: one self-contained wiring

        if getattr(self, "_katex", None) is None:  # one Node process per build, on first use
            self._katex = formulas.KatexRenderer(runtime_assets.DIST / "node" / "katex.min.js")
        css = get_relative_url(f"{ASSETS_PREFIX}/{self.runtime.manifest['katex_css']}", page.url)
        where = f"{self.docs_prefix}/{page.file.src_uri}"
        try:
            return formulas.render_page(output, self._katex, css, where, self.config.language)
        except formulas.MathError as exc:
            raise PluginError(f"parameter-lab: {exc}") from exc

    def on_post_build(self, config: MkDocsConfig) -> None:
        target = Path(config.site_dir) / ASSETS_PREFIX
        shutil.copytree(self.runtime.directory, target, dirs_exist_ok=True)
        (target / "manifest.json").unlink(missing_ok=True)  # build bookkeeping, not served
        sw = self.runtime.directory / self.runtime.manifest["sw"]
        shutil.copy2(sw, Path(config.site_dir) / runtime_assets.SW_NAME)
        (target / "svg").mkdir(exist_ok=True)
        for name, svg in self._svgs.items():
            (target / "svg" / name).write_text(svg, encoding="utf-8")
        caches.prune(self.cache, max_age_days=self.config.cache_days)

    # -- helpers --------------------------------------------------------------------------------

    def _display(self, path: str | None) -> str:
        if not path:
            return ""
        try:
            return Path(path).resolve().relative_to(self.site_root).as_posix()
        except ValueError:
            return path

    def _register_fences(self, config: MkDocsConfig) -> None:
        superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
        custom = [
            f for f in superfences.get("custom_fences", []) if f["name"] not in scan.FENCE_NAMES
        ]
        for name in scan.FENCE_NAMES:
            custom.append(
                {
                    "name": name,
                    "class": f"plab-{name}",
                    "format": self._format,
                    "validator": _accept_options,
                }
            )
        superfences["custom_fences"] = custom

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

    def _prerender(self, blocks: list[scan.Block], path: str) -> None:
        if not self.config.prerender:
            return
        todo = []
        for block in blocks:
            if block.lang == "pyodide" and block.spec["prerender"]:
                todo.append((block, prerender.job_for_cell(block.source)))
            elif block.lang == "demo":
                spec = block.spec
                kwargs = specs.default_values(spec)
                todo.append(
                    (
                        block,
                        prerender.job_for_demo(
                            spec["module"], spec["function"], kwargs, spec["labels"]
                        ),
                    )
                )
        if not todo:
            return
        try:
            outcomes = prerender.run_jobs(
                [job for _, job in todo], self.site_root, self.package_dir, self.cache / "prerender"
            )
        except prerender.PrerenderError as exc:
            culprit = (
                todo[exc.index][0] if exc.index is not None and exc.index < len(todo) else None
            )
            raise SourceError(path, culprit.line if culprit else None, str(exc)) from exc
        for (block, _), outcome in zip(todo, outcomes, strict=True):
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
            block.outcome = outcome

    def _run_scenarios(self, scenarios: list[tuple[scan.Block, dict]], path: str) -> dict:
        """Run every scenario of a page in one child process (cached); key -> outcome."""
        jobs = [
            prerender.job_for_demo(
                block.spec["module"],
                block.spec["function"],
                {**specs.default_values(block.spec), **overrides},
                block.spec["labels"],
            )
            for block, overrides in scenarios
        ]
        if not jobs:
            return {}
        try:
            outcomes = prerender.run_jobs(
                jobs, self.site_root, self.package_dir, self.cache / "scenarios"
            )
        except prerender.PrerenderError as exc:
            block = scenarios[exc.index][0] if exc.index is not None else None
            raise SourceError(path, block.line if block else None, str(exc)) from exc
        return {_scenario_key(b, o): out for (b, o), out in zip(scenarios, outcomes, strict=True)}

    def _scenario(self, block: scan.Block, overrides: dict) -> object:
        """The demo's result with some controls changed, as run by ``_run_scenarios``."""
        outcome = self._scenarios[_scenario_key(block, overrides)]
        if not outcome["ok"]:
            raise prose.ScenarioError(outcome["error"]["traceback"])
        return outcome["result"]

    def _svg_url(self, svg: str) -> str:
        name = hashlib.sha256(svg.encode()).hexdigest()[:16] + ".svg"
        self._svgs[name] = svg
        return get_relative_url(f"{ASSETS_PREFIX}/svg/{name}", self._page_url)

    def _render_demo(self, block: scan.Block) -> str:
        view_specs, images = {}, {}
        result = block.outcome.get("result") if block.outcome else None
        for view in block.spec["views"]:
            template = self.site_charts.views.get(view)
            if template is None:
                continue
            spec = template.spec()
            view_specs[view] = {"spec": spec, "datasets": template.datasets}
            if isinstance(result, dict):
                data = {name: result.get(key, []) for name, key in template.datasets.items()}
                svg = charts.render_svg(charts.with_data(spec, data), self.cache / "svg")
                images[view] = (self._svg_url(svg), template.description)
        return render.render_demo(block, view_specs, images, self.t, self.config.language)

    def _render_chart(self, block: scan.Block) -> str:
        name = block.spec["name"]
        if name in self.site_charts.tables:
            return render.render_table(block, self.site_charts.tables[name], self.rows)
        chart = self.site_charts.charts[name]
        spec = chart.spec(self.rows)
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
            block, chart, spec, self._svg_url(svg), table, sources, self.config.dataset, self.t
        )


# Reloaded in this order when any of their files changed (each after what it imports).
# Not errors.py: the hooks catch its SourceError class, which must stay the same object.
_DOMAIN_MODULES = (
    "options", "controls", "runner", "scan", "specs", "i18n", "render",
    "charts", "caches", "prerender", "prose", "runtime_assets",
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
    render._env.cache_clear()  # templates are re-read too
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
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise SourceError(
            "mkdocs.yml",
            None,
            f"demos_package {package!r} is not a package next to mkdocs.yml: create "
            f"{package}/__init__.py, or set demos_package to your package's name",
        )
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _scenario_key(block: scan.Block, overrides: dict) -> str:
    return block.id + repr(sorted(overrides.items()))


def _check_front_matter(raw: str, path: str) -> None:
    """MkDocs silently shows broken front matter as page text; stop the build instead."""
    lines = raw.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
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
