"""Lines of a report → logical blocks: paragraphs and table rows.

Reports reach us in several layouts (see docs/domain.md): tab-separated rows,
one cell per line with blank lines between rows, markdown pipe tables, and the
rows that index.read renders from HTML/DOCX/PDF tables. Each comes out as the
same `Row` of `Cell`s, every piece keeping its 1-based source line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from index.cells import is_value

_NOISE = re.compile(r"\[(?:bookmark|image):[^\]]*\]?|\[image\]")
_HEADING_START = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d{1,2}[、.．]\s|[（(][一二三四五六七八九十\d]+[)）])")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


@dataclass
class Cell:
    text: str
    line: int


@dataclass
class Row:
    cells: list[Cell]
    line: int

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]


@dataclass
class Paragraph:
    text: str
    line: int
    lines: list[int] = field(default_factory=list)
    # lines of spaces alone just before this one: web text prints a blank cell that way
    # (an empty line separates cells, a line holding a space is a cell left blank)
    blank_before: list[int] = field(default_factory=list)


Block = Row | Paragraph


def strip_noise(text: str) -> str:
    """Drop OCR and Word markers such as [image: …] and [bookmark: _Hlk…]."""
    return _NOISE.sub("", text)


def _is_cell_line(line: str) -> bool:
    # "\tcell" with no other tab: the one-cell-per-line layout
    return line.startswith("\t") and line.count("\t") == 1


def _is_md_row(line: str) -> bool:
    s = line.strip()
    return s.startswith("|") and s.endswith("|") and s.count("|") >= 3


def _looks_like_heading(text: str) -> bool:
    return bool(_HEADING_START.match(text)) and len(text.strip()) > 4


def blocks(lines: list[str]) -> list[Block]:
    """Every paragraph and table row of a report, in order."""
    out: list[Block] = []
    i, n = 0, len(lines)
    spaces: list[int] = []
    while i < n:
        raw = strip_noise(lines[i])
        if _is_cell_line(raw):  # before the blank test: a line "\t" alone is an empty cell
            i = _read_cell_rows(lines, i, out)
            spaces = []
            continue
        if not raw.strip():
            if raw.count("\t") >= 2:
                # a table row printed with every cell blank is a statement too (表四 left empty)
                out.append(Row([Cell("", i + 1) for _ in raw.split("\t")], i + 1))
                spaces = []
            elif raw and "\t" not in raw:
                spaces.append(i + 1)
            i += 1
            continue
        if _is_md_row(raw):
            if not _MD_SEPARATOR.match(raw):
                parts = raw.strip().strip("|").split("|")
                out.append(Row([Cell(p.strip(), i + 1) for p in parts], i + 1))
            spaces = []
            i += 1
            continue
        if "\t" in raw:
            cells = [Cell(strip_noise(p).strip(), i + 1) for p in raw.split("\t")]
            out.append(Row(cells, i + 1))
            spaces = []
            i += 1
            continue
        out.append(Paragraph(raw.strip(), i + 1, [i + 1], spaces))
        spaces = []
        i += 1
    return out


def _read_cell_rows(lines: list[str], start: int, out: list[Block]) -> int:
    """Read rows written one cell per line, blank lines between rows.

    A line without the leading tab right after a label cell (even across a
    blank line) continues that cell: Word exports break words that way (申\\n\\n请).
    """
    i, n = start, len(lines)
    row: list[Cell] = []
    while i < n:
        raw = strip_noise(lines[i])
        if _is_cell_line(raw):
            row.append(Cell(raw[1:].strip(), i + 1))
            i += 1
            continue
        if not raw.strip():
            # a blank: either a row break or a break inside a broken word
            j = i
            while j < n and not strip_noise(lines[j]).strip() and not _is_cell_line(strip_noise(lines[j])):
                j += 1
            if j < n and row and _continues(row[-1], strip_noise(lines[j])) and j - i <= 2:
                row[-1].text += strip_noise(lines[j]).strip()
                i = j + 1
                continue
            if row:
                out.append(Row(row, row[0].line))
                row = []
            if j >= n or not (_is_cell_line(strip_noise(lines[j]))):
                return j
            i = j
            continue
        if row and _continues(row[-1], raw):
            row[-1].text += raw.strip()
            i += 1
            continue
        break
    if row:
        out.append(Row(row, row[0].line))
    return i


def _continues(cell: Cell, line: str) -> bool:
    """Whether a tab-less line is the rest of a broken label cell."""
    text = line.strip()
    if not text or line.startswith("\t") or "\t" in line:
        return False
    if not cell.text or is_value(cell.text):
        return False
    return len(text) <= 40 and not _looks_like_heading(text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith(("。", "！", "？", "；", ";", "!", "?"))


def paragraph_runs(blocks: list[Block]) -> list[list[Paragraph]]:
    """Paragraphs joined where a line stops mid-sentence and the next line goes on.

    PDF text arrives one printed line at a time; a passage or a sentence spans several.
    """
    runs: list[list[Paragraph]] = []
    previous: Paragraph | None = None
    for block in blocks:
        if not isinstance(block, Paragraph):
            previous = None
            continue
        if previous is not None and previous.line + 1 == block.line and not _ends_sentence(previous.text):
            runs[-1].append(block)
        else:
            runs.append([block])
        previous = block
    return runs
