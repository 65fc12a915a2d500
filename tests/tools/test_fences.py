"""Bad author input stops `mkdocs build` with site_src/<page>.md:<line>: <what, and how to fix>."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import mkdocs_build

PAGE = "site_src/tuning.md"


def _build_with(project: Path, tmp_path: Path, block: str) -> tuple[str, int]:
    """Append ``block`` to a chapter; return the build's stderr and the block's first line."""
    page = project / PAGE
    text = page.read_text().rstrip("\n") + "\n\n"
    line = text.count("\n") + 1
    page.write_text(text + block)
    result = mkdocs_build(project, tmp_path / "out")
    assert result.returncode != 0, "the build should have failed"
    return result.stderr, line


CASES = {
    "yaml_syntax": (
        "```demo\nmodule: demos.linear\ncontrols: [ {name: lr\n```\n",
        2,  # the line of the YAML error, inside the block
        "is not valid YAML",
    ),
    "unknown_option": (
        "```demo\nmodule: demos.linear\ncolour: red\n```\n",
        0,
        "unknown option 'colour'",
    ),
    "unknown_cell_option": (
        '```pyodide theme="dark"\nprint(1)\n```\n',
        0,
        "unknown option 'theme'",
    ),
    "unknown_module": ("```demo\nmodule: demos.nosuch\n```\n", 0, "unknown module 'demos.nosuch'"),
    "unknown_function": (
        "```demo\nmodule: demos.linear\nfunction: fly\n```\n",
        0,
        "unknown function 'fly' in demos.linear",
    ),
    "default_out_of_range": (
        "```demo\nmodule: demos.linear\ncontrols:\n"
        "  - {name: lr, type: slider, min: 0.001, max: 1, value: 5}\n```\n",
        0,
        "control 'lr': value 5 is outside its range [0.001, 1]",
    ),
    "unknown_view": ("```demo\nmodule: demos.linear\nview: pie\n```\n", 0, "unknown view 'pie'"),
    "unknown_chart": ("```chart\nname: nosuch\n```\n", 0, "unknown chart 'nosuch'"),
    "raises_in_prerender": (
        '```pyodide\nraise RuntimeError("壊れた例")\n```\n',
        0,
        "raised during pre-render",
    ),
    "demo_raises_in_prerender": (
        "```demo\nmodule: demos.linear\ncontrols:\n"
        "  - {name: nosuch, type: slider, min: 0, max: 1, value: 0.5}\n```\n",
        0,
        "nosuch is not a control of LinearConfig",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_block_names_file_and_line(case, scratch_project: Path, tmp_path: Path):
    block, offset, message = CASES[case]
    stderr, line = _build_with(scratch_project, tmp_path, block)
    assert f"{PAGE}:{line + offset}: " in stderr, stderr
    assert message in stderr, stderr


def test_prerender_failure_includes_the_traceback(scratch_project: Path, tmp_path: Path):
    stderr, _ = _build_with(
        scratch_project, tmp_path, '```pyodide\nraise RuntimeError("壊れた例")\n```\n'
    )
    assert "Traceback" in stderr and "RuntimeError: 壊れた例" in stderr
    assert 'prerender="false"' in stderr, "the message should say how to opt out"


def test_duplicate_id_names_both_lines(scratch_project: Path, tmp_path: Path):
    block = '```pyodide id="same"\nprint(1)\n```\n\n```pyodide id="same"\nprint(2)\n```\n'
    stderr, line = _build_with(scratch_project, tmp_path, block)
    assert f"{PAGE}:{line + 4}: duplicate id 'same' (first used on line {line})" in stderr


def test_error_example_with_prerender_false_builds(scratch_project: Path, tmp_path: Path):
    page = scratch_project / PAGE
    page.write_text(page.read_text() + '\n```pyodide prerender="false"\nraise RuntimeError\n```\n')
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
