"""One rule for what a name means, over the seed index and real places from the gazetteer.

One agency fits → answer for it (and say which, when the name was short); several fit → ask
among them; none fits → no_data naming the mention. A name is never dropped: no sum over all
agencies and no compare of the one agency left because another name was not understood.
"""

from __future__ import annotations

import random

import pytest

from bot.question.agencies import read, read_agency, rules
from bot.question.answer import AMBIGUOUS, ANSWERED, NO_DATA
from bot.question.asker import Asker
from index import gazetteer


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


def _reports(asker) -> list[tuple[str, int]]:
    return sorted({(r["agency"], r["year"]) for r in asker.index.reports})


def _outside_places(asker, n: int) -> list[str]:
    """Real counties and districts from the gazetteer that no indexed agency is in or named after."""
    held = {k for a in asker.index.agencies for r in read_agency(a) for p in r.chain for k in p.key}
    counties = [p for p in gazetteer.load().places.values()
                if p.level == "county" and p.code not in held and p.parent not in held and len(p.name) >= 3]
    rng = random.Random(7)
    names = [p.name for p in rng.sample(counties, 200)]
    # a name the index's short names do not also spell (朝阳区 is not only Beijing's)
    return [n for n in names if not any(n in s or s in n for s in asker.agencies.by_name if len(s) >= 2)][:n]


def test_each_agency_by_its_shortest_name_is_answered_for_it(asker):
    for agency, year in _reports(asker):
        name = asker.agencies.shortest_name(agency)
        answer = asker.ask(f"{name}{year}年收到多少申请")
        assert answer.status == ANSWERED, (name, answer.text)
        assert {f["agency"] for f in answer.facts} == {agency}
        assert agency in answer.text  # the reply says which agency it answered for


def test_a_name_fitting_several_agencies_asks_among_exactly_those(asker):
    kinds = {s for shorts in rules()["zone_kinds"].values() for s in shorts}
    shared = {n: set(asker.agencies.fitting(read(n))) for n in kinds}
    shared = {n: owners for n, owners in shared.items() if len(owners) >= 2}
    shared |= {n: owners for n, owners in asker.agencies.by_name.items() if len(owners) >= 2}
    assert shared
    for name, owners in shared.items():
        answer = asker.ask(f"{name}收到多少申请")
        assert answer.status == AMBIGUOUS and set(answer.choices) == owners, (name, answer.text)


def test_a_name_fitting_one_agency_is_answered_for_it_saying_which(asker):
    kinds = {s for shorts in rules()["zone_kinds"].values() for s in shorts}
    alone = {n: asker.agencies.fitting(read(n)) for n in kinds}
    alone = {n: owners[0] for n, owners in alone.items() if len(owners) == 1}
    assert alone
    for name, agency in alone.items():
        year = asker.index.years_of(agency)[-1]
        answer = asker.ask(f"{name}{year}年收到多少申请")
        assert answer.status == ANSWERED and {f["agency"] for f in answer.facts} == {agency}, answer.text
        assert agency in answer.text


@pytest.mark.parametrize("i", range(6))
def test_an_unknown_place_is_named_never_summed_over(asker, i):
    place = _outside_places(asker, 6)[i]
    year = asker.index.years[-1]
    answer = asker.ask(f"{place}{year % 100}年一共收到多少件政府信息公开申请")
    assert answer.status == NO_DATA and f"“{place}" in answer.text, answer.text
    assert answer.value is None and not answer.facts


@pytest.mark.parametrize("i", range(4))
def test_a_compare_with_one_unknown_name_answers_for_neither(asker, i):
    place = _outside_places(asker, 4)[i]
    agency, year = _reports(asker)[i % len(_reports(asker))]
    known = asker.agencies.shortest_name(agency)
    for question in (f"比较{known}和{place}{year}年收到的申请", f"{place}和{known}{year}年收到的申请比较"):
        answer = asker.ask(question)
        assert answer.status == NO_DATA and place in answer.text, (question, answer.text)
        assert not answer.facts


def test_two_known_names_in_a_compare_are_both_answered(asker):
    by_year = {}
    for agency, year in _reports(asker):
        by_year.setdefault(year, []).append(agency)
    year, (a, b) = next((y, names[:2]) for y, names in sorted(by_year.items()) if len(names) >= 2)
    answer = asker.ask(f"比较{asker.agencies.shortest_name(a)}和{asker.agencies.shortest_name(b)}{year}年收到的申请")
    assert answer.status == ANSWERED and {f["agency"] for f in answer.facts} == {a, b}, answer.text


@pytest.mark.parametrize("words", ["有没有人告政府", "收到多少申请", "一共有几件复议"])
def test_words_next_to_a_year_are_never_a_name(asker, words):
    answer = asker.ask(f"{asker.index.years[-1]}年{words}")
    assert f"“年{words[:2]}" not in answer.text and f"“{words[:3]}" not in answer.text, answer.text


def test_a_name_that_fits_none_lists_near_names_not_every_agency(asker):
    agency, year = _reports(asker)[0]
    reading = read_agency(agency)[0]
    lowest = reading.parts[-1].forms[0]
    # the same place with a body no indexed agency of it has
    answer = asker.ask(f"{lowest}档案馆{year}年收到多少申请")
    assert answer.status == NO_DATA and "档案馆" in answer.text, answer.text
    near = answer.text.split("：", 1)[-1]
    assert agency in near and len([a for a in asker.index.agencies if a in near]) < len(asker.index.agencies)
