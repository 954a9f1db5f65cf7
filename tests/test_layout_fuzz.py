"""Layout fuzz: each tabled seed and the PDF's text, re-rendered in random layouts, gives the same table facts.

A layout picks, row by row, how cells are separated (one a line with or
without blank lines between, `|` pipes with padding, TABs, spaces), splits
labels across lines, merges a group label with its row label, may fold the
text to ASCII punctuation (NFKC), and cuts the text at a random row, part way
through it. Every row before the cut reads as in the original; the cut row
and the rows after it give no fact. Seeded: a failure names its layout.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.cells import parse_cell
from index.layout import Paragraph, Row, blocks
from index.parse import parse_lines
from index.read import read_lines

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ["000_45e9b68dfabc38a8.txt", "001_114e84585976705a.txt", "002_06daf30fbb2e76e1.txt",
         "004_6263b7441e3dec22.txt"]
PDF = ROOT / "tests" / "fixtures" / "huaian_2024.pdf"
LAYOUTS = 20
TABLES = ("表二", "表三", "表四")


@dataclass
class Source:
    lines: list[str]
    # the table facts of the original, and for each block the facts it holds
    facts: dict[int, set[tuple]]
    blocks: list


def _fact_key(f) -> tuple:
    return (f.metric, f.applicant, f.kind, f.value, f.unit)


def _source(lines: list[str]) -> Source:
    report = parse_lines(lines, Path("original.txt"))
    found = blocks(lines)
    line_block = {}
    for i, block in enumerate(found):
        spans = [c.line for c in block.cells] + [block.line] if isinstance(block, Row) else block.lines
        for line in spans:
            line_block[line] = i
    facts: dict[int, set[tuple]] = {}
    for f in report.facts:
        if f.table in TABLES:
            facts.setdefault(line_block[f.line], set()).add(_fact_key(f))
    return Source(lines, facts, found)


_CACHE: dict[str, Source] = {}


def source(name: str) -> Source:
    if name not in _CACHE:
        lines = read_lines(PDF) if name == "pdf" else read_lines(ROOT / "seeds" / name)
        _CACHE[name] = _source(lines)
    return _CACHE[name]


# --- rendering ---------------------------------------------------------------------------


def _is_label(text: str) -> bool:
    return bool(text.strip()) and parse_cell(text) is None


def _split(text: str, rnd: random.Random) -> list[str]:
    """A label broken over two lines at a random point, neither piece looking like a value."""
    text = text.strip()
    if len(text) < 6 or rnd.random() < 0.5:
        return [text]
    at = rnd.randrange(3, len(text) - 1)
    pieces = [text[:at], text[at:]]
    return pieces if all(_is_label(p) and "|" not in p for p in pieces) else [text]


def _merge_labels(cells: list[str], rnd: random.Random) -> list[str]:
    """A group label and its row label in one cell (（三）不予公开 1.属于国家秘密)."""
    labels = [i for i, c in enumerate(cells) if _is_label(c)]
    if len(labels) >= 2 and labels[1] == labels[0] + 1 and rnd.random() < 0.5:
        i = labels[0]
        return cells[:i] + [cells[i].strip() + rnd.choice(["", " ", " | "]) + cells[i + 1].strip()] + cells[i + 2 :]
    return cells


def render_row(cells: list[str], rnd: random.Random) -> list[str]:
    cells = [c.strip() for c in cells]
    while cells and not cells[0]:
        cells.pop(0)  # a merged label column's empty cells: padding, in every layout
    cells = _merge_labels(cells, rnd)
    styles = ["lines", "lines0", "pipes", "tabs"] + (["spaces"] if all(cells) else [])
    style = rnd.choice(styles)
    if style == "tabs":
        return ["\t".join(cells)]
    if style == "spaces":
        return [" ".join(cells)]
    if style == "pipes":
        return [" | ".join(cells) + " |" + "|" * rnd.randrange(0, 3)]
    out: list[str] = []
    for cell in cells:
        for piece in _split(cell, rnd) if cell else [" "]:
            out.append(piece)
            if style == "lines":
                out.extend([""] * rnd.randrange(1, 3))
    return out


def _cut_row(block, keep: int) -> list[str]:
    """A row's label and its first `keep` values: where a copy ends."""
    if isinstance(block, Paragraph):
        words = block.text.split()
        label = [w for w in words if parse_cell(w) is None]
        values = [w for w in words if parse_cell(w) is not None]
        return [" ".join(label + values[:keep])]
    cells = [c.text.strip() for c in block.cells]
    last_label = max((i for i, c in enumerate(cells) if _is_label(c)), default=-1)
    values = [c for c in cells[last_label + 1 :] if c][:keep]
    return ["\t".join(cells[: last_label + 1] + values)]


def render(src: Source, rnd: random.Random) -> tuple[list[str], int]:
    """The text in a random layout, cut part way through a random row holding facts; the cut block."""
    holding = sorted(src.facts)
    cut = rnd.choice(holding[len(holding) // 3 :])
    out: list[str] = []
    for i, block in enumerate(src.blocks[:cut]):
        if isinstance(block, Row) and i in src.facts or isinstance(block, Row) and rnd.random() < 0.7:
            out += render_row([c.text for c in block.cells], rnd)
        elif isinstance(block, Row):
            out.append("\t".join(c.text for c in block.cells))
        else:
            out.append(block.text)
        if rnd.random() < 0.3:
            out.append("")
    out += _cut_row(src.blocks[cut], rnd.randrange(0, len(src.facts[cut])))
    if rnd.random() < 0.5:
        out = [unicodedata.normalize("NFKC", line) for line in out]
    return out, cut


CASES = [(name, k) for name in [*SEEDS, "pdf"] for k in range(LAYOUTS)]


@pytest.mark.parametrize(("name", "layout"), CASES, ids=[f"{n[:3]}-{k}" for n, k in CASES])
def test_layout_gives_the_same_facts_up_to_the_cut(name, layout):
    if name == "pdf" and not PDF.exists():
        pytest.skip("no PDF fixture")
    src = source(name)
    lines, cut = render(src, random.Random(f"{name}:{layout}"))
    report = parse_lines(lines, Path(f"{name}-{layout}.txt"))
    got = {_fact_key(f) for f in report.facts if f.table in TABLES}
    before = set().union(*(facts for b, facts in src.facts.items() if b < cut))
    after = set().union(*(facts for b, facts in src.facts.items() if b >= cut))
    cells = {(m, a) for m, a, *_ in got}
    assert sorted(before - got, key=str) == []
    assert sorted((m, a) for m, a, *_ in after if (m, a) in cells and (m, a) not in
                  {(m2, a2) for m2, a2, *_ in before}) == []
    assert sorted(got - before, key=str) == []
