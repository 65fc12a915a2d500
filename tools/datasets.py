"""The sourced LLM dataset (``site_src/data/llms.csv``): load, validate, and check counts.

Every row must name its source. A malformed row stops the build with
``site_src/data/llms.csv:<row>: <what is wrong>``; where a row names a shipped
``config.json`` preset, its count must equal what ``demos.params`` computes, and an
exact count must cite the Hugging Face repository its weights and ``config.json`` come
from. ``access`` says on what terms the weights can be had, so that "open" never hides a
non-commercial licence or a research-only request form.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from parameter_lab import SourceError

from demos import params

COLUMNS = [
    "name",
    "developer",
    "country",
    "released",
    "params",
    "count_kind",
    "training_tokens",
    "access",
    "config",
    "source",
    "active_params",  # mixture of experts: parameters one token passes through; else empty
    "note",  # what the source leaves open, licence history, how a figure was checked
]
COUNTRIES = {  # ISO 3166 codes in use, with the names the charts show
    "JP": "日本",
    "US": "米国",
    "GB": "英国",
    "FR": "フランス",
    "CN": "中国",
    "SG": "シンガポール",
    "AE": "アラブ首長国連邦",
    "CA": "カナダ",
    "DE": "ドイツ",
    "KR": "韓国",
}
UNDISCLOSED = "非公開"
ACCESS = {  # how the weights can be obtained, with the label the sources table shows
    "open": "公開（オープンなライセンス）",
    "open-restricted": "公開（独自ライセンス・利用条件あり）",
    "open-sharealike": "公開（改変物も同じライセンスで配布する条件つき）",
    "open-noncommercial": "公開（非商用に限る）",
    "research-request": "研究目的で申請した人のみ",
    "closed": "非公開",
}
# Anyone may download these (on the terms the label names).
OPEN_ACCESS = {"open", "open-restricted", "open-sharealike", "open-noncommercial"}
EXACT_SOURCE = "https://huggingface.co/"  # exact counts come from the published weights


@dataclass(frozen=True)
class LLM:
    name: str
    developer: str
    country: str
    released: str  # YYYY-MM
    params: int | None  # None: undisclosed, never guessed
    count_kind: str  # "exact" (from the weights or config) or "nominal" (the announced size)
    training_tokens: int | None
    access: str  # a key of ACCESS
    config: str  # a demos/data/configs preset, or ""
    source: str
    active_params: int | None = None  # mixture of experts only
    note: str = ""

    @property
    def japanese(self) -> bool:
        return self.country == "JP"

    @property
    def open_weights(self) -> bool:
        """Anyone can download the weights (possibly under a restrictive licence)."""
        return self.access in OPEN_ACCESS

    def as_row(self) -> dict:
        return {
            "name": self.name,
            "developer": self.developer,
            "country": COUNTRIES[self.country],
            "region": "日本" if self.japanese else "海外",
            "released": self.released,
            "params": self.params,
            "disclosed": self.params is not None,
            "count_kind": {"exact": "正確な値", "nominal": "公称値"}.get(
                self.count_kind, UNDISCLOSED
            ),
            "training_tokens": self.training_tokens,
            "access": ACCESS[self.access],
            "source": self.source,
            "active_params": self.active_params,
            "moe": self.active_params is not None,
            "note": self.note,
        }


def load_llms(path: Path, display: str | None = None) -> list[LLM]:
    """Read and validate the dataset; ``display`` is the path used in messages."""
    where = display or str(path)
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise SourceError(where, 1, f"the header must be: {','.join(COLUMNS)}")
        rows = [_parse(row, where, line) for line, row in enumerate(reader, start=2)]
    names = [r.name for r in rows]
    for line, name in enumerate(names, start=2):
        if names.count(name) > 1:
            raise SourceError(where, line, f"model {name!r} appears twice; keep one row per model")
    return rows


def _parse(row: dict, where: str, line: int) -> LLM:
    def fail(message: str) -> NoReturn:
        raise SourceError(where, line, message)

    if None in row or any(v is None for v in row.values()):
        fail(f"expected {len(COLUMNS)} columns; quote values that contain commas")
    row = {k: v.strip() for k, v in row.items()}
    for column in ("name", "developer"):
        if not row[column]:
            fail(f"{column} is empty")
    if not re.fullmatch(r"https://\S+", row["source"]):
        fail("source is missing or not an https:// URL: every number needs a citable source")
    if row["country"] not in COUNTRIES:
        fail(f"unknown country {row['country']!r}; use an ISO code from: {', '.join(COUNTRIES)}")
    if not re.fullmatch(r"(19|20)\d\d-(0[1-9]|1[0-2])", row["released"]):
        fail(f"released {row['released']!r} must be YYYY-MM")
    if row["params"] == UNDISCLOSED:
        count = None
        if row["count_kind"]:
            fail("count_kind must be empty when params is 非公開")
    else:
        count = _int(
            row["params"], "params", fail, f"or {UNDISCLOSED} when undisclosed (never guess)"
        )
        if row["count_kind"] not in ("exact", "nominal"):
            fail(
                "count_kind must be exact (counted from the weights) "
                "or nominal (the announced size)"
            )
    tokens = (
        _int(row["training_tokens"], "training_tokens", fail, "or empty")
        if row["training_tokens"]
        else None
    )
    if row["access"] not in ACCESS:
        fail(
            f"access {row['access']!r} must be one of: {', '.join(ACCESS)} "
            "(how the weights can be obtained, licence included)"
        )
    if row["count_kind"] == "exact" and not row["source"].startswith(EXACT_SOURCE):
        fail(
            "an exact count must cite the Hugging Face repository (or its config.json) "
            f"it was counted from: source must start with {EXACT_SOURCE}"
        )
    active = (
        _int(row["active_params"], "active_params", fail, "or empty for a dense model")
        if row["active_params"]
        else None
    )
    if active is not None and (count is None or active >= count):
        fail("active_params must be less than params (a mixture of experts uses a part)")
    if row["config"]:
        if row["config"] not in params.preset_names():
            fail(f"config {row['config']!r} is not a preset in demos/data/configs/")
        counted = params.count_params(params.load_preset(row["config"]))
        if count != counted.total:
            fail(f"params {count} differs from count_params({row['config']}) = {counted.total}")
        moe_active = counted.active if counted.active < counted.total else None
        if active != moe_active:
            fail(
                f"active_params {active} differs from count_params({row['config']}).active "
                f"= {moe_active} (empty for a dense model)"
            )
    return LLM(
        row["name"],
        row["developer"],
        row["country"],
        row["released"],
        count,
        row["count_kind"],
        tokens,
        row["access"],
        row["config"],
        row["source"],
        active,
        row["note"],
    )


def _int(text: str, column: str, fail: Callable[[str], NoReturn], alternative: str) -> int:
    if not re.fullmatch(r"[1-9]\d*", text):
        fail(f"{column} {text!r} must be a whole number without separators, {alternative}")
    return int(text)
