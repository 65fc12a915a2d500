"""The parameter-lab MkDocs plugin. Hooks are in event order; the work is in plain modules.

* ``on_config``: build the hashed runtime (Pyodide, KaTeX, our ES modules, the demos
  wheel and lock) and register the ``pyodide``, ``demo`` and ``chart`` fences.
* ``on_page_markdown``: find and validate the page's fences (errors carry file:line),
  pre-render them in CPython, and draw their charts as static SVG.
* the fence formatter: emit each validated block's HTML.
* ``on_post_build``: copy the runtime and the SVGs into the site.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections import defaultdict, deque
from collections.abc import Callable
from pathlib import Path

from markdown import Markdown
from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url
from pymdownx.superfences import SuperFencesException

from tools import charts, datasets, fences, prerender, runtime_assets
from tools.config import ParameterLabConfig
from tools.errors import SourceError

ASSETS_PREFIX = "assets/plab"  # where the hashed runtime lives in the built site
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES_PAGE = "references/#models"  # where every dataset row is listed with its source
SOURCES_TABLE = "llm_sources"  # the chart-fence name of that table


class ParameterLabPlugin(BasePlugin[ParameterLabConfig]):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # The project (node_modules, demos/, the cache) is where this plugin lives; the docs
        # may be elsewhere (test sites), so messages name them relative to their mkdocs.yml.
        self.root = PROJECT_ROOT
        self.docs_prefix = Path(
            os.path.relpath(config.docs_dir, Path(config.config_file_path).parent)
        ).as_posix()
        self.cache = self.root / self.config.cache_dir
        local = self.config.pyodide_packages or os.environ.get("PYODIDE_PACKAGES") or None
        try:
            self.runtime = runtime_assets.build_runtime(
                self.root,
                self.cache,
                cdn=self.config.pyodide_cdn,
                local_packages=Path(local) if local else None,
            )
        except runtime_assets.AssetError as exc:
            raise PluginError(f"parameter-lab: {exc}") from exc
        loader = ExtraScriptValue(f"{ASSETS_PREFIX}/{self.runtime.loader}")
        loader.type = "module"
        config.extra_javascript.append(loader)
        config.extra_css.append(f"{ASSETS_PREFIX}/{self.runtime.manifest['css']}")
        self._register_fences(config)
        dataset = Path(config.docs_dir) / self.config.llm_dataset
        try:
            self.llms = datasets.load_llms(dataset, f"{self.docs_prefix}/{self.config.llm_dataset}")
        except (SourceError, OSError) as exc:
            raise PluginError(str(exc)) from exc
        self._svgs: dict[str, str] = {}  # file name -> SVG text, written in on_post_build
        self._blocks: dict[tuple[str, str], deque] = defaultdict(deque)
        return config

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Callable
    ) -> LiveReloadServer:
        for watched in ("demos", "tools/runtime", "tools/charts.py"):
            server.watch(str(self.root / watched))
        return server

    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        path = f"{self.docs_prefix}/{page.file.src_uri}"
        self._page_url, self._page_path = page.url, path
        try:
            blocks = fences.scan_page(
                markdown,
                path,
                set(charts.VIEWS),
                {*charts.CHARTS, SOURCES_TABLE},
                first_line=_body_offset(page.file.content_string, markdown) + 1,
            )
            self._prerender(blocks, path)
        except SourceError as exc:
            raise PluginError(str(exc)) from exc
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
                return fences.render_cell(block)
            if block.lang == "demo":
                return self._render_demo(block)
            return self._render_chart(block)
        except Exception as exc:  # superfences would swallow it: re-raise as its own type
            raise SuperFencesException(
                f"{self._page_path}:{block.line}: rendering {block.id} failed: {exc}"
            ) from exc

    def on_post_build(self, config: MkDocsConfig) -> None:
        target = Path(config.site_dir) / ASSETS_PREFIX
        shutil.copytree(self.runtime.directory, target, dirs_exist_ok=True)
        (target / "manifest.json").unlink(missing_ok=True)  # build bookkeeping, not served
        (target / "svg").mkdir(exist_ok=True)
        for name, svg in self._svgs.items():
            (target / "svg" / name).write_text(svg, encoding="utf-8")

    # -- helpers --------------------------------------------------------------------------------

    def _register_fences(self, config: MkDocsConfig) -> None:
        superfences = config.mdx_configs.setdefault("pymdownx.superfences", {})
        custom = [
            f for f in superfences.get("custom_fences", []) if f["name"] not in fences.FENCE_NAMES
        ]
        for name in fences.FENCE_NAMES:
            custom.append(
                {
                    "name": name,
                    "class": f"plab-{name}",
                    "format": self._format,
                    "validator": _accept_options,
                }
            )
        superfences["custom_fences"] = custom

    def _prerender(self, blocks: list[fences.Block], path: str) -> None:
        if not self.config.prerender:
            return
        todo = []
        for block in blocks:
            if block.lang == "pyodide" and block.spec["prerender"]:
                todo.append((block, prerender.job_for_cell(block.source)))
            elif block.lang == "demo":
                spec = block.spec
                todo.append(
                    (
                        block,
                        prerender.job_for_demo(
                            spec["module"], spec["function"], fences.default_values(spec)
                        ),
                    )
                )
        if not todo:
            return
        try:
            outcomes = prerender.run_jobs(
                [job for _, job in todo], self.root, self.cache / "prerender"
            )
        except prerender.PrerenderError as exc:
            raise SourceError(path, todo[0][0].line, str(exc)) from exc
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

    def _svg_url(self, svg: str) -> str:
        name = hashlib.sha256(svg.encode()).hexdigest()[:16] + ".svg"
        self._svgs[name] = svg
        return get_relative_url(f"{ASSETS_PREFIX}/svg/{name}", self._page_url)

    def _render_demo(self, block: fences.Block) -> str:
        view_specs, images = {}, {}
        result = block.outcome.get("result") if block.outcome else None
        for view in block.spec["views"]:
            if view not in charts.VIEWS:
                continue
            template = charts.VIEWS[view]
            spec = charts.view_spec(view)
            view_specs[view] = {"spec": spec, "datasets": template.datasets}
            if isinstance(result, dict):
                data = {name: result.get(key, []) for name, key in template.datasets.items()}
                svg = charts.render_svg(charts.with_data(spec, data), self.cache / "svg")
                images[view] = (self._svg_url(svg), template.description)
        return fences.render_demo(block, view_specs, images)

    def _render_chart(self, block: fences.Block) -> str:
        if block.spec["name"] == SOURCES_TABLE:
            return fences.render_sources_table(block, [row.as_row() for row in self.llms])
        chart = charts.CHARTS[block.spec["name"]]
        spec = chart.spec([row.as_row() for row in self.llms])
        svg = charts.render_svg(spec, self.cache / "svg")
        sources = get_relative_url(SOURCES_PAGE, self._page_url)
        source_html = (
            f'<br>出典：各モデルの論文・公式発表（<a href="{sources}">モデル一覧と出典</a>）。'
            f"データ：{self.config.llm_dataset}"
        )
        return fences.render_chart(block, spec, self._svg_url(svg), chart.description, source_html)


def _body_offset(raw: str, markdown: str) -> int:
    """Lines of front matter MkDocs removed before the Markdown body, for true line numbers."""
    at = raw.find(markdown.lstrip("\n")[:200]) if markdown.strip() else -1
    return raw[:at].count("\n") if at > 0 else 0


def _accept_options(language: str, inputs: dict, options: dict, attrs: dict, md: Markdown) -> bool:
    """Superfences validator: keep every header option; fences.scan_page validates them."""
    options.update(inputs)
    return True
