"""Follow-ups reuse the previous question's other parts; ambiguity asks back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.question import Asker
from index.build import build_index

SEEDS = Path(__file__).resolve().parent.parent / "seeds"




@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


def _chat(asker, *questions):
    context, answers = None, []
    for q in questions:
        answer = asker.ask(q, context)
        answers.append(answer)
        context = answer.context
    return answers


def test_follow_up_changes_the_applicant(asker):
    first, second = _chat(asker, "文登区2020年收到多少申请", "自然人呢")
    assert first.value == 42
    assert second.value == 39 and second.facts[0]["applicant"] == "natural"


def test_follow_up_changes_the_agency_to_its_only_year(asker):
    _, second = _chat(asker, "文登区2020年收到多少申请", "高区呢")
    assert second.value == 26
    assert second.facts[0]["agency"] == "威海火炬高技术产业开发区管委会"
    assert "2023" in second.text


def test_follow_up_changes_the_year_and_says_what_exists(asker):
    _, second = _chat(asker, "文登区2020年收到多少申请", "那2019年呢")
    # no 2019 report: the 2020 report's own chart of past years gives it, and the answer says so
    assert second.value == 23 and second.facts[0]["source"]["table"] == "图表"
    assert "2020年" in second.text
    _, third = _chat(asker, "文登区2020年收到多少申请", "那2018年予以公开呢")
    assert third.status == "no_data" and third.value is None


def test_follow_up_changes_the_metric(asker):
    _, second = _chat(asker, "高区2023年收到多少申请", "那予以公开呢")
    assert second.value == 5 and second.facts[0]["metric"] == "apply.granted"


def test_follow_up_chain_keeps_the_latest_parts(asker):
    answers = _chat(asker, "文登区2020年收到多少申请", "予以公开呢", "自然人呢")
    assert [a.value for a in answers] == [42, 20, 19]


def test_a_new_full_question_ignores_the_context(asker):
    _, second = _chat(asker, "文登区2020年收到多少申请", "临港区2019年行政许可处理决定数量")
    assert second.value == 3645


def test_no_context_follow_up_is_not_understood_politely(asker):
    answer = asker.ask("那2019年呢")
    assert answer.value is None and answer.text


@pytest.fixture(scope="module")
def two_bureaus(tmp_path_factory):
    """The seeds plus a second city's 工信局, so 工信局 names two agencies."""
    base = tmp_path_factory.mktemp("two_bureaus")
    shutil.copytree(SEEDS, base / "seeds")
    text = (SEEDS / "002_06daf30fbb2e76e1.txt").read_text(encoding="utf-8").replace("威海市工业和信息化局", "淮安市工业和信息化局")
    (base / "seeds" / "huaian_gxj.txt").write_text(text, encoding="utf-8")
    db = base / "index.db"
    build_index([base / "seeds"], db)
    return Asker(db)


def test_a_name_of_two_agencies_asks_which(two_bureaus):
    answer = two_bureaus.ask("工信局2020年收到多少申请")
    assert answer.status == "ambiguous" and answer.value is None
    assert set(answer.choices) == {"威海市工业和信息化局", "淮安市工业和信息化局"}


def test_choosing_an_agency_answers_the_question(two_bureaus):
    ambiguous = two_bureaus.ask("工信局2020年政府集中采购金额")
    answer = two_bureaus.choose(ambiguous.context, "淮安市工业和信息化局")
    assert answer.value == 785901.37 and answer.facts[0]["agency"] == "淮安市工业和信息化局"


def test_the_city_disambiguates(two_bureaus):
    assert two_bureaus.ask("威海工信局2020年收到多少申请").facts[0]["agency"] == "威海市工业和信息化局"
    assert two_bureaus.ask("淮安市工信局2020年政府集中采购金额").facts[0]["agency"] == "淮安市工业和信息化局"
