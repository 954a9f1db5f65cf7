"""The national tables as data: each format's rows in printed order, and each row's cells.

Derived from the one metric catalogue (lexicon/catalogue.yaml), never written
out by hand: 表二's rows are `proactive_rows` in order, their cells the
`proactive_metrics` of that row in the format; 表三's rows are `apply_metrics`
in order, each with the seven applicant columns; 表四 is one row of fifteen
cells (three blocks of five). The aligner (index.align) reads a report
against these rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from index import catalogue
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW

T = TypeVar("T")
FORMATS = ("2019", "2021")
# 表四's blocks (行政复议, 直接起诉, 复议后起诉) have five cells each, the last their 总计
REVIEW_BLOCK_WIDTH = 5
TABLES = (TABLE_PROACTIVE, TABLE_APPLY, TABLE_REVIEW)


@dataclass(frozen=True)
class TemplateRow:
    table: str
    # apply.new, proactive.rules, or a 表四 block (review, litigation.direct …)
    key: str
    # (metric, applicant) of each cell, in printed order
    cells: tuple[tuple[str, str | None], ...]

    @property
    def width(self) -> int:
        return len(self.cells)


@cache
def rows(table: str, fmt: str) -> tuple[TemplateRow, ...]:
    """The rows of one national table in one format, in printed order."""
    cat = catalogue.load()
    if table == TABLE_PROACTIVE:
        out = []
        for row_key in cat.proactive_rows:
            prefix = f"proactive.{row_key}."
            keys = [m.key for m in cat.metrics.values() if m.key.startswith(prefix) and fmt in m.formats]
            if keys:
                out.append(TemplateRow(table, f"proactive.{row_key}", tuple((k, None) for k in keys)))
        return tuple(out)
    if table == TABLE_APPLY:
        applicants = cat.applicant_order
        return tuple(
            TemplateRow(table, m.key, tuple((m.key, a) for a in applicants))
            for m in cat.metrics.values()
            if m.table == TABLE_APPLY and fmt in m.formats
        )
    return tuple(review_row(block) for block in cat.review_blocks)


@cache
def review_row(*blocks: str) -> TemplateRow:
    """表四's cells for the given blocks, in national order (one row of 15, or a block of 5)."""
    cat = catalogue.load()
    cells = tuple((f"{b}.{c}", None) for b in blocks for c in cat.review_columns)
    return TemplateRow(TABLE_REVIEW, "+".join(blocks), cells)


@cache
def proactive_row(row_key: str, fmt: str) -> TemplateRow | None:
    """表二's row `proactive.<row_key>` in a format, or None when the format has no such row."""
    return next((r for r in rows(TABLE_PROACTIVE, fmt) if r.key == f"proactive.{row_key}"), None)


@cache
def apply_row(metric: str) -> TemplateRow:
    cat = catalogue.load()
    return TemplateRow(TABLE_APPLY, metric, tuple((metric, a) for a in cat.applicant_order))


@cache
def format_words() -> dict[str, tuple[str, ...]]:
    """Format → 表二 header words printed only in that format (本年新制作数量 → 2019, 本年制发件数 → 2021)."""
    cat = catalogue.load()
    data = catalogue.raw_data()
    out: dict[str, list[str]] = {f: [] for f in FORMATS}
    for key, spec in data["proactive_columns"].items():
        fmt = str(spec.get("format", "any"))
        if fmt in out:
            out[fmt].extend(cat.proactive_columns[key])
    for key, labels in cat.proactive_rows.items():
        formats = {f for f in FORMATS if proactive_row(key, f) is not None}
        if len(formats) == 1:
            out[formats.pop()].extend(labels)
    return {f: tuple(dict.fromkeys(w)) for f, w in out.items()}


def table_order(table: str, fmt: str) -> dict[str, int]:
    """Row key → its position in the table (for saying where a table ends)."""
    return {r.key: i for i, r in enumerate(rows(table, fmt))}


def place(values: Sequence[T], width: int, blank: Callable[[T], bool], adds_up: Callable[[list[T]], bool] | None,
          lead: int | None = None) -> list[T] | None:
    """The `width` values that hold a template row's cells, or None when they do not fit: the one placement
    step of every reader (the layout reader's cells, the aligner's tokens).

    Exactly `width` values fill the row. With more, only blank values may be dropped (pipes and merged
    cells pad rows), and among the windows left the one satisfying the row's sum rule wins, then the one
    starting at `lead` (where the header's first column stands), then the leftmost. Fewer never fit.
    """
    n = len(values)
    if n == width:
        return list(values)
    if n < width:
        return None
    best, best_score = None, -1
    for start in range(0, n - width + 1):
        if not all(blank(v) for v in (*values[:start], *values[start + width:])):
            continue
        window = list(values[start : start + width])
        score = 2 * bool(adds_up is not None and adds_up(window)) + (start == lead)
        if score > best_score:
            best, best_score = window, score
    return best


def sums_hold(table: str, numbers: Sequence[float]) -> bool:
    """A row's own sum rule on its cells' numbers (a blank is 0): 表三's applicants add to its 总计, each of
    表四's blocks of five adds to its 总计; 表二's rows have none. Every reader checks a row by it."""
    if table == TABLE_APPLY:
        return abs(sum(numbers[:-1]) - numbers[-1]) < 1e-9
    if table == TABLE_REVIEW:
        return all(abs(sum(numbers[b : b + REVIEW_BLOCK_WIDTH - 1]) - numbers[b + REVIEW_BLOCK_WIDTH - 1]) < 1e-9
                   for b in range(0, len(numbers), REVIEW_BLOCK_WIDTH))
    return True
