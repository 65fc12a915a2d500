"""The shared runner: one formatter for every view, and outcomes as data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parameter_lab import runner

VECTORS = json.loads((Path(__file__).with_name("format_vectors.json")).read_text())


@pytest.mark.parametrize(("value", "expected"), VECTORS["cells"])
def test_table_cells(value, expected):
    assert runner.format_cell(value) == expected


@pytest.mark.parametrize(("value", "expected"), VECTORS["texts"])
def test_text_views(value, expected):
    assert runner.format_text(value) == expected


def test_dict_tables_get_headers_in_the_page_language():
    ja = runner.format_view("table", {"a": 1.0}, "ja")
    en = runner.format_view("table", {"a": 1.0}, "en")
    assert ja == {"view": "table", "kind": "table", "columns": ["項目", "値"], "rows": [["a", "1"]]}
    assert en["columns"] == ["Item", "Value"]


def test_a_table_of_non_rows_falls_back_to_text():
    assert runner.format_view("table:x", {"x": 3}) == {
        "view": "table:x",
        "kind": "text",
        "text": "3",
    }


def test_call_demo_formats_the_views_it_is_asked_for(tmp_path, monkeypatch):
    (tmp_path / "fmtdemo.py").write_text(
        "def run(n=2):\n    return {'rows': [{'n': n, 'half': n / 2}], 'note': 'ok'}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = runner.call_demo("fmtdemo", "run", '{"n": 3}', '["table:rows", "text:note", "curve"]')
    assert outcome["ok"]
    assert json.loads(outcome["result"]) == {"rows": [{"n": 3, "half": 1.5}], "note": "ok"}
    assert outcome["views"] == [
        {"view": "table:rows", "kind": "table", "columns": ["n", "half"], "rows": [["3", "1.5"]]},
        {"view": "text:note", "kind": "text", "text": "ok"},
        {"view": "curve", "kind": "chart"},
    ]


def test_errors_are_data_with_the_readers_lines():
    outcome = runner.run_cell("x = 1\nraise ValueError('bad')\n")
    assert not outcome["ok"]
    assert outcome["error"]["type"] == "ValueError"
    assert 'File "<cell>", line 2' in outcome["error"]["traceback"]
    assert "runner.py" not in outcome["error"]["traceback"]
    named = runner.run_cell("raise ValueError('bad')\n", "<セル>")  # the site's language
    assert 'File "<セル>", line 1' in named["error"]["traceback"]


def test_labels_name_the_models_ids_in_the_pages_words():
    labels = {"variant": {"fp32": "fp32（元）", "prune-*": "枝刈り *%"}}
    result = {"rows": [{"variant": "fp32"}, {"variant": "prune-80"}, {"other": "fp32"}]}
    assert runner.relabel(result, labels) == {
        "rows": [{"variant": "fp32（元）"}, {"variant": "枝刈り 80%"}, {"other": "fp32"}]
    }


def test_call_demo_applies_labels_and_column_headers(tmp_path, monkeypatch):
    (tmp_path / "labdemo.py").write_text("def run():\n    return {'rows': [{'k': 'a', 'n': 1}]}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    labels = json.dumps({"labels": {"k": {"a": "エー"}}, "columns": {"k": "記号"}})
    outcome = runner.call_demo("labdemo", "run", "{}", '["table:rows"]', "ja", "[]", labels)
    assert json.loads(outcome["result"]) == {"rows": [{"k": "エー", "n": 1}]}
    assert outcome["views"][0]["columns"] == ["記号", "n"]
    assert outcome["views"][0]["rows"] == [["エー", "1"]]
