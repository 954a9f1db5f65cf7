"""Tables printed as one stream of text (crawler dumps): the template's labels in order, the values after each.

A crawler's text dump prints a whole table in one paragraph with no separator
between label and cells or between cells (`…申请数量713000074二、上年结转…`). The
national template's labels are found in printed order; the value text after each
label is the row, and index.runs cuts it into cells by the tables' own sums.
Used for a table the row readers found nothing of.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from index import catalogue, runs, template
from index.catalogue import TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW
from index.cells import MONEY_UNITS, parse_cell
from index.layout import Block, Paragraph
from index.recover import apply_rules, recovered_value, sums_of
from index.tables import TableFact
from index.template import TemplateRow

# what a row's values may be printed with: digits, separators, signs, slashes, dashes, a money unit
_VALUE_CHARS = r"[\d\s.|/／+\-—－–]*"
_VALUE_TEXT = re.compile(rf"{_VALUE_CHARS}(?:{'|'.join(sorted(MONEY_UNITS, key=len, reverse=True))})?{_VALUE_CHARS}")
# the next label's own number ("2." of 2.其他法律…), glued to the row's last digit
_NEXT_NUMBER = re.compile(r"\d\s*[.．、]\s*$")
_CLOSERS = "）)”\"」"
# the most characters between 第二十条 and 信息内容 in 表二's head (第（一）项 and spacing)
_HEAD_GAP = 16


@dataclass
class StreamTables:
    facts: list[TableFact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: str = "none"


def read_stream_tables(blocks: list[Block], have: set[tuple[str, str | None]], fmt_hint: str = "") -> StreamTables:
    """Facts of the template rows none of whose cells is in `have`, read from the report's text as one stream.

    A dump may print the page on a few long lines, cut anywhere: the paragraphs are
    read joined, a line break separating cells like a space. The format is the hint
    when it is one, else what the text's labels say.
    """
    out = StreamTables()
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    texts = [unicodedata.normalize("NFKC", p.text) for p in paragraphs]
    text = "\n".join(texts)
    starts = list(itertools.accumulate((len(t) + 1 for t in texts[:-1]), initial=0))

    def line_at(offset: int) -> int:
        return paragraphs[bisect.bisect_right(starts, offset) - 1].line

    cat = catalogue.load()
    proactive_at = _proactive_start(text)
    # 表三 starts at its header words (申请人情况, 自然人 …), after 表二 when there is one
    apply_at = _first(text, cat.table_headers.get("apply", ()), max(proactive_at, 0))
    if apply_at < 0:
        return out
    fmt = fmt_hint if fmt_hint in template.FORMATS else _format(text)
    review = _review_row(text, apply_at)
    tables = {TABLE_APPLY: _apply_rows(text, apply_at, review[1] if review else len(text), fmt)}
    if 0 <= proactive_at < apply_at:
        tables[TABLE_PROACTIVE] = _proactive_rows(text, proactive_at, apply_at, fmt)
    if review:
        tables[TABLE_REVIEW] = {template.review_row(*cat.review_blocks).key: review}
    for table, rows in tables.items():
        _read(table, {k: (raw, line_at(at)) for k, (raw, at) in rows.items()}, fmt, have, out)
    if out.facts:
        out.format = fmt
    return out


def _read(table: str, rows: dict[str, tuple[str, int]], fmt: str, have: set, out: StreamTables) -> None:
    """Cut each row's value text into cells; rows with one consistent cut become facts, the others warnings.

    Every row takes part in the sums; a row the row readers read already gives nothing more.
    """
    template_rows = template_rows_of(table, fmt)
    done = {key for key, row in template_rows.items() if any(c in have for c in row.cells)}
    if done >= set(template_rows):
        return
    if sum(bool(re.search(r"\d", raw)) for raw, _ in rows.values()) * 2 < len(template_rows):
        return  # labels met in prose, not a table printed as a stream
    table_runs = [runs.Run(key, raw, template_rows[key].width, sums_of(template_rows[key]))
                  for key, (raw, _) in rows.items()]
    split = runs.split_table(table_runs, apply_rules(fmt, rows) if table == TABLE_APPLY else [])
    for key, texts in split.cells.items():
        if key in done:
            continue
        for (metric, applicant), text in zip(template_rows[key].cells, texts, strict=True):
            value = recovered_value(text) if key in split.recovered else parse_cell(text)
            if value is not None:
                out.facts.append(TableFact(metric, applicant, value, rows[key][1], table, value.unit))
    for key, why in split.unreadable.items():
        if key in done:
            continue
        raw, line = rows[key]
        out.warnings.append(f"line {line}: {table} row {row_label(key)} unreadable ({why}): {raw.strip()[:60]}")


# --- the template ---------------------------------------------------------------------------------


def template_rows_of(table: str, fmt: str) -> dict[str, TemplateRow]:
    """Row key → template row, for one table in one format (表四 as one row of fifteen, as a dump prints it)."""
    if table == TABLE_REVIEW:
        row = template.review_row(*catalogue.load().review_blocks)
        return {row.key: row}
    return {row.key: row for row in template.rows(table, fmt)}


def row_label(key: str) -> str:
    """A template row's label as warnings name it (行政规范性文件, 予以公开, 行政复议+…)."""
    cat = catalogue.load()
    if key in cat.metrics:
        return cat.metrics[key].label
    if key.startswith("proactive."):
        return cat.proactive_labels.get(key.split(".", 1)[1], key)
    return "+".join(cat.metrics[f"{b}.total"].row_label for b in key.split("+"))


def _proactive_start(text: str) -> int:
    """Where 表二 starts: its first 第二十条 followed closely by the label column's head (信息内容), or -1."""
    heads = catalogue.load().table_headers
    for item in heads["proactive_item"]:
        for m in re.finditer(re.escape(item), text):
            if any(label in text[m.end() : m.end() + _HEAD_GAP] for label in heads["proactive_label"]):
                return m.start()
    return -1


def _format(text: str) -> str:
    """2021 when a label only the 2021 format prints is there (本年制发件数, 3.其他 under （六）)."""
    cat = catalogue.load()
    compact = re.sub(r"[^\w]", "", text)
    apply_rows = [r for m in cat.metrics.values() if m.table == TABLE_APPLY and m.formats == ("2021",)
                  for r in m.rows if len(r) >= 6]
    columns = [h for col, heads in cat.proactive_columns.items() for h in heads
               if all(m.formats == ("2021",) for m in cat.metrics.values() if m.key.endswith(f".{col}"))]
    return "2021" if any(w in compact for w in apply_rows + columns) else "2019"


# --- finding labels in the stream -------------------------------------------------------------------


def _pattern(label: str) -> re.Pattern:
    # a label printed with spaces, punctuation or brackets between its characters, never digits
    return re.compile(r"[^\w]*".join(map(re.escape, label)))


def _first(text: str, words, start: int = 0) -> int:
    hits = [i for w in words if (i := text.find(w, start)) >= 0]
    return min(hits) if hits else -1


def _after_labels(text: str, start: int, stop: int, labels: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, int]]:
    """Key → (the value text printed after its label, where the label stands), labels found in template order."""
    found, pos = [], start
    for key, variants in labels:
        hits = [m for v in variants if v and (m := _pattern(v).search(text, pos, stop))]
        if hits:
            best = min(hits, key=lambda m: (m.start(), -len(m.group(0))))
            found.append((key, best))
            pos = best.end()
    out = {}
    for i, (key, m) in enumerate(found):
        end = found[i + 1][1].start() if i + 1 < len(found) else stop
        raw = _VALUE_TEXT.match(text[m.end() : end].lstrip(_CLOSERS)).group(0)
        out[key] = (_NEXT_NUMBER.sub("", raw), m.start())
    return out


def _apply_rows(text: str, start: int, stop: int, fmt: str) -> dict[str, tuple[str, int]]:
    cat = catalogue.load()
    return _after_labels(text, start, stop, [(k, cat.metrics[k].rows) for k in template_rows_of(TABLE_APPLY, fmt)])


def _proactive_rows(text: str, start: int, stop: int, fmt: str) -> dict[str, tuple[str, int]]:
    cat = catalogue.load()
    rows = template_rows_of(TABLE_PROACTIVE, fmt)
    return _after_labels(text, start, stop, [(k, cat.proactive_rows[k.split(".", 1)[1]]) for k in rows])


def _review_row(text: str, start: int) -> tuple[str, int] | None:
    """表四's value text: what follows its header words (行政复议 行政诉讼 结果维持 … 总计), and where it starts."""
    cat = catalogue.load()
    words = sorted({w for ws in (*cat.review_block_header.values(), *cat.review_column_header.values()) for w in ws},
                   key=len, reverse=True)
    anchor = cat.review_block_header[cat.review_blocks[0]][0]  # 行政复议 heads the table
    for first in (m.start() for m in re.finditer(re.escape(anchor), text[start:])):
        pos, columns = start + first, 0
        while True:
            word = next((w for w in words if text.startswith(w, pos)), None)
            if word is None:
                break
            columns += cat.names_review_column(word)
            pos += len(word)
            pos += len(text[pos:]) - len(text[pos:].lstrip())
        raw = _VALUE_TEXT.match(text, pos).group(0)
        # the table's column heads came first (结果维持 … 总计): prose such as 行政复议7件 is no table
        if columns and re.search(r"\d", raw):
            return raw, start + first
    return None
