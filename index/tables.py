"""Table rows → facts of the three national tables, keyed by the catalogue.

Rows are read by what they say, not where they stand: a row label names its
metric (表三), a header row names its columns (表二), and 表四 is the one row
of fifteen values under its headers. Exports shift cells (merged label columns
become one, two or no empty cells), so when a row has more cells than the
table has columns, the consistency rules choose where its values sit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index import catalogue
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW, normalize_label
from index.cells import BLANK, NUMBER, CellValue, clean, parse_cell
from index.layout import Block, Cell, Paragraph, Row
from index.sections import heading_key

APPLY_HEADER_WORDS = ("申请人情况", "勾稽关系", "自然人", "商业企业", "科研机构", "法律服务机构", "社会公益组织")
REVIEW_HEADER_WORDS = ("行政复议", "行政诉讼", "维持", "纠正", "审结", "起诉", "其他结果", "总计", "结果")
SECTION_TABLE = {"proactive": TABLE_PROACTIVE, "apply": TABLE_APPLY, "review": TABLE_REVIEW}


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
    for block in blocks:
        if isinstance(block, Paragraph):
            reader.paragraph(block)
        else:
            reader.row(block)
    return reader.finish()


class _Reader:
    def __init__(self) -> None:
        self.cat = catalogue.load()
        self.result = TableResult()
        self.kind: str | None = None
        self.seen: set[tuple[str, str | None]] = set()
        # 表二 state
        self.columns: list[str | None] = []
        self.column_units: list[str | None] = []
        self.formats: set[str] = set()
        # 表三 state
        self.parent = ""
        self.natural_column: int | None = None
        # 表四 state
        self.review_done = False

    # --- dispatch ----------------------------------------------------------------

    def paragraph(self, block: Paragraph) -> None:
        key = heading_key(block.text)
        if key:
            self.kind = SECTION_TABLE.get(key)
            self.parent = ""

    def row(self, row: Row) -> None:
        texts = [clean(t) for t in row.texts]
        if not any(texts):
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
        joined = "".join(texts)
        if "第二十条" in joined or "信息内容" in joined:
            return TABLE_PROACTIVE
        if any(w in joined for w in APPLY_HEADER_WORDS):
            return TABLE_APPLY
        if "行政复议" in joined and ("行政诉讼" in joined or "维持" in joined):
            return TABLE_REVIEW
        if self.kind is not None:
            # inside a table, only a header switches tables: 表四's 总计 is no 表三 row
            return None
        labels = [t for t in texts if t and parse_cell(t) is None]
        if labels and self.cat.match_proactive_row(labels[0]):
            return TABLE_PROACTIVE
        if labels and self.cat.match_apply_row(labels[-1], self.parent):
            return TABLE_APPLY
        return None

    def finish(self) -> TableResult:
        res = self.result
        if "2021" in self.formats:
            res.format = "2021"
        elif "2019" in self.formats:
            res.format = "2019"
        elif res.found:
            res.format = "2019" if any(f.metric == "apply.other" for f in res.facts) else "2021"
            if not any(f.metric.startswith("apply.other") for f in res.facts):
                res.format = "unknown"
        return res

    def _add(self, metric: str, applicant: str | None, cell: Cell, value: CellValue, table: str, unit=None) -> None:
        if (metric, applicant) in self.seen:
            self.result.warnings.append(f"line {cell.line}: {metric} {applicant or ''} appears twice; kept the first")
            return
        self.seen.add((metric, applicant))
        self.result.facts.append(TableFact(metric, applicant, value, cell.line, table, unit or value.unit))
        self.result.found.add(table)

    # --- 表二 ---------------------------------------------------------------------

    def _proactive_row(self, row: Row, texts: list[str]) -> None:
        joined = "".join(texts)
        if "第二十条" in joined:
            self.columns, self.column_units = [], []
            return
        first = next((i for i, t in enumerate(texts) if t), 0)
        if normalize_label(texts[first]) == "信息内容" or (
            self.cat.match_proactive_column(texts[first]) and not self.cat.match_proactive_row(texts[first])
        ):
            offset = first + 1 if normalize_label(texts[first]) == "信息内容" else first
            self.columns = [self.cat.match_proactive_column(t) if t else None for t in texts[offset:]]
            self.column_units = [_unit_in_header(t) for t in texts[offset:]]
            for col in self.columns:
                fmt = _PROACTIVE_FORMAT.get(col or "")
                if fmt:
                    self.formats.add(fmt)
            if any("本年收费金额" in t for t in texts):
                self.formats.add("2021")
            return
        label_at = _last_label(texts)
        if label_at is None:
            return
        row_key = self.cat.match_proactive_row(texts[label_at])
        if not row_key:
            return
        if not self.columns:
            self.result.warnings.append(f"line {row.line}: 表二 row {texts[label_at]} has no column headers; skipped")
            return
        for pos, cell in enumerate(row.cells[label_at + 1 :]):
            if pos >= len(self.columns) or not self.columns[pos]:
                continue
            value = parse_cell(cell.text)
            metric = f"proactive.{row_key}.{self.columns[pos]}"
            if value is None or metric not in self.cat.metrics:
                continue
            unit = value.unit or self.column_units[pos] or self.cat.metrics[metric].unit
            self._add(metric, None, cell, value, TABLE_PROACTIVE, unit)

    # --- 表三 ---------------------------------------------------------------------

    def _apply_row(self, row: Row, texts: list[str]) -> None:
        if any(w in t for t in texts for w in APPLY_HEADER_WORDS):
            self._apply_header(texts)
            return
        label_at = _last_label(texts)
        if label_at is None:
            return
        for t in texts[: label_at + 1]:
            if t and self.cat.is_apply_group_label(t):
                self.parent = t
        metric = self.cat.match_apply_row(texts[label_at], self.parent)
        if metric is None:
            return
        if metric == "apply.other":
            self.formats.add("2019")
        elif metric.startswith("apply.other."):
            self.formats.add("2021")
        width = len(self.cat.applicant_order)
        cells = row.cells[label_at + 1 :]
        window = _align(cells, width, label_at + 1, self.natural_column, _applicants_add_up)
        if window is None:
            self.result.warnings.append(f"line {row.line}: 表三 row {texts[label_at]} has {len(cells)} value cells")
            return
        for applicant, cell in zip(self.cat.applicant_order, window, strict=True):
            value = parse_cell(cell.text) if cell else CellValue(BLANK, None, None, "")
            self._add(metric, applicant, cell or Cell("", row.line), value, TABLE_APPLY)

    def _apply_header(self, texts: list[str]) -> None:
        for i, t in enumerate(texts):
            if t == "自然人":
                self.natural_column = i

    # --- 表四 ---------------------------------------------------------------------

    def _review_row(self, row: Row, texts: list[str]) -> None:
        if self.review_done:
            return
        label_at = _last_label(texts)
        if label_at is not None and any(w in t for t in texts for w in REVIEW_HEADER_WORDS):
            return
        start = 0 if label_at is None else label_at + 1
        cells = row.cells[start:]
        if not any(parse_cell(c.text).kind == NUMBER for c in cells):
            return
        blocks = self.cat.review_blocks
        columns = self.cat.review_columns
        width = len(blocks) * len(columns)
        window = _align(cells, width, start, None, _review_adds_up)
        if window is None:
            self.result.warnings.append(f"line {row.line}: 表四 row has {len(cells)} cells, expected {width}")
            return
        keys = [f"{b}.{c}" for b in blocks for c in columns]
        for key, cell in zip(keys, window, strict=True):
            value = parse_cell(cell.text) if cell else CellValue(BLANK, None, None, "")
            self._add(key, None, cell or Cell("", row.line), value, TABLE_REVIEW)
        self.review_done = True


_PROACTIVE_FORMAT = {
    "made": "2019",
    "published": "2019",
    "total_public": "2019",
    "prev_items": "2019",
    "change": "2019",
    "items": "2019",
    "issued": "2021",
    "repealed": "2021",
    "in_force": "2021",
}


def _unit_in_header(text: str) -> str | None:
    if "万元" in text:
        return "万元"
    if "亿元" in text:
        return "亿元"
    if "元" in text:
        return "元"
    return None


def _last_label(texts: list[str]) -> int | None:
    """Index of the last cell that is a label rather than a value."""
    found = None
    for i, t in enumerate(texts):
        if t and parse_cell(t) is None:
            found = i
    return found


def _number(cell: Cell | None) -> float:
    if cell is None:
        return 0.0
    value = parse_cell(cell.text)
    return float(value.value) if value and value.kind == NUMBER else 0.0


def _applicants_add_up(window: list[Cell | None]) -> bool:
    return abs(sum(_number(c) for c in window[:-1]) - _number(window[-1])) < 1e-9 and any(
        parse_cell(c.text).kind == NUMBER for c in window if c
    )


def _review_adds_up(window: list[Cell | None]) -> bool:
    ok = True
    for b in range(0, len(window), 5):
        block = window[b : b + 5]
        ok &= abs(sum(_number(c) for c in block[:4]) - _number(block[4])) < 1e-9
    return ok


def _align(cells: list[Cell], width: int, first_index: int, expected_start: int | None, adds_up) -> list | None:
    """The `width` cells holding a row's values.

    With extra cells, only blank ones may be dropped, and the window whose
    values satisfy the table's own sum rule wins; then the one under the
    header's first column; then the leftmost.
    """
    n = len(cells)
    if n == width:
        return list(cells)
    if n < width:
        if n == 0 or n < width - 2 and not any(parse_cell(c.text).kind == NUMBER for c in cells):
            return [None] * width if n == 0 else list(cells) + [None] * (width - n)
        return list(cells) + [None] * (width - n)
    best, best_score = None, -1
    for lead in range(0, n - width + 1):
        dropped = cells[:lead] + cells[lead + width :]
        if any(parse_cell(c.text).kind != BLANK for c in dropped):
            continue
        window = cells[lead : lead + width]
        score = 2 * adds_up(window)
        if expected_start is not None and first_index + lead == expected_start:
            score += 1
        if score > best_score:
            best, best_score = window, score
    return list(best) if best is not None else None
