"""Imports are checked at build against Pyodide's lock, through the site's own modules, and
the browser's list of packages to load comes from the same function (runner.imports_of)."""

from __future__ import annotations

import json
import sys

from parameter_lab import runner

from tests.plugin.conftest import TinySite

PAGE = "pages/index.md"


def _helper_site(site: TinySite) -> None:
    pkg = site.root / "labdemos"
    (pkg / "_maths.py").write_text(
        "import numpy as np\n\n\ndef mean(xs):\n    return np.mean(xs)\n"
    )
    (pkg / "uses.py").write_text(
        "from labdemos._maths import mean\nfrom . import double\n\n\n"
        "def run(x: float = 1.0) -> float:\n    return float(mean([x, x]))\n"
    )
    (pkg / "sub").mkdir()
    (pkg / "sub" / "__init__.py").write_text("import json\n")
    (pkg / "sub" / "deep.py").write_text("from ..uses import run\n")


def test_a_helper_modules_packages_are_found_for_demos_and_edited_cells(
    tiny_site: TinySite, monkeypatch
):
    _helper_site(tiny_site)
    _forget_labdemos()  # another tiny site's package of that name, imported earlier here
    monkeypatch.syspath_prepend(str(tiny_site.root))
    own = json.dumps(["labdemos"])
    assert runner.imports_of("labdemos.uses", own).splitlines() == ["import numpy"]
    assert runner.imports_of("labdemos.sub.deep", own).splitlines() == [
        "import json",
        "import numpy",
    ]
    # An edited cell: `from demos.mlp import run` needs what demos.mlp needs.
    assert runner.imports_in("from labdemos.uses import run\nprint(run())\n", own) == (
        "import numpy"
    )
    optional = "try:\n    import einops\nexcept ImportError:\n    einops = None\n"
    assert runner.imports_in(optional, own) == ""
    _forget_labdemos()


def _forget_labdemos() -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == "labdemos"]:
        del sys.modules[name]


def test_a_package_pyodide_does_not_ship_stops_the_build_at_its_line(tiny_site: TinySite):
    tiny_site.write_page('# T\n\n```pyodide prerender="false"\nimport json\nimport einops\n```\n')
    result = tiny_site.build()
    assert result.returncode != 0
    assert f"{PAGE}:5: 'einops' is not available in the browser (Pyodide 314.0.7 ships: " in (
        result.stderr
    ), result.stderr[-2000:]


def test_a_demo_importing_through_a_helper_is_checked_there(tiny_site: TinySite):
    _helper_site(tiny_site)
    # Installed here (the build imports it), but not in Pyodide.
    (tiny_site.root / "labdemos" / "_maths.py").write_text(
        "import mkdocs\n\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n"
    )
    tiny_site.write_page("# T\n\n```demo\nmodule: labdemos.uses\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert (
        f"{PAGE}:3: labdemos/_maths.py:1: 'mkdocs' is not available in the browser" in result.stderr
    ), result.stderr[-2000:]


def test_numpy_through_a_helper_builds(tiny_site: TinySite):
    _helper_site(tiny_site)
    tiny_site.write_page(
        "# T\n\n```demo\nmodule: labdemos.uses\n```\n\n"
        "```pyodide\nfrom labdemos.uses import run\nprint(run(2.0))\n```\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-2000:]
    assert '<span class="plab-stdout">2.0\n</span>' in tiny_site.html()


def test_a_site_module_outside_a_dotted_demos_package_is_named(tiny_site: TinySite):
    import shutil

    site = tiny_site.root / "mysite"
    site.mkdir()
    (site / "__init__.py").write_text("")
    (site / "utils.py").write_text("def twice(x):\n    return 2 * x\n")
    shutil.move(tiny_site.root / "labdemos", site / "demos")
    (site / "demos" / "uses.py").write_text(
        "from mysite.utils import twice\n\n\ndef run(x: float = 1.0) -> float:\n"
        "    return twice(x)\n"
    )
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("package: labdemos", "package: mysite.demos"))
    tiny_site.write_page("# T\n\n```demo\nmodule: mysite.demos.uses\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert (
        f"{PAGE}:3: mysite.utils (mysite/utils.py) is outside the demos package 'mysite.demos', "
        "so the browser does not have it; move it into mysite/demos/"
    ) in result.stderr, result.stderr[-2000:]
