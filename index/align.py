"""Read the national tables by the template, whatever the layout.

A report's text, in reading order, is a stream of labels and values: however
its cells were separated (TABs, blank lines, one cell a line, spaces, `|`
pipes with empty cells), a row is its label followed by its values. The
aligner walks that stream and puts each row's values into the cells of the
template row its label names (index.template), and only when they fit:

- a row with exactly as many values as the template row has cells is read;
- with more, only blank cells printed at its ends may be dropped (pipes and
  merged cells pad rows), and the table's own sum rule picks the window;
- with fewer, or values that cannot be told apart, nothing is read and the
  row is reported unreadable (a cut copy, a run of digits such as
  `713000074`): a fact is never guessed.

Labels may be split across lines (本年新 / 制作数量, 5.要求行政机关确认或重新出 /
具已获取信息) or merged with their group (三、本年度办理结果 | (一)予以公开): the
last few label pieces before the values are joined and their last numbered
part is matched. Blank, 0, `/` and `-` stay distinct (index.cells).

Each row's value text as printed is kept (`AlignedRow.raw`), so a reader of
run-together digits (index.runs) can split a row the aligner could not read:
see `recover` below.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from index import catalogue, template
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW, normalize_label, split_label
from index.cells import BLANK, MONEY_UNITS, CellValue, parse_cell
from index.layout import Block, Paragraph
from index.sections import heading_key
from index.template import TemplateRow

SECTION_TABLE = {"proactive": TABLE_PROACTIVE, "apply": TABLE_APPLY, "review": TABLE_REVIEW}
REVIEW_BLOCK_WIDTH = template.REVIEW_BLOCK_WIDTH
# how many label pieces before a row's values may make up its label (a label broken over lines)
LABEL_PIECES = 4
# 表四's labels are short cells; a longer one, or one with a sentence's punctuation, is prose
CELL_LABEL_MAX = 20
SENTENCE_MARKS = ("，", "。", "；", "：", "、", ",", ";")
# a row label found at the end of a longer label (headers run into it) scores below an exact match;
# 表三's short labels (其他, 总计) are never found that way
SUFFIX_SCORE = 80.0
SUFFIX_LABEL_MIN = 4


@dataclass
class Token:
    text: str
    line: int
    value: CellValue | None = None  # None: a label
    # a section heading: the table it opens ("" for a section that holds no table)
    heading: str | None = None
    # a blank cell printed as a line of its own (spaces), not a pipe's padding
    own_line: bool = False
    # a value printed run together with a label (规章000): trusted only where the row's sums hold
    glued: bool = False


@dataclass
class AlignedRow:
    """One template row as the report prints it: its label, the values after it, and what they fill."""

    table: str
    key: str  # template row key (apply.new, proactive.rules) or 表四's blocks (review+litigation.direct)
    label: str
    line: int
    values: list[Token] = field(default_factory=list)
    # the values' text as printed, between this label and the next (for index.runs)
    raw: str = ""
    row: TemplateRow | None = None
    # (metric, applicant) → value, in the row's order; None when the values do not fit the row
    cells: list[tuple[tuple[str, str | None], CellValue, int, str | None]] | None = None
    problem: str = ""


@dataclass
class Alignment:
    rows: list[AlignedRow] = field(default_factory=list)
    format: str | None = None
    warnings: list[str] = field(default_factory=list)


# A hook for readers that can fill a row the aligner cannot (index.runs splits a run of digits by
# the sum rules): called with the row (its `raw` text and `row.cells`), it returns the row's cell
# values in order, or None. Facts it gives are the reader's responsibility to mark as recovered.
Recover = Callable[[AlignedRow], list[CellValue] | None]
recoverers: list[Recover] = []


# --- the stream -------------------------------------------------------------------------


def stream(blocks: list[Block]) -> list[Token]:
    """The report's labels and values in reading order, with section headings marked."""
    out: list[Token] = []
    for block in blocks:
        out.extend(Token("", line, parse_cell(""), own_line=True) for line in block.blank_before)
        if isinstance(block, Paragraph):
            key = heading_key(block.text)
            if key and key != "other_heading" and "|" not in block.text:
                out.append(Token(block.text, block.line, heading=SECTION_TABLE.get(key, "")))
                continue
            out.extend(_pieces(block.text, block.line, pipes=True))
        else:
            for cell in block.cells:
                value = parse_cell(cell.text)
                if value is not None:
                    out.append(Token(cell.text, cell.line, value))
                else:
                    out.extend(_pieces(cell.text, cell.line, pipes=False))
    return out


def _pieces(text: str, line: int, pipes: bool) -> list[Token]:
    """A line or cell cut into labels and values: at pipes (an empty piece is a blank cell), then at spaces."""
    if pipes and "|" in text:
        parts = text.strip().split("|")
        if text.strip().endswith("|"):
            parts = parts[:-1]  # the pipe closing a row opens no cell
        if text.strip().startswith("|"):
            parts = parts[1:]
    else:
        parts = [text]
    out: list[Token] = []
    for part in parts:
        if not part.strip():
            if len(parts) > 1 or pipes and "|" in text:
                out.append(Token(part, line, parse_cell("")))
            continue
        whole = parse_cell(part)
        if whole is not None:  # 8937 万元: a value and its unit, one cell
            out.append(Token(part, line, whole))
            continue
        label: list[str] = []
        for word in part.split():
            value = parse_cell(word)
            joined = parse_cell(out[-1].text + word) if out and out[-1].value and not label else None
            if value is None and joined is not None:
                out[-1] = Token(out[-1].text + word, line, joined)  # a unit printed apart from its number
                continue
            if value is None:
                for piece, cell in _unglue(word):
                    if cell is None:
                        label.append(piece)
                        continue
                    if label:
                        out.append(Token("".join(label), line))
                        label = []
                    out.append(Token(piece, line, cell, glued=True))
                continue
            if label:
                out.append(Token("".join(label), line))
                label = []
            out.append(Token(word, line, value))
        if label:
            out.append(Token("".join(label), line))
    return out


_DIGITS = re.compile(r"\d+(?:\.\d+)?(?:万元|亿元|元)?")
_NUMBERING_AFTER = ".、．"


@lru_cache(maxsize=1)
def _date_words() -> dict[str, int]:
    return catalogue.raw_data()["date_words"]


def _is_date(digits: str, after: str) -> bool:
    """A year, month or day in a sentence (2018年立案): at most as many digits as the date word takes
    (a year exactly four); a longer run is cells run together before it (00002021年)."""
    most = _date_words().get(after)
    return most is not None and digits.isdigit() and (len(digits) == most if most == 4 else len(digits) <= most)


def _unglue(word: str) -> list[tuple[str, CellValue | None]]:
    """A word with labels and digits run together (规章000规范性文件898989) cut into labels and digit runs.

    A digit that numbers the label after it (…00000002.其他法律…, （1）) stays with that label. A run
    may hold several cells (898989): the aligner leaves such a row unread, index.runs may split it.
    """
    out: list[tuple[str, CellValue | None]] = []
    at = 0
    for m in _DIGITS.finditer(word):
        start, end = m.start(), m.end()
        before, after = word[start - 1 : start], word[end : end + 1]
        if (before and before in "（(第") or (after and after in "）)") or _is_date(m.group(), after):
            continue
        if after and after in _NUMBERING_AFTER and "." not in m.group():
            end -= 1  # its last digit numbers the next label
        if end <= start:
            continue
        if start > at:
            out.append((word[at:start], None))
        out.append((word[start:end], parse_cell(word[start:end])))
        at = end
    if at < len(word):
        out.append((word[at:], None))
    return out


# --- aligning -------------------------------------------------------------------------


def align(blocks: list[Block], format_hint: str | None = None) -> Alignment:
    """Every template row the report prints, with the values it gives each cell."""
    return _Aligner().run(stream(blocks), format_hint)


@dataclass
class _Segment:
    table: str
    key: str  # a 表三 metric, a 表二 row key (rules), or "" for 表四
    label: str
    line: int
    blocks: tuple[str, ...] = ()  # 表四: the blocks the header or label named
    unit: str | None = None  # 表二: the money unit the column header states
    values: list[Token] = field(default_factory=list)
    last: bool = False  # the text ends inside this row
    blank_only: bool = False  # every cell printed blank: read only when the count fits exactly


class _Aligner:
    def __init__(self) -> None:
        self.cat = catalogue.load()
        self.kind: str | None = None
        self.parent = ""
        self.run_labels: list[Token] = []
        self.segments: list[_Segment] = []
        self.current: _Segment | None = None
        self.proactive_text: list[str] = []  # 表二's label text, for the format its headers name
        # 表二: the labels since the item's 第二十条 header: the money unit its header states (采购总金额（万元）),
        # however the header was broken over lines
        self.item_text: list[str] = []
        self.votes: set[str] = set()
        self.blanks: list[Token] = []

    def run(self, tokens: list[Token], format_hint: str | None) -> Alignment:
        for token in tokens:
            if token.heading is not None:
                self._close()
                self._blank_row()
                self.kind = token.heading or None
                self.parent, self.run_labels, self.blanks = "", [], []
            elif token.value is None:
                self._label(token)
            else:
                self._value(token)
        if self.current is not None:
            self.current.last = True
        self._close()
        self._blank_row()
        fmt = self._format(format_hint)
        return self._assign(fmt)

    def _label(self, token: Token) -> None:
        if self.current is not None:
            self._close()
            self.run_labels = []
        elif self._blank_row():
            self.run_labels = []
        # other blanks between labels are a header's padding (申请人情况 | ||||||||), not a row
        self.blanks = []
        self.run_labels.append(token)
        text = token.text
        cat = self.cat
        if cat.is_table_header("proactive_item", text):
            self.kind, self.item_text = TABLE_PROACTIVE, []
        elif cat.is_table_header("proactive_label", text):
            self.kind = TABLE_PROACTIVE
        elif cat.is_table_header("apply", text) and self.kind != TABLE_REVIEW:
            self.kind = TABLE_APPLY
        if self.kind == TABLE_PROACTIVE:
            self.proactive_text.append(text)
            self.item_text.append(text)

    def _blank_row(self) -> bool:
        """A row whose cells are all printed blank: each on a line of its own (规章 / " " / " " / " "),
        or on the label's line between pipes. A bare column header (总计 | |||||||) is no such row."""
        labels = self.run_labels
        if not labels or labels[-1].text.strip() in self._column_words():
            return False
        # the row's blanks; a following table row's leading empty cells are that row's padding
        blanks = list(itertools.takewhile(lambda t: t.own_line or t.line == labels[-1].line, self.blanks))
        if not blanks:
            return False
        segment = self._open(labels)
        if segment is None:
            return False
        segment.values, segment.blank_only = blanks, True
        self.segments.append(segment)
        self.blanks = []
        return True

    def _column_words(self) -> set[str]:
        """Column headers printed alone (总计, 其他, 自然人): words a row label never is without its number."""
        if not hasattr(self, "_columns"):
            cat = self.cat
            self._columns = {w for a in cat.applicants.values() for w in a.header}
            self._columns |= {w for words in cat.review_column_header.values() for w in words}
        return self._columns

    def _value(self, token: Token) -> None:
        if self.current is None:
            if token.value.kind == BLANK:
                # a row opens at its first printed value; blanks before it wait (they may be its first cells)
                self.blanks.append(token)
                return
            self.current = self._open(self.run_labels) if self.run_labels else None
            if self.current is None:
                self.current = _Segment("", "", "", token.line)  # values under no template row: skipped
            self.current.values.extend(self.blanks)
            self.blanks = []
        self.current.values.append(token)

    def _close(self) -> None:
        if self.current is not None and self.current.values and self.current.table:
            self.segments.append(self.current)
        self.current = None

    def _open(self, labels: list[Token]) -> _Segment | None:
        """The template row a run of labels names (its last pieces, joined), or None."""
        cat = self.cat
        cells = [t for t in labels if _cell_like(t.text)]
        named = tuple(b for t in cells for b in cat.review_blocks_named(t.text))
        review_header = len(set(named)) > 1 or (named and any(cat.names_review_column(t.text) for t in cells))
        # 表四's header run together into one piece (…行政复议行政诉讼结果维持…尚未审结总计000…)
        review_header = review_header or self._glued_review_header(labels[-1].text)
        if review_header or (self.kind == TABLE_REVIEW and _cell_like(labels[-1].text) and (named or len(labels) == 1)):
            self.kind = TABLE_REVIEW
            return _Segment(TABLE_REVIEW, "", labels[-1].text, labels[-1].line, tuple(dict.fromkeys(named)))
        for t in labels:
            for part in split_label(t.text):
                if cat.is_apply_group_label(part):
                    self.parent = part
        # the label is the reading of its last pieces that fits a template row best (ties: fewer pieces)
        best: tuple[float, int, str, str] | None = None
        for k in range(1, min(len(labels), LABEL_PIECES) + 1):
            parts = split_label("".join(t.text for t in labels[-k:]))
            if not parts:
                continue
            if self.kind == TABLE_PROACTIVE:
                key, score = cat.score_proactive_row(parts[-1])
            elif self.kind in (TABLE_APPLY, None):
                key, score = cat.score_apply_row(parts[-1], self.parent)
            else:
                key = None
            if key is None:
                key, score = self._suffix_row(parts[-1])
            if key and (best is None or score > best[0]):
                best = (score, k, key, parts[-1])
        if best is None:
            return None
        _, _, key, _ = best
        line = labels[-1].line
        # the row named as the template names it, however the report printed or ran it together
        label = cat.proactive_labels[key] if self.kind == TABLE_PROACTIVE else cat.metrics[key].label
        if self.kind == TABLE_PROACTIVE:
            return _Segment(TABLE_PROACTIVE, key, label, line, unit=_unit_in("".join(self.item_text)))
        self.kind = TABLE_APPLY
        formats = cat.metrics[key].formats
        if len(formats) == 1:
            self.votes.add(formats[0])
        return _Segment(TABLE_APPLY, key, label, line)

    def _glued_review_header(self, text: str) -> bool:
        cat = self.cat
        text = normalize_label(text)
        ends = any(text.endswith(w) for words in cat.review_column_header.values() for w in words)
        return ends and len(set(cat.review_blocks_named(text))) > 1

    def _suffix_row(self, text: str) -> tuple[str | None, float]:
        return _suffix_row(self.kind, text)


    def _format(self, hint: str | None) -> str | None:
        text = normalize_label("".join(self.proactive_text))
        votes = set(self.votes)
        for fmt, words in template.format_words().items():
            if any(w in text for w in words):
                votes.add(fmt)
        if len(votes) == 1:
            return votes.pop()
        if hint in template.FORMATS and (not votes or hint in votes):
            return hint
        # weakest: a 表二 row whose values fit one format's width only (行政许可 with three values: 2019)
        for seg in self.segments:
            if seg.table == TABLE_PROACTIVE:
                fits = {f for f in template.FORMATS if _width_fits(template.proactive_row(seg.key, f), seg.values)}
                widths = {template.proactive_row(seg.key, f).width for f in template.FORMATS
                          if template.proactive_row(seg.key, f)}
                if len(fits) == 1 and len(widths) > 1:
                    votes |= fits
        if len(votes) == 1:
            return votes.pop()
        # a 2021 table anywhere decides: 2019 words in a 2021 report are the old labels reused
        return "2021" if "2021" in votes else None

    def _assign(self, fmt: str | None) -> Alignment:
        result = Alignment(format=fmt)
        filled: set[str] = set()
        for seg in self.segments:
            aligned = AlignedRow(seg.table, seg.key, seg.label, seg.line, seg.values,
                                 " ".join(t.text.strip() for t in seg.values))
            if seg.table == TABLE_PROACTIVE:
                aligned.row = template.proactive_row(seg.key, fmt) if fmt else None
                if aligned.row is None:
                    aligned.problem = "the table's format is not known" if not fmt else f"no such row in {fmt}"
            elif seg.table == TABLE_APPLY:
                aligned.row = template.apply_row(seg.key)
            else:
                aligned.row = self._review_row(seg, filled)
                aligned.key = aligned.row.key if aligned.row else "review"
                if aligned.row is None:
                    aligned.problem = f"{len(seg.values)} values, the blocks they fill not known"
            if seg.blank_only and (aligned.row is None or aligned.row.width > len(seg.values) or (
                    seg.table == TABLE_REVIEW and len(seg.values) != len(self.cat.review_blocks) * REVIEW_BLOCK_WIDTH)):
                continue  # blanks after a label that fit no row: a merged header cell's padding
            if aligned.row is not None:
                cells = self._fit(aligned, seg)
                if cells is not None:
                    aligned.cells = [
                        (key, value, token_line, _unit(key, value, seg.unit))
                        for key, (value, token_line) in zip(aligned.row.cells, cells, strict=True)
                    ]
                    if seg.table == TABLE_REVIEW:
                        filled.update(aligned.row.key.split("+"))
                elif not aligned.problem:
                    aligned.problem = f"{len(seg.values)} values for {aligned.row.width} cells"
            result.rows.append(aligned)
        return result

    def _review_row(self, seg: _Segment, filled: set[str]) -> TemplateRow | None:
        blocks = self.cat.review_blocks
        count = len(_trim_blank(seg.values))
        if count > 2 * REVIEW_BLOCK_WIDTH or len(seg.values) == len(blocks) * REVIEW_BLOCK_WIDTH:
            return template.review_row(*blocks)
        if seg.last and not (count == REVIEW_BLOCK_WIDTH and len(self.cat.review_blocks_named(seg.label)) == 1):
            # the text ends inside 表四's row: which blocks it holds is known only from a row of five
            # whose own label names its block (复议后起诉 | 0 0 0 0 0)
            return None
        wanted = [b for b in seg.blocks if b not in filled] or [b for b in blocks if b not in filled]
        many = max(1, -(-count // REVIEW_BLOCK_WIDTH))
        return template.review_row(*wanted[:many]) if wanted else None

    def _fit(self, aligned: AlignedRow, seg: _Segment) -> list[tuple[CellValue, int]] | None:
        row = aligned.row
        values = seg.values
        rule = _rule_for(row)
        window = _window(values, row.width, rule)
        if window is not None and any(t.glued for t in window) and (rule is None or not rule(window)):
            # values run together with labels: without the row's own sums, where cells part is not known
            window = None
        if window is None and seg.last and len(values) == row.width + 1 and values[-1].value.kind != BLANK:
            # a copy cut just after a row's last cell keeps the start of the next line (2 of 2.其他…,
            # 20 of 2020年): the row is the values before it, when they keep the row's sum rule
            kept = values[:-1]
            window = kept if rule is None or rule(kept) else None
            if window is not None:
                aligned.problem = f"the text ends in {values[-1].text.strip()} after this row"
        if window is None:
            for recover in recoverers:
                found = recover(aligned)
                if found is not None and len(found) == row.width:
                    return [(v, aligned.line) for v in found]
            return None
        return [(t.value, t.line) for t in window]


def _cell_like(text: str) -> bool:
    """Whether a label reads as a table cell rather than a piece of a sentence (件，其中结果维持)."""
    return len(text) <= CELL_LABEL_MAX and not any(p in text for p in SENTENCE_MARKS)


def _width_fits(row: TemplateRow | None, values: list[Token]) -> bool:
    return row is not None and _window(values, row.width, None) is not None


def _trim_blank(values: list[Token]) -> list[Token]:
    filled = [i for i, t in enumerate(values) if t.value.kind != BLANK]
    return values[filled[0] : filled[-1] + 1] if filled else []


def _window(values: list[Token], width: int, adds_up) -> list[Token] | None:
    """The `width` values holding a row's cells, or None (index.template.place: blanks dropped, sums decide)."""
    return template.place(values, width, lambda t: t.value.kind == BLANK, adds_up)


def _number(token: Token) -> float:
    v = token.value
    return float(v.value) if v is not None and v.value is not None else 0.0


def _rule_for(row: TemplateRow):
    """The sum rule of a row (index.template.sums_hold), None for a row that has none (表二)."""
    if row.table not in (TABLE_APPLY, TABLE_REVIEW):
        return None
    return lambda w: template.sums_hold(row.table, [_number(t) for t in w])


def _unit_in(text: str) -> str | None:
    """The money unit a header states (采购总金额（元）, 本年收费金额（单位：万元）); longest name first."""
    return next((unit for unit in sorted(MONEY_UNITS, key=len, reverse=True) if unit in text), None)


def _unit(key: tuple[str, str | None], value: CellValue, header_unit: str | None) -> str | None:
    """A cell's unit: its own (8937万元), else its column header's, else the catalogue's."""
    metric = catalogue.load().metrics[key[0]]
    return value.unit or (header_unit if metric.money else None) or metric.unit


@lru_cache(maxsize=65_536)
def _suffix_row(kind: str | None, text: str) -> tuple[str | None, float]:
    """A row label with its headers run in front of it (…对外公开总数量规章): the longest row label it ends with."""
    cat = catalogue.load()
    text = normalize_label(text)
    if kind == TABLE_PROACTIVE:
        labels = [(label, key) for key, names in cat.proactive_rows.items() for label in names]
    elif kind in (TABLE_APPLY, None):
        labels = [(row, m.key) for m in cat.metrics.values() if m.table == TABLE_APPLY for row in m.rows
                  if len(row) >= SUFFIX_LABEL_MIN]
    else:
        return None, 0.0
    found = max(((len(label), key) for label, key in labels if text.endswith(label)), default=None)
    return (found[1], SUFFIX_SCORE) if found else (None, 0.0)
