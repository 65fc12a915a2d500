"""Figures, scenario links and claims: parsed, checked at build, errors at file:line."""

from __future__ import annotations

import html
import re
import urllib.parse

import pytest
from parameter_lab import controls, prose
from parameter_lab.errors import SourceError
from parameter_lab.runner import FigureError, format_figure, resolve_path
from parameter_lab.scan import Block

from tests.plugin.conftest import TinySite, mkdocs_cli_in_process

RESULT = {
    "history": {"val_loss": [0.9, 0.4, 0.5], "val_acc": [0.5, 0.905]},
    "total": 175e9,
    "curves": [{"loss": 3.0}, {"loss": 1.0}, {"loss": 2.0}],
}


def _block() -> Block:
    spec = {
        "module": "labdemos.double",
        "function": "run",
        "controls": [
            controls.parse_control({"name": "lr", "min": 0.01, "max": 5, "value": 0.1}),
            controls.parse_control({"name": "n", "min": 1, "max": 9, "value": 3}),
            controls.parse_control(
                {"name": "opt", "type": "select", "options": ["sgd", "adam"], "value": "sgd"}
            ),
        ],
        "views": ["text"],
    }
    return Block("demo", 3, "", "fit", spec, {"ok": True, "result": RESULT})


def _render(text: str, scenario=None) -> str:
    runs = []

    def run(block, overrides):
        runs.append(overrides)
        return scenario(overrides) if scenario else RESULT

    out = prose.render_prose(text, [_block()], run, "docs/p.md", 10)
    return out


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (175_000_000_000, "ja", "1750億"),
        (1.2e12, "ja", "1.2兆"),
        (1_600_000_000_000, "ja", "1.6兆"),
        (124_439_808, "ja(2)", "1.24億"),
        (35_000, "ja", "3.5万"),
        (999, "ja", "999"),
        (100_000_000_000, "ja(0)", "1000億"),
        (5_400_000_000, "ja(0)", "54億"),
        (1000, "ja(0)", "1,000"),
        (124_439_808, "int", "124,439,808"),
        (0.12345, "fixed(3)", "0.123"),
        (0.905, "percent(1)", "90.5%"),
        (0.5, "percent(0)", "50%"),
        ("文", "text", "文"),
    ],
)
def test_formats(value, fmt, text):
    assert format_figure(value, fmt) == text


def test_unknown_format_and_non_numbers_are_errors():
    with pytest.raises(FigureError, match="unknown format 'pct'"):
        format_figure(1, "pct")
    with pytest.raises(FigureError, match="needs a number"):
        format_figure("x", "int")


@pytest.mark.parametrize(
    ("path", "value"),
    [("total", 175e9), ("history.val_acc[-1]", 0.905), ("history['val_loss'][0]", 0.9)],
)
def test_key_paths(path, value):
    assert resolve_path(RESULT, path) == value


def test_bound_figure_renders_the_prerendered_value_with_its_binding():
    out = _render("精度は {{ fit: history.val_acc[-1] | percent(1) }} でした。")
    assert out == (
        '精度は <span class="plab-figure" data-bind="fit.history.val_acc[-1]" '
        'data-format="percent(1)">90.5%</span> でした。'
    )


def test_scenario_figure_runs_the_demo_with_the_overrides_and_is_fixed():
    seen = []
    out = _render(
        "lr=3 では {{ fit(lr=3, opt='adam'): total | ja }}。",
        scenario=lambda o: seen.append(o) or {"total": 3e8},
    )
    assert seen == [{"lr": 3, "opt": "adam"}]
    assert (
        '<span class="plab-figure plab-figure--scenario" data-at="fit.total" '
        'data-overrides="{&#34;lr&#34;: 3, &#34;opt&#34;: &#34;adam&#34;}" '
        'data-format="ja">3億</span>'
    ) in out
    assert "data-bind" not in out


def test_figures_and_link_text_from_the_author_are_text_not_markup():
    out = _render(
        "[<b>go</b> **now**]({{ fit(opt='adam') }}) {{ fit(opt='adam'): total }}",
        scenario=lambda o: {"total": "<i>x</i>"},
    )
    assert "&#60;i&#62;x&#60;&#47;i&#62;" in out  # a demo's value is text, Markdown inert too
    assert ">&lt;b&gt;" not in out and "<b>go</b> **now**</a>" in out  # link text stays Markdown


def test_claims_render_nothing_when_true():
    assert (
        _render("下がる{{ claim fit: history.val_loss[-1] > min(history.val_loss) }}。")
        == "下がる。"
    )


def test_a_claim_compares_runs_of_its_block_with_at():
    seen = []
    text = "3 では悪い{{ claim fit: at(lr=3).total > total and at().total == total }}。"
    out = _render(text, scenario=lambda o: seen.append(o) or {"total": 3e12})
    assert out == "3 では悪い。"
    assert seen == [{"lr": 3}]  # at() is the block's own pre-rendered result: no run


def test_at_is_the_block_with_the_pages_defaults_not_the_claims_scenario():
    seen = []
    _render(
        "{{ claim fit(opt='adam'): at(lr=3).total == total }}",
        scenario=lambda o: seen.append(o) or {"total": 1},
    )
    assert seen == [{"opt": "adam"}, {"lr": 3}]


def test_a_false_comparison_across_runs_shows_both_values():
    with pytest.raises(SourceError) as info:
        _render("\n{{ claim fit: at(lr=3).total < total }}", scenario=lambda o: {"total": 3e12})
    assert str(info.value).startswith("docs/p.md:11: the claim 'at(lr=3).total < total' is false:")
    assert "at(lr=3).total = 3000000000000.0, total = 175000000000.0" in str(info.value)


@pytest.mark.parametrize(
    ("claim", "holds"),
    [
        ("min(curves[*].loss) == curves[1].loss", True),
        ("curves[*].loss == [3.0, 1.0, 2.0]", True),
        ("curves[1:].loss == [1.0, 2.0]", True),
        ("curves[:-1].loss == [3.0, 1.0]", True),
        ("diff(curves[*].loss) == [-2.0, 1.0]", True),
        ("mean(abs(diff(curves[*].loss))) == 1.5", True),
        ("mean(history.val_loss) == 0.6", True),
        ("max(curves[*].loss) < 3", False),
    ],
)
def test_columns_slices_and_curve_functions(claim, holds):
    if holds:
        assert _render(f"{{{{ claim fit: {claim} }}}}") == ""
    else:
        with pytest.raises(SourceError, match="is false"):
            _render(f"{{{{ claim fit: {claim} }}}}")


def test_scenarios_of_lists_the_runs_claims_compare_with_once_each():
    text = (
        "{{ claim fit: at(lr=3).total > total }}\n"
        "{{ claim fit(n=2): at(lr=3, opt='adam').total > at(lr=3).total }}\n"
        "{{ fit(n=2): total }}"
    )
    found = prose.scenarios_of(text, [_block()], "docs/p.md", 10)
    assert [o for _, o in found] == [{"lr": 3}, {"n": 2}, {"lr": 3, "opt": "adam"}]


def test_scenario_link_is_a_link_to_the_controls_fragment():
    out = _render("[学習率を 3 に]({{ fit(lr=3, opt='adam') }})")
    m = re.fullmatch(
        r'<a class="plab-scenario" data-scenario="fit" href="([^"]+)">学習率を 3 に</a>', out
    )
    assert m
    href = html.unescape(m[1])
    block_id, _, query = href[1:].partition(":")
    assert block_id == "fit"
    assert dict(urllib.parse.parse_qsl(query)) == {"lr": "3", "opt": "adam"}


def test_nothing_inside_code_is_touched():
    text = "`{{ nosuch: x }}` と\n```\n{{ nosuch: y }}\n```\n"
    assert _render(text) == text


@pytest.mark.parametrize(
    "text",
    [
        r"$\frac{1}{{\sqrt{2\pi}}}$ and $x^{{2}}$",
        "{{ page.title }} by {{ config.site_author }}",
        "{{ nosuch: total }} and [a link]({{ nosuch(lr=3) }})",
        "{% if x %}{{ x | upper }}{% endif %}",
    ],
    ids=["latex", "mkdocs-macros", "unknown-block", "jinja"],
)
def test_braces_that_name_no_block_of_the_page_are_left_alone(text):
    assert _render(text) == text


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("\n{{ fti: total }}", 11, "unknown block id 'fti' (did you mean 'fit'?)"),
        ("{{ claim nosuch: total > 0 }}", 10, "unknown block id 'nosuch'; blocks here: fit"),
        ("{{ fit: history.nope }}", 10, "no 'nope' in history; it has val_loss, val_acc"),
        ("{{ fit: total | pct }}", 10, "unknown format 'pct'"),
        ("{{ fit(speed=2): total }}", 10, "fit has no control 'speed'; its controls: lr, n, opt"),
        ("{{ fit(lr=50): total }}", 10, "fit(lr=50): outside the control's range [0.01, 5]"),
        ("{{ fit(n=2.5): total }}", 10, "fit(n=2.5): needs a whole number"),
        ("{{ fit(opt='rms'): total }}", 10, "not one of the options ['sgd', 'adam']"),
        ("{{ fit(lr=): total }}", 10, "cannot read the overrides"),
        (
            "{{ claim fit: history.val_loss[-1] < 0.3 }}",
            10,
            "the claim 'history.val_loss[-1] < 0.3' is false: history.val_loss[-1] = 0.5",
        ),
        ("{{ claim fit: __import__('os') }}", 10, "cannot be evaluated: only min, max"),
        ("{{ claim fit: history.val_loss.x > 1 }}", 10, "cannot be evaluated: no 'x'"),
        ("{{ claim fit: [x for x in total] }}", 10, "is not allowed in a claim"),
        ("{{ claim fit: total > }}", 10, "cannot read the claim"),
        ("{{ fit total }}", 10, "cannot read {{ fit total }}"),
        ("{{ claim fit: at(speed=2).total > 0 }}", 10, "fit has no control 'speed'"),
        ("{{ claim fit: at(lr=50).total > 0 }}", 10, "fit(lr=50): outside the control's range"),
        ("{{ claim fit: at(3).total > 0 }}", 10, "write at(control=value, …)"),
        ("{{ claim fit: at(lr=total).total > 0 }}", 10, "must be a number, text, True or False"),
        ("{{ claim fit: total[*] > 0 }}", 10, "total is not a list, so it has no [*]"),
        ("{{ claim fit: curves[*][*].loss }}", 10, "curves[*][*]: one [*] or slice per key path"),
        ("{{ claim fit: curves[*].nope }}", 10, "no 'nope' in a row of curves[*]; it has loss"),
        ("{{ claim fit: curves[x].loss }}", 10, "an index must be a whole number"),
        ("{{ claim fit: mean(curves[0:0].loss) }}", 10, "mean of an empty list"),
        ("[go]({{ fit }})", 10, "a scenario link must set at least one control"),
    ],
)
def test_errors_carry_file_line_and_what_to_do(text, line, message):
    with pytest.raises(SourceError) as info:
        _render(text)
    assert str(info.value).startswith(f"docs/p.md:{line}: ")
    assert message in str(info.value), str(info.value)


def test_a_built_page_binds_figures_and_checks_claims(tiny_site: TinySite):
    tiny_site.write_page(
        "---\ntitle: T\n---\n\n# T\n\n```demo\nmodule: labdemos.double\nid: dbl\ncontrols:\n"
        "  - {name: x, min: 0, max: 10, value: 2}\n```\n\n"
        "倍にすると {{ dbl: double | fixed(1) }}、x=5 なら {{ dbl(x=5): double | int }}。"
        "{{ claim dbl(x=5): double == 10 }}[5 で試す]({{ dbl(x=5) }})\n"
    )
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-2000:]
    page = tiny_site.html()
    assert 'data-bind="dbl.double" data-format="fixed(1)">4.0</span>' in page
    assert 'data-at="dbl.double" data-overrides="{&#34;x&#34;: 5}" data-format="int">10<' in page
    assert 'data-scenario="dbl" href="#dbl:x=5"' in page


def test_a_built_page_checks_claims_across_runs(tiny_site: TinySite):
    tiny_site.write_page(
        "---\ntitle: T\n---\n\n# T\n\n```demo\nmodule: labdemos.double\nid: dbl\ncontrols:\n"
        "  - {name: x, min: 0, max: 10, value: 2}\n```\n\n"
        "x を大きくすると倍も大きい。{{ claim dbl: at(x=5).double > double }}\n\n"
        "小さくすると小さい。{{ claim dbl: at(x=1).double > double }}\n"
    )
    result = tiny_site.build()
    assert result.returncode != 0
    assert (
        "pages/index.md:16: the claim 'at(x=1).double > double' is false: "
        "at(x=1).double = 2, double = 4"
    ) in result.stderr, result.stderr[-2000:]


def test_a_false_claim_stops_the_build_at_its_line(tiny_site: TinySite):
    tiny_site.write_page(
        "---\ntitle: T\n---\n\n# T\n\n```demo\nmodule: labdemos.double\nid: dbl\n```\n\n"
        "三倍になる。{{ claim dbl: double == 6 }}\n"
    )
    result = tiny_site.build()
    assert result.returncode != 0
    assert "pages/index.md:12: the claim 'double == 6' is false: double = 4.0" in result.stderr


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("9**9**9 > 0", "too large"),
        ("2 ** 100000 > 0", "too large"),
        ("len('a' * 10**10) > 0", "too long"),
        ("len(history.val_loss * 10**9) > 0", "too long"),
        ("-history.val_loss > 0", "cannot be evaluated: -history.val_loss"),
        ("not -curves", "cannot be evaluated: -curves"),
        ("1.0e308 ** 2 > 0", "cannot be evaluated"),
        ("history.val_loss[::0] == []", "a slice's step cannot be zero"),
        ("-" * 900 + "1 < 0", "nested too deeply"),
        ("x" * 5000, "too long to read"),
    ],
    ids=lambda v: v[:40],
)
def test_hostile_claims_fail_fast_at_file_line(claim, message):
    import signal

    def too_slow(*_):
        raise TimeoutError(f"the claim {claim[:40]!r} ran for 5 s")

    old = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(5)
    try:
        with pytest.raises(SourceError) as info:
            _render(f"{{{{ claim fit: {claim} }}}}")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert str(info.value).startswith("docs/p.md:10: "), str(info.value)[:300]
    assert message in str(info.value), str(info.value)[:300]


@pytest.mark.parametrize(
    "claim",
    ["len(history.val_loss[::2]) == 2", "history.val_loss[::-1] == [0.5, 0.4, 0.9]"],
)
def test_a_slice_step_is_honoured(claim):
    assert _render(f"{{{{ claim fit: {claim} }}}}") == ""
    with pytest.raises(SourceError, match="is false"):
        _render(f"{{{{ claim fit: not ({claim}) }}}}")


def test_a_timeout_during_a_claim_is_not_turned_into_a_claim_error(monkeypatch):
    import ast as python_ast

    def interrupted(a, b):
        raise TimeoutError("the build's own timeout")

    monkeypatch.setitem(prose._ARITH, python_ast.Add, interrupted)
    with pytest.raises(TimeoutError):
        _render("{{ claim fit: total + 1 > 0 }}")


# ---- claims that read no result --------------------------------------------------------


@pytest.mark.parametrize(
    ("claim", "weak"),
    [
        ("config.hidden == 64", True),
        ("2 * 2 == 4", True),
        ("at(lr=1).config.lr == 1 and config['n'] > 0", True),
        ("len(config.text) == 12", True),
        ("config.n * 2 == total", False),
        ("at().total > 0", False),
        ("min(curves[*].loss) < 2 and config.n == 3", False),
        ("at(n=2).history.val_loss[-1] > 0", False),
    ],
)
def test_claims_reading_only_settings_or_literals_are_found(claim, weak):
    assert prose.reads_no_result(prose._parse_claim(claim, ("p.md", 1))) is weak


def test_a_claim_reading_only_settings_warns_and_fails_a_strict_build(tiny_site: TinySite):
    tiny_site.write_page(
        "---\ntitle: T\n---\n\n# T\n\n```demo\nmodule: labdemos.double\nid: dbl\n```\n\n"
        "倍は4。{{ claim dbl: double == 4 }}\n\n二二が四。{{ claim dbl: 2 * 2 == 4 }}\n"
    )
    strict = tiny_site.build()
    assert strict.returncode != 0
    message = "pages/index.md:14: the claim '2 * 2 == 4' reads only the demo's settings"
    assert message in strict.stderr, strict.stderr[-2000:]
    assert "pages/index.md:12" not in strict.stderr  # the claim that reads a result passes
    lenient = mkdocs_cli_in_process(["build", "-d", str(tiny_site.root / "out")], tiny_site.root)
    assert lenient.returncode == 0, lenient.stderr[-2000:]
    assert f"WARNING -  {message}" in lenient.stderr


# ---- the site's dataset ------------------------------------------------------------------

ROWS = [
    {"name": "A", "region": "日本", "released": "2023-05", "params": 3_600_000_000, "open": True},
    {"name": "B", "region": "日本", "released": "2024-08", "params": 100_000_000_000, "open": True},
    {
        "name": "C",
        "region": "海外",
        "released": "2024-02",
        "params": 540_000_000_000,
        "open": False,
    },
    {"name": "D", "region": "海外", "released": "2024-09", "params": None, "open": False},
]


def _render_data(text: str, rows: list | None = ROWS) -> str:
    return prose.render_prose(text, [_block()], lambda b, o: RESULT, "docs/p.md", 10, rows)


@pytest.mark.parametrize(
    ("figure", "text"),
    [
        ('dataset(region="日本"): min(rows[*].params) | ja(0)', "36億"),
        ('dataset(region="日本"): max(rows[*].params) | ja(0)', "1000億"),
        ("dataset(open=True): len(rows)", "2"),
        ('dataset(released="2024-*", params=[1e9, 1e12]): rows[0].name', "B"),
        ('dataset(released=["2023-01", "2024-03"]): len(rows)', "2"),
        ("dataset: len(rows)", "4"),
    ],
)
def test_dataset_figures_filter_and_aggregate_the_rows(figure, text):
    out = _render_data(f"{{{{ {figure} }}}}")
    assert re.fullmatch(r'<span class="plab-figure plab-figure--dataset" [^>]*>(.*)</span>', out)
    assert out.endswith(f">{text}</span>"), out


def test_dataset_claims_compare_filters_with_at():
    claim = (
        '{{ claim dataset(region="海外", open=False, params=[0, 1e15]): '
        'max(rows[*].params) > 5 * max(at(region="日本").rows[*].params) }}'
    )
    assert _render_data(claim) == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{{ dataset(regin="日本"): len(rows) }}',
            "the dataset has no column 'regin'; its columns",
        ),
        ('{{ dataset(region="火星"): len(rows) }}', "no row is left after region='火星'; region"),
        ('{{ claim dataset(region="日本", released="2025-*"): len(rows) > 0 }}', "no row is left"),
        ('{{ dataset(params="7e9"): len(rows) }}', "params holds numbers; filter it with one"),
        ("{{ dataset(open=1): len(rows) }}", "open holds True or False"),
        ('{{ dataset(region=["日本", 3]): len(rows) }}', "region holds text"),
        ("{{ dataset: max(rows[*].size) }}", "no 'size' in a row of rows[*]; it has name"),
        ("{{ dataset: max(rows[*].params) | ja }}", "cannot be evaluated"),
        ("{{ dataset: rows[0].name | int }}", "format int needs a number"),
        ('{{ claim dataset: len(at(regin="x").rows) > 0 }}', "no column 'regin'"),
        ("{{ claim dataset: len(rows) == 5 }}", "is false: len(rows) = 4"),
    ],
)
def test_dataset_errors_carry_file_line(text, message):
    with pytest.raises(SourceError) as info:
        _render_data(f"\n{text}")
    assert str(info.value).startswith("docs/p.md:11: "), str(info.value)
    assert message in str(info.value), str(info.value)


def test_a_dataset_claim_that_reads_no_rows_is_reported(caplog):
    with caplog.at_level("WARNING", logger="mkdocs.plugins.parameter_lab"):
        _render_data('{{ claim dataset(region="日本"): len(rows) == 2 }}')
        assert not caplog.records
        _render_data("\n{{ claim dataset: 3 > 2 }}")
    assert [r.getMessage()[:62] for r in caplog.records] == [
        "docs/p.md:11: the claim '3 > 2' reads only the demo's settings"
    ]


def test_a_site_without_a_dataset_says_how_to_set_one():
    with pytest.raises(SourceError, match=r"docs/p.md:10: this site has no dataset.*dataset:"):
        _render_data("{{ dataset: len(rows) }}", rows=None)


def test_a_built_page_reads_the_sites_dataset(tiny_site: TinySite):
    (tiny_site.root / "pages" / "models.csv").write_text("name,size\nA,small\nB,large\nC,large\n")
    mkdocs_yml = tiny_site.root / "mkdocs.yml"
    mkdocs_yml.write_text(mkdocs_yml.read_text() + "      dataset: models.csv\n")
    tiny_site.write_page(
        "---\ntitle: T\n---\n\n# T\n\n"
        '大きいものは{{ dataset(size="large"): len(rows) }}個。'
        '{{ claim dataset(size="large"): len(rows) == 2 }}\n\n'
        '{{ dataset(size="huge"): len(rows) }}\n'
    )
    result = tiny_site.build()
    assert result.returncode != 0
    assert "pages/index.md:9: dataset(size='huge'): no row is left" in result.stderr
    tiny_site.write_page('# T\n\n大きいものは{{ dataset(size="large"): len(rows) }}個。\n')
    result = tiny_site.build()
    assert result.returncode == 0, result.stderr[-2000:]
    assert ">2</span>個。" in tiny_site.html()
