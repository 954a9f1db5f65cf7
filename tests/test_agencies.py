"""Agency names: derived short names, spotting in questions, asking back when a name fits several."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from bot.question.agencies import AgencyIndex, canonical_body, read, read_agency, rules, short_names
from bot.question.normalize import normalize

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


def test_a_near_miss_is_named_with_near_names_never_taken(index):
    spotted = index.spot("文登县2020年收到多少申请")
    assert spotted and spotted[0].conflict == "文登县" and not spotted[0].agencies
    assert "威海市文登区人民政府" in index.near("文登县")


def test_no_name_maps_an_agency_onto_another(index):
    for name, owners in index.by_name.items():
        if name in CORPUS["agencies"]:
            assert owners == {name}, name


WEB = Path(__file__).parent / "fixtures" / "corpus" / "web"


def test_forty_real_agencies_resolve_by_the_names_people_use():
    """Each question of the web corpus names one of its 40 real agencies in everyday words; resolved
    against their full names, each names exactly one, a different one each, reporting the year asked."""
    rows = list(csv.DictReader((WEB / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
    gold = json.loads((WEB / "gold.json").read_text(encoding="utf-8"))
    file_of = {r["agency"]: r["filename"] for r in rows}
    index = AgencyIndex.build(list(file_of))
    resolved = []
    for line in (WEB / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        question = normalize(json.loads(line)["q"])
        spots = index.spot(question)
        assert len(spots) == 1 and len(spots[0].agencies) == 1, (question, spots)
        agency = spots[0].agencies[0]
        year = gold[file_of[agency]]["year"]
        assert f"{year}年" in question, (question, agency, year)
        resolved.append(agency)
    assert len(set(resolved)) == len(rows) == 40


@pytest.mark.parametrize("full", sorted(CORPUS["agencies"]))
def test_a_name_is_read_whole_into_places_and_a_body(full):
    reading = read_agency(full)[0]
    assert reading.end == len(full) and reading.parts
    assert reading.chain[0].level in ("province", "city", "county")  # the gazetteer knows where it is


@pytest.mark.parametrize(("question", "named"), sorted(CORPUS["unknown_departments"].items()))
def test_a_department_no_agency_is_is_named_as_not_found(index, question, named):
    assert index.spot(question) == [] and index.unknown_place(question) == named


@pytest.mark.parametrize("question", CORPUS["not_names"])
def test_question_words_are_never_read_as_a_name(index, question):
    assert index.spot(question) == [] and index.unknown_place(question) is None


@pytest.mark.parametrize("group", rules()["body_synonyms"])
def test_every_way_of_writing_a_body_reads_as_one_body(group):
    for form in group:
        assert canonical_body(form) == group[0], form
        reading = read(f"佳木斯市{form}2021年")
        assert reading.body == group[0] and reading.parts[-1].forms[0] == "佳木斯市", form
    # a full name is read whole too: no part of the body is taken for a place (城乡 of 住房和城乡建设 is no 乡)
    full = read_agency(f"佳木斯市{group[0]}")
    assert [(r.body, r.parts[-1].forms[0]) for r in full] == [(group[0], "佳木斯市")]


def test_a_place_s_own_body_is_the_place_itself():
    for word in rules()["own_bodies"]:
        assert canonical_body(word) == ""
    assert read("桦川县政府").body == read("桦川县人民政府").body == read("桦川县").body == ""


@pytest.mark.parametrize(("kind", "shorts"), rules()["zone_kinds"].items())
def test_every_kind_of_zone_reads_long_or_short_with_its_own_name(kind, shorts):
    for written in (kind, *shorts):
        part = read(f"甲乙{written}管委会").parts[-1]
        assert part.level == "zone" and part.kind == shorts[0] and "甲乙" in part.forms, written
