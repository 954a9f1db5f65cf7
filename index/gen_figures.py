"""Figures for generated reports: tables that satisfy the consistency rules.

Per agency the figures chain across years (this year's 上年结转 is last year's
结转下年度; 现行有效 carries on), and a chosen report breaks exactly one of
rules 1-5 of docs/domain.md in a way that leaves every other rule holding.
Metric keys come from the catalogue; weights from lexicon/gen_tables.yaml.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

from index import catalogue
from index.catalogue import LEXICON
from index.yamlfile import read_yaml

RESULT_GROUPS = ("apply.granted", "apply.partial", "apply.denied.", "apply.unable.", "apply.not_processed.",
                 "apply.other")


@lru_cache(maxsize=1)
def tables_data() -> dict:
    return read_yaml(LEXICON / "gen_tables.yaml")


@dataclass(frozen=True)
class Printed:
    """One cell as printed, with what it states."""

    raw: str
    value: int | float | None
    unit: str | None


def apply_rows(fmt: str) -> list[dict]:
    """表三's printed rows for a table format, in national order."""
    return [r for r in tables_data()["apply_rows"] if fmt in r.get("formats", ("2019", "2021"))]


def result_metrics(fmt: str) -> list[str]:
    return [r["key"] for r in apply_rows(fmt) if r["key"].startswith(RESULT_GROUPS)]


@dataclass
class AgencyState:
    """What one agency's next report continues from."""

    scale: float
    carried: dict[str, int] | None = None  # 结转下年度 per applicant
    in_force: dict[str, int] | None = None  # 现行有效件数 per 表二 row (2021 format)
    new_totals: dict[int, int] = field(default_factory=dict)  # 本年新收 total by year, for charts


@dataclass
class Figures:
    fmt: str
    apply: dict[str, dict[str, int]] = field(default_factory=dict)  # metric → applicant → count
    review: dict[str, int] = field(default_factory=dict)  # review.* / litigation.* → count
    proactive: dict[str, Printed] = field(default_factory=dict)  # proactive.* → printed cell
    broken_rule: int | None = None
    break_detail: str = ""

    @property
    def new_total(self) -> int:
        return self.apply["apply.new"]["total"]

    @property
    def review_total(self) -> int:
        return self.review["review.total"]

    @property
    def litigation_total(self) -> int:
        return self.review["litigation.direct.total"] + self.review["litigation.after_review.total"]


def _split(rng: random.Random, total: int, weights: dict[str, float]) -> dict[str, int]:
    """`total` spread over the keys of `weights` (a multinomial draw, approximated when large)."""
    keys = list(weights)
    out = dict.fromkeys(keys, 0)
    if total <= 0:
        return out
    if total <= 40:
        for key in rng.choices(keys, [weights[k] for k in keys], k=total):
            out[key] += 1
        return out
    left, weight_left = total, sum(weights.values())
    for key in keys[1:]:
        share = left * weights[key] / weight_left if weight_left else 0
        take = min(left, max(0, round(share * rng.uniform(0.6, 1.4))))
        out[key], left, weight_left = take, left - take, weight_left - weights[key]
    out[keys[0]] += left
    return out


def _count(rng: random.Random, mean: float, zero_share: float = 0.15) -> int:
    if mean <= 0 or rng.random() < zero_share:
        return 0
    return max(0, int(rng.lognormvariate(math.log(mean), 0.9)))


def apply_table(rng: random.Random, fmt: str, state: AgencyState) -> dict[str, dict[str, int]]:
    """表三 counts per metric and applicant; rules 1-3 hold."""
    data = tables_data()
    cat = catalogue.load()
    applicants = list(cat.applicant_order)
    columns = applicants[:-1]
    results = result_metrics(fmt)
    weights = {k: v for k, v in data["result_weights"].items() if k in results}
    new = _split(rng, _count(rng, state.scale), data["applicant_weights"])
    if state.carried is not None:
        carried = dict(state.carried)
    else:
        carried = {c: (rng.randrange(0, 4) if c == "natural" and rng.random() < 0.3 else 0) for c in columns}
    table: dict[str, dict[str, int]] = {m: {} for m in [r["key"] for r in apply_rows(fmt)]}
    for c in columns:
        available = new[c] + carried[c]
        forward = int(available * rng.uniform(0.0, 0.15)) if rng.random() < 0.35 else 0
        done = _split(rng, available - forward, weights)
        table["apply.new"][c] = new[c]
        table["apply.carried_over"][c] = carried[c]
        for metric in results:
            table[metric][c] = done[metric]
        table["apply.total"][c] = available - forward
        table["apply.carried_forward"][c] = forward
    for row in table.values():
        row["total"] = sum(row[c] for c in columns)
    state.carried = {c: table["apply.carried_forward"][c] for c in columns}
    return table


def review_table(rng: random.Random, scale: float) -> dict[str, int]:
    """表四 counts; rule 4 holds in each block."""
    cat = catalogue.load()
    out: dict[str, int] = {}
    for block, mean in zip(cat.review_blocks, (scale / 40, scale / 80, scale / 120), strict=True):
        total = _count(rng, mean, zero_share=0.55) if mean >= 0.2 else int(rng.random() < mean)
        parts = _split(rng, total, {"upheld": 6, "corrected": 1.5, "other": 1.5, "pending": 1})
        for col in cat.review_columns[:-1]:
            out[f"{block}.{col}"] = parts[col]
        out[f"{block}.total"] = total
    return out


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def proactive_2019(rng: random.Random, scale: float) -> dict[str, Printed]:
    out: dict[str, Printed] = {}

    def put(key: str, value: int | float | None, raw: str | None = None, unit: str | None = None) -> None:
        unit = unit or catalogue.load().unit(key)
        if value is None:
            out[key] = Printed(raw or "", None, unit if key.endswith(".amount") else None)
        else:
            out[key] = Printed(raw if raw is not None else str(value), value, unit)

    for row, mean in (("rules", 0.1), ("normative_docs", 3)):
        made = _count(rng, mean, 0.5)
        published = made if rng.random() < 0.8 else rng.randrange(0, made + 1)
        put(f"proactive.{row}.made", made)
        put(f"proactive.{row}.published", published)
        put(f"proactive.{row}.total_public", published + _count(rng, mean * 6, 0.3))
    for row, mean in (("licensing", 60), ("other_services", 40), ("penalty", 30), ("coercion", 5), ("fees", 4)):
        prev = _count(rng, mean * 0.4, 0.3)
        if rng.random() < 0.08:
            put(f"proactive.{row}.prev_items", None, rng.choice(["-", "/"]))
        else:
            put(f"proactive.{row}.prev_items", prev)
        change = rng.randrange(-3, 6) if rng.random() < 0.6 else 0
        put(f"proactive.{row}.change", change, _signed(change) if rng.random() < 0.7 else str(change))
        if row != "fees":
            put(f"proactive.{row}.decisions", _count(rng, mean * scale / 4, 0.2))
    put("proactive.procurement.items", _count(rng, 20, 0.2))
    return out


def procurement_amount(rng: random.Random, style: str) -> tuple[Printed, str]:
    """The 采购总金额 cell and the header it goes under: in 元, in 万元 by header, or 万元 in the cell."""
    if style == "yuan":
        value = round(rng.uniform(1_000, 5_000_000), 2)
        return Printed(f"{value:.2f}", value, "元"), "采购总金额（元）"
    value = rng.randrange(1, 20_000)
    if style == "wan_header":
        return Printed(str(value), value, "万元"), "采购总金额（万元）"
    return Printed(f"{value}{rng.choice([' ', ''])}万元", value, "万元"), "采购总金额"


def proactive_2021(rng: random.Random, scale: float, state: AgencyState) -> dict[str, Printed]:
    out: dict[str, Printed] = {}
    force = dict(state.in_force or {})
    for row, mean in (("rules", 0.1), ("normative_docs", 3)):
        issued = _count(rng, mean, 0.5)
        before = force.get(row, _count(rng, mean * 6, 0.3))
        repealed = min(before, _count(rng, mean / 2, 0.6))
        force[row] = before + issued - repealed
        for col, value in (("issued", issued), ("repealed", repealed), ("in_force", force[row])):
            out[f"proactive.{row}.{col}"] = Printed(str(value), value, "件")
    for row, mean in (("licensing", 60), ("penalty", 30), ("coercion", 5)):
        value = _count(rng, mean * scale / 4, 0.2)
        out[f"proactive.{row}.decisions"] = Printed(str(value), value, "件")
    amount = round(rng.uniform(0, 900), 2) if rng.random() < 0.5 else 0
    out["proactive.fees.amount"] = Printed(f"{amount:.2f}" if amount else "0", amount, "万元")
    state.in_force = force
    return out


# --- deliberate breaks ---------------------------------------------------------------------


def break_rule(rng: random.Random, figures: Figures, rule: int) -> None:
    """Make exactly `rule` (1-4) fail and every other rule still hold; rule 5 is broken in the prose."""
    k = rng.randrange(1, 4)
    apply = figures.apply
    if rule == 1:  # 新收 grows in one column and its total: rows still add up, the balance does not
        apply["apply.new"]["natural"] += k
        apply["apply.new"]["total"] += k
        figures.break_detail = f"apply.new natural and total +{k}"
    elif rule == 2:  # 予以公开 grows in one column and its total: 三's rows no longer add up to （七）
        apply["apply.granted"]["natural"] += k
        apply["apply.granted"]["total"] += k
        figures.break_detail = f"apply.granted natural and total +{k}"
    elif rule == 3:  # 新收 and 结转下年度 grow for 自然人 only: the balance holds, the columns do not add up
        apply["apply.new"]["natural"] += k
        apply["apply.carried_forward"]["natural"] += k
        figures.break_detail = f"apply.new and apply.carried_forward natural +{k}"
    elif rule == 4:
        block = rng.choice(catalogue.load().review_blocks)
        figures.review[f"{block}.upheld"] += k
        figures.break_detail = f"{block}.upheld +{k}"
    figures.broken_rule = rule
