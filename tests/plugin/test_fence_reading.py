"""The plugin finds its fences where SuperFences does: SuperFences' own test inputs (with
their language fences turned into ``pyodide``), and the places sites put blocks: lists,
blockquotes, admonitions, content tabs, tab indentation and the brace form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown import Markdown
from parameter_lab import scan
from parameter_lab.plugin import _accept_options

from tests.plugin.conftest import TinySite

INPUTS = Path(__file__).parent / "superfences_inputs"  # MIT, see NOTICE.md there
_LANG_FENCE = re.compile(r"^([ \t>]*)(`{3,}|~{3,})([ \t]*\{?[ \t]*\.?)([\w#.+-]+)", re.M)
_PREFIX = re.compile(r"^[ \t>]*")


def _reader(extensions: list[str], superfences: dict):
    def read(markdown: str) -> list[scan.Seen]:
        seen: list[scan.Seen] = []

        def record(src, language, class_name, options, md, **kwargs):
            found = scan.Seen(language, src, dict(options), kwargs.get("id_value") or "")
            found.classes = list(kwargs.get("classes") or [])
            seen.append(found)
            return ""

        fences = [
            {"name": "pyodide", "class": "pyodide", "format": record, "validator": _accept_options}
        ]
        config = {"pymdownx.superfences": {**superfences, "custom_fences": fences}}
        Markdown(extensions=extensions, extension_configs=config).convert(markdown)
        return seen

    return read


@pytest.mark.parametrize("name", sorted(p.stem for p in INPUTS.glob("*.txt")))
def test_every_fence_superfences_reads_gets_its_own_opening_line(name: str):
    text = _LANG_FENCE.sub(r"\1\2\3pyodide", (INPUTS / f"{name}.txt").read_text())
    superfences = {
        "preserve_tabs": {"preserve_tabs": True},
        "no_indent_blocks": {"disable_indented_code_blocks": True},
    }.get(name, {})
    read = _reader(["pymdownx.superfences", "attr_list"], superfences)
    seen = read(text)
    scanned = scan.find_fences(text, name, 1) if "pyodide" in text else []
    fences, _ = scan.match_fences(text, 1, seen, scanned)
    assert len(fences) == len(seen)
    lines = text.splitlines()
    assert len({f.line for f in fences}) == len(fences), "two fences on one line"
    for fence in fences:
        opening = _PREFIX.sub("", lines[fence.line - 1])
        assert opening.startswith(("```", "~~~")) and "pyodide" in opening, (
            name,
            fence.line,
            lines[fence.line - 1],
        )
        first = next((x.strip() for x in fence.source.splitlines() if x.strip()), None)
        if first is not None:
            after = [_PREFIX.sub("", x).strip() for x in lines[fence.line :]]
            assert first in after[: len(fence.source.splitlines()) + 2], (name, fence.line)


NESTED = """\
# Blocks where people put them

- a list item with a tab-indented fence first:

\t```python
\tx = 1
\t```

- then our block, in the list:

    ```pyodide
    print("in a list")
    ```

> ```pyodide
> print("in a quote")
> ```

!!! note "An admonition"

    ```pyodide
    print("in an admonition")
    ```

=== "A tab"

    ```pyodide
    print("in a tab")
    ```

```{.pyodide #brace-cell .wide title="Brace"}
print("in braces")
```
"""


def test_blocks_in_lists_quotes_admonitions_tabs_and_braces_build(tiny_site: TinySite):
    yml = tiny_site.root / "mkdocs.yml"
    yml.write_text(
        yml.read_text().replace(
            "  - pymdownx.superfences\n",
            "  - pymdownx.superfences\n  - admonition\n  - pymdownx.tabbed:\n"
            "      alternate_style: true\n",
        )
    )
    tiny_site.write_page(NESTED)
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "not found by the validator" not in result.stderr
    page = tiny_site.html()
    for where in ("in a list", "in a quote", "in an admonition", "in a tab", "in braces"):
        assert f'<span class="plab-stdout">{where}\n</span>' in page, where
    assert 'class="plab-block plab-cell wide" id="brace-cell"' in page and ">Brace<" in page


def test_a_cell_indented_with_tabs_builds(tiny_site: TinySite):
    tiny_site.write_page("# T\n\n```pyodide\nfor i in range(2):\n\tprint('tab', i)\n```\n")
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "tab 0\ntab 1" in tiny_site.html()
