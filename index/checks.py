"""The consistency rules of docs/domain.md, run per report and across years.

Each check records pass / fail / na with the cells involved, so an answer can
say that a figure's table does not add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from index import catalogue
from index.catalogue import PROSE, TABLE_APPLY, TABLE_REVIEW
from index.facts import Fact, number

PASS, FAIL, NA = "pass", "fail", "na"
RULE_NAMES = {
    1: "表三勾稽关系：新收+上年结转=办理总计+结转下年度",
    2: "表三：各项办理结果之和=总计",
    3: "表三：各类申请人之和=总计",
    4: "表四：维持+纠正+其他+尚未审结=总计",
    5: "正文数字与表格一致",
    6: "跨年度衔接",
}
RESULT_ROWS_2019 = ("apply.granted", "apply.partial", "apply.other")
RESULT_ROWS_2021 = ("apply.granted", "apply.partial", "apply.other.no_correction", "apply.other.no_fee",
                    "apply.other.other")


@dataclass
class Check:
    rule: int
    subject: str
    status: str
    expected: float | None = None
    actual: float | None = None
    cells: list[dict] = field(default_factory=list)
    detail: str = ""

    @property
    def name(self) -> str:
        return RULE_NAMES[self.rule]


def _cells(facts: dict, keys: list[tuple[str, str | None]]) -> list[dict]:
    return [
        {"metric": m, "applicant": a, "line": facts[(m, a)].line, "raw": facts[(m, a)].raw}
        for m, a in keys
        if (m, a) in facts
    ]


def _equation(rule, subject, facts, left, right) -> Check:
    keys = left + right
    if any(k not in facts for k in keys):
        return Check(rule, subject, NA, detail="cells missing")
    if all(facts[k].kind == "blank" for k in keys):
        # nothing printed is nothing counted: 0 + 0 = 0 + 0 holds, and the answer says the cells were blank
        return Check(rule, subject, PASS, expected=0.0, actual=0.0, detail="all cells blank",
                     cells=_cells(facts, keys))
    lhs = sum(number(facts, *k) for k in left)
    rhs = sum(number(facts, *k) for k in right)
    status = PASS if abs(lhs - rhs) < 1e-6 else FAIL
    return Check(rule, subject, status, expected=lhs, actual=rhs, cells=_cells(facts, keys))


def report_checks(facts: list[Fact]) -> list[Check]:
    """Rules 1–5 on one report's facts."""
    table = {(f.metric, f.applicant): f for f in facts if f.table != PROSE and f.year is None}
    out = [_equation(rule, subject, table, left, right) if left else Check(rule, subject, NA)
           for rule, subject, left, right in table_equations(facts, table)]
    out.extend(_prose_checks(facts, table))
    return out


def table_equations(facts: list[Fact], table: dict) -> list[tuple[int, str, list, list]]:
    """Rules 1–4 as equations (rule, subject, left cells, right cells) over the table cells `table` holds;
    a rule 2 with no result rows printed has no left side."""
    cat = catalogue.load()
    out: list[tuple[int, str, list, list]] = []
    applicants = list(cat.applicant_order)
    if any(f.table == TABLE_APPLY for f in facts):
        for a in applicants:
            out.append((1, a, [("apply.new", a), ("apply.carried_over", a)],
                        [("apply.total", a), ("apply.carried_forward", a)]))
        parts = [m for m, spec in cat.metrics.items()
                 if spec.table == TABLE_APPLY and m.startswith(("apply.denied.", "apply.unable.", "apply.not_processed."))]
        # the rows a report printed count, whichever format's （六） it used
        result_rows = list(dict.fromkeys(RESULT_ROWS_2019 + RESULT_ROWS_2021)) + parts
        for a in applicants:
            rows = [(m, a) for m in result_rows if (m, a) in table]
            out.append((2, a, rows, [("apply.total", a)]))
        apply_metrics = sorted({m for m, a in table if m.startswith("apply.")})
        for m in apply_metrics:
            out.append((3, m, [(m, a) for a in applicants[:-1]], [(m, "total")]))
    if any(f.table == TABLE_REVIEW for f in facts):
        for block in cat.review_blocks:
            cols = [(f"{block}.{c}", None) for c in cat.review_columns]
            out.append((4, block, cols[:-1], cols[-1:]))
    return out


def _prose_checks(facts: list[Fact], table: dict) -> list[Check]:
    out = []
    seen = set()
    for fact in facts:
        if fact.table != PROSE or fact.metric in seen:
            continue
        if fact.metric == "litigation.total":
            keys = [("litigation.direct.total", None), ("litigation.after_review.total", None)]
        elif fact.metric.startswith(("apply.", "review.")):
            keys = [(fact.metric, fact.applicant)]
        else:
            continue
        seen.add(fact.metric)
        if any(k not in table for k in keys):
            continue
        expected = sum(number(table, *k) for k in keys)
        status = PASS if abs(expected - float(fact.value)) < 1e-6 or (fact.approx and fact.value <= expected) else FAIL
        cells = _cells(table, keys) + [{"metric": fact.metric, "line": fact.line, "raw": fact.raw, "prose": True}]
        out.append(Check(5, fact.metric, status, expected=expected, actual=float(fact.value), cells=cells,
                         detail=fact.sentence[:120]))
    return out


def cross_year_checks(earlier: dict, later: dict) -> list[Check]:
    """Rule 6 between two consecutive years of one agency (fact maps keyed (metric, applicant))."""
    out = []
    a, b = ("apply.carried_forward", "total"), ("apply.carried_over", "total")
    if a in earlier and b in later and not (earlier[a].kind == later[b].kind == "blank"):
        x, y = number(earlier, *a), number(later, *b)
        out.append(Check(6, "apply.carried", PASS if x == y else FAIL, expected=x, actual=y,
                         cells=[{"metric": a[0], "line": earlier[a].line, "raw": earlier[a].raw, "earlier": True},
                                {"metric": b[0], "line": later[b].line, "raw": later[b].raw}]))
    for row in ("rules", "normative_docs"):
        keys = [f"proactive.{row}.{c}" for c in ("in_force", "issued", "repealed")]
        prev, issued, repealed = ((k, None) for k in keys)
        if prev in earlier and issued in later and repealed in later and prev in later:
            x = number(earlier, *prev) + number(later, *issued) - number(later, *repealed)
            y = number(later, *prev)
            cells = [{"metric": prev[0], "line": earlier[prev].line, "raw": earlier[prev].raw, "earlier": True}]
            cells += [{"metric": k[0], "line": later[k].line, "raw": later[k].raw} for k in (issued, repealed, prev)]
            out.append(Check(6, f"proactive.{row}.in_force", PASS if x == y else FAIL, expected=x, actual=y,
                             cells=cells))
    return out
