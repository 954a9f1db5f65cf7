"""Table rows → facts of the three national tables, keyed by the catalogue.

Rows are read by what they say, not where they stand: a row label names its
metric (表三), a header row names its columns (表二) or its blocks (表四).
Exports shift cells (merged label columns become one, two or no empty cells),
so when a row has more cells than the table has columns, the table's own sum
rules choose where its values sit. Every Chinese word compared here comes from
the catalogue (lexicon/catalogue.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index import align, catalogue, template
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW, normalize_label, split_label
from index.cells import BLANK, DASH, MONEY_UNITS, NUMBER, SLASH, CellValue, clean, parse_cell
from index.layout import Block, Cell, Paragraph, Row
from index.recover import recover
from index.sections import heading_key

SECTION_TABLE = {"proactive": TABLE_PROACTIVE, "apply": TABLE_APPLY, "review": TABLE_REVIEW}
REVIEW_BLOCK_WIDTH = template.REVIEW_BLOCK_WIDTH
_TOP_NUMERALS = "一二三四五六七八九十"
# the longest label a row printed with spaces (not TABs) between its cells may have
SPACED_LABEL_MAX = 40


@dataclass
class TableFact:
    metric: str
    applicant: str | None
    cell: CellValue
    line: int
    table: str
    unit: str | None = None


@dataclass
class TableResult:
    facts: list[TableFact] = field(default_factory=list)
    found: set[str] = field(default_factory=set)
    format: str = "none"
    warnings: list[str] = field(default_factory=list)


def read_tables(blocks: list[Block]) -> TableResult:
    """All facts of 表二, 表三 and 表四 in a report's blocks."""
    reader = _Reader()
    reader.last_block = blocks[-1] if blocks else None
    for block in blocks:
        if isinstance(block, Paragraph):
            reader.paragraph(block)
        else:
            reader.row(block)
    # the layout reader above is the fast path for rows whose cells it can see; every row it did
    # not read is read by the template aligner, which also says where each table ends
    first = reader.finish()
    if not _complete(first):
        # (a report whose three tables the layout reader read whole needs no second pass: speed)
        alignment = align.align(blocks, first.format if first.format in template.FORMATS else None)
        recover(alignment)  # rows whose cells ran together (713000074), cut by the tables' sums (index.runs)
        reader.aligned(alignment)
    result = reader.finish()
    result.warnings += table_ends(result)
    return result


def _complete(result: TableResult) -> bool:
    """Whether every cell of all three tables, in the report's format, was read."""
    if result.format not in template.FORMATS:
        return False
    have = {(f.metric, f.applicant) for f in result.facts}
    return all(c in have for table in template.TABLES for row in template.rows(table, result.format)
               for c in row.cells)


def table_ends(result: TableResult) -> list[str]:
    """Where each table a report prints stops short of the template: its last complete row, what is missing."""
    cat = catalogue.load()
    have: dict[tuple[str, str | None], int] = {(f.metric, f.applicant): f.line for f in result.facts}
    out = []
    for table in template.TABLES:
        if table not in result.found or (table == TABLE_PROACTIVE and result.format not in template.FORMATS):
            continue
        rows = template.rows(table, result.format if result.format in template.FORMATS else "2019")
        if table == TABLE_REVIEW:
            rows = (template.review_row(*cat.review_blocks),)
        complete = [all(c in have for c in row.cells) for row in rows]
        if all(complete):
            continue
        last = max((i for i, ok in enumerate(complete) if ok), default=-1)
        gaps = [_row_label(cat, row.key) for row, ok in zip(rows[:last], complete, strict=False) if not ok]
        after = len(rows) - last - 1
        if last < 0:
            out.append(f"{table} has no complete row")
            continue
        line = max(have[c] for c in rows[last].cells)
        ends = f"{table} ends after row {_row_label(cat, rows[last].key)} (line {line})"
        if after:
            ends += f"; the {after} rows from {_row_label(cat, rows[last + 1].key)} on are missing"
        if gaps:
            ends += f"; rows missing before it: {'、'.join(gaps)}"
        out.append(ends)
    return out


def _row_label(cat, key: str) -> str:
    if key in cat.metrics:
        return cat.metrics[key].label
    if key.startswith("proactive."):
        return cat.proactive_labels.get(key.split(".", 1)[1], key)
    return "+".join(cat.metrics[f"{b}.total"].row_label for b in key.split("+"))


class _Reader:
    def __init__(self) -> None:
        self.cat = catalogue.load()
        self.result = TableResult()
        self.kind: str | None = None
        self.seen: set[tuple[str, str | None]] = set()
        # 表二: the columns the last header row named, and the money unit each header states
        self.columns: list[str | None] = []
        self.column_units: list[str | None] = []
        # 表三: the numbered group the rows sit under (（三）不予公开), and where 自然人 stands
        self.parent = ""
        self.natural_column: int | None = None
        # 表三 printed with spaces: the text line before a row, which may be the first part of its label
        self.label_before = ""
        # 表四: blocks the last header named, blocks already read, whether a header was seen
        self.review_hint: list[str] = []
        self.review_filled: set[str] = set()
        self.review_header_seen = False
        # the report's last block: a short row there is a copy cut mid-row, never padded with blanks
        self.last_block: Block | None = None

    # --- dispatch ----------------------------------------------------------------

    def paragraph(self, block: Paragraph) -> None:
        # a row printed with spaces can look like a numbered heading (四、结转下年度继续办理 2 0 0 0 0 0 2)
        spaced = self._spaced_row(block) if self.kind else None
        self.label_before = "" if spaced is not None else block.text
        if spaced is not None:
            self.row(spaced)
            return
        key = heading_key(block.text)
        # inside a table, "5.要求行政机关确认或重新出" cut from its row looks like a heading: only
        # a section the outline knows, or one numbered 一、二、…, ends the table
        if key and (key != "other_heading" or self.kind is None or block.text.strip()[:1] in _TOP_NUMERALS):
            self.kind = SECTION_TABLE.get(key)
            self.parent = ""

    def row(self, row: Row) -> None:
        texts = [clean(t) for t in row.texts]
        if not any(texts):
            if self.kind == TABLE_REVIEW:
                self._blank_review_row(row)
            return
        kind = self._kind_of(texts) or self.kind
        if kind != self.kind:
            self.kind = kind
            self.parent = ""
        if kind == TABLE_PROACTIVE:
            self._proactive_row(row, texts)
        elif kind == TABLE_APPLY:
            self._apply_row(row, texts)
        elif kind == TABLE_REVIEW:
            self._review_row(row, texts)

    def _kind_of(self, texts: list[str]) -> str | None:
        """The table a header row opens, or None when the row is no table header."""
        cat = self.cat
        if any(cat.is_table_header("proactive_item", t) or cat.is_table_header("proactive_label", t) for t in texts):
            return TABLE_PROACTIVE
        if any(cat.is_table_header("apply", t) for t in texts):
            return TABLE_APPLY
        if self._is_review_header(texts):
            return TABLE_REVIEW
        if self.kind is not None:
            # inside a table, only a header switches tables: 表四's 总计 is no 表三 row
            return None
        labels = [t for t in texts if t and parse_cell(t) is None]
        if labels and cat.match_proactive_row(labels[0]):
            return TABLE_PROACTIVE
        parts = split_label(labels[-1]) if labels else []
        if parts and cat.match_apply_row(parts[-1]):
            return TABLE_APPLY
        return None

    def _is_review_header(self, texts: list[str]) -> bool:
        """A row naming a 表四 block beside another block or a result column (行政复议 | 结果维持 …)."""
        labels = [t for t in texts if t and parse_cell(t) is None]
        if not labels or len(labels) < len([t for t in texts if t]):
            return False
        named = {b for t in labels for b in self.cat.review_blocks_named(t)}
        columns = sum(1 for t in labels if self.cat.names_review_column(t))
        return bool(named) and (len(named) > 1 or columns > 0)

    def _cut(self, row: Row, cells: int, width: int) -> bool:
        """Whether a row is the text's last and stops short of its cells: nothing of it is read."""
        if row is self.last_block and cells < width:
            self.result.warnings.append(f"line {row.line}: the text ends inside this row ({cells} of {width} cells)")
            return True
        return False

    def aligned(self, alignment: align.Alignment) -> None:
        """Add the rows the aligner read and the layout reader did not; report the rows no one could read."""
        have = {(f.metric, f.applicant) for f in self.result.facts}
        for row in alignment.rows:
            keys = row.row.cells if row.row is not None else ()
            if row.table == TABLE_PROACTIVE and row.cells is not None and alignment.format:
                # 表二 by the template: the layout reader places its cells under header cells it saw last,
                # which a header printed in another layout than its rows misplaces
                self._drop(set(keys))
                have -= set(keys)
            if any(k in have for k in keys):
                continue  # the layout reader read this row
            if row.cells is None:
                self.result.warnings.append(
                    f"line {row.line}: {row.table} row {row.label} unreadable ({row.problem}): {row.raw[:60]}"
                )
                continue
            for (metric, applicant), value, line, unit in row.cells:
                self._add(metric, applicant, Cell(value.raw, line), value, row.table, unit)
            have.update(keys)

    def _drop(self, keys: set[tuple[str, str | None]]) -> None:
        self.result.facts = [f for f in self.result.facts if (f.metric, f.applicant) not in keys]
        self.seen -= keys

    def finish(self) -> TableResult:
        res = self.result
        votes = set()
        for fact in res.facts:
            formats = self.cat.metrics[fact.metric].formats
            if len(formats) == 1:
                votes.add(formats[0])
        # a 2021 table anywhere decides: 2019 rows in a 2021 report are the old labels reused
        if "2021" in votes:
            res.format = "2021"
        elif "2019" in votes:
            res.format = "2019"
        elif res.found:
            res.format = "unknown"
        return res

    def _add(self, metric: str, applicant: str | None, cell: Cell, value: CellValue, table: str, unit=None) -> None:
        if (metric, applicant) in self.seen:
            self.result.warnings.append(f"line {cell.line}: {metric} {applicant or ''} appears twice; kept the first")
            return
        self.seen.add((metric, applicant))
        self.result.facts.append(TableFact(metric, applicant, value, cell.line, table, unit or value.unit))
        self.result.found.add(table)

    def _add_cells(self, keys: list[tuple[str, str | None]], window: list, line: int, table: str) -> None:
        for (metric, applicant), cell in zip(keys, window, strict=True):
            value = parse_cell(cell.text) if cell else CellValue(BLANK, None, None, "")
            self._add(metric, applicant, cell or Cell("", line), value, table)

    # --- rows printed with spaces between cells (text taken from a PDF without ruling lines) ----

    def _spaced_row(self, block: Paragraph) -> Row | None:
        """A paragraph inside a table section that is really a row: a catalogue label, then its values."""
        tokens = block.text.split()
        values: list[str] = []
        while tokens and (v := parse_cell(tokens[-1])) is not None and v.kind in (NUMBER, DASH, SLASH):
            values.insert(0, tokens.pop())
        if not values:
            return self._spaced_header(tokens, block.line)
        label = "".join(tokens)
        if self.kind == TABLE_APPLY and not self._spaced_fits(label, len(values)):
            # a PDF wraps long labels: the row's values stand beside the label's second line, or alone
            label = self.label_before + label
        if len(normalize_label(label)) > SPACED_LABEL_MAX or not self._spaced_fits(label, len(values)):
            return None
        return _row_of(([label] if label else []) + values, block.line)

    def _spaced_header(self, tokens: list[str], line: int) -> Row | None:
        """表二's header lines printed with spaces (第二十条 第（一）项 / 信息内容 本年制发件数 …)."""
        heads = ("proactive_label", "proactive_item")
        if self.kind == TABLE_PROACTIVE and tokens and any(self.cat.is_table_header(h, tokens[0]) for h in heads):
            return _row_of(tokens, line)
        return None

    def _spaced_fits(self, label: str, count: int) -> bool:
        if self.kind == TABLE_PROACTIVE:
            return bool(label) and bool(self.cat.match_proactive_row(label)) and count <= max(len(self.columns), 1)
        if self.kind == TABLE_APPLY:
            parts = split_label(label)
            return bool(parts) and count == len(self.cat.applicant_order) and bool(
                self.cat.match_apply_row(parts[-1], self.parent)
            )
        width = len(self.cat.review_blocks) * REVIEW_BLOCK_WIDTH
        return count in range(REVIEW_BLOCK_WIDTH, width + 1, REVIEW_BLOCK_WIDTH) and (
            not label or bool(self.cat.review_blocks_named(label))
        )

    # --- 表二 ---------------------------------------------------------------------

    def _proactive_row(self, row: Row, texts: list[str]) -> None:
        if any(self.cat.is_table_header("proactive_item", t) for t in texts):
            self.columns, self.column_units = [], []
            return
        first = next((i for i, t in enumerate(texts) if t), 0)
        is_label_header = self.cat.is_table_header("proactive_label", texts[first])
        if is_label_header or (
            self.cat.match_proactive_column(texts[first]) and not self.cat.match_proactive_row(texts[first])
        ):
            offset = first + 1 if is_label_header else first
            self.columns = [self.cat.match_proactive_column(t) if t else None for t in texts[offset:]]
            self.column_units = [_unit_in_header(t) for t in texts[offset:]]
            return
        label_at = _last_label(texts)
        if label_at is None:
            return
        row_key = self.cat.match_proactive_row(texts[label_at])
        if not row_key:
            return
        if not any(self.columns):
            self.result.warnings.append(f"line {row.line}: 表二 row {texts[label_at]} has no column headers; skipped")
            return
        if self._cut(row, len(row.cells) - label_at - 1, len(self.columns)):
            return
        for pos, cell in self._proactive_cells(row.cells[label_at + 1 :]):
            value = parse_cell(cell.text)
            metric = f"proactive.{row_key}.{self.columns[pos]}"
            if value is None or metric not in self.cat.metrics:
                continue
            unit = value.unit or self.column_units[pos] or self.cat.metrics[metric].unit
            self._add(metric, None, cell, value, TABLE_PROACTIVE, unit)

    def _proactive_cells(self, cells: list[Cell]) -> list[tuple[int, Cell]]:
        """(header position, cell) for a row's value cells.

        A merged header cell and a merged value cell need not span alike
        (本年处理决定数量 over three columns, its value in the second), so
        when values stand under no header and the filled cells are as many as
        the named columns, they are taken in order.
        """
        named = [pos for pos, key in enumerate(self.columns) if key]
        if len(cells) > len(self.columns):
            cells = _align(cells, len(self.columns), 0, None, lambda window: False) or cells
        stray = [c for pos, c in enumerate(cells) if c.text.strip() and (pos >= len(self.columns) or not self.columns[pos])]
        filled = [c for c in cells if c and c.text.strip()]
        if stray and len(filled) == len(named):
            return list(zip(named, filled, strict=True))
        if stray:
            self.result.warnings.append(f"line {stray[0].line}: 表二 value {stray[0].text} stands under no column")
        return [(pos, cells[pos]) for pos in named if pos < len(cells) and cells[pos] is not None]

    # --- 表三 ---------------------------------------------------------------------

    def _apply_row(self, row: Row, texts: list[str]) -> None:
        if any(self.cat.is_table_header("apply", t) for t in texts):
            self._apply_header(texts)
            return
        label_at = _last_label(texts)
        if label_at is None:
            return
        # a label cell may hold its group too: （三）不予公开 1.属于国家秘密
        parts = [part for t in texts[: label_at + 1] if t for part in split_label(t)]
        for part in parts:
            if self.cat.is_apply_group_label(part):
                self.parent = part
        metric = self.cat.match_apply_row(parts[-1], self.parent) if parts else None
        if metric is None:
            return
        width = len(self.cat.applicant_order)
        cells = row.cells[label_at + 1 :]
        if self._cut(row, len(cells), width):
            return
        window = _align(cells, width, label_at + 1, self.natural_column, _applicants_add_up)
        if window is None:
            self.result.warnings.append(f"line {row.line}: 表三 row {texts[label_at]} has {len(cells)} value cells")
            return
        self._add_cells(list(template.apply_row(metric).cells), window, row.line, TABLE_APPLY)

    def _apply_header(self, texts: list[str]) -> None:
        natural = self.cat.applicants["natural"].header
        for i, t in enumerate(texts):
            if normalize_label(t) in natural:
                self.natural_column = i

    # --- 表四 ---------------------------------------------------------------------

    def _review_row(self, row: Row, texts: list[str]) -> None:
        if self.review_filled >= set(self.cat.review_blocks):
            return
        label_at = _last_label(texts)
        cells = row.cells[label_at + 1 :] if label_at is not None else row.cells
        if label_at is not None and not any(c.text.strip() for c in cells):
            # a header row: remember the blocks it names (a block per row, or all three)
            named = [b for t in texts if t for b in self.cat.review_blocks_named(t)]
            if named:
                self.review_hint = list(dict.fromkeys(named))
            self.review_header_seen = True
            return
        labelled = self.cat.review_blocks_named(texts[label_at]) if label_at is not None else []
        self._fill_review(row, cells, labelled)

    def _fill_review(self, row: Row, cells: list[Cell], labelled: list[str]) -> None:
        """Put a value row's cells into the blocks it holds: all three, or the ones its label or header name."""
        all_blocks = list(self.cat.review_blocks)
        trimmed = _trim_blank(cells)
        if len(cells) >= len(all_blocks) * REVIEW_BLOCK_WIDTH or len(trimmed) > 2 * REVIEW_BLOCK_WIDTH:
            blocks = all_blocks
        else:
            wanted = [b for b in (labelled or self.review_hint) if b not in self.review_filled]
            wanted = wanted or [b for b in all_blocks if b not in self.review_filled]
            count = max(1, -(-len(trimmed) // REVIEW_BLOCK_WIDTH))
            blocks = wanted[:count]
        width = len(blocks) * REVIEW_BLOCK_WIDTH
        # the text ending in 表四's row: which blocks its values belong to is not known unless its label says
        if self._cut(row, len(cells), width if labelled else len(all_blocks) * REVIEW_BLOCK_WIDTH):
            return
        window = _align(cells, width, 0, None, _review_adds_up)
        if window is None:
            self.result.warnings.append(f"line {row.line}: 表四 row has {len(cells)} cells, expected {width}")
            return
        self._add_cells(list(template.review_row(*blocks).cells), window, row.line, TABLE_REVIEW)
        self.review_filled.update(blocks)
        self.review_hint = []

    def _blank_review_row(self, row: Row) -> None:
        """A value row printed with all fifteen cells blank, right under 表四's headers."""
        width = len(self.cat.review_blocks) * REVIEW_BLOCK_WIDTH
        if self.review_header_seen and not self.review_filled and len(row.cells) == width:
            self._fill_review(row, row.cells, [])


def _row_of(texts: list[str], line: int) -> Row:
    return Row([Cell(t, line) for t in texts], line)


def _unit_in_header(text: str) -> str | None:
    """The money unit a header states (采购总金额（元）, 本年收费金额（单位：万元）); longest name first."""
    return next((unit for unit in sorted(MONEY_UNITS, key=len, reverse=True) if unit in text), None)


def _last_label(texts: list[str]) -> int | None:
    """Index of the last cell that is a label rather than a value."""
    found = None
    for i, t in enumerate(texts):
        if t and parse_cell(t) is None:
            found = i
    return found


def _trim_blank(cells: list[Cell]) -> list[Cell]:
    """Cells without the blank ones at either end."""
    filled = [i for i, c in enumerate(cells) if c.text.strip()]
    return cells[filled[0] : filled[-1] + 1] if filled else []


def _number(cell: Cell | None) -> float:
    if cell is None:
        return 0.0
    value = parse_cell(cell.text)
    return float(value.value) if value and value.kind == NUMBER else 0.0


def _is_number(cell: Cell | None) -> bool:
    value = parse_cell(cell.text) if cell else None
    return bool(value) and value.kind == NUMBER


def _applicants_add_up(window: list[Cell | None]) -> bool:
    # a row of blanks adds up to nothing: it does not decide where a row's cells sit
    return template.sums_hold(TABLE_APPLY, [_number(c) for c in window]) and any(_is_number(c) for c in window)


def _review_adds_up(window: list[Cell | None]) -> bool:
    return template.sums_hold(TABLE_REVIEW, [_number(c) for c in window])


def _align(cells: list[Cell], width: int, first_index: int, expected_start: int | None, adds_up) -> list | None:
    """The `width` cells holding a row's values; None pads a short row at its end (a row whose last cells
    the export left out). More cells are placed as every reader places them (index.template.place), the
    header's first column (expected_start) breaking a tie."""
    if len(cells) <= width:
        return list(cells) + [None] * (width - len(cells))
    lead = expected_start - first_index if expected_start is not None else None
    return template.place(cells, width, lambda c: not c.text.strip(), adds_up, lead)
