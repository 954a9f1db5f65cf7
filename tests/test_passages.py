"""Figures stated only in a report's text, found by the question's words: the corpus of lexicon/passages.yaml."""

from __future__ import annotations

import pytest

from bot.question import Asker
from bot.question.passages import best, candidates, words


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


@pytest.mark.parametrize(("question", "value"), words()["match"], ids=[q for q, _ in words()["match"]])
def test_the_text_states_the_figure_asked_for(asker, question, value):
    answer = asker.ask(question)
    assert answer.status == "answered" and answer.value == value, answer.text
    sentence = answer.facts[0]["source"]["sentence"]
    assert str(value) in sentence.replace(" ", "")  # the quoted text prints the number given


@pytest.mark.parametrize("question", words()["no_match"])
def test_words_the_text_does_not_count_give_no_figure(asker, question):
    answer = asker.ask(question)
    assert answer.value is None and not any(f["source"]["table"] == "正文" for f in answer.facts), answer.text


def test_two_numbers_described_alike_are_both_shown_and_none_chosen():
    lines = ["市级平台发布信息230条，区级平台发布信息480条。"]
    found = best(candidates(lines, ["平台", "信息"], [], "条"))
    assert sorted(s.value for s in found) == [230, 480]


def test_a_verb_alone_describes_nothing():
    assert candidates(["门户网站发布信息1.2万余条。"], ["微信", "发布"], [], "条") == []
    assert candidates(["门户网站发布信息1.2万余条。"], ["发布"], [], "条") == []


def test_ten_thousands_and_approximate_numbers():
    (found,) = candidates(["门户网站发布信息1.2万余条。"], ["门户网站", "发布"], [], "条")
    assert (found.value, found.approx, found.line) == (12000, True, 1)


def test_the_thing_counted_is_the_last_specific_word():
    lines = ["2024年,全市共受理政府信息公开申请5147件。因依申请公开引发行政争议275件,其中行政复议201件,行政诉讼74件。"]
    terms = ["依申请公开", "引发", "行政复议"]
    assert [s.value for s in best(candidates(lines, terms, [], "件"))] == [201]


def test_a_cause_never_describes_what_it_caused():
    lines = ["因依申请公开引发行政争议275件,其中行政复议201件。"]
    assert candidates(lines, ["依申请公开"], [], "件") == []
    assert [s.value for s in candidates(lines, ["行政争议"], [], "件")] == [275]


def test_a_description_naming_another_measure_is_another_figure():
    lines = ["全年共收到申请26件，申请人主动撤回信息公开申请3件。"]
    assert [s.value for s in candidates(lines, ["申请"], [], "件", ("撤回",))] == [26]
    assert sorted(s.value for s in candidates(lines, ["申请"], [], "件")) == [3, 26]
