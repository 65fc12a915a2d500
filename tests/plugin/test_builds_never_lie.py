"""Caches key on everything an output depends on, are pruned, and `mkdocs serve` sees edits."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from parameter_lab import caches, charts, prerender

from tests.plugin.conftest import TinySite

CELL_A = prerender.job_for_cell("import random\nrandom.seed(1)")
CELL_B = prerender.job_for_cell("import random\nprint(random.random())")


def _package(tmp_path: Path) -> Path:
    package = tmp_path / "pkg"
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text("")
    return package


def test_a_cells_key_covers_the_cells_before_it(tmp_path: Path):
    package = _package(tmp_path)
    alone = prerender.cache_keys([CELL_B], package)
    after_seed = prerender.cache_keys([CELL_A, CELL_B], package)
    assert alone[0] != after_seed[1], "an earlier cell can change this cell's output"
    assert after_seed[0] != after_seed[1]


def test_keys_cover_python_numpy_runner_and_the_demos(tmp_path: Path, monkeypatch):
    package = _package(tmp_path)
    base = prerender.cache_keys([CELL_B], package)
    (package / "model.py").write_text("X = 1\n")
    assert prerender.cache_keys([CELL_B], package) != base, "a demo file changed"
    now = prerender.cache_keys([CELL_B], package)
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert prerender.cache_keys([CELL_B], package) != now, "the Python version"
    monkeypatch.undo()
    real = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: "0.0" if name == "numpy" else real(name)
    )
    assert prerender.cache_keys([CELL_B], package) != now, "the numpy version"
    monkeypatch.undo()
    monkeypatch.setattr(prerender, "_RUNNER", tmp_path / "runner.py")
    (tmp_path / "runner.py").write_text("# another runner\n")
    assert prerender.cache_keys([CELL_B], package) != now, "the runner"


def test_svg_cache_key_covers_vl_convert(tmp_path: Path, monkeypatch):
    import vl_convert

    spec = {"mark": "point", "data": {"values": [{"x": 1}]}, "encoding": {"x": {"field": "x"}}}
    charts.render_svg(spec, tmp_path)
    monkeypatch.setattr(vl_convert, "__version__", "0.0.0")
    charts.render_svg(spec, tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 2


def test_prune_removes_only_entries_unused_for_long(tmp_path: Path):
    old_file = tmp_path / "svg" / "old.svg"
    new_file = tmp_path / "svg" / "new.svg"
    old_runtime = tmp_path / "runtime" / "aaaa"
    new_runtime = tmp_path / "runtime" / "bbbb"
    for folder in (old_runtime, new_runtime):
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text("{}")
    old_file.parent.mkdir()
    old_file.write_text("<svg/>")
    new_file.write_text("<svg/>")
    long_ago = time.time() - 30 * 86400
    for path in (old_file, old_runtime / "manifest.json"):
        os.utime(path, (long_ago, long_ago))
    removed = caches.prune(tmp_path, max_age_days=14)
    assert sorted(p.name for p in removed) == ["aaaa", "old.svg"]
    assert new_file.exists() and new_runtime.exists()


def test_serve_rebuilds_see_demo_edits(tiny_site: TinySite):
    """Two builds in one process, as `mkdocs serve` does, with the demo edited between."""
    tiny_site.write_page("# T\n\n```demo\nmodule: labdemos.double\nview: text:double\n```\n")
    config_file = str(tiny_site.root / "mkdocs.yml")
    out = str(tiny_site.root / "out")
    cwd = os.getcwd()
    os.chdir(tiny_site.root)
    try:
        build(load_config(config_file, site_dir=out))
        assert '<pre class="plab-text">4.0</pre>' in tiny_site.html()
        module = tiny_site.root / "labdemos" / "double.py"
        module.write_text(module.read_text().replace('"double": x * 2', '"double": x * 3'))
        build(load_config(config_file, site_dir=out))
        assert '<pre class="plab-text">6.0</pre>' in tiny_site.html()
    finally:
        os.chdir(cwd)
        sys.path[:] = [p for p in sys.path if not p.startswith(str(tiny_site.root))]


RELOAD_CHECK = """
import os
from pathlib import Path

import pytest
from parameter_lab import plugin

plugin.refresh_plugin_modules()  # records the current files
assert plugin.refresh_plugin_modules() == []
before = plugin.specs.parse_demo
path = Path(plugin.specs.__file__)
stat = path.stat()
os.utime(path, (stat.st_atime, stat.st_mtime + 5))
try:
    assert "specs" in plugin.refresh_plugin_modules()
    assert plugin.specs.parse_demo is not before
finally:
    os.utime(path, (stat.st_atime, stat.st_mtime))
print("reloaded")
"""


def test_plugin_modules_reload_when_their_files_change():
    # In a child: reloading swaps the classes other tests in this process hold.
    result = subprocess.run(
        [sys.executable, "-c", RELOAD_CHECK], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "reloaded", result.stderr


CHARTS_MODULE = """\
import altair as alt
from parameter_lab.charts import View


def _line():
    return alt.Chart(alt.NamedData("rows")).mark_line().encode(x="i:Q", y="value:Q")


VIEWS = {"line": View(_line, {"rows": "rows"}, "each value by its index")}
"""
DAMAGE_PAGE = """\
# Damage

```pyodide
print(6 * 7)
```

```demo
module: labdemos.double
controls:
  - {name: repeat, type: slider, min: 1, max: 5, value: 3}
view: [line, text:double]
```
"""


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff{not json</svg")


@pytest.mark.parametrize(
    ("section", "pattern", "damage"),
    [
        ("prerender", "*.json", _truncate),  # a build killed mid-write (before atomic writes)
        ("prerender", "*.json", _garbage),
        ("svg", "*.svg", _empty),  # gave a blank chart from a green --strict build
        ("svg", "*.svg", _truncate),
        ("runtime", "*/manifest.json", _garbage),
    ],
    ids=["prerender-truncated", "prerender-garbage", "svg-empty", "svg-truncated", "runtime"],
)
def test_a_damaged_cache_entry_is_rebuilt_not_trusted(
    tiny_site: TinySite, section, pattern, damage
):
    (tiny_site.root / "site_charts.py").write_text(CHARTS_MODULE)
    config = tiny_site.root / "mkdocs.yml"
    config.write_text(config.read_text() + "      charts_module: site_charts.py\n")
    tiny_site.write_page(DAMAGE_PAGE)
    assert tiny_site.build().returncode == 0
    out = tiny_site.root / "out"
    html = tiny_site.html()
    svgs = {p.name: p.read_bytes() for p in (out / "assets/plab/svg").glob("*.svg")}
    assert svgs and all(svgs.values())
    entries = list((tiny_site.root / ".cache/parameter-lab" / section).glob(pattern))
    assert entries, f"nothing cached in {section}"
    for entry in entries:
        damage(entry)

    result = tiny_site.build()
    assert result.returncode == 0, result.stderr
    assert tiny_site.html() == html
    assert {p.name: p.read_bytes() for p in (out / "assets/plab/svg").glob("*.svg")} == svgs
    for entry in (tiny_site.root / ".cache/parameter-lab" / section).glob(pattern):
        assert entry.stat().st_size > 0  # and the entry itself was written again
