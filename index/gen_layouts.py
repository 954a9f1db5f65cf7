"""Generated reports → files in every layout the ingestion reads.

A report is a list of blocks: `Para` (a line of prose, a title or a heading)
and `Table` (a logical grid of cells with row and column spans, as the national
forms print them). Each writer renders the same blocks the way a real source
does: Word text exports with tab rows (seeds 000, 002) or one cell per line
(seeds 001, 004), markdown pipe tables, HTML with rowspan/colspan, and .docx
with gridSpan/vMerge.
"""

from __future__ import annotations

import html
import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache

LAYOUTS = ("tabs", "cells", "markdown", "html", "docx", "narrative")
EXTENSION = {"tabs": ".txt", "cells": ".txt", "markdown": ".md", "html": ".html", "docx": ".docx", "narrative": ".txt"}


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    label: bool = False  # a label cell (may be broken or noised); values never are


@dataclass
class Para:
    text: str
    kind: str = "p"  # p / title / heading / noise
    splittable: bool = False  # filler a page break may cut in two


@dataclass
class ApplyRow:
    """One 表三 row as printed: its label parts and seven value texts."""

    top: str = ""
    group: str = ""
    item: str = ""
    group_span: int = 1  # rows the group label covers
    values: list[str] = field(default_factory=list)


@dataclass
class Table:
    name: str  # 表二 / 表三 / 表四
    rows: list[list[Cell]]
    width: int
    apply_rows: list[ApplyRow] = field(default_factory=list)  # 表三 only, for Word-export tab rows
    apply_header: dict = field(default_factory=dict)


Block = Para | Table


@dataclass
class Style:
    """How one report is printed: chosen once per report."""

    rng: random.Random
    break_labels: float = 0.0  # share of long label cells broken across lines (cells layout)
    bookmarks: float = 0.0  # share of label cells with a [bookmark: _Hlk…] marker
    word_export: bool = False  # tabs: 表三 in the irregular Word export of seeds 000/002
    page_break_row: int | None = None  # tabs, word export: first 表三 row after a page break
    blank_lines: bool = True  # blank lines between paragraphs
    gbk: bool = False  # encode text as GB18030


# --- the grid ---------------------------------------------------------------------------


def grid(table: Table) -> list[list[str]]:
    """The table on a full rectangular grid: text at each cell's top-left, '' where it spans."""
    taken: dict[tuple[int, int], str] = {}
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = cell.text if dr == dc == 0 else ""
            c += cell.colspan
    return [[taken.get((r, c), "") for c in range(table.width)] for r in range(len(table.rows))]


def word_cells(table: Table) -> list[list[tuple[Cell | None, int]]]:
    """Each row as Word stores it: its cells, and an empty 'continue' cell (None, span) where a cell above reaches down."""
    below: dict[tuple[int, int], int] = {}  # (row, col) → colspan of a vertical merge continuing there
    out = []
    for r, row in enumerate(table.rows):
        cells: list[tuple[Cell | None, int]] = []
        c, pending = 0, list(row)
        while c < table.width:
            if (r, c) in below:
                span = below[(r, c)]
                cells.append((None, span))
                c += span
                continue
            if not pending:
                break
            cell = pending.pop(0)
            for dr in range(1, cell.rowspan):
                below[(r + dr, c)] = cell.colspan
            cells.append((cell, cell.colspan))
            c += cell.colspan
        out.append(cells)
    return out


# --- text layouts -----------------------------------------------------------------------


def _noised(text: str, style: Style) -> str:
    if text and style.bookmarks and style.rng.random() < style.bookmarks:
        return f"[bookmark: _Hlk{style.rng.randrange(10**7, 10**8)}]{text}"
    return text


def _broken(text: str, style: Style) -> list[str]:
    """A long label cell as Word text exports break it: 申 / (blank) / 请."""
    if len(text) < 8 or not style.break_labels or style.rng.random() >= style.break_labels:
        return [text]
    cut = style.rng.randrange(4, len(text) - 1)
    head, tail = text[:cut], text[cut:]
    if re.match(r"[\d（(一二三四五六七八九十]", tail):
        return [text]
    return [head, "", tail] if style.rng.random() < 0.6 else [head, tail]


def cells_lines(table: Table, style: Style) -> list[str]:
    """One cell per line ('\\tcell'), a blank line between rows (seeds 001, 004)."""
    lines: list[str] = []
    for row in word_cells(table):
        if lines:
            lines.append("")
        for cell, _ in row:
            if cell is None:
                lines.append("\t")
                continue
            if not cell.label:
                lines.append("\t" + cell.text)
                continue
            parts = _broken(cell.text, style)
            lines.append("\t" + _noised(parts[0], style))
            lines.extend(parts[1:])
    return lines


def tab_lines(table: Table, style: Style) -> list[str]:
    """Tab-separated rows: the full grid, or for 表三 the irregular rows of a Word export."""
    if table.name == "表三" and style.word_export:
        return _word_export_apply(table, style)
    if table.name == "chart":  # a pasted chart: tab rows with a blank line between (seed 001)
        return [line for row in grid(table) for line in ("\t".join(row), "")][:-1]
    return ["\t".join(row) for row in grid(table)]


def _word_export_apply(table: Table, style: Style) -> list[str]:
    """表三 as seeds 000 and 002 print it: ten cells a row, label columns shifting.

    Rows with one label print it over two cells; rows with a sub-item print
    three label cells; after a page break the merged cells above are lost and
    the label moves to the first cell (000 lines 105-110, 002 lines 79-81).
    """
    h = table.apply_header
    cols = h["columns"]
    lines = [
        "\t".join([h["note"], "", h["applicants"], "", "", "", "", "", cols[-1], ""]),
        "\t".join(["", "", cols[0], h["org"], "", "", "", "", "", ""]),
        "\t".join(["", "", "", *cols[1:-1], "", ""]),
    ]
    after_break = False
    for i, row in enumerate(table.apply_rows):
        values = row.values
        if style.page_break_row is not None and i >= style.page_break_row:
            after_break = True
        if row.top and row.group:
            cells = [row.top, row.group, *values, ""]
        elif row.top:
            cells = [row.top, "", *values, ""]
        elif not after_break and row.item:
            cells = ["", row.group, row.item, *values]
        elif not after_break:
            cells = ["", row.group, *values, ""]
        else:
            label = row.item or row.group
            cells = [label, *values, "", ""] if style.rng.random() < 0.5 else [label, "", *values, ""]
        lines.append("\t".join(cells))
    return lines


def markdown_lines(table: Table) -> list[str]:
    rows = grid(table)
    out = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * table.width]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


def text_file(blocks: list[Block], layout: str, style: Style) -> str:
    """A .txt or .md report."""
    out: list[str] = []
    gap = [""] if style.blank_lines or layout in ("tabs", "markdown") else []
    for block in blocks:
        if isinstance(block, Table):
            if layout == "cells" and block.name != "chart":
                body = cells_lines(block, style)
            elif layout == "markdown":
                body = markdown_lines(block)
            else:
                body = tab_lines(block, style)
            out += [*body, "", ""] if layout == "cells" else [*body, ""]
            continue
        text = block.text
        if layout == "markdown" and block.kind == "heading":
            text = "## " + text
        if block.splittable and layout in ("tabs", "cells") and style.rng.random() < 0.15 and len(text) > 30:
            cut = style.rng.randrange(10, len(text) - 10)
            out += [text[:cut], "", "", "", text[cut:], *gap]  # a page break inside a sentence (seed 000)
            continue
        out += [text, *gap]
    return "\n".join(out) + "\n"


# --- HTML -----------------------------------------------------------------------------------


def html_file(blocks: list[Block], title: str, style: Style) -> str:
    charset = "gb2312" if style.gbk else "utf-8"
    parts = [
        "<!DOCTYPE html>",
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{html.escape(title)}</title>",
        '<script>var _hmt = _hmt || [];</script></head><body><div class="main"><div class="article">',
    ]
    for block in blocks:
        if isinstance(block, Table):
            parts.append(_html_table(block, style))
        elif block.kind == "title":
            parts.append(f'<h2 class="title">{html.escape(block.text)}</h2>')
        elif block.kind == "heading":
            parts.append(f"<p><strong>{html.escape(block.text)}</strong></p>")
        else:
            parts.append(f'<p style="text-indent:2em">{html.escape(block.text)}</p>')
    parts.append("</div></div></body></html>")
    return "\n".join(parts) + "\n"


def _html_table(table: Table, style: Style) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row:
            attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            text = html.escape(cell.text)
            if cell.label and len(cell.text) >= 8 and style.rng.random() < 0.2:
                cut = len(cell.text) // 2
                text = f"{html.escape(cell.text[:cut])}<br>{html.escape(cell.text[cut:])}"
            if cell.label and style.rng.random() < 0.3:
                text = f'<p align="center"><span style="font-family:宋体">{text}</span></p>'
            cells.append(f"<td{attrs}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<table border="1" cellspacing="0" cellpadding="0"><tbody>' + "".join(rows) + "</tbody></table>"


# --- Word .docx -------------------------------------------------------------------------------

_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ' \
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_BORDERS = "".join(f'<w:{b} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                   for b in ("top", "left", "bottom", "right", "insideH", "insideV"))
_DATE = (2024, 1, 1, 0, 0, 0)


@lru_cache(maxsize=1)
def _docx_package() -> tuple[list[tuple[str, bytes]], str]:
    """python-docx's default package (every part but the body) and its section properties."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    parts, sect = [], ""
    with zipfile.ZipFile(buffer) as package:
        for name in package.namelist():
            data = package.read(name)
            if name == "word/document.xml":
                found = re.search(rb"<w:sectPr[ >].*</w:sectPr>", data, re.S)
                sect = found.group(0).decode("utf-8") if found else ""
            else:
                parts.append((name, data))
    return parts, sect


def _w_run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{html.escape(text, quote=False)}</w:t></w:r>'


def _w_para(text: str, bold: bool = False, center: bool = False) -> str:
    props = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    return f"<w:p>{props}{_w_run(text, bold) if text else ''}</w:p>"


def _w_table(table: Table, style: Style) -> str:
    out = [f'<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>{_BORDERS}</w:tblBorders></w:tblPr>',
           "<w:tblGrid>" + '<w:gridCol w:w="700"/>' * table.width + "</w:tblGrid>"]
    for row in word_cells(table):
        out.append("<w:tr>")
        for cell, span in row:
            props = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
            if cell is None:
                out.append(f"<w:tc><w:tcPr>{props}<w:vMerge/></w:tcPr><w:p/></w:tc>")
                continue
            if cell.rowspan > 1:
                props += '<w:vMerge w:val="restart"/>'
            if cell.label and " " in cell.text and style.rng.random() < 0.5:
                body = "".join(_w_para(part, center=True) for part in cell.text.split(" "))  # 结果 / 维持
            else:
                body = _w_para(cell.text, center=not cell.label)
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx_file(blocks: list[Block], style: Style) -> bytes:
    parts, sect = _docx_package()
    body = []
    for block in blocks:
        if isinstance(block, Table):
            body.append(_w_table(block, style))
        elif block.kind == "title":
            body.append(_w_para(block.text, bold=True, center=True))
        else:
            body.append(_w_para(block.text, bold=block.kind == "heading"))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document {_W_NS}><w:body>'
                + "".join(body) + sect + "</w:body></w:document>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        for name, data in [("word/document.xml", document.encode("utf-8")), *parts]:
            package.writestr(zipfile.ZipInfo(name, _DATE), data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def encode_text(text: str, style: Style) -> bytes:
    """UTF-8, or GB18030 as many government sites still serve (an HTML page then declares gb2312)."""
    if style.gbk:
        try:
            return text.encode("gb18030")
        except UnicodeEncodeError:
            text = text.replace("charset=gb2312", "charset=utf-8")
    return text.encode("utf-8")
