"""Test helpers: a seed report's lines re-rendered in other layouts and encodings.

A test renders one seed as Markdown, HTML, Word, Excel, PDF, GBK or UTF-16 and checks
that the parser yields the same facts from each. Which lines form a table, and
how the one-cell-per-line runs of seeds 001/004 reassemble into rows, is decided
in one place: `segments`.
"""

from __future__ import annotations

import html
from pathlib import Path

Table = list[list[str]]

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE_2021 = FIXTURES / "template_2021_format.docx"
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)

# --- where the tables are ------------------------------------------------------------------


def segments(lines: list[str]) -> list[str | Table]:
    """The seed as text lines and tables (rows of cells), in order; one-cell-per-line runs become rows."""
    out: list[str | Table] = []
    i = 0
    while i < len(lines):
        if "\t" in lines[i]:
            table, i = _take_table(lines, i)
            out.append(table)
        else:
            out.append(lines[i])
            i += 1
    return out


def _is_cell_line(line: str) -> bool:
    """A "\\tcell" line: one cell of the one-cell-per-line layout."""
    return line.startswith("\t") and line.count("\t") == 1


def _at(lines: list[str], i: int) -> str | None:
    """lines[i], or None past the end."""
    return lines[i] if i < len(lines) else None


def _take_table(lines: list[str], i: int) -> tuple[Table, int]:
    """Rows from line i on; a single blank line between tab lines does not end the table, two do."""
    rows: Table = []
    while True:
        group, i = _take_group(lines, i)
        rows.extend(group)
        following = _at(lines, i + 1)
        if _at(lines, i) is not None and not lines[i].strip() and following is not None and "\t" in following:
            i += 1
            continue
        return rows, i


def _take_group(lines: list[str], i: int) -> tuple[Table, int]:
    """Consecutive tab lines: each one row, or, when all are "\\tcell" lines, together one row."""
    j = i
    while j < len(lines) and "\t" in lines[j]:
        j += 1
    if not all(_is_cell_line(line) for line in lines[i:j]):
        return [line.split("\t") for line in lines[i:j]], j
    cells = [line[1:] for line in lines[i:j]]
    while (found := _continuation(lines, j)) is not None:
        text, j = found
        cells[-1] = glue(cells[-1], text)
        while j < len(lines) and _is_cell_line(lines[j]):
            cells.append(lines[j][1:])
            j += 1
    return [cells], j


def _continuation(lines: list[str], j: int) -> tuple[str, int] | None:
    """A tab-less line at j (or after one blank, as in 申\\n\\n请) that continues the cell before it.

    It continues the cell only when a cell line follows it: a heading after a table does not.
    """
    line, after, third = _at(lines, j), _at(lines, j + 1), _at(lines, j + 2)
    if line is None:
        return None
    if line.strip() and "\t" not in line:
        if (after is not None and _is_cell_line(after)) or (
            after is not None and not after.strip() and third is not None and _is_cell_line(third)
        ):
            return line.strip(), j + 1
        return None
    if not line.strip() and after and after.strip() and "\t" not in after and third and _is_cell_line(third):
        return after.strip(), j + 2
    return None


def glue(left: str, right: str) -> str:
    """Two pieces of a broken cell: no space when either side is Chinese, else one space."""
    if not left or not right:
        return left + right
    return left + ("" if not (left[-1].isascii() and right[0].isascii()) else " ") + right


def _is_apply_table(rows: Table) -> bool:
    """Whether a table is 表三 (收到和处理政府信息公开申请情况)."""
    return any("本年新收" in cell or "勾稽关系" in cell for row in rows for cell in row)


def label_spans(rows: Table) -> dict[tuple[int, int], int]:
    """For 表三: row-label cells that span the empty label cells below them, as {(row, col): rowspan}.

    Only leading empty cells of the two label columns are absorbed, so expanding the
    spans again puts an empty string back at exactly each absorbed position.
    """
    if not _is_apply_table(rows):
        return {}
    spans: dict[tuple[int, int], int] = {}
    origin: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(rows):
        lead = next((c for c, cell in enumerate(row) if cell.strip()), len(row))
        for c in range(min(lead, 2)):
            above = origin.get((r - 1, c)) or ((r - 1, c) if r and c < len(rows[r - 1]) else None)
            if above is None or not _is_label(rows[above[0]][c]):
                break
            origin[(r, c)] = above
            spans[above] = spans.get(above, 1) + 1
    return spans


def _is_label(text: str) -> bool:
    """Whether a cell holds a label rather than a value or nothing."""
    stripped = text.strip()
    return bool(stripped) and not stripped.lstrip("+-").replace(".", "").isdigit()


def _absorbed(spans: dict[tuple[int, int], int]) -> set[tuple[int, int]]:
    """The cell positions covered by a span other than its own top-left one."""
    return {(r + k, c) for (r, c), n in spans.items() for k in range(1, n)}


# --- text formats ---------------------------------------------------------------------------


def to_markdown(lines: list[str]) -> str:
    """The seed with each table as a markdown pipe table (header row padded to the widest row)."""
    out: list[str] = []
    for seg in segments(lines):
        if isinstance(seg, str):
            if out and out[-1].startswith("|") and seg.strip():
                out.append("")  # a paragraph right after a table would read as one more row
            out.append(seg)
            continue
        if out and out[-1].strip():
            out.append("")
        width = max(len(row) for row in seg)
        header = seg[0] + [""] * (width - len(seg[0]))
        out.append(_md_row(header))
        out.append("|" + " --- |" * width)
        out.extend(_md_row(row) for row in seg[1:])
    return "\n".join(out) + "\n"


def _md_row(cells: list[str]) -> str:
    """One markdown table row, pipes inside cells escaped."""
    return "| " + " | ".join(cell.strip().replace("|", "\\|") for cell in cells) + " |"


def to_html(lines: list[str], charset: str = "utf-8") -> str:
    """The seed as an HTML page: <p> per text line, <table> per table; 表三's label columns as real rowspans."""
    body: list[str] = []
    for seg in segments(lines):
        if isinstance(seg, str):
            if seg.strip():
                body.append(f"<p>{html.escape(seg.strip())}</p>")
            continue
        body.append(_html_table(seg))
    head = f'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="{charset}">\n</head>\n<body>\n'
    return head + "\n".join(body) + "\n</body>\n</html>\n"


def _html_table(rows: Table) -> str:
    """One <table>, with rowspans where 表三's row labels span the rows below."""
    spans = label_spans(rows)
    absorbed = _absorbed(spans)
    out = ['<table border="1">']
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            if (r, c) in absorbed:
                continue
            span = f' rowspan="{spans[(r, c)]}"' if (r, c) in spans else ""
            cells.append(f"<td{span}>{html.escape(text.strip())}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def to_gbk(text: str) -> bytes:
    """The text in GBK, as old Chinese Windows tools save it."""
    return text.encode("gbk")


def to_utf16(text: str, bom: bool = True, byteorder: str = "little") -> bytes:
    """The text in UTF-16, little- or big-endian, with or without a BOM."""
    data = text.encode("utf-16-le" if byteorder == "little" else "utf-16-be")
    if not bom:
        return data
    return ("\ufeff".encode("utf-16-le" if byteorder == "little" else "utf-16-be")) + data


# --- Word -------------------------------------------------------------------------------------


def to_docx(lines: list[str], path: str | Path) -> None:
    """The seed as a .docx: paragraphs, and tables as wide as their widest row; 表三's labels vertically merged."""
    import docx

    document = docx.Document()
    for seg in segments(lines):
        if isinstance(seg, str):
            if seg.strip():
                document.add_paragraph(seg.strip())
            continue
        width = max(len(row) for row in seg)
        table = document.add_table(rows=len(seg), cols=width)
        table.style = "Table Grid"
        for row, cells in zip(table.rows, seg, strict=True):
            for cell, text in zip(row.cells, cells, strict=False):
                if text.strip():
                    cell.text = text.strip()
        for (r, c), span in label_spans(seg).items():
            table.cell(r, c).merge(table.cell(r + span - 1, c))
    document.save(str(path))


def to_xlsx(lines: list[str], path: str | Path) -> None:
    """The seed as one Excel sheet: each text line a row in column A, each table a block of rows with
    表三's labels merged down, an empty row around every table; whole numbers stored as numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    row = 1
    for seg in segments(lines):
        if isinstance(seg, str):
            if seg.strip():
                sheet.cell(row, 1, seg.strip())
                row += 1
            continue
        row += 1
        for r, cells in enumerate(seg):
            for c, text in enumerate(cells):
                if text.strip():
                    sheet.cell(row + r, c + 1, _sheet_value(text.strip()))
        for (r, c), span in label_spans(seg).items():
            sheet.merge_cells(start_row=row + r, start_column=c + 1, end_row=row + r + span - 1, end_column=c + 1)
        row += len(seg) + 1
    workbook.save(str(path))


def _sheet_value(text: str) -> str | int:
    """A whole number as a number cell (a spreadsheet stores it so); anything else as text."""
    return int(text) if text.isascii() and text.isdigit() and (text == "0" or not text.startswith("0")) else text


APPLICANTS = ("natural", "commercial", "research", "social", "legal", "other_org", "total")
# The template's 表三 rows from its fourth row on, in national order (2021 format).
APPLY_ROWS_2021 = (
    "apply.new",
    "apply.carried_over",
    "apply.granted",
    "apply.partial",
    "apply.denied.state_secret",
    "apply.denied.law_forbidden",
    "apply.denied.security_stability",
    "apply.denied.third_party",
    "apply.denied.internal_affairs",
    "apply.denied.process_info",
    "apply.denied.enforcement_file",
    "apply.denied.query_matter",
    "apply.unable.not_held",
    "apply.unable.need_creation",
    "apply.unable.unclear",
    "apply.not_processed.petition",
    "apply.not_processed.repeated",
    "apply.not_processed.publication",
    "apply.not_processed.excessive",
    "apply.not_processed.confirm",
    "apply.other.no_correction",
    "apply.other.no_fee",
    "apply.other.other",
    "apply.total",
    "apply.carried_forward",
)
# The template's 表二 value cells as (row, grid column).
PROACTIVE_CELLS_2021 = {
    "proactive.rules.issued": (2, 1),
    "proactive.rules.repealed": (2, 2),
    "proactive.rules.in_force": (2, 3),
    "proactive.normative_docs.issued": (3, 1),
    "proactive.normative_docs.repealed": (3, 2),
    "proactive.normative_docs.in_force": (3, 3),
    "proactive.licensing.decisions": (6, 1),
    "proactive.penalty.decisions": (9, 1),
    "proactive.coercion.decisions": (10, 1),
    "proactive.fees.amount": (13, 1),
}
REVIEW_KEYS = tuple(
    f"{block}.{column}"
    for block in ("review", "litigation.direct", "litigation.after_review")
    for column in ("upheld", "corrected", "other", "pending", "total")
)


def fill_template_2021(values: dict, path: str | Path) -> None:
    """The national 2021 Word template with its three tables filled, merged cells untouched.

    `values` maps 表二/表四 keys (proactive.penalty.decisions, review.total…) to a value, and
    表三 keys (apply.new…) to {applicant: value} with applicants natural…other_org, total.
    Missing keys leave the cell blank, as a report that left it empty.
    """
    import docx

    document = docx.Document(str(TEMPLATE_2021))
    proactive, apply, review = document.tables
    for key, (r, c) in PROACTIVE_CELLS_2021.items():
        _put(proactive, r, c, values.get(key))
    for r, key in enumerate(APPLY_ROWS_2021, start=3):
        by_applicant = values.get(key) or {}
        for c, applicant in enumerate(APPLICANTS, start=3):
            _put(apply, r, c, by_applicant.get(applicant))
    for c, key in enumerate(REVIEW_KEYS):
        _put(review, 3, c, values.get(key))
    document.save(str(path))


def _put(table, row: int, column: int, value) -> None:
    """Write a value into the cell at a grid position; None leaves the cell as it is."""
    if value is not None:
        table.cell(row, column).text = str(value)


# --- PDF ----------------------------------------------------------------------------------------


def cjk_font() -> Path | None:
    """A font with Chinese glyphs on this machine, or None (install Debian's fonts-wqy-microhei)."""
    return next((Path(p) for p in CJK_FONTS if Path(p).exists()), None)


def to_pdf(lines: list[str], path: str | Path, font: str | Path | None = None) -> None:
    """The seed as an A4 PDF with real text: wrapped paragraphs, tables with ruling lines, "- N -" page numbers."""
    font = font or cjk_font()
    if font is None:
        raise RuntimeError("no CJK font found: apt-get install fonts-wqy-microhei")
    from matplotlib import rc_context

    # TrueType fonts with a ToUnicode map keep the text extractable; the setting is read when
    # text is drawn and again when the file is closed, so it must hold for the whole run
    with rc_context({"pdf.fonttype": 42}):
        pdf = _Pdf(Path(path), Path(font))
        for seg in segments(lines):
            if isinstance(seg, str):
                if seg.strip():
                    pdf.paragraph(seg.strip())
            else:
                pdf.table(seg)
        pdf.close()


PAGE_W, PAGE_H, MARGIN = 595.0, 842.0, 56.0
TEXT_SIZE, TABLE_SIZE = 10.5, 8.0


def _width(text: str, size: float) -> float:
    """Printed width of text in points: Chinese glyphs a full em, ASCII about half."""
    return sum(size * (0.55 if ch.isascii() else 1.0) for ch in text)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Text broken into lines that fit `width` points."""
    lines, current = [], ""
    for ch in text:
        if current and _width(current + ch, size) > width:
            lines.append(current)
            current = ""
        current += ch
    return lines + [current] if current else lines


class _Pdf:
    """Draws text and ruled tables page by page with matplotlib's PDF backend (already a project dependency)."""

    def __init__(self, path: Path, font: Path) -> None:
        from matplotlib import font_manager
        from matplotlib.backends.backend_pdf import PdfPages

        self.font = font_manager.FontProperties(fname=str(font))
        self.pages = PdfPages(str(path))
        self.figure = None
        self.number = 0
        self.y = PAGE_H

    def _new_page(self) -> None:
        """Start a blank page, finishing the one before."""
        from matplotlib.figure import Figure  # no pyplot: no global state, no GUI backend

        self._finish_page()
        self.number += 1
        self.figure = Figure(figsize=(PAGE_W / 72, PAGE_H / 72))
        self.y = MARGIN

    def _finish_page(self) -> None:
        """Number the page and write it out."""
        if self.figure is not None:
            self._text(PAGE_W / 2 - 12, PAGE_H - 40, f"- {self.number} -", TEXT_SIZE)
            self.pages.savefig(self.figure)
            self.figure = None

    def _room(self, height: float) -> None:
        """Start a new page unless `height` points still fit on this one."""
        if self.figure is None or self.y + height > PAGE_H - MARGIN:
            self._new_page()

    def _text(self, x: float, y: float, text: str, size: float) -> None:
        """Text whose top-left corner is at (x, y) points from the page's top-left."""
        self.figure.text(
            x / PAGE_W,
            1 - y / PAGE_H,
            text,
            fontproperties=self.font,
            fontsize=size,
            va="top",
            ha="left",
            parse_math=False,
        )

    def _rule(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A ruling line between two points measured from the top-left."""
        from matplotlib.lines import Line2D

        self.figure.add_artist(
            Line2D(
                [x0 / PAGE_W, x1 / PAGE_W],
                [1 - y0 / PAGE_H, 1 - y1 / PAGE_H],
                transform=self.figure.transFigure,
                color="black",
                linewidth=0.6,
            )
        )

    def paragraph(self, text: str) -> None:
        """A paragraph wrapped to the text width."""
        for line in _wrap(text, PAGE_W - 2 * MARGIN, TEXT_SIZE):
            self._room(TEXT_SIZE * 1.6)
            self._text(MARGIN, self.y, line, TEXT_SIZE)
            self.y += TEXT_SIZE * 1.6

    def table(self, rows: Table) -> None:
        """A table with every cell ruled, rows continuing on the next page when they run out of room."""
        self.y += 6
        widths = _column_widths(rows, PAGE_W - 2 * MARGIN)
        edges = [MARGIN + sum(widths[:c]) for c in range(len(widths) + 1)]
        for row in rows:
            wrapped = [
                _wrap(row[c].strip(), widths[c] - 4, TABLE_SIZE) if c < len(row) else [] for c in range(len(widths))
            ]
            height = max([len(w) for w in wrapped] + [1]) * TABLE_SIZE * 1.3 + 6
            self._room(height)
            top = self.y
            self._rule(edges[0], top, edges[-1], top)
            self._rule(edges[0], top + height, edges[-1], top + height)
            for x in edges:
                self._rule(x, top, x, top + height)
            for c, cell_lines in enumerate(wrapped):
                for k, line in enumerate(cell_lines):
                    self._text(edges[c] + 2, top + 3 + k * TABLE_SIZE * 1.3, line, TABLE_SIZE)
            self.y += height
        self.y += 10

    def close(self) -> None:
        """Write the last page and finish the file."""
        self._finish_page()
        self.pages.close()


def _column_widths(rows: Table, total: float) -> list[float]:
    """Column widths that fit `total` points: every number on one line, the rest shared by text length."""
    count = max(len(row) for row in rows)
    columns = [[row[c].strip() for row in rows if c < len(row)] for c in range(count)]
    least = [max([_width(t, TABLE_SIZE) + 6 for t in cells if not _is_label(t)] + [16.0]) for cells in columns]
    natural = [max([min(_width(t, TABLE_SIZE) + 6, 180.0) for t in cells] + [0.0]) for cells in columns]
    extra = [max(n - m, 0.0) for n, m in zip(natural, least, strict=True)]
    room = max(total - sum(least), 0.0)
    share = min(1.0, room / sum(extra)) if sum(extra) else 0.0
    widths = [m + e * share for m, e in zip(least, extra, strict=True)]
    scale = total / sum(widths)  # stretch to the full width, or shrink if even the numbers do not fit
    return [w * scale for w in widths]
