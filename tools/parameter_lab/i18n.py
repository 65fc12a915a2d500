"""The blocks' words in each UI language (the ``language`` option). Japanese is the default."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "ja": {
        "run": "▶ 実行",
        "run_title": "実行（Ctrl/⌘+Enter）",
        "stop": "■ 停止",
        "reset": "↺ リセット",
        "copy": "コピー",
        "code": "Python コード",
        "code_label": "Python コード（クリックで編集）",
        "prerendered_note": (
            "ビルド時に実行した結果です。「実行」でブラウザの中でもう一度動かせます。"
        ),
        "controls": "設定",
        "chart_live": "グラフを操作する",
        "chart_data": "グラフのデータ（表）",
        "sources": "モデル一覧と出典",
        "data_file": "データ",
        "undisclosed": "非公開",
        "python": "Python",
    },
    "en": {
        "run": "▶ Run",
        "run_title": "Run (Ctrl/⌘+Enter)",
        "stop": "■ Stop",
        "reset": "↺ Reset",
        "copy": "Copy",
        "code": "Python code",
        "code_label": "Python code (click to edit)",
        "prerendered_note": (
            "Computed when the site was built. Press Run to run it again in your browser."
        ),
        "controls": "Settings",
        "chart_live": "Explore the chart",
        "chart_data": "Chart data (table)",
        "sources": "all models and sources",
        "data_file": "Data",
        "undisclosed": "undisclosed",
        "python": "Python",
    },
}


def strings_for(language: str) -> dict[str, str]:
    return STRINGS[language]
