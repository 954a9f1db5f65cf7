"""The shape HTML, Word and PDF reports come out in: blocks of collapsed lines, tables on a full grid.

Shared by the per-format readers so that every one joins blocks, trims text and
lays out merged cells the same way.
"""

from __future__ import annotations

from index import limits


def join_blocks(blocks: list[list[str]]) -> list[str]:
    """Blocks of lines → one list with a single blank line between blocks."""
    lines: list[str] = []
    for block in blocks:
        if not block:
            continue
        if lines:
            lines.append("")
        lines.extend(block)
    return lines


def collapse(text: str) -> str:
    """Whitespace runs (newlines, TABs, U+3000, NBSP) → one space, trimmed; zero-width marks dropped."""
    return " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())


def span_grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) → a rectangular grid; spanned positions other than the top-left are ''.

    OverLimit when the grid would pass limits.GRID_CELLS (spans in the tens of thousands): checked before
    anything is laid out, so a 15 KB page cannot ask for gigabytes.
    """
    need = sum(min(max(rowspan, 1), len(rows) - r) * max(colspan, 1)
               for r, cells in enumerate(rows) for _, rowspan, colspan in cells)
    if need > limits.GRID_CELLS:
        raise limits.OverLimit(f"a table whose merged cells span {need} positions, over the limit of {limits.GRID_CELLS}")
    taken: dict[tuple[int, int], str] = {}
    for r, cells in enumerate(rows):
        c = 0
        for text, rowspan, colspan in cells:
            while (r, c) in taken:
                c += 1
            for dr in range(min(rowspan, len(rows) - r)):
                for dc in range(colspan):
                    taken[(r + dr, c + dc)] = text if dr == dc == 0 else ""
            c += colspan
    width = max((c for _, c in taken), default=-1) + 1
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))]
