"""Facts read by OCR: marked, their empty cells filled only where the sum rules decide them, their tables checked.

OCR misses some cells (a lone `0` most of all), so an empty cell in an OCR'd
table is not a reading. It is filled only where a sum rule of index.checks
determines it: the one unknown of an equation, or every unknown of an equation
whose known cells already balance (counts are never negative, so they are all
0). Filled cells are of kind `ocr_filled`; the rest are dropped, and the
report says how many.

Every other fact on an OCR'd line is of kind `ocr`, or `ocr_unsure` when the
recogniser scored its row low or its table's rules do not all hold (a cell
misread): the table is kept, and answers from it say so (bot/question/compose).
"""

from __future__ import annotations

from dataclasses import replace

from index import catalogue, checks
from index.catalogue import PROSE
from index.cells import BLANK
from index.facts import Fact

OCR, OCR_UNSURE, OCR_FILLED = "ocr", "ocr_unsure", "ocr_filled"
KINDS = (OCR, OCR_UNSURE, OCR_FILLED)


def mark(facts: list[Fact], ocr_lines: set[int], unsure_lines: set[int], warnings: list[str]) -> list[Fact]:
    """The report's facts with those read from OCR'd lines marked, empty OCR cells filled or dropped."""
    if not ocr_lines:
        return facts
    out: list[Fact] = []
    unknown: dict[tuple[str, str | None], Fact] = {}
    for f in facts:
        if f.line not in ocr_lines:
            out.append(f)
        elif f.table != PROSE and f.year is None and f.kind == BLANK:
            unknown.setdefault((f.metric, f.applicant), f)
        else:
            out.append(replace(f, kind=OCR_UNSURE if f.line in unsure_lines else OCR))
    filled = _fill(out, unknown)
    out += filled
    if len(filled) < len(unknown):
        warnings.append(f"{len(unknown) - len(filled)} table cells left empty by OCR: not read (the sum rules "
                        "do not decide them)")
    return _flag_tables(out, set(unknown))


def _table(facts: list[Fact]) -> dict:
    return {(f.metric, f.applicant): f for f in facts if f.table != PROSE and f.year is None}


def _fill(facts: list[Fact], unknown: dict) -> list[Fact]:
    """Values for the unknown cells that the equations determine, solved until nothing more follows."""
    if not unknown:
        return []
    known = {k: float(f.value or 0) for k, f in _table(facts).items()}
    cells = dict(_table(facts)) | unknown
    equations = checks.table_equations(facts + list(unknown.values()), cells)
    values: dict[tuple, float] = {}
    changed = True
    while changed:
        changed = False
        for _, _, left, right in equations:
            if not left or any(k not in cells for k in left + right):
                continue
            open_left = [k for k in left if k in unknown and k not in values]
            open_right = [k for k in right if k in unknown and k not in values]
            if not open_left and not open_right or open_left and open_right:
                continue
            opened = open_left or open_right
            sums = [sum(values.get(k, known.get(k, 0.0)) for k in side if k not in opened) for side in (left, right)]
            need = sums[1] - sums[0] if open_left else sums[0] - sums[1]
            if need < 0 or need != int(need) or (len(opened) > 1 and need != 0):
                continue
            for k in opened:
                values[k] = need if len(opened) == 1 else 0.0
            changed = True
    cat = catalogue.load()
    out = []
    for k, v in values.items():
        f = unknown[k]
        value = int(v)
        out.append(replace(f, value=value, unit=cat.unit(f.metric), raw=f.raw, kind=OCR_FILLED))
    return out


def _flag_tables(facts: list[Fact], emptied: set) -> list[Fact]:
    """OCR'd facts of a table whose rules fail, or cannot all be checked for cells OCR left empty, flagged."""
    table = _table(facts)
    bad: set[str] = set()
    for _, _, left, right in checks.table_equations(facts, table):
        keys = left + right
        if not left or not any(k in table and table[k].kind in KINDS for k in keys):
            continue
        tables = {table[k].table for k in keys if k in table}
        if any(k in emptied and k not in table for k in keys):
            bad |= tables
            continue
        if any(k not in table for k in keys):
            continue
        lhs = sum(float(table[k].value or 0) for k in left)
        rhs = sum(float(table[k].value or 0) for k in right)
        if abs(lhs - rhs) > 1e-6:
            bad |= tables
    return [replace(f, kind=OCR_UNSURE) if f.kind in (OCR, OCR_FILLED) and f.table in bad else f for f in facts]
