"""Context fills gaps, never overrides: the corpus of lexicon/followup.yaml, one case per line."""

from __future__ import annotations

import pickle
from datetime import date

import pytest

from bot.question import Asker
from bot.question.followup import FollowUp, words


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


def _pair(asker, first, second):
    return asker.ask(second, asker.ask(first).context)


def _case_id(case):
    return f"{case[0]}→{case[1]}"


@pytest.mark.parametrize("case", words()["reuse"] + words()["typed_wins"], ids=_case_id)
def test_follow_up_answers_for_the_agency_and_year_it_means(asker, case):
    first, second, agency, year = case
    answer = _pair(asker, first, second)
    alone = asker.ask(second)
    if agency:
        assert answer.status == "answered", answer.text
        assert {f["agency"] for f in answer.facts} == set(agency.split("+"))
    else:  # a ranking, a sum, or a name the index lacks: never the last answer's one agency
        last = asker.ask(first).context.agencies
        assert answer.intent in ("rank", "aggregate") or answer.status != "answered", answer.text
        if answer.intent not in ("rank", "aggregate"):
            assert not set(last) & {f["agency"] for f in answer.facts}
    if year is not None and answer.facts:
        assert {f["year"] for f in answer.facts} == {year}
    if case in words()["typed_wins"]:  # a message that says everything answers as if it came first
        assert (answer.status, answer.value, answer.facts) == (alone.status, alone.value, alone.facts)


def test_a_follow_up_without_a_name_or_metric_of_its_own_reuses_the_last_agency(asker):
    answer = _pair(asker, "工信局2020年收到多少申请", "予以公开呢")
    assert answer.facts[0]["agency"] == "威海市工业和信息化局" and answer.facts[0]["metric"] == "apply.granted"


def test_a_ranking_follow_up_ranks_again_for_the_year_typed(asker):
    answer = _pair(asker, "2020年哪个单位收到的申请最多", "那2019年呢")
    assert answer.intent == "rank" and {f["year"] for f in answer.facts} == {2019}
    assert len(answer.facts) == 2  # both 2019 reports, not the 2020 winner alone


def test_the_context_is_one_typed_object_a_channel_can_keep():
    kept = FollowUp("文登区2020年收到多少申请", ["威海市文登区人民政府"], [2020], "apply.new", None, "lookup")
    assert pickle.loads(pickle.dumps(kept)) == kept  # Telegram persists chat data with pickle
    assert FollowUp.of(kept.as_dict()) == kept  # chats saved before the type existed still work
    assert FollowUp.of(None) == FollowUp() and not FollowUp()


def test_an_old_dict_context_still_answers_a_follow_up(asker):
    old = {"agencies": ["威海市文登区人民政府"], "years": [2020], "metric": "apply.new", "applicant": None,
           "intent": "lookup", "question": "文登区2020年收到多少申请"}
    assert asker.ask("自然人呢", old).value == 39


def test_every_answer_keeps_the_question_it_answered(asker):
    answer = asker.ask("文登区2020年收到多少申请")
    assert isinstance(answer.context, FollowUp) and answer.context.question == "文登区2020年收到多少申请"


@pytest.mark.parametrize(("word", "year"), [("今年", 2021), ("去年", 2020), ("前年", 2019)])
def test_relative_years_count_from_today_and_say_the_year(seed_index, word, year):
    asker = Asker(seed_index, clock=lambda: date(2021, 3, 1))
    answer = asker.ask(f"文登区{word}收到多少申请")
    assert f"{year}年" in answer.notes[-1] and "2021-03-01" in answer.notes[-1]
    assert {f["year"] for f in answer.facts} == ({year} if year < 2021 else set())  # 2019: the 2020 report's chart


def test_a_typed_year_is_not_restated(seed_index):
    asker = Asker(seed_index, clock=lambda: date(2021, 3, 1))
    assert asker.ask("文登区2020年收到多少申请").notes == []


def test_a_message_not_understood_keeps_the_conversation_going(asker):
    first = asker.ask("文登区2020年收到多少申请")
    lost = asker.ask("2", first.context)
    assert lost.status == "not_understood" and lost.context == first.context
    assert asker.ask("自然人呢", lost.context).value == 39


def test_an_answer_about_a_name_the_index_lacks_leaves_no_agency_to_reuse(asker):
    first = asker.ask("工信局2020年政府集中采购金额")
    unknown = asker.ask("北京市2020年收到多少申请", first.context)
    assert unknown.status == "no_data" and unknown.context.agencies == []
    after = asker.ask("那2019年呢", unknown.context)
    assert not any(f["agency"] == "威海市工业和信息化局" for f in after.facts)


def test_a_channel_may_still_spread_the_context_as_a_dict(asker):
    answer = asker.ask("文登区2020年收到多少申请")
    assert FollowUp.of({**answer.context, "question": answer.question}) == answer.context


def test_a_message_not_understood_does_not_explain_its_year(seed_index):
    asker = Asker(seed_index, clock=lambda: date(2021, 3, 1))
    answer = asker.ask("今年怎么样")
    assert answer.status == "not_understood" and answer.notes == []


@pytest.mark.parametrize("case", words()["rank_again"], ids=_case_id)
def test_a_ranking_asked_again_by_its_size_keeps_its_measure_and_direction(asker, case):
    first, second, intent, direction, top = case
    last = asker.ask(first)
    answer = asker.ask(second, last.context)
    assert (answer.status, answer.intent, answer.context.direction) == ("answered", intent, direction), answer.text
    assert {f["metric"] for f in answer.facts} >= {f["metric"] for f in last.facts}  # the same measure
    assert len({f["agency"] for f in answer.facts}) >= top and answer.value is None  # several, not one number


@pytest.mark.parametrize("case", words()["not_rank_again"], ids=_case_id)
def test_a_follow_up_to_a_ranking_that_asks_otherwise_is_answered_so(asker, case):
    first, second, intent, direction = case
    answer = asker.ask(second, asker.ask(first).context)
    assert answer.intent == intent, answer.text
    assert answer.context.direction == direction if intent == "rank" else answer.intent != "rank"
