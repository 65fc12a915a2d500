"""Every bad author input stops the build with ``path:line: what is wrong, how to fix it``.

Each case builds the tiny site (its own demos package, ``labdemos``) with one broken page
and checks the exact line and the message, and that no raw traceback of ours leaks out.
The builds run mkdocs's command line in this process (``TinySite.build``); one case also
runs ``python -m mkdocs build`` in a new interpreter and must print the same errors.
"""

from __future__ import annotations

import sys

import pytest

from tests.plugin.conftest import TinySite

PAGE = "pages/index.md"

# name: (page text, expected line, expected message part)
CASES = {
    "select_option_without_value": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - name: word\n    type: select\n    value: a\n    options:\n"
        "      - {label: A}\n```\n",
        6,
        "control 'word': option 1 has no value",
    ),
    "step_not_positive": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: x, min: 0, max: 4, value: 2, step: -1}\n```\n",
        6,
        "control 'x': step: expected a positive number",
    ),
    "step_not_a_number": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: x, min: 0, max: 4, value: 2, step: fast}\n```\n",
        6,
        "step: expected a number",
    ),
    "name_not_identifier": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: 'x\" onmouseover=\"alert(1)', min: 0, max: 4, value: 2}\n```\n",
        6,
        "is not a Python identifier",
    ),
    "yaml_syntax": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols: [ {name: x\n```\n",
        5,  # the line YAML stopped reading at
        "is not valid YAML",
    ),
    "unknown_option": (
        "# T\n\n```demo\nmodule: labdemos.double\ncolour: red\n```\n",
        5,
        "unknown option 'colour' in the demo block",
    ),
    "unknown_cell_option": (
        '# T\n\n```pyodide theme="dark"\nprint(1)\n```\n',
        3,
        "unknown option 'theme' in the pyodide fence",
    ),
    "module_outside_package": (
        "# T\n\n```demo\nmodule: os.path\n```\n",
        4,
        "module must be in the demos package 'labdemos'",
    ),
    "unknown_module": (
        "# T\n\n```demo\nmodule: labdemos.nosuch\n```\n",
        4,
        "unknown module 'labdemos.nosuch': no file labdemos/nosuch.py",
    ),
    "unknown_function": (
        "# T\n\n```demo\nmodule: labdemos.double\nfunction: fly\n```\n",
        5,
        "unknown function 'fly' in labdemos.double",
    ),
    "default_out_of_range": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: x, min: 0, max: 4, value: 9}\n```\n",
        6,
        "control 'x': value 9 is outside its range [0, 4]",
    ),
    "unknown_view": (
        "# T\n\n```demo\nmodule: labdemos.double\nview: pie\n```\n",
        5,
        "unknown view 'pie'",
    ),
    "chart_body_not_a_mapping": (
        "# T\n\n```chart\n- llm_params\n```\n",
        3,
        "the chart block must be a YAML mapping, e.g. `name: llm_params`",
    ),
    "unknown_chart": ("# T\n\n```chart\nname: nosuch\n```\n", 4, "unknown chart 'nosuch'"),
    "duplicate_id": (
        '# T\n\n```pyodide id="same"\nprint(1)\n```\n\n```pyodide id="same"\nprint(2)\n```\n',
        7,
        "duplicate id 'same' (first used on line 3)",
    ),
    "bad_id": ('# T\n\n```pyodide id="Bad Id"\nprint(1)\n```\n', 3, "id: id 'Bad Id' must be"),
    "unclosed_fence": ("# T\n\n```pyodide\nprint(1)\n", 3, "the pyodide fence is never closed"),
    "front_matter_yaml": (
        "---\ntitle: a: b\n---\n\n# T\n\n```pyodide\nprint(1)\n```\n",
        2,
        "the front matter is not valid YAML",
    ),
    "cell_raises_blames_its_block": (
        '# T\n\n```pyodide\nprint("fine")\n```\n\n```pyodide\nraise RuntimeError("boom")\n```\n',
        7,
        "raised during pre-render",
    ),
    "demo_raises_blames_its_block": (
        "# T\n\n```pyodide\nprint(1)\n```\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: nosuch, min: 0, max: 1, value: 0.5}\n```\n",
        7,
        "unexpected keyword argument 'nosuch'",
    ),
    "child_exits_early": (
        "# T\n\n```pyodide\nprint(1)\n```\n\n```pyodide\nimport os\nos._exit(3)\n```\n",
        7,
        "the pre-render process ended (exit code 3) while running this block",
    ),
    "off_grid_default": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: x, min: 0, max: 1, value: 0.333, step: 0.01}\n```\n",
        6,
        "control 'x': value 0.333 is not on the slider's grid (min 0, step 0.01); "
        "the nearest values are 0.33 and 0.34",
    ),
    "unquoted_cell_option": (
        "# T\n\n```pyodide prerender=false\nprint(1)\n```\n",
        3,
        'option prerender=false needs quotes: write prerender="false"',
    ),
    "unquoted_cell_title": (
        "# T\n\n```pyodide title=Hello\nprint(1)\n```\n",
        3,
        'option title=Hello needs quotes: write title="Hello"',
    ),
    "unknown_view_key": (
        "# T\n\n```demo\nmodule: labdemos.double\nview: [table:nothing]\n```\n",
        5,
        "view 'table:nothing': the result has no key 'nothing'; it has double, rows, word",
    ),
    "exponent_number": (
        "# T\n\n```demo\nmodule: labdemos.double\ncontrols:\n"
        "  - {name: x, min: 1e-3, max: 4, value: 2}\n```\n",
        6,
        "YAML reads 1e-3 as text: write 1.0e-3 or 0.001",
    ),
    "fence_never_rendered": (
        "# T\n\ntext\n\n    ```pyodide\n    print(1)\n    ```\n",
        5,
        "was found but never rendered",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_names_file_line_and_fix(case: str, tiny_site: TinySite):
    text, line, message = CASES[case]
    tiny_site.write_page(text)
    result = tiny_site.build()
    assert result.returncode != 0, "the build should have failed"
    assert f"{PAGE}:{line}: " in result.stderr, result.stderr[-3000:]
    assert message in result.stderr, result.stderr[-3000:]
    assert "Traceback (most recent call last)" not in result.stderr.split(message)[0][-3000:] or (
        "pre-render" in message
    ), "no raw traceback of the plugin before the message"


def test_broken_front_matter_on_a_page_with_nothing_of_ours_is_left_to_mkdocs(
    tiny_site: TinySite,
):
    """The plugin never fails a page it has nothing to do with; with a block, it does."""
    tiny_site.write_page("---\ntitle: a: b\n---\n\n# T\n\nplain text\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "plain text" in tiny_site.html()


def test_demo_module_syntax_error_names_both_files(tiny_site: TinySite):
    (tiny_site.root / "labdemos" / "broken.py").write_text("def run(:\n    pass\n")
    tiny_site.write_page("# T\n\n```demo\nmodule: labdemos.broken\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert f"{PAGE}:4: labdemos/broken.py:1: syntax error in labdemos.broken" in result.stderr


def test_missing_nested_import_is_not_a_missing_file(tiny_site: TinySite):
    (tiny_site.root / "labdemos" / "needs.py").write_text(
        '"""Needs a package."""\n\nimport json\nimport nosuchpackage_xyz\n\n\n'
        "def run():\n    return 1\n"
    )
    tiny_site.write_page("# T\n\n```demo\nmodule: labdemos.needs\n```\n")
    result = tiny_site.build()
    assert result.returncode != 0
    assert (
        f"{PAGE}:4: labdemos/needs.py:4: labdemos.needs imports 'nosuchpackage_xyz', "
        "which is not installed"
    ) in result.stderr
    assert "no file" not in result.stderr


@pytest.mark.parametrize(
    ("prefix", "offset"),
    [("", 0), ("\n\n\n", 3), ("---\ntitle: T\n---\n", 3), ("---\ntitle: T\n---\n\n\n", 5)],
    ids=["plain", "leading-blank-lines", "front-matter", "front-matter-and-blank-lines"],
)
def test_line_numbers_are_exact(prefix: str, offset: int, tiny_site: TinySite):
    tiny_site.write_page(
        prefix + "# T\n\ntext\n\n```demo\nmodule: labdemos.double\nview: pie\n```\n"
    )
    result = tiny_site.build()
    assert f"{PAGE}:{7 + offset}: unknown view 'pie'" in result.stderr, result.stderr[-2000:]


def test_fence_inside_a_code_block_is_shown_not_run(tiny_site: TinySite):
    tiny_site.write_page(
        "# T\n\n````\n```pyodide\nraise SystemExit('must not run')\n```\n````\n\n"
        "```\n```demo\nmodule: nowhere\n```\n```\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-2000:]
    html = tiny_site.html()
    assert "must not run" in html and 'data-demo="' not in html


def test_output_printed_after_the_result_cannot_corrupt_it(tiny_site: TinySite):
    tiny_site.write_page(
        "# T\n\n```pyodide\nimport atexit\natexit.register(print, '[1, 2]')\n"
        "print('from the cell')\n```\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-2000:]
    assert '<span class="plab-stdout">from the cell\n</span>' in tiny_site.html()


@pytest.mark.parametrize("case", ["unknown_view", "cell_raises_blames_its_block"])
def test_a_new_interpreter_prints_the_same_errors(case: str, tiny_site: TinySite):
    """``python -m mkdocs build --strict`` in a child says what the in-process build says."""
    text, line, message = CASES[case]
    tiny_site.write_page(text)
    here = tiny_site.build()
    child = tiny_site.build(python=sys.executable)
    assert child.returncode == here.returncode != 0
    for result in (here, child):
        assert f"{PAGE}:{line}: " in result.stderr and message in result.stderr, result.stderr
        assert "Aborted with a BuildError!" in result.stdout, result.stdout[-3000:]

    def errors(result) -> list[str]:
        return [x for x in result.stderr.splitlines() if x.startswith("ERROR")]

    assert errors(here) == errors(child)
    assert here.stdout == child.stdout
