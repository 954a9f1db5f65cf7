"""The 2008–2018 reports' own statistics table (政府信息公开情况统计表) → facts.

Before the national tables each agency printed 指标名称 | 计量单位 | <year>年度 |
历年累计 with row labels of its own; the catalogue's `old_metrics` name them. A
crawler dump runs the cells together (主动公开信息数条4251516 is 425 | 1516): such
a row is cut by index.runs, keeping only the cuts where the 历年累计 holds at least
the year's value and where the rows printed under a row (其中：1. 2. …) add up to no
more than it, in both columns. A row that can still be cut several ways is not
guessed: it is reported with its digits, and index.old_years may decide it from the
same agency's 历年累计 of the year before or after (or never).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from index import catalogue, runs
from index.catalogue import CUMULATIVE, TABLE_OLD
from index.cells import NUMBER, CellValue, parse_cell
from index.layout import Block, Paragraph, Row
from index.tables import TableFact

YEAR, CUM = "year", "cumulative"
# combinations of a group's cuts tried before its rows are left as each alone allows
MAX_COMBINATIONS = 50_000
# a row label is a few words: longer text before a unit is the prose after the table
MAX_LABEL = 40
SEVERAL = "several ways to cut the digits fit the table; the cumulative of the year before or after may decide"
NO_CUT = "no way to cut the digits fits the table"


@dataclass
class OldTable:
    facts: list[TableFact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    found: bool = False
    year: int | None = None  # the year its year column names


@dataclass
class _Row:
    label: str
    key: str | None
    unit: str
    tokens: list[str]
    line: int
    child: bool
    cuts: list[tuple[str, ...]] = field(default_factory=list)
    printed: bool = True
    why: str = ""


def _spaced(word: str) -> str:
    """A header word as printed in any layout: spaces may stand between its characters (计量 单位)."""
    return r"\s*".join(re.escape(ch) for ch in word)


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    spec = catalogue.load().old_table

    def alt(words):
        return "|".join(_spaced(w) for w in sorted(words, key=len, reverse=True))

    column = rf"(?P<y>\d{{4}})\s*年\s*度?|{alt(spec['cumulative_column'])}|{alt(spec['year_column'])}"
    header = re.compile(rf"(?:{alt(spec['header'])})\s*(?:{alt(spec['unit_header'])})\s*((?:(?:{column})\s*){{1,3}})")
    units = "|".join(re.escape(u) for u in sorted(spec["units"], key=len, reverse=True))
    row = re.compile(
        r"\s*(?P<lead>其中\s*[:：]?\s*)?(?:(?P<num>\d{1,2})\s*[.、．](?!\d)\s*)?"
        rf"(?P<label>[^\d\s](?:[^\d]{{0,{MAX_LABEL}}}?[^\d\s])?)\s*(?P<unit>{units})(?=\s*\d|\s*$|\s+[^\d\s])"
        r"(?P<vals>(?:\d|\s|[.,](?=\d))*)"
    )
    end = re.compile(alt(spec["end"]))
    return header, re.compile(column), row, end


def _text(blocks: list[Block]) -> tuple[str, list[tuple[int, int]]]:
    """The report as one text (a table row's cells joined by spaces), with (offset, line) marks."""
    parts, marks, at = [], [], 0
    for block in blocks:
        if isinstance(block, Paragraph):
            piece = block.text
        elif isinstance(block, Row):
            piece = " ".join(c.text for c in block.cells)
        else:
            continue
        piece = unicodedata.normalize("NFKC", piece)
        marks.append((at, block.line))
        parts.append(piece)
        at += len(piece) + 1
    return "\n".join(parts), marks


def _line_at(marks: list[tuple[int, int]], offset: int) -> int:
    line = marks[0][1] if marks else 1
    for at, ln in marks:
        if at > offset:
            break
        line = ln
    return line


def read_old_table(blocks: list[Block]) -> OldTable:
    """The facts of the report's old statistics table, if it prints one."""
    out = OldTable()
    text, marks = _text(blocks)
    header_re, column_re, _, _ = _patterns()
    header = header_re.search(text)
    if not header:
        return out
    columns = []
    for m in column_re.finditer(header.group(1)):
        is_cum = not m["y"] and any(_spaced(w) and re.fullmatch(_spaced(w), m.group(0).strip())
                                    for w in catalogue.load().old_table["cumulative_column"])
        columns.append(CUM if is_cum else YEAR)
        if m["y"] and out.year is None:
            out.year = int(m["y"])
    rows = _rows(text, header.end(), marks)
    if not rows:
        return out
    out.found = True
    _read_values(rows, columns)
    _decide_groups(rows, columns)
    for row in rows:
        _emit(row, columns, out)
    return out


def _rows(text: str, start: int, marks) -> list[_Row]:
    _, _, row_re, end_re = _patterns()
    cat = catalogue.load()
    rows: list[_Row] = []
    pos, number, group_key = start, 0, None
    while pos < len(text):
        m = row_re.match(text, pos)
        if not m or end_re.match(m["label"]):
            break
        vals, stop = m["vals"], m.end()
        if text[stop:stop + 1] in (".", "、", "．") and vals.rstrip() and vals.rstrip()[-1].isdigit():
            # the next row's numbering (2.政府公报公开) printed right after this row's digits
            nxt = str(number + 1) if number else "1"
            cut = len(nxt) if vals.rstrip().endswith(nxt) else 1
            vals = vals.rstrip()[:-cut]
            stop = m.start("vals") + len(vals)
        key = cat.match_old_row(m["label"])
        spec_parent = cat.metrics[key].parent if key else ""
        child = bool(m["num"] or m["lead"]) or (bool(spec_parent) and spec_parent == group_key)
        number = int(m["num"]) if m["num"] else (0 if not child else number)
        if not child:
            group_key = key
        rows.append(_Row(m["label"], key, m["unit"], vals.split(), _line_at(marks, m.start("label")), child))
        pos = stop
    return rows


def _read_values(rows: list[_Row], columns: list[str]) -> None:
    """Each row's possible cells: as printed when they are apart, else the cuts of its digits."""
    width = len(columns)
    spaced = sum(len(r.tokens) >= 2 for r in rows) > len(rows) / 2
    for row in rows:
        if len(row.tokens) == width or (row.tokens and len(row.tokens) < width and (spaced or len(row.tokens) > 1)):
            # cells printed apart; fewer than the columns: the first ones, the others left blank
            row.cuts = [tuple(row.tokens) + ("",) * (width - len(row.tokens))]
        elif len(row.tokens) == 1 and width > 1:
            row.printed = False
            cuts = runs.row_cuts(row.tokens[0], width) or []
            row.cuts = [c for c in cuts if _cumulative_holds(c, columns)]
            if not row.cuts:
                row.why = NO_CUT
        elif row.tokens:
            row.why = f"{len(row.tokens)} values for {width} columns"


def _cumulative_holds(cells: tuple[str, ...], columns: list[str]) -> bool:
    """The 历年累计 counts this year too: it is never less than the year's value."""
    if YEAR not in columns or CUM not in columns:
        return True
    return runs.value(cells[columns.index(CUM)]) >= runs.value(cells[columns.index(YEAR)])


def _decide_groups(rows: list[_Row], columns: list[str]) -> None:
    """A row and the rows printed under it: the parts add up to no more than the whole, in every column."""
    groups, current = [], None
    for i, row in enumerate(rows):
        if not row.child:
            current = [i]
            groups.append(current)
        elif current is not None:
            current.append(i)
    for group in groups:
        members = [rows[i] for i in group if not rows[i].why]
        if len(members) < 2 or rows[group[0]].why or all(len(r.cuts) == 1 for r in members):
            continue
        if _combinations(members) > MAX_COMBINATIONS:
            continue
        kept: list[set[int]] = [set() for _ in members]
        for choice in itertools.product(*(range(len(r.cuts)) for r in members)):
            cells = [r.cuts[c] for r, c in zip(members, choice, strict=True)]
            whole, parts = cells[0], cells[1:]
            if all(sum(runs.value(p[col]) for p in parts) <= runs.value(whole[col]) for col in range(len(columns))):
                for k, c in enumerate(choice):
                    kept[k].add(c)
        if any(kept):
            for row, keep in zip(members, kept, strict=True):
                row.cuts = [row.cuts[c] for c in sorted(keep)]


def _combinations(rows: list[_Row]) -> int:
    total = 1
    for r in rows:
        total *= max(len(r.cuts), 1)
    return total


def _emit(row: _Row, columns: list[str], out: OldTable) -> None:
    where = f"line {row.line}: {TABLE_OLD} row {row.label}"
    if row.key is None:
        out.warnings.append(f"{where}: no metric of the catalogue has this label")
        return
    if row.why or len(row.cuts) != 1:
        why = row.why or SEVERAL
        # the key and unit in the warning let index.old_years decide the row across years
        out.warnings.append(f"{where} ({row.key}, {row.unit}) unreadable ({why}): {''.join(row.tokens)}")
        return
    for column, cell in zip(columns, row.cuts[0], strict=True):
        value = parse_cell(cell) if cell else None
        if value is None or value.value is None:
            continue  # a blank cell states nothing
        kind = NUMBER if row.printed else runs.RECOVERED
        metric = row.key if column == YEAR else row.key + CUMULATIVE
        out.facts.append(TableFact(metric, None, CellValue(kind, value.value, row.unit, cell), row.line, TABLE_OLD,
                                   row.unit))
