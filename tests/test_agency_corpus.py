"""A name corpus from the gazetteer: real places × common bodies, at every level and in every province.

Half the names are indexed, half are not. Every short name the rules derive for an indexed
agency resolves to it or asks among a set holding it, never to another agency; a full name
that exists only outside the index fits nothing (the bot says no_data).
"""

from __future__ import annotations

import random

import pytest

from bot.question.agencies import AgencyIndex, read, read_agency, short_names
from index import gazetteer

# bodies an agency of each level commonly has (the full names as agencies write them)
BODIES = {
    "province": ["人民政府", "人民政府办公厅", "统计局", "住房和城乡建设厅"],
    "city": ["人民政府", "人民政府办公室", "卫生健康委员会", "林业和草原局", "统计局", "医疗保障局"],
    "county": ["人民政府", "人民政府办公室", "卫生健康局", "行政审批服务局", "地方志工作办公室", "政务服务中心"],
    "township": ["人民政府"],
}
SEED = 20240601


def _corpus() -> list[str]:
    """Full names: each province's own bodies, then a few of its cities, counties and townships."""
    rng = random.Random(SEED)
    g = gazetteer.load()
    towns = gazetteer.townships()
    names = []
    for province in sorted(gazetteer.provinces(), key=lambda p: p.code):
        if province.code.startswith(("71", "81", "82")):
            continue  # 台湾, 香港, 澳门 publish no such reports
        names += [province.name + b for b in BODIES["province"]]
        cities = [c for c in gazetteer.children(province.code) if c.level == "city"]
        counties = [c for c in gazetteer.children(province.code) if c.level == "county"]  # a municipality's
        for city in rng.sample(cities, min(4, len(cities))):
            names += [city.name + b for b in rng.sample(BODIES["city"], 3)]
            counties += rng.sample(gazetteer.children(city.code), min(3, len(gazetteer.children(city.code))))
        for county in counties[:16]:
            above = g.places.get(county.parent)
            prefix = above.name if above and above.level == "city" and rng.random() < 0.5 else ""
            names += [prefix + county.name + b for b in rng.sample(BODIES["county"], 3)]
            for town in rng.sample(list(towns.get(county.code, ())), min(2, len(towns.get(county.code, ())))):
                if town.endswith("街道"):
                    names.append(county.name + town + "办事处")
                else:
                    names.append(county.name + town + "人民政府")
    return list(dict.fromkeys(names))


@pytest.fixture(scope="module")
def corpus() -> tuple[list[str], list[str], AgencyIndex]:
    names = _corpus()
    rng = random.Random(SEED)
    rng.shuffle(names)
    indexed, outside = sorted(names[: len(names) * 3 // 4]), names[len(names) * 3 // 4:]
    return indexed, outside, AgencyIndex.build(indexed)


def test_the_corpus_covers_every_province_and_level(corpus):
    indexed, outside, _ = corpus
    assert len(indexed) + len(outside) >= 2000
    levels = {read(n).parts[-1].level for n in indexed}
    assert {"province", "city", "county", "township"} <= levels
    provinces = {p.name for p in gazetteer.provinces()} - {"台湾省", "香港特别行政区", "澳门特别行政区"}
    tops = [read_agency(n)[0].chain[0] for n in indexed]
    assert provinces == {p.forms[0] for p in tops if p.level == "province"}


def test_every_short_name_resolves_to_its_agency_or_asks_among_a_set_holding_it(corpus):
    indexed, _, index = corpus
    rng = random.Random(SEED)
    wrong, checked = [], 0
    for full in indexed:
        forms = sorted(short_names(full))
        for form in [full, *rng.sample(forms, min(3, len(forms)))]:
            spots = index.spot(f"{form}2023年收到多少申请")
            checked += 1
            if len(spots) != 1 or spots[0].span != form or full not in spots[0].agencies:
                wrong.append((form, full, [(s.span, s.agencies[:3]) for s in spots]))
    assert checked >= 7000
    assert not wrong, wrong[:10]


def test_a_full_name_fits_only_its_own_agency(corpus):
    indexed, _, index = corpus
    for full in indexed:
        spots = index.spot(full)
        assert [s.agencies for s in spots] == [[full]], full


def test_a_name_outside_the_index_fits_no_agency(corpus):
    _, outside, index = corpus
    for full in outside:
        spots = index.spot(f"{full}2022年收到多少申请")
        assert spots and all(not s.agencies and s.conflict for s in spots), (full, spots)


def test_a_short_name_after_its_province_is_read_from_the_gazetteer(corpus):
    """山东 + 文登卫健局: prefixes the rules do not list are read place by place and still fit."""
    indexed, _, index = corpus
    rng = random.Random(SEED + 1)
    wrong, checked = [], 0
    for full in indexed:
        chain = read_agency(full)[0].chain
        if len(chain) < 3 or chain[0].level != "province":
            continue
        province = chain[0].forms[-1]
        lowest = read_agency(full)[0].parts[-1]
        # the forms read place by place (a township's bare 召陵 may also be 召陵区: those are listed names)
        candidates = [f for f in sorted(short_names(full)) if not f.startswith((*chain[0].forms, *chain[1].forms))]
        readings = {f: read(f) for f in candidates}
        forms = [f for f, r in readings.items() if r.end == len(f) and r.parts and r.parts[0].level != "level"
                 and r.parts[-1].same(lowest)]
        for form in rng.sample(forms, min(2, len(forms))):
            spots = index.spot(f"{province}{form}2021年收到多少申请")
            checked += 1
            if len(spots) != 1 or full not in spots[0].agencies:
                wrong.append((province + form, full, [(s.span, s.agencies[:3]) for s in spots]))
    assert checked >= 1000
    assert not wrong, wrong[:10]
