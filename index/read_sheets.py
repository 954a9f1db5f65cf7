"""Excel .xls/.xlsx reports → lines: each sheet's rows, read by python-calamine.

A sheet is cut into blocks at its empty rows. A block whose cells all sit in
one column is text (a title, a paragraph); any other block is a table: one line
per row, TAB between cells, on the block's own rectangular grid. A merged
cell's text is at its top-left, the rest of its positions empty, as in Word
tables. Numbers come back as printed: 5.0 → "5".
"""

from __future__ import annotations

import datetime
from pathlib import Path

from index import limits
from index.read_blocks import collapse, join_blocks
from index.read_docx import check_zip


def read_sheets(path: Path) -> list[str]:
    """Every sheet's text blocks and tables, sheet after sheet."""
    from python_calamine import CalamineWorkbook

    with open(path, "rb") as handle:
        is_zip = handle.read(4) == b"PK\x03\x04"
    if is_zip:
        check_zip(path)  # a zip bomb is refused before calamine inflates it
    blocks: list[list[str]] = []
    # from a file object calamine tells .xls from .xlsx by content; from a path it goes by the name
    with open(path, "rb") as handle, CalamineWorkbook.from_filelike(handle) as workbook:
        for index in range(len(workbook.sheet_names)):
            sheet = workbook.get_sheet_by_index(index)
            if sheet.height * sheet.width > limits.GRID_CELLS:
                raise limits.OverLimit(f"a sheet of {sheet.height} × {sheet.width} cells, over the limit of "
                                       f"{limits.GRID_CELLS}")
            rows = [[cell_text(value) for value in row] for row in sheet.to_python(skip_empty_area=True)]
            blocks.extend(sheet_blocks(rows))
    return join_blocks(blocks)


def sheet_blocks(rows: list[list[str]]) -> list[list[str]]:
    """A sheet's rows → blocks: runs of non-empty rows, each text lines or a table on its own grid."""
    blocks: list[list[str]] = []
    run: list[list[str]] = []
    for row in [*rows, []]:
        if any(row):
            run.append(row)
            continue
        if run:
            blocks.extend(_block(run))
            run = []
    return blocks


def _block(run: list[list[str]]) -> list[list[str]]:
    """One run of rows: one block per text line when a single column is used, else one table."""
    used = sorted({c for row in run for c, cell in enumerate(row) if cell})
    if len(used) == 1:
        return [[row[used[0]]] for row in run]
    first, last = used[0], used[-1]
    return [["\t".join((row + [""] * (last + 1 - len(row)))[first:last + 1]) for row in run]]


def cell_text(value) -> str:
    """A cell as printed: integral numbers without ".0", dates as ISO dates, text with its whitespace collapsed."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    return collapse(str(value))
