"""What a question asks is never narrowed or widened: a ranking compares the agencies the question names
(哪个统计局, 哪个街道), every 表二 row said is answered (许可和处罚), and a department the index does not
hold is named as not found. On the real web corpus (tests/fixtures/corpus/web), values from its gold."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.question.asker import Asker

WEB = Path(__file__).parent / "fixtures" / "corpus" / "web"
ROWS = list(csv.DictReader((WEB / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
GOLD = json.loads((WEB / "gold.json").read_text(encoding="utf-8"))


def _gold(row: dict, metric: str):
    report = GOLD[row["filename"]]
    return report["facts"].get(metric, report["prose"].get(metric.removesuffix(".total")))


@pytest.fixture(scope="module")
def asker(web_index) -> Asker:
    return Asker(web_index)


def _ranked(answer) -> dict[str, float]:
    return {f["agency"]: f["value"] for f in answer.facts}


def _newest_apply_new(rows: list[dict]) -> dict[str, float]:
    """Each agency's newest report's 本年新收 from the gold, where the gold has it."""
    out = {}
    for row in sorted(rows, key=lambda r: int(r["year"])):
        value = _gold(row, "apply.new.total")
        if value is not None:
            out[row["agency"]] = value
    return out


def test_which_bureau_ranks_only_the_bureaus_the_name_fits(asker):
    answer = asker.ask("哪个统计局收到的申请最多")
    want = _newest_apply_new([r for r in ROWS if r["agency"].endswith("统计局")])
    assert len(want) >= 3
    assert answer.status == "answered"
    ranked = _ranked(answer)
    assert {a for a in ranked if a.endswith("统计局")} == set(ranked)
    assert answer.value == max(want.values())
    assert max(ranked, key=ranked.get) == max(want, key=want.get)


def test_which_street_ranks_only_street_offices(asker):
    answer = asker.ask("哪个街道收到的申请最多")
    want = _newest_apply_new([r for r in ROWS if r["agency"].endswith("街道办事处")])
    assert answer.status == "answered"
    assert set(_ranked(answer)) <= {r["agency"] for r in ROWS if r["agency"].endswith("街道办事处")}
    assert answer.value == max(want.values())
    assert "街道" in answer.text


def test_a_region_then_a_kind_of_place_is_a_ranking_there_not_a_name(asker):
    answer = asker.ask("江苏哪个区收到的申请最多")
    jiangsu_districts = {r["agency"] for r in ROWS if r["province"] == "江苏" and r["agency"].endswith("区人民政府")}
    assert answer.status == "answered"
    assert set(_ranked(answer)) == jiangsu_districts
    assert answer.value == max(_newest_apply_new([r for r in ROWS if r["agency"] in jiangsu_districts]).values())


def test_every_row_word_said_is_answered_in_the_order_asked(asker):
    row = next(r for r in ROWS if r["agency"].endswith("河东镇人民政府"))
    licensing, penalty = (_gold(row, m) for m in ("proactive.licensing.decisions", "proactive.penalty.decisions"))
    for question, order in ((f"河东镇{row['year']}年许可和处罚", (licensing, penalty)),
                            (f"河东镇{row['year']}年处罚、许可各多少", (penalty, licensing))):
        answer = asker.ask(question)
        assert answer.status == "answered", question
        assert [f["value"] for f in answer.facts] == list(order), question


def test_a_department_the_index_does_not_hold_is_named_never_dropped(asker):
    for question in ("市场监管局收到多少申请", "哪个市场监管局收到的申请最多", "请问税务局2021年收到多少申请"):
        answer = asker.ask(question)
        assert answer.status == "no_data", question
        assert answer.value is None and not answer.facts, question
        assert ("市场监管局" if "市场" in question else "税务局") in answer.text, question


def test_a_top_n_larger_than_the_scope_says_how_many_there_are(asker):
    bureaus = _newest_apply_new([r for r in ROWS if r["agency"].endswith("统计局")])
    answer = asker.ask(f"收到申请最多的前{len(bureaus) + 1}个统计局")
    assert answer.status == "answered"
    assert f"前{len(bureaus) + 1}个" in answer.text and f"只有{len(bureaus)}个单位" in answer.text
    assert set(_ranked(answer)) == set(bureaus)


def test_a_region_then_all_its_agencies_is_a_sum_there_not_a_name(asker):
    jiangsu = [r for r in ROWS if r["province"] == "江苏"]
    want = sum(v for v in (_gold(r, "apply.new.total") for r in jiangsu) if v is not None)
    for question in ("江苏所有单位一共收到多少申请", "江苏省所有单位收到的申请加起来"):
        answer = asker.ask(question)
        assert (answer.status, answer.value) == ("answered", want), question
