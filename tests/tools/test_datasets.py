"""The LLM dataset: every row sourced and well-formed; exact counts match demos.params."""

from __future__ import annotations

from pathlib import Path

import pytest
from parameter_lab import SourceError

from demos import params
from tests.conftest import ROOT, mkdocs_build
from tools import datasets

CSV = ROOT / "site_src/data/llms.csv"


def test_dataset_loads_and_covers_what_the_chapters_compare():
    rows = {r.name: r for r in datasets.load_llms(CSV)}
    assert rows["GPT-3"].params == 175_000_000_000  # 1750億: not 数百億
    assert rows["GPT-4"].params is None  # undisclosed: never guessed
    for name in (
        "PaLM",
        "Llama 2 7B",
        "Mistral 7B",
        "Gemma 2B",
        "Qwen2.5 0.5B",
        "Phi-2",
        "TinyLlama 1.1B",
        "tsuzumi 7B（軽量版）",
        "ELYZA-japanese-Llama-2-7b",
        "Swallow 70B",
        "LLM-jp-13B",
        "PLaMo-100B",
        "rinna japanese-gpt-neox-3.6b",
        "OpenCALM-7B",
        "Stockmark-13b",
        "Fugaku-LLM 13B",
    ):
        assert name in rows, name
    assert sum(r.japanese for r in rows.values()) >= 8
    assert all(r.source.startswith("https://") for r in rows.values())


def test_names_say_which_model_is_counted():
    rows = {r.name: r for r in datasets.load_llms(CSV)}
    # Plain "GPT-2" means the 1.5B model; the 124M count is the smallest one.
    assert rows["GPT-2 small"].params == 124_439_808
    assert not any(name == "GPT-2" for name in rows)
    # BERT-base is an encoder: a reference point, labelled as one.
    assert any(name.startswith("BERT-base") and "エンコーダー" in name for name in rows)


def test_access_says_on_what_terms_the_weights_can_be_had():
    rows = {r.name: r for r in datasets.load_llms(CSV)}
    assert rows["PLaMo-100B"].access == "open-noncommercial"  # published Oct 2024, non-commercial
    assert rows["LLaMA 7B"].access == rows["LLaMA 65B"].access == "research-request"
    assert rows["GPT-4"].access == "closed" and not rows["GPT-4"].open_weights
    assert rows["Llama 2 7B"].access == "open-restricted" and rows["Llama 2 7B"].open_weights
    assert {r.access for r in rows.values()} <= set(datasets.ACCESS)
    # The table shows the terms in Japanese, never a bare yes/no.
    labels = {r.as_row()["access"] for r in rows.values()}
    assert labels <= set(datasets.ACCESS.values()) and "yes" not in labels


def test_exact_counts_cite_the_hugging_face_repository():
    exact = [r for r in datasets.load_llms(CSV) if r.count_kind == "exact"]
    assert len(exact) >= 10
    for row in exact:
        assert row.source.startswith("https://huggingface.co/"), row.name


def test_rows_with_a_config_equal_count_params():
    checked = 0
    for row in datasets.load_llms(CSV):
        if row.config:
            assert row.params == params.count_params(params.load_preset(row.config)).total
            assert row.count_kind == "exact"
            checked += 1
    assert checked >= 8


def test_moe_rows_give_total_and_active():
    rows = {r.name: r for r in datasets.load_llms(CSV)}
    for name in ("DeepSeek-V3", "DeepSeek-R1", "Qwen3-30B-A3B", "Llama 4 Scout", "gpt-oss-120b"):
        assert rows[name].active_params is not None, name
        assert rows[name].active_params < rows[name].params, name
    # A MoE preset's row must carry the counter's active count; a dense one must not.
    for row in rows.values():
        if row.config:
            count = params.count_params(params.load_preset(row.config))
            expected = count.active if count.active < count.total else None
            assert row.active_params == expected, row.name
    assert rows["Qwen3 8B"].active_params is None


def test_late_2026_models_are_in_the_dataset():
    names = {r.name for r in datasets.load_llms(CSV)}
    for name in (
        "DeepSeek-V3",
        "DeepSeek-R1",
        "Qwen3-235B-A22B",
        "Llama 4 Scout",
        "Llama 4 Maverick",
        "gpt-oss-120b",
        "Gemma 3 27B",
        "LLM-jp-3 172B",
        "PLaMo 2 8B",
        "Sarashina2-70B",
        "Llama 3.1 Swallow 8B",
    ):
        assert name in names, name


def test_rows_anyone_can_download_cite_a_source():
    for row in datasets.load_llms(CSV):
        if row.access != "closed":
            assert row.source.startswith("https://"), row.name


def test_licence_history_and_share_alike_are_stated():
    rows = {r.name: r for r in datasets.load_llms(CSV)}
    assert rows["OpenCALM-7B"].access == "open-sharealike"
    assert "2024年1月" in rows["Phi-2"].note and "MIT" in rows["Phi-2"].note
    # The source of a research-request or non-commercial row is where those terms are set.
    assert rows["LLaMA 7B"].source.startswith("https://ai.meta.com/")
    assert rows["PLaMo-100B"].source == "https://huggingface.co/pfnet/plamo-100b"


def test_bad_active_count_names_the_row(tmp_path):
    path = _broken(
        tmp_path,
        "X,Y,JP,2024-01,1000,nominal,,closed,,https://example.org,2000,",
    )
    with pytest.raises(SourceError, match="active_params must be less than params"):
        datasets.load_llms(path)


def _broken(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "llms.csv"
    lines = CSV.read_text().splitlines()
    path.write_text("\n".join([*lines, line]) + "\n")
    return path


@pytest.mark.parametrize(
    "row, message",
    [
        ("X,Y,JP,2024-01,1000,nominal,,closed,,,,", "source is missing"),
        (
            "X,Y,JP,2024-01,1.5B,nominal,,closed,,https://example.org,,",
            "params '1.5B' must be a whole number",
        ),
        ("X,Y,ZZ,2024-01,1000,nominal,,closed,,https://example.org,,", "unknown country 'ZZ'"),
        (
            "X,Y,JP,2024-13,1000,nominal,,closed,,https://example.org,,",
            "released '2024-13' must be YYYY-MM",
        ),
        (
            "X,Y,JP,2024-01,1000,exact,,open,gpt2,https://huggingface.co/x/y,,",
            "differs from count_params(gpt2)",
        ),
        (
            "X,Y,JP,2024-01,1000,nominal,,yes,,https://example.org,,",
            "access 'yes' must be one of: open, open-restricted",
        ),
        (
            "X,Y,JP,2024-01,1000,exact,,open,,https://arxiv.org/abs/1,,",
            "an exact count must cite the Hugging Face repository",
        ),
        ("GPT-3,Y,US,2024-01,1000,nominal,,closed,,https://example.org,,", "appears twice"),
    ],
)
def test_bad_rows_name_file_and_row(tmp_path, row, message):
    path = _broken(tmp_path, row)
    row_number = len(CSV.read_text().splitlines()) + 1
    with pytest.raises(SourceError) as err:
        datasets.load_llms(path, "site_src/data/llms.csv")
    text = str(err.value)
    assert message in text
    expected = row_number if "appears twice" not in message else None
    if expected:
        assert text.startswith(f"site_src/data/llms.csv:{expected}: "), text


def test_bad_row_fails_the_build(scratch_project: Path, tmp_path: Path):
    csv = scratch_project / "site_src/data/llms.csv"
    csv.write_text(csv.read_text() + "X,Y,JP,2024-01,1000,nominal,,closed,,,,\n")
    result = mkdocs_build(scratch_project, tmp_path / "out")
    assert result.returncode != 0
    last = len(csv.read_text().splitlines())
    assert f"site_src/data/llms.csv:{last}: source is missing" in result.stderr
