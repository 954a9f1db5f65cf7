"""Cells run together: a table row's digits printed with nothing between them, split by the tables' own sums.

Crawler text dumps print `本年新收政府信息公开申请数量 713000074`: seven cells
(71, 3, 0, 0, 0, 0, 74) with no separator. Digits can be cut many ways, but the
national tables carry their own arithmetic (a 表三 row's applicant columns add
to its 总计, the rows under 三 add to （七）总计 per column, 一 + 二 = 总计 + 四 per
column, each 表四 block adds to its 总计). A row is split only when every way of
cutting every row of the table that satisfies all of those gives that row the
same cells; otherwise it is unreadable, never guessed.

Pure (no I/O): rows in (template key, the text printed after the label, the row's width),
cells out. The work is capped: a row with too many possible cuts, or a table with
too many combinations, is unreadable rather than slow.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from index.cells import MONEY_UNITS

# the kind of a fact whose cell was cut apart here rather than read as printed
RECOVERED = "recovered"

# a row's cuts enumerated before giving up on it, and the joint search's steps and solutions
MAX_ROW_SPLITS = 5_000
# all rows of one table together: a page of long digit runs is unreadable, not slow
MAX_TABLE_SPLITS = 30_000
MAX_SEARCH_STEPS = 100_000
MAX_SOLUTIONS = 2_000

# 表三 rows with a role in the sum rules (metric keys of docs/domain.md); every other 表三 row sits under 三
NEW, CARRIED_OVER, TOTAL, CARRIED_FORWARD = "apply.new", "apply.carried_over", "apply.total", "apply.carried_forward"
REVIEW_BLOCK = 5

_VALUE = re.compile(r"^([+\-−－]?)(\d+)(\.\d+)?")
_PIECE = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d+)?$")
# whitespace and pipes separate cells; a sign or a "/" starts a cell; anything else is no value
_UNITS = "|".join(sorted(MONEY_UNITS, key=len, reverse=True))
_TOKEN = re.compile(
    r"(?P<space>[\s|]+)"
    rf"|(?P<num>(?P<sign>[+\-−－]?)(?P<body>\d+(?:\.\d+)?)(?P<unit>{_UNITS})?)"
    r"|(?P<sym>[/／]|[-—–－―]+|无)"
    r"|(?P<other>.)"
)

# why a row is left unread (warnings, not reply text)
NO_VALUES = "no values after the label"
NOT_NUMBERS = "text that is no value among the cells"
TOO_FEW = "fewer values than the row has cells"
TOO_MANY_CUTS = "too many ways to cut the digits"
NO_FIT = "no way to cut the digits adds up"
SEVERAL = "several ways to cut the digits fit the table's rules"
SUMS_FAIL = "the table's sums hold for no way of cutting its rows"
TOO_MANY_WAYS = "too many ways to cut the table's rows to try"
BLANKS = "a blank cell prints nothing, and fewer cells could hold these digits"


@dataclass(frozen=True)
class Run:
    """One template row: what it printed after its label, and the cells it must hold."""

    key: str
    text: str
    width: int
    # column groups whose last cell is the sum of the others (a 表三 row: all seven; 表四: each block of five)
    sums: tuple[tuple[int, ...], ...] = ()
    # a row whose cells were told apart already (blank ones included): read as given, a fixed part of the sums
    cells: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Equation:
    """sum(coefficient × cell) == 0 over cells of several rows: (row key, column, coefficient)."""

    terms: tuple[tuple[str, int, int], ...]


@dataclass
class Outcome:
    # row key → its cells' text, for every row read (as printed or split)
    cells: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # rows whose cells had to be cut apart: their facts are recovered, not read
    recovered: set[str] = field(default_factory=set)
    # row key → why it was left unread
    unreadable: dict[str, str] = field(default_factory=dict)


# --- one row ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Segment:
    """A stretch printed without separators: digits (with a sign and a unit) or one symbol cell."""

    sign: str
    body: str
    unit: str
    symbol: str = ""


def _segments(text: str) -> list[_Segment] | None:
    text = unicodedata.normalize("NFKC", text or "").replace(",", "")
    out = []
    for m in _TOKEN.finditer(text):
        if m["other"]:
            return None
        if m["num"]:
            out.append(_Segment(m["sign"], m["body"], m["unit"] or ""))
        elif m["sym"]:
            out.append(_Segment("", "", "", m["sym"]))
    return out


def _cuts(body: str, k: int, budget: list[int]) -> Iterator[tuple[str, ...]]:
    """Every way to cut `body` into k valid numbers (no leading zero, the decimal point inside one piece)."""
    budget[0] -= 1
    if budget[0] < 0:
        return
    if k == 1:
        if _PIECE.match(body):
            yield (body,)
        return
    for end in range(1, len(body) - k + 2):
        head = body[:end]
        if not _PIECE.match(head) or body[end] == ".":
            continue
        for rest in _cuts(body[end:], k - 1, budget):
            yield (head, *rest)


def _segment_cells(seg: _Segment, k: int, budget: list[int]) -> Iterator[tuple[str, ...]]:
    if seg.symbol:
        if k == 1:
            yield (seg.symbol,)
        return
    for pieces in _cuts(seg.body, k, budget):
        # the sign belongs to the first number, the unit to the last
        cells = list(pieces)
        cells[0] = seg.sign + cells[0]
        cells[-1] = cells[-1] + seg.unit
        yield tuple(cells)


def _row_splits(segs: list[_Segment], width: int, budget: list[int]) -> Iterator[tuple[str, ...]]:
    if not segs:
        if width == 0:
            yield ()
        return
    seg, rest = segs[0], segs[1:]
    # the cells this segment takes: at least what the rest cannot hold, at most one a digit
    room = sum(_capacity(r) for r in rest)
    for k in range(max(1, width - room), min(_capacity(seg), width - len(rest)) + 1):
        for head in _segment_cells(seg, k, budget):
            for tail in _row_splits(rest, width - k, budget):
                yield head + tail


def _capacity(seg: _Segment) -> int:
    return 1 if seg.symbol else len(seg.body.replace(".", ""))


def value(cell: str) -> int | Fraction:
    """A cell's number for the sums (exact; an int when whole): a blank-like cell (/, -, 无) counts as 0."""
    m = _VALUE.match(cell)
    if not m:
        m = _VALUE.match(unicodedata.normalize("NFKC", cell or "").strip().replace(",", ""))
        if not m:
            return 0
    number = int(m[2]) if m[3] is None else Fraction(Decimal(m[2] + m[3]))
    return -number if m[1] else number


def _adds_up(values: tuple[int | Fraction, ...], sums: tuple[tuple[int, ...], ...]) -> bool:
    return all(sum(values[i] for i in group[:-1]) == values[group[-1]] for group in sums)


@dataclass
class _Row:
    run: Run
    printed: bool = False  # cells printed apart: read as printed, nothing recovered
    cells: list[tuple[str, ...]] = field(default_factory=list)
    values: list[tuple[int | Fraction, ...]] = field(default_factory=list)
    why: str = ""


def _cut_count(segs: list[_Segment], width: int) -> int:
    """How many ways the segments' digits could fill `width` cells, valid numbers or not (an upper bound)."""
    ways = [1] + [0] * width  # ways[w]: the segments so far fill w cells
    for seg in segs:
        digits = _capacity(seg)
        nxt = [0] * (width + 1)
        for w, n in enumerate(ways):
            for k in range(1, min(digits, width - w) + 1):
                nxt[w + k] += n * math.comb(digits - 1, k - 1)
        ways = nxt
    return ways[width]


def _read_row(run: Run, table_budget: list[int]) -> _Row:
    row = _Row(run)
    if run.cells is not None:
        row.printed, row.cells, row.values = True, [run.cells], [tuple(value(c) for c in run.cells)]
        return row
    segs = _segments(run.text)
    if segs is None:
        row.why = NOT_NUMBERS
        return row
    if not segs:
        row.why = NO_VALUES
        return row
    if len(segs) == run.width:
        row.printed = True
    if _cut_count(segs, run.width) > 4 * MAX_ROW_SPLITS or table_budget[0] <= 0:
        row.why = TOO_MANY_CUTS
        return row
    budget = [MAX_ROW_SPLITS * 4]
    count = 0
    for cells in _row_splits(segs, run.width, budget):
        table_budget[0] -= 1
        count += 1
        if count > MAX_ROW_SPLITS:
            break
        values = tuple(value(c) for c in cells)
        if row.printed or _adds_up(values, run.sums):
            row.cells.append(cells)
            row.values.append(values)
    if count > MAX_ROW_SPLITS or budget[0] < 0 or table_budget[0] < 0:
        row.cells, row.values, row.why = [], [], TOO_MANY_CUTS
    elif not count:
        row.why = TOO_FEW if sum(1 if s.symbol else len(s.body.replace(".", "")) for s in segs) < run.width else NO_FIT
    elif not row.cells:
        row.why = NO_FIT
    elif len(row.cells) == 1 and not row.printed and not run.sums and _fits_fewer(segs, run.width):
        # no sum tells 1,5,0 from a blank, 15 and 0: a row no rule governs is read only when its digits
        # fill its cells one way and no fewer cells could hold them (000, or one cell)
        row.cells, row.values, row.why = [], [], BLANKS
    return row


def row_cuts(text: str, width: int) -> list[tuple[str, ...]] | None:
    """Every way to read a row's printed digits as `width` cells; None when it is no value or too many to try."""
    segs = _segments(text)
    if not segs or _cut_count(segs, width) > 4 * MAX_ROW_SPLITS:
        return None
    budget = [MAX_ROW_SPLITS * 4]
    found = list(_row_splits(segs, width, budget))
    return None if budget[0] < 0 else found


def _fits_fewer(segs: list[_Segment], width: int) -> bool:
    budget = [MAX_ROW_SPLITS]
    return any(next(_row_splits(segs, k, budget), None) for k in range(len(segs), width))


# --- the whole table ----------------------------------------------------------------------


def split_table(runs: Sequence[Run], equations: Iterable[Equation] = ()) -> Outcome:
    """Each row's cells, when exactly one way of cutting the whole table satisfies every sum."""
    budget = [MAX_TABLE_SPLITS]
    rows = {run.key: _read_row(run, budget) for run in runs}
    out = Outcome()
    for key, row in rows.items():
        if row.why:
            out.unreadable[key] = row.why
    live = {k: r for k, r in rows.items() if not r.why}
    # an equation over a row that is missing or unread says nothing here
    eqs = [e for e in equations if e.terms and all(k in live and 0 <= c < live[k].run.width for k, c, _ in e.terms)]
    for part in _components(live, eqs):
        part_eqs = [e for e in eqs if e.terms[0][0] in part]
        used, why = _solve({k: live[k] for k in part}, part_eqs)
        for key in part:
            _decide(key, live, part_eqs, used, why, out)
    return out


def _decide(key: str, rows: dict[str, _Row], eqs: list[Equation], used: dict[str, set[int]] | None, why: str,
            out: Outcome) -> None:
    row = rows[key]
    if row.printed:
        out.cells[key] = row.cells[0]
        return
    if used is None:
        # no combination fits (or too many to try): a row cut one way only is kept when every sum it
        # takes part in can be checked and holds
        if len(row.cells) == 1 and _checked(key, rows, eqs):
            choice = 0
        else:
            out.unreadable[key] = why
            return
    elif len(used[key]) == 1:
        choice = next(iter(used[key]))
    else:
        out.unreadable[key] = SEVERAL
        return
    out.cells[key] = row.cells[choice]
    out.recovered.add(key)


def _components(rows: dict[str, _Row], eqs: list[Equation]) -> list[list[str]]:
    """Rows linked by shared equations, solved together; a row in none stands alone."""
    parent = {k: k for k in rows}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for eq in eqs:
        first = root(eq.terms[0][0])
        for k, _, _ in eq.terms[1:]:
            parent[root(k)] = first
    groups: dict[str, list[str]] = {}
    for k in rows:
        groups.setdefault(root(k), []).append(k)
    return list(groups.values())


def _checked(key: str, rows: dict[str, _Row], eqs: list[Equation]) -> bool:
    for eq in eqs:
        if all(k != key for k, _, _ in eq.terms):
            continue
        if any(len(rows[k].values) != 1 for k, _, _ in eq.terms):
            return False
        if sum(coef * rows[k].values[0][col] for k, col, coef in eq.terms) != 0:
            return False
    return True


def _solve(rows: dict[str, _Row], eqs: list[Equation]) -> tuple[dict[str, set[int]] | None, str]:
    """For each row, the cuts that appear in some way of cutting the table that satisfies every equation.

    None and why when no way does, or when there are too many to try. Rows are tried
    fewest cuts first; an equation's remaining rows bound what it can still reach.
    """
    order = sorted(rows, key=lambda k: len(rows[k].values))
    # contrib[e][row] = that row's share of equation e, per cut
    contrib: list[dict[str, list[int | Fraction]]] = []
    for eq in eqs:
        shares: dict[str, list[int | Fraction]] = {}
        for k, col, coef in eq.terms:
            part = [coef * v[col] for v in rows[k].values]
            shares[k] = [a + b for a, b in zip(shares[k], part, strict=True)] if k in shares else part
        contrib.append(shares)
    by_row: dict[str, list[int]] = {k: [] for k in order}
    for e, shares in enumerate(contrib):
        for k in shares:
            by_row[k].append(e)
    # the least and most the rows from each depth on can still add to each equation
    low: list[list[int | Fraction]] = [[0] * (len(order) + 1) for _ in eqs]
    high: list[list[int | Fraction]] = [[0] * (len(order) + 1) for _ in eqs]
    for e, shares in enumerate(contrib):
        for d in range(len(order) - 1, -1, -1):
            share = shares.get(order[d])
            low[e][d] = low[e][d + 1] + (min(share) if share else 0)
            high[e][d] = high[e][d + 1] + (max(share) if share else 0)
    used: dict[str, set[int]] = {k: set() for k in order}
    partial: list[int | Fraction] = [0] * len(eqs)
    choice = [0] * len(order)
    steps = [0]
    found = [0]

    def reachable(e: int, d: int) -> bool:
        return partial[e] + low[e][d] <= 0 <= partial[e] + high[e][d]

    def walk(d: int) -> bool:
        """False when the search must stop."""
        if d == len(order):
            found[0] += 1
            for i, k in enumerate(order):
                used[k].add(choice[i])
            return found[0] < MAX_SOLUTIONS
        key = order[d]
        for i in range(len(rows[key].values)):
            steps[0] += 1
            if steps[0] > MAX_SEARCH_STEPS:
                return False
            for e in by_row[key]:
                partial[e] += contrib[e][key][i]
            if all(reachable(e, d + 1) for e in by_row[key]):
                choice[d] = i
                if not walk(d + 1):
                    return False
            for e in by_row[key]:
                partial[e] -= contrib[e][key][i]
        return True

    if not walk(0):
        return None, TOO_MANY_WAYS
    if not found[0]:
        return None, SUMS_FAIL if eqs else SEVERAL
    return used, ""


# --- the national tables' rules -----------------------------------------------------------


def row_sums(width: int) -> tuple[tuple[int, ...], ...]:
    """表三: the applicant columns add to the last (总计)."""
    return (tuple(range(width)),)


def review_sums(width: int) -> tuple[tuple[int, ...], ...]:
    """表四: in each block of five, 维持 + 纠正 + 其他 + 尚未审结 = 总计."""
    return tuple(tuple(range(b, b + REVIEW_BLOCK)) for b in range(0, width - REVIEW_BLOCK + 1, REVIEW_BLOCK))


def apply_equations(keys: Iterable[str], result_rows: Sequence[str], width: int) -> list[Equation]:
    """表三's rules down the columns: the rows under 三 add to （七）总计 (when the format's every one of them
    is present), and 一 + 二 = 总计 + 四."""
    present = set(keys)
    out = []
    for col in range(width):
        if result_rows and TOTAL in present and all(r in present for r in result_rows):
            out.append(Equation(tuple((r, col, 1) for r in result_rows) + ((TOTAL, col, -1),)))
        if {NEW, CARRIED_OVER, TOTAL, CARRIED_FORWARD} <= present:
            out.append(Equation(((NEW, col, 1), (CARRIED_OVER, col, 1), (TOTAL, col, -1), (CARRIED_FORWARD, col, -1))))
    return out
