"""Agency names: derived short names, spotting in questions, asking back when a name fits several."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.question.agencies import AgencyIndex, short_names

CORPUS = yaml.safe_load((Path(__file__).parent / "fixtures" / "agency_names.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> AgencyIndex:
    return AgencyIndex.build(CORPUS["agencies"])


@pytest.mark.parametrize(("full", "names"), CORPUS["derives"].items())
def test_rules_derive_the_names_people_use(full, names):
    assert set(names) <= short_names(full)


@pytest.mark.parametrize(("question", "meant"), CORPUS["spots"].items())
def test_a_question_finds_the_agency_it_means(index, question, meant):
    spotted = index.spot(question)
    exact = [s for s in spotted if s.exact and not s.conflict]
    if meant is None:
        assert not exact, spotted
    elif isinstance(meant, list):
        assert sorted(exact[0].agencies) == sorted(meant)
    else:
        assert exact and exact[0].agencies == [meant]


def test_a_near_miss_is_offered_not_taken(index):
    spotted = index.spot("文登县2020年收到多少申请")
    assert spotted and spotted[0].agencies == ["威海市文登区人民政府"]


def test_no_name_maps_an_agency_onto_another(index):
    for name, owners in index.by_name.items():
        if name in CORPUS["agencies"]:
            assert owners == {name}, name
