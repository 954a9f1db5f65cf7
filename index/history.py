"""Past years' figures from a report's own chart table (历年依申请公开件办理情况).

Some reports chart earlier years; those figures feed the trend answers, marked
as coming from a chart rather than from that year's own report.
"""

from __future__ import annotations

import re

from index.cells import NUMBER, parse_cell
from index.facts import Fact
from index.layout import Block, Paragraph, Row

_YEAR = re.compile(r"^(?:19|20)\d{2}(?:年)?$")
_APPLY_CAPTION = re.compile(r"依申请|政府信息公开申请|申请.{0,6}(?:办理|数量|件)")
CHART = "图表"


def history_facts(blocks: list[Block]) -> list[Fact]:
    """apply.new for the years a captioned chart table of applications lists."""
    facts: list[Fact] = []
    caption, caption_at = "", -99
    run: list[tuple[int, float, str, int]] = []
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            if _APPLY_CAPTION.search(block.text) and len(block.text) <= 40:
                caption, caption_at = block.text, index
            facts.extend(_flush(run, caption))
            run = []
            continue
        point = _year_point(block)
        if point and index - caption_at <= 12:
            run.append(point)
        else:
            facts.extend(_flush(run, caption))
            run = []
    facts.extend(_flush(run, caption))
    return facts


def _year_point(row: Row) -> tuple[int, float, str, int] | None:
    texts = [c.text.strip() for c in row.cells if c.text.strip()]
    if len(texts) < 2 or not _YEAR.match(texts[0]):
        return None
    value = parse_cell(texts[1])
    if not value or value.kind != NUMBER:
        return None
    cell = next(c for c in row.cells if c.text.strip() == texts[1])
    return int(texts[0][:4]), value.value, value.raw, cell.line


def _flush(run, caption: str) -> list[Fact]:
    if len(run) < 3 or not caption:
        return []
    return [Fact("apply.new", "total", value, "件", raw, line, CHART, NUMBER, sentence=caption, year=year)
            for year, value, raw, line in run]
