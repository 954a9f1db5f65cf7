"""Rows the aligner could not fill, cut apart by the tables' own sums (index.runs).

The aligner (index.align) leaves a row unread when its values do not fit its
cells: `713000074` is one value for seven cells. Here every such row is handed
to index.runs together with the rows of the same table the aligner did read
(fixed, so the column sums down the table can decide), and a row gets cells
only when exactly one cut of the whole table satisfies every rule. Its cells
are of kind `recovered`; a row still unread says why.
"""

from __future__ import annotations

import re

from index import catalogue, runs
from index.align import AlignedRow, Alignment
from index.catalogue import TABLE_APPLY, TABLE_REVIEW
from index.cells import CellValue, parse_cell
from index.template import FORMATS, TemplateRow, rows


def sums_of(row: TemplateRow) -> tuple[tuple[int, ...], ...]:
    """A template row's own sums: 表三's applicants add to 总计, each 表四 block to its 总计; 表二 has none."""
    if row.table == TABLE_APPLY:
        return runs.row_sums(row.width)
    if row.table == TABLE_REVIEW:
        return runs.review_sums(row.width)
    return ()


def apply_rules(fmt: str | None, present) -> list[runs.Equation]:
    """表三's rules down the columns, for the rows present (the rows under 三 of the format's template)."""
    special = (runs.NEW, runs.CARRIED_OVER, runs.TOTAL, runs.CARRIED_FORWARD)
    formats = [fmt] if fmt in FORMATS else []
    results = [r.key for f in formats for r in rows(TABLE_APPLY, f) if r.key not in special]
    return runs.apply_equations(present, results, len(catalogue.load().applicant_order))


def _could_run(row: AlignedRow) -> bool:
    """Fewer values than cells, but digits enough for every cell: values that may have run together."""
    return len(row.values) < row.row.width <= len(re.findall(r"\d", row.raw))


def recovered_value(text: str) -> CellValue | None:
    value = parse_cell(text)
    return CellValue(runs.RECOVERED, value.value, value.unit, value.raw) if value is not None else None


def recover(alignment: Alignment) -> None:
    """Fill the aligned rows whose values ran together, table by table; the others keep their problem."""
    by_table: dict[str, list[AlignedRow]] = {}
    for row in alignment.rows:
        if row.row is not None:
            by_table.setdefault(row.table, []).append(row)
    for table, table_rows in by_table.items():
        unfit = [r for r in table_rows if r.cells is None and _could_run(r)]
        if not unfit:
            continue
        seen: dict[str, AlignedRow] = {}
        for r in table_rows:
            seen.setdefault(r.row.key, r)  # a row printed twice: the first counts, as the readers keep it
        table_runs = [
            runs.Run(key, r.raw, r.row.width, sums_of(r.row),
                     tuple(v.raw for _, v, _, _ in r.cells) if r.cells is not None else None)
            for key, r in seen.items()
        ]
        equations = apply_rules(alignment.format, seen) if table == TABLE_APPLY else []
        split = runs.split_table(table_runs, equations)
        for r in unfit:
            if seen.get(r.row.key) is not r:
                continue
            if r.row.key in split.recovered:
                values = [recovered_value(t) for t in split.cells[r.row.key]]
                if all(values):
                    units = [v.unit or catalogue.load().metrics[key[0]].unit for key, v in zip(r.row.cells, values,
                                                                                                  strict=True)]
                    r.cells = list(zip(r.row.cells, values, [r.line] * len(values), units, strict=True))
                    r.problem = ""
                    continue
            why = split.unreadable.get(r.row.key)
            if why:
                r.problem = f"{r.problem}; if run together: {why}" if r.problem else why
