"""A whole chat session over the seed index, as a journalist would type it, and every typed pair.

Agencies, years, rankings, sums and follow-ups (那2019年呢, 高区呢, 自然人呢) mixed
in one conversation; each turn carries the previous answer's context. Every part
a message types wins over that context: each turn's figures must belong to the
agency and year expected, with the value transcribed in fixtures/seed_cells.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.question import Asker
from index import catalogue

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_CELLS = yaml.safe_load((FIXTURES / "seed_cells.yaml").read_text(encoding="utf-8"))
# the seed reports: key in seed_cells.yaml → (agency, year) as their titles name them
SEEDS = {
    "000": ("威海临港经济技术开发区", 2019),
    "001": ("威海市文登区人民政府", 2020),
    "002": ("威海市工业和信息化局", 2020),
    "003": ("临沂经济技术开发区", 2019),  # no tables: its figures are prose, not in seed_cells.yaml
    "004": ("威海火炬高技术产业开发区管委会", 2023),
}
APPLICANT_COLUMN = {"natural": 1, "commercial": 2, "research": 3, "social": 4, "legal": 5, "other_org": 6, "total": 7}
REVIEW_TOTAL = {"review.total": 5, "litigation.direct.total": 10, "litigation.after_review.total": 15}

# (message, what the answer must be):
#   "<seed> <metric> [applicant]"  one figure of that report;  "rank <year|-> <metric>";
#   "sum <year|-> <metric>"  all reports added up;  "summary <seed>";  "no_data";  "ask" (which agency?);  "hello"
SESSION = [
    ("你好", "hello"),
    ("文登区2020年收到多少申请", "001 apply.new"),
    ("自然人呢", "001 apply.new natural"),
    ("法人呢", "001 apply.new org"),
    ("那予以公开呢", "001 apply.granted"),
    ("高区呢", "004 apply.granted"),
    ("那2019年呢", "no_data"),  # 高区 has no 2019 report: never another agency's 2019
    ("临港区2019年收到多少申请", "000 apply.new"),
    ("予以公开呢", "000 apply.granted"),
    ("環翠區2020年收到多少申請", "no_data"),  # a place the index lacks: never 临港's figure
    ("工信局呢", "002 apply.new"),  # the question 環翠區 could not answer, asked of 工信局
    ("介绍一下工信局的报告", "summary 002"),
    ("環翠區2020年收到多少申請", "no_data"),  # never 工信局's 0
    ("文登区2020年行政复议总计多少", "001 review.total"),
    ("那行政诉讼呢", "001 litigation.total"),
    ("临港2019年收到几个申请", "000 apply.new"),  # the short name the gazetteer rules derive: never 文登
    ("2020年哪个单位收到的申请最多", "rank 2020 apply.new"),
    ("那2019年呢", "rank 2019 apply.new"),
    ("文登区呢", "001 apply.new"),  # 文登 has only 2020
    ("所有单位一共收到多少申请", "sum - apply.new"),
    ("2020年呢", "sum 2020 apply.new"),
    ("高区2023年收到多少申请", "004 apply.new"),
    ("企业呢", "004 apply.new commercial"),
    ("上年结转呢", "004 apply.carried_over"),
    ("文登区呢", "001 apply.carried_over"),
    ("比较文登区和工信局收到的申请数量", "001+002 apply.new"),
    ("那予以公开呢", "001+002 apply.granted"),
    ("高区2023年行政许可处理决定数量", "004 proactive.licensing.decisions"),
    ("临港区呢", "000 proactive.licensing.decisions"),
    ("2019年哪个单位收到的申请最多", "rank 2019 apply.new"),
    ("高区呢", "004 apply.new"),
    ("工信局2020年不予公开多少", "002 apply.denied"),
    ("自然人呢", "002 apply.denied natural"),
    ("文登区2020年政府集中采购金额", "no_data"),  # 文登's report has no 表二
    ("工信局呢", "002 proactive.procurement.amount"),
    ("北京市2023年收到多少申请", "no_data"),
    ("那2020年呢", "ask"),  # still no agency the index holds: which one?
    ("文登区2020年结转下年度多少", "001 apply.carried_forward"),
    ("高区呢", "004 apply.carried_forward"),
    ("临港区2019年行政处罚决定数量", "000 proactive.penalty.decisions"),
    ("那2020年呢", "no_data"),  # 临港 has no 2020 report: never 工信局's or 文登's
    ("工信局呢", "002 proactive.penalty.decisions"),
    ("哪个单位行政诉讼最多", "rank - litigation.total"),
    ("文登区2020年收到多少申请", "001 apply.new"),
    ("临港区2019年予以公开多少", "000 apply.granted"),
    ("自然人呢", "000 apply.granted natural"),
    ("文登区呢", "001 apply.granted natural"),
    ("高区2023年予以公开多少", "004 apply.granted"),
    ("那2020年呢", "no_data"),
    ("临沂经开区2019年收到多少申请", "003 apply.new"),
    ("工信局2020年行政许可处理决定数量", "002 proactive.licensing.decisions"),
    ("那行政处罚呢", "002 proactive.penalty.decisions"),
    ("文登区2020年本年新收申请多少", "001 apply.new"),
    ("2023年哪个单位收到的申请最多", "rank 2023 apply.new"),
    ("工信局呢", "002 apply.new"),
    ("文登区2020年无法提供多少", "001 apply.unable"),
    ("高区呢", "004 apply.unable"),
    ("临港区2019年上年结转多少", "000 apply.carried_over"),
    ("自然人呢", "000 apply.carried_over natural"),
    ("高区2023年行政复议多少", "004 review.total"),
    ("那行政诉讼呢", "004 litigation.total"),
    ("文登区呢", "001 litigation.total"),
    ("2020年所有单位一共收到多少申请", "sum 2020 apply.new"),
    ("文登区2020年部分公开多少", "001 apply.partial"),
    ("临港区呢", "000 apply.partial"),  # a blank row: no number, still 临港's 2019 figure
]


def _number(cell: str) -> float | None:
    match = re.match(r"[+-]?\d+(?:\.\d+)?", cell.strip())
    return float(match.group(0)) if match else None


def seed_value(key: str, metric: str, applicant: str | None) -> float | None:
    """The figure as printed in the seed's table (a row no table holds: the sum of its printed parts)."""
    seed = SEED_CELLS[key]
    group = catalogue.load().groups.get(metric)
    if metric in REVIEW_TOTAL:
        return _number(seed["review"][REVIEW_TOTAL[metric]])
    if group and metric not in seed.get("apply", {}):
        parts = [seed_value(key, part, applicant) for part in group.parts]
        numbers = [v for v in parts if v is not None]
        return sum(numbers) if numbers else None
    if metric.startswith("proactive."):
        _, row, column = metric.split(".")
        return _number(seed["proactive"][row][column])
    row = seed["apply"][metric]
    if applicant == "org":
        numbers = [_number(row[APPLICANT_COLUMN[a]]) for a in catalogue.load().applicant_groups["org"].parts]
        numbers = [v for v in numbers if v is not None]
        return sum(numbers) if numbers else None
    return _number(row[APPLICANT_COLUMN[applicant or "total"]])


@pytest.fixture(scope="module")
def session(seed_index) -> list:
    asker, context, answers = Asker(seed_index), None, []
    for message, _ in SESSION:
        answer = asker.ask(message, context)
        answers.append(answer)
        context = answer.context
    return answers


def test_the_session_is_long_and_mixed():
    kinds = [expected.split()[0] for _, expected in SESSION]
    assert len(SESSION) >= 60
    assert kinds.count("rank") >= 4 and kinds.count("sum") >= 3 and kinds.count("no_data") >= 6
    assert sum(1 for message, _ in SESSION if message.endswith("呢")) >= 25


@pytest.mark.parametrize("turn", range(len(SESSION)), ids=lambda i: f"{i + 1:02d}:{SESSION[i][0]}")
def test_each_turn_answers_for_what_was_typed(session, turn):
    message, expected = SESSION[turn]
    answer = session[turn]
    kind, *rest = expected.split()
    got = {(f["agency"], f["year"]) for f in answer.facts}
    if kind == "hello":
        assert answer.intent == "greeting"
    elif kind == "no_data":
        assert answer.status == "no_data" and answer.value is None and not answer.facts, answer.text
    elif kind == "ask":
        assert answer.status == "ambiguous" and answer.value is None and not answer.facts, answer.text
    elif kind == "summary":
        assert answer.intent == "summary" and got == {SEEDS[rest[0]]}
    elif kind == "rank":
        year, metric = rest
        assert answer.intent == "rank" and all(f["metric"] == metric for f in answer.facts)
        if year != "-":
            assert {y for _, y in got} == {int(year)}
        _check_seed_values(answer, metric, "total")
        assert answer.value == max(f["value"] for f in answer.facts)
    elif kind == "sum":
        year, metric = rest
        reports = [k for k, (_, y) in SEEDS.items() if year == "-" or y == int(year)]
        assert answer.intent == "aggregate" and got == {SEEDS[k] for k in reports}
        _check_seed_values(answer, metric, "total")
        assert answer.value == sum(f["value"] for f in answer.facts)
    else:
        keys, metric, *applicant = kind.split("+"), rest[0], *rest[1:]
        applicant = applicant[0] if applicant else ("total" if metric.startswith("apply.") else None)
        assert answer.status == "answered", answer.text
        assert got == {SEEDS[k] for k in keys}, answer.text
        assert {(f["metric"], f["applicant"]) for f in answer.facts} == {(metric, applicant)}
        _check_seed_values(answer, metric, applicant)
        if len(keys) == 1 and keys[0] in SEED_CELLS:
            assert answer.value == seed_value(keys[0], metric, applicant)


def _check_seed_values(answer, metric: str, applicant: str | None) -> None:
    """Every figure of a report the seed tables hold is the value printed there."""
    by_report = {v: k for k, v in SEEDS.items()}
    for fact in answer.facts:
        key = by_report[(fact["agency"], fact["year"])]
        if key in SEED_CELLS:
            assert fact["value"] == seed_value(key, metric, applicant), fact


# every pair of seed agencies, metrics and years: what a message types wins over the last answer
NAMES = {"001": "文登区", "002": "工信局", "004": "高区", "000": "临港区", "003": "临沂经开区"}
METRICS = ["收到多少申请", "予以公开多少", "行政复议多少", "行政诉讼多少"]


def _typed_cases():
    for a, b in [(a, b) for a in NAMES for b in NAMES]:
        for m1, m2 in [(METRICS[0], METRICS[1]), (METRICS[2], METRICS[3]), (METRICS[3], METRICS[0])]:
            first = f"{NAMES[a]}{SEEDS[a][1]}年{m1}"
            for year in (SEEDS[b][1], SEEDS[a][1]):
                yield first, f"{NAMES[b]}{year}年{m2}", SEEDS[b][0], year
            yield first, f"{NAMES[b]}呢", SEEDS[b][0], None


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


@pytest.mark.parametrize(("first", "second", "agency", "year"), list(_typed_cases()))
def test_a_typed_agency_and_year_win_over_the_last_answer(asker, first, second, agency, year):
    answer = asker.ask(second, asker.ask(first).context)
    assert {f["agency"] for f in answer.facts} <= {agency}, answer.text
    if year is not None:
        assert {f["year"] for f in answer.facts} <= {year}, answer.text
        alone = asker.ask(second)
        assert (answer.status, answer.value) == (alone.status, alone.value)


def test_most_typed_follow_ups_are_answered(asker):
    # the pairs above would pass vacuously if follow-ups gave no figures at all
    answered = sum(asker.ask(second, asker.ask(first).context).status == "answered"
                   for first, second, _, _ in _typed_cases())
    assert answered >= 0.7 * len(list(_typed_cases()))
