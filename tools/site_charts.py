"""This site's charts: the demo views and the dataset charts, in Altair.

The parameter-lab plugin loads this file (``charts_module`` in ``mkdocs.yml``) and reads
``VIEWS``, ``CHARTS``, ``TABLES`` and ``load_dataset`` from it.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
from parameter_lab import SiteChart, SiteTable, View

WIDTH = 520  # fits the content column; the page CSS scales the SVG down on a phone


def _loss_surface() -> alt.TopLevelMixin:
    heat = (
        alt.Chart(alt.NamedData("surface"))
        .mark_rect()
        .encode(
            x=alt.X("w:Q", bin=alt.Bin(maxbins=25), title="重み w"),
            y=alt.Y("b:Q", bin=alt.Bin(maxbins=25), title="バイアス b"),
            color=alt.Color(
                "mean(loss):Q", scale=alt.Scale(type="log", scheme="viridis"), title="損失"
            ),
        )
    )
    path = (
        alt.Chart(alt.NamedData("path"))
        .mark_line(point=True, color="#ff7043")
        .encode(
            x="w:Q",
            y="b:Q",
            order="step:Q",
            tooltip=[
                "step:Q",
                alt.Tooltip("w:Q", format=".3f"),
                alt.Tooltip("b:Q", format=".3f"),
                alt.Tooltip("loss:Q", format=".4f"),
            ],
        )
    )
    return (heat + path).properties(width=WIDTH, height=320, title="損失の地形と勾配降下の道のり")


def _loss_curve() -> alt.TopLevelMixin:
    return (
        alt.Chart(alt.NamedData("path"))
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title="ステップ"),
            y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title="損失（平均二乗誤差）"),
            tooltip=["step:Q", alt.Tooltip("loss:Q", format=".4f")],
        )
        .properties(width=WIDTH, height=220, title="ステップごとの損失")
    )


def _training_curves() -> alt.TopLevelMixin:
    base = (
        alt.Chart(alt.NamedData("curves"))
        .transform_fold(["train_loss", "val_loss"], as_=["split", "loss"])
        .transform_calculate(データ="datum.split === 'train_loss' ? '訓練' : '検証'")
    )
    return (
        base.mark_line()
        .encode(
            x=alt.X("epoch:Q", title="エポック"),
            y=alt.Y("loss:Q", title="損失（交差エントロピー）"),
            color=alt.Color("データ:N", scale=alt.Scale(range=["#3f51b5", "#ff7043"])),
            tooltip=["epoch:Q", "データ:N", alt.Tooltip("loss:Q", format=".4f")],
        )
        .properties(width=WIDTH, height=240, title="訓練データと検証データの損失")
    )


def _decision_boundary() -> alt.TopLevelMixin:
    field = (
        alt.Chart(alt.NamedData("boundary"))
        .mark_rect(opacity=0.55)
        .encode(
            x=alt.X("x:Q", bin=alt.Bin(maxbins=30), title="x₁"),
            y=alt.Y("y:Q", bin=alt.Bin(maxbins=30), title="x₂"),
            color=alt.Color(
                "mean(p):Q",
                scale=alt.Scale(domain=[0, 1], scheme="blueorange"),
                title="クラス1の確率",
            ),
        )
    )
    points = (
        alt.Chart(alt.NamedData("points"))
        .mark_point(filled=True, size=28)
        .encode(
            x="x:Q",
            y="y:Q",
            shape=alt.Shape("label:N", title="正解クラス"),
            color=alt.value("#212121"),
        )
    )
    return (field + points).properties(width=360, height=300, title="決定境界と訓練データ")


def _attention_map() -> alt.TopLevelMixin:
    return (
        alt.Chart(alt.NamedData("weights"))
        .mark_rect()
        .encode(
            x=alt.X("k:N", sort=alt.EncodingSortField("key"), title="参照される文字（キー）"),
            y=alt.Y("q:N", sort=alt.EncodingSortField("query"), title="注目する文字（クエリ）"),
            color=alt.Color(
                "weight:Q", scale=alt.Scale(domain=[0, 1], scheme="greens"), title="注意の重み"
            ),
            facet=alt.Facet("head:N", columns=2, title="ヘッド"),
            tooltip=["head:N", "q:N", "k:N", alt.Tooltip("weight:Q", format=".3f")],
        )
        .properties(width=200, height=200, title="ヘッドごとの注意の重み")
    )


def _loss_vs_params() -> alt.TopLevelMixin:
    base = (
        alt.Chart(alt.NamedData("models"))
        .transform_fold(["train_loss", "val_loss"], as_=["split", "loss"])
        .transform_calculate(データ="datum.split === 'train_loss' ? '訓練' : '検証'")
    )
    return (
        base.mark_line(point=True)
        .encode(
            x=alt.X("params:Q", scale=alt.Scale(type="log"), title="パラメーター数（対数）"),
            y=alt.Y("loss:Q", title="損失（1文字あたり, nats）"),
            color=alt.Color("データ:N", scale=alt.Scale(range=["#3f51b5", "#ff7043"])),
            tooltip=["model:N", "params:Q", "データ:N", alt.Tooltip("loss:Q", format=".3f")],
        )
        .properties(width=WIDTH, height=260, title="モデルの大きさと損失")
    )


def _search_race() -> alt.TopLevelMixin:
    return (
        alt.Chart(alt.NamedData("trials"))
        .mark_line(point=True)
        .encode(
            x=alt.X("trial:Q", title="試行回数"),
            y=alt.Y("best_so_far:Q", scale=alt.Scale(type="log"), title="これまでの最良値（対数）"),
            color=alt.Color("method:N", title="探索法"),
            tooltip=["method:N", "trial:Q", "value:Q", "best_so_far:Q", "log10_lr:Q", "log10_l2:Q"],
        )
        .properties(width=WIDTH, height=260, title="同じ試行回数での探索の比較")
    )


def _search_points() -> alt.TopLevelMixin:
    return (
        alt.Chart(alt.NamedData("trials"))
        .mark_circle(size=50)
        .encode(
            x=alt.X("log10_lr:Q", scale=alt.Scale(domain=[-4, 0]), title="log₁₀ 学習率"),
            y=alt.Y("log10_l2:Q", scale=alt.Scale(domain=[-6, 0]), title="log₁₀ L2"),
            color=alt.Color(
                "value:Q",
                scale=alt.Scale(type="log", scheme="viridis", reverse=True),
                title="目的関数",
            ),
            facet=alt.Facet("method:N", columns=3, title="探索法"),
            tooltip=["method:N", "trial:Q", "value:Q"],
        )
        .properties(width=160, height=160, title="どこを試したか")
    )


def _size_vs_accuracy() -> alt.TopLevelMixin:
    base = alt.Chart(alt.NamedData("variants")).encode(
        x=alt.X("bytes:Q", title="重みのサイズ（バイト）"),
        y=alt.Y("accuracy:Q", scale=alt.Scale(domain=[0, 1]), title="検証データの正解率"),
    )
    return (
        base.mark_circle(size=80).encode(
            color=alt.Color("kind:N", title="手法"), tooltip=["variant:N", "bytes:Q", "accuracy:Q"]
        )
        + base.mark_text(align="left", dx=7, fontSize=10).encode(text="variant:N")
    ).properties(width=WIDTH, height=260, title="モデルのサイズと正解率")


# What the page calls each component id that demos.params returns.
COMPONENT_NAMES = {
    "token_embeddings": "トークン埋め込み",
    "position_embeddings": "位置埋め込み",
    "attention": "自己注意",
    "mlp": "MLP",
    "norms": "正規化",
    "lm_head": "出力層（lm_head）",
    "pooler": "プーラー",
    "projections": "射影",
    "router": "ルーター",
    "experts": "エキスパート（全部）",
}


def _param_breakdown() -> alt.TopLevelMixin:
    names = ", ".join(f"'{k}': '{v}'" for k, v in COMPONENT_NAMES.items())
    return (
        alt.Chart(alt.NamedData("breakdown"))
        .transform_calculate(部品=f"{{{names}}}[datum.component] || datum.component")
        .mark_bar()
        .encode(
            x=alt.X("params:Q", title="パラメーター数"),
            y=alt.Y("部品:N", sort="-x", title="部品"),
            tooltip=["部品:N", "component:N", alt.Tooltip("params:Q", format=",")],
        )
        .properties(width=WIDTH, height=200, title="部品ごとのパラメーター数")
    )


VIEWS: dict[str, View] = {
    "loss_surface": View(
        _loss_surface,
        {"surface": "surface", "path": "path"},
        "重み w とバイアス b の組み合わせごとの損失を色で表した地図と、勾配降下法がたどった道のり",
    ),
    "loss_curve": View(_loss_curve, {"path": "path"}, "ステップごとの損失の変化を表す折れ線グラフ"),
    "training_curves": View(
        _training_curves, {"curves": "curves"}, "エポックごとの訓練損失と検証損失の折れ線グラフ"
    ),
    "decision_boundary": View(
        _decision_boundary,
        {"boundary": "boundary", "points": "points"},
        "平面上の各点がクラス1と判定される確率と、訓練データの点",
    ),
    "attention_map": View(
        _attention_map,
        {"weights": "weights"},
        "各ヘッドで、どの文字がどの文字にどれだけ注意を向けたかを表すヒートマップ",
    ),
    "loss_vs_params": View(
        _loss_vs_params,
        {"models": "models"},
        "パラメーター数ごとの訓練損失と検証損失の折れ線グラフ",
    ),
    "search_race": View(
        _search_race, {"trials": "trials"}, "試行回数ごとの、各探索法のこれまでの最良値"
    ),
    "search_points": View(
        _search_points, {"trials": "trials"}, "各探索法が試したハイパーパラメーターの位置と結果"
    ),
    "size_vs_accuracy": View(
        _size_vs_accuracy, {"variants": "variants"}, "圧縮方法ごとの重みのサイズと正解率の散布図"
    ),
    "param_breakdown": View(
        _param_breakdown, {"breakdown": "breakdown"}, "部品ごとのパラメーター数の棒グラフ"
    ),
}


LOG_FLOOR = 10_000_000  # 1000万: below the smallest model, where log-scale bars start
_JA_POWERS = {
    10**7: "1000万",
    10**8: "1億",
    10**9: "10億",
    10**10: "100億",
    10**11: "1000億",
    10**12: "1兆",
    10**13: "10兆",
    10**14: "100兆",
}


def _ja_log_axis(lo: int, hi: int) -> alt.Axis:
    """Decades labelled the Japanese way (1億, 10億 …), one gridline each."""
    values = [v for v in _JA_POWERS if lo <= v <= hi]
    table = ", ".join(f"'{v}': '{_JA_POWERS[v]}'" for v in values)
    return alt.Axis(values=values, labelExpr=f"{{{table}}}[format(datum.value, 'd')]")


REGION_COLOURS = alt.Scale(domain=["日本", "海外"], range=["#e53935", "#3f51b5"])
_TOOLTIP = [
    "name:N",
    "developer:N",
    "country:N",
    alt.Tooltip("params:Q", format=","),
    "count_kind:N",
    "released:N",
    "source:N",
]


def _llm_params(rows: list[dict]) -> alt.TopLevelMixin:
    # One order for both layers: largest first, undisclosed last (a shared field, because
    # Vega-Lite drops per-layer sorts that disagree).
    ranked = sorted(rows, key=lambda r: (r["params"] is None, -(r["params"] or 0)))
    data = alt.Data(values=[{**r, "rank": i} for i, r in enumerate(ranked)])
    y = alt.Y("name:N", sort=alt.EncodingSortField("rank"), title=None)
    bars = (
        alt.Chart(data)
        .transform_filter("datum.disclosed")
        .transform_calculate(base=str(LOG_FLOOR))
        .mark_bar()
        .encode(
            x=alt.X(
                "params:Q",
                title="パラメーター数（対数目盛）",
                scale=alt.Scale(type="log", domainMin=LOG_FLOOR),
                axis=_ja_log_axis(10**7, 10**12),
            ),
            x2="base:Q",  # a log axis has no zero: bars grow from the axis floor
            y=y,
            color=alt.Color("region:N", scale=REGION_COLOURS, title="開発元"),
            opacity=alt.Opacity(
                "count_kind:N",
                scale=alt.Scale(domain=["正確な値", "公称値"], range=[1.0, 0.55]),
                title="数値の種類",
            ),
            tooltip=_TOOLTIP,
        )
    )
    hidden = (
        alt.Chart(data)
        .transform_filter("!datum.disclosed")
        .mark_text(align="left", fontStyle="italic", dx=4)
        .encode(
            x=alt.value(0),
            y=y,
            text=alt.value("非公開（数値なし）"),
            tooltip=["name:N", "developer:N", "source:N"],
        )
    )
    # Mixture of experts: a black tick where the parameters one token uses end.
    active = (
        alt.Chart(data)
        .transform_filter("datum.moe")
        .mark_tick(color="#212121", thickness=3, size=14)
        .encode(
            x=alt.X("active_params:Q"),
            y=y,
            shape=alt.value("stroke"),
            tooltip=["name:N", alt.Tooltip("active_params:Q", format=","), "source:N"],
        )
    )
    return (bars + active + hidden).properties(
        width=WIDTH - 120, height=alt.Step(16), title="主なLLMのパラメーター数"
    )


def _params_vs_tokens(rows: list[dict]) -> alt.TopLevelMixin:
    known = [r for r in rows if r["params"] and r["training_tokens"]]
    lo = min(r["params"] for r in known) / 2
    hi = max(r["params"] for r in known) * 2
    chinchilla = [
        {"params": n, "tokens": 20 * n, "線": "Chinchilla 最適（20トークン/パラメーター）"}
        for n in (lo, hi)
    ]
    points = (
        alt.Chart(alt.Data(values=known))
        .mark_circle(size=70)
        .encode(
            x=alt.X(
                "params:Q",
                scale=alt.Scale(type="log"),
                title="パラメーター数（対数）",
                axis=_ja_log_axis(10**8, 10**12),
            ),
            y=alt.Y(
                "training_tokens:Q",
                scale=alt.Scale(type="log"),
                title="学習トークン数（対数）",
                axis=_ja_log_axis(10**10, 10**14),
            ),
            color=alt.Color("region:N", scale=REGION_COLOURS, title="開発元"),
            tooltip=[*_TOOLTIP, alt.Tooltip("training_tokens:Q", format=",")],
        )
    )
    line = (
        alt.Chart(alt.Data(values=chinchilla))
        .mark_line(strokeDash=[6, 4], color="#757575")
        .encode(x="params:Q", y="tokens:Q", detail="線:N")
    )
    label = (
        alt.Chart(alt.Data(values=chinchilla[1:]))
        .mark_text(align="right", dy=-8, fontSize=10, color="#757575")
        .encode(x="params:Q", y="tokens:Q", text="線:N")
    )
    return (line + label + points).properties(
        width=WIDTH, height=320, title="パラメーター数と学習トークン数"
    )


def _params_over_time(rows: list[dict]) -> alt.TopLevelMixin:
    known = [r for r in rows if r["params"]]
    return (
        alt.Chart(alt.Data(values=known))
        .mark_circle(size=70)
        .encode(
            x=alt.X("released:T", title="公開時期"),
            y=alt.Y(
                "params:Q",
                scale=alt.Scale(type="log"),
                title="パラメーター数（対数）",
                axis=_ja_log_axis(10**8, 10**12),
            ),
            color=alt.Color("region:N", scale=REGION_COLOURS, title="開発元"),
            tooltip=_TOOLTIP,
        )
        .properties(width=WIDTH, height=300, title="公開時期とパラメーター数")
    )


# Every dataset chart names where its numbers come from, and links the full list.
_SOURCE = "出典：各モデルの論文・公式発表"
_SOURCE_PAGE = "references/#models"
_DATA_COLUMNS = {
    "name": "モデル",
    "developer": "開発元",
    "params": "パラメーター数",
    "active_params": "1トークンあたり（MoE）",
    "count_kind": "種類",
    "released": "公開",
}

CHARTS: dict[str, SiteChart] = {
    "llm_params": SiteChart(
        _llm_params,
        "主なLLMのパラメーター数を対数目盛の横棒で比べたグラフ。赤が日本、青が海外の開発元。"
        "薄い棒は公称値、非公開のモデルは数値なしと表示。Mixture of Experts のモデルは、"
        "棒の長さが総数、黒い縦線が1トークンの計算に使われる数。",
        source=_SOURCE,
        source_page=_SOURCE_PAGE,
        columns=_DATA_COLUMNS,
    ),
    "params_vs_tokens": SiteChart(
        _params_vs_tokens,
        "パラメーター数と学習トークン数の散布図。破線は1パラメーターあたり20トークンの"
        "Chinchilla の目安。",
        source=_SOURCE,
        source_page=_SOURCE_PAGE,
        columns={**_DATA_COLUMNS, "training_tokens": "学習トークン数"},
    ),
    "params_over_time": SiteChart(
        _params_over_time,
        "公開時期ごとのLLMのパラメーター数の散布図（対数目盛）。",
        source=_SOURCE,
        source_page=_SOURCE_PAGE,
        columns=_DATA_COLUMNS,
    ),
}

TABLES: dict[str, SiteTable] = {
    # Every dataset row with its source link: the citation behind each chart.
    "llm_sources": SiteTable(
        columns={
            "name": "モデル",
            "developer": "開発元",
            "country": "国",
            "released": "公開",
            "params": "パラメーター数",
            "count_kind": "種類",
            "training_tokens": "学習トークン数",
            "access": "重みの公開",
            "source": "出典",
            "active_params": "1トークンあたり（MoE）",
            "note": "注記",
        },
        links=frozenset({"source"}),
    ),
}


def load_dataset(path: Path, display: str) -> list[dict]:
    """The LLM dataset, validated row by row (``file:row: message``), as chart rows."""
    from tools import datasets

    return [row.as_row() for row in datasets.load_llms(path, display)]
