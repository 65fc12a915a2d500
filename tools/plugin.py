"""The parameter-lab MkDocs plugin. Hooks are in event order; the work is in plain modules."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from mkdocs.config.config_options import ExtraScriptValue
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger

from tools import runtime_assets
from tools.config import ParameterLabConfig

log = get_plugin_logger(__name__)
ASSETS_PREFIX = "assets/plab"  # where the hashed runtime lives in the built site


class ParameterLabPlugin(BasePlugin[ParameterLabConfig]):
    def on_config(self, config):
        self.root = Path(config.config_file_path).parent
        local = self.config.pyodide_packages or os.environ.get("PYODIDE_PACKAGES") or None
        try:
            self.runtime = runtime_assets.build_runtime(
                self.root,
                self.root / self.config.cache_dir,
                cdn=self.config.pyodide_cdn,
                local_packages=Path(local) if local else None,
            )
        except runtime_assets.AssetError as exc:
            raise PluginError(f"parameter-lab: {exc}") from exc
        loader = ExtraScriptValue(f"{ASSETS_PREFIX}/{self.runtime.loader}")
        loader.type = "module"
        config.extra_javascript.append(loader)
        return config

    def on_serve(self, server, config, builder):
        for watched in ("demos", "tools/runtime"):
            server.watch(str(self.root / watched))
        return server

    def on_post_build(self, config):
        target = Path(config.site_dir) / ASSETS_PREFIX
        shutil.copytree(self.runtime.directory, target, dirs_exist_ok=True)
        (target / "manifest.json").unlink(missing_ok=True)  # build bookkeeping, not served
