"""The one shape of a figure in the index, whatever table or sentence it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from index import catalogue
from index.catalogue import PROSE
from index.cells import NUMBER
from index.prose import ProseFact
from index.runs import RECOVERED
from index.tables import TableFact


@dataclass
class Fact:
    metric: str
    applicant: str | None
    value: float | int | None
    unit: str | None
    raw: str
    line: int
    table: str  # 表二 / 表三 / 表四 / 正文 / 图表
    kind: str  # number / blank / slash / dash / none / recovered (a number cut from cells run together)
    approx: bool = False
    sentence: str = ""
    year: int | None = None  # set for figures about another year (a chart of past years)

    def as_row(self) -> dict:
        return asdict(self)


def from_table(fact: TableFact) -> Fact:
    unit = fact.unit or catalogue.load().unit(fact.metric)
    if fact.cell.kind not in (NUMBER, RECOVERED) and unit not in ("元", "万元"):
        unit = None
    return Fact(fact.metric, fact.applicant, fact.cell.value, unit, fact.cell.raw, fact.line, fact.table, fact.cell.kind)


def from_prose(fact: ProseFact) -> Fact:
    applicant = "total" if fact.metric.startswith("apply.") else None
    return Fact(fact.metric, applicant, fact.value, fact.unit, fact.raw, fact.line, PROSE, NUMBER, fact.approx,
                fact.sentence)


def number(facts: dict[tuple[str, str | None], Fact], metric: str, applicant: str | None = None) -> float | None:
    """A cell's number: blank-like cells count as 0 beside numbers, None when the cell is missing."""
    fact = facts.get((metric, applicant))
    if fact is None:
        return None
    return float(fact.value) if fact.value is not None else 0.0
