"""The lexicon files are data the code trusts: each is checked here, entry by entry."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from index import catalogue
from index.catalogue import LEXICON, TABLE_APPLY, normalize_label

CATALOGUE = yaml.safe_load((LEXICON / "catalogue.yaml").read_text(encoding="utf-8"))
PROSE = yaml.safe_load((LEXICON / "prose.yaml").read_text(encoding="utf-8"))
FORMATS = {"2019", "2021"}


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


@pytest.mark.parametrize("path", sorted(LEXICON.glob("*.yaml")), ids=lambda p: p.name)
def test_every_lexicon_file_is_a_yaml_mapping(path: Path):
    assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)


# --- catalogue.yaml -------------------------------------------------------------------------


def test_proactive_metrics_name_a_row_and_a_column_that_exist():
    rows, columns = CATALOGUE["proactive_rows"], CATALOGUE["proactive_columns"]
    for key, spec in CATALOGUE["proactive_metrics"].items():
        table, row, column = key.split(".")
        assert table == "proactive" and row in rows and column in columns, key
        formats = set(spec["formats"])
        assert formats and formats <= FORMATS, key
        column_format = str(columns[column]["format"])
        assert column_format == "any" or formats == {column_format}, key


def test_proactive_headers_find_their_own_keys(cat):
    for key, spec in CATALOGUE["proactive_rows"].items():
        assert all(cat.match_proactive_row(h) == key for h in spec["header"]), key
    for key, spec in CATALOGUE["proactive_columns"].items():
        assert all(cat.match_proactive_column(h) == key for h in spec["header"]), key


def test_every_apply_row_label_finds_its_own_metric(cat):
    for key, spec in CATALOGUE["apply_metrics"].items():
        assert spec["rows"], key
        for row in spec["rows"]:
            assert cat.match_apply_row(row, spec.get("parent", "")) == key, (key, row)


def test_apply_parents_are_the_groups_that_hold_them():
    groups = {spec["label"]: spec for spec in CATALOGUE["apply_groups"].values()}
    for key, spec in CATALOGUE["apply_metrics"].items():
        if "parent" in spec:
            assert key in groups[spec["parent"]]["parts"], key
    for key, spec in CATALOGUE["apply_groups"].items():
        for part in spec["parts"]:
            assert CATALOGUE["apply_metrics"][part].get("parent") == spec["label"], (key, part)


def test_table_header_words_are_no_row_labels(cat):
    for spec in CATALOGUE["apply_metrics"].values():
        for row in spec["rows"]:
            assert not any(cat.is_table_header(t, row) for t in cat.table_headers), row


def test_applicant_groups_and_review_groups_name_existing_parts():
    for spec in CATALOGUE["applicant_groups"].values():
        assert set(spec["parts"]) <= set(CATALOGUE["applicants"])
    for spec in CATALOGUE["review_groups"].values():
        assert set(spec["parts"]) <= set(CATALOGUE["review_blocks"])


def test_review_headers_name_their_own_blocks(cat):
    for block, spec in CATALOGUE["review_blocks"].items():
        assert all(list(cat.review_blocks_named(h)) == [block] for h in spec["header"]), block
    for spec in CATALOGUE["review_groups"].values():
        assert all(list(cat.review_blocks_named(h)) == list(spec["parts"]) for h in spec["header"])
    for spec in CATALOGUE["review_columns"].values():
        assert all(cat.names_review_column(h) for h in spec["header"])


def test_no_word_names_metrics_of_two_tables(cat):
    owners: dict[str, set[str]] = defaultdict(set)
    for metric in cat.metrics.values():
        for word in metric.words:
            owners[word].add(metric.table)
    for group in cat.groups.values():
        for word in group.words:
            owners[word].add(cat.metrics[group.parts[0]].table)
    assert {w: t for w, t in owners.items() if len(t) > 1} == {}


def test_no_word_names_two_applicants(cat):
    seen: dict[str, str] = {}
    for applicant in [*cat.applicants.values(), *cat.applicant_groups.values()]:
        for word in applicant.words:
            assert seen.setdefault(word, applicant.key) == applicant.key, word


def test_no_row_label_is_printed_for_two_metrics(cat):
    """Two 表三 metrics may share a label only under different groups (3.其他 is the one case)."""
    seen: dict[tuple[str, str], str] = {}
    for metric in cat.metrics.values():
        if metric.table != TABLE_APPLY:
            continue
        for row in metric.rows:
            assert seen.setdefault((row, metric.parent), metric.key) == metric.key, row


# --- prose.yaml -----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", PROSE["rules"], ids=lambda r: r["metric"])
def test_prose_rule_is_well_formed(cat, rule):
    assert rule["metric"] in cat.metrics or rule["metric"] in cat.groups
    assert ("{NUM}" in rule["pattern"]) != ("value" in rule)
    re.compile(rule["pattern"].replace("{NUM}", r"(?P<n>\d+)"))


# --- sections.yaml --------------------------------------------------------------------------


def test_sections_name_the_table_sections_and_their_words_make_headings():
    from index.sections import heading_key, section_words
    from index.tables import SECTION_TABLE

    words = section_words()
    assert set(SECTION_TABLE) <= set(words)
    for key, heading_words in words.items():
        for word in heading_words:
            assert heading_key(f"一、{word}") == key, word
            assert heading_key(f"4、 {word}") == key, word


# --- regions.yaml and terms.yaml ------------------------------------------------------------


def test_regions():
    data = yaml.safe_load((LEXICON / "regions.yaml").read_text(encoding="utf-8"))
    for province, spec in data["provinces"].items():
        assert re.search(r"(省|市|自治区)$", province), province
        for city, counties in (spec.get("cities") or {}).items():
            assert not city.endswith("市"), city  # written without 市
            assert len(set(counties)) == len(counties), city
            assert all(re.search(r"(区|县|市|旗)$", c) for c in counties), city


def test_terms():
    terms = yaml.safe_load((LEXICON / "terms.yaml").read_text(encoding="utf-8"))["terms"]
    assert all(isinstance(t, str) and len(t) >= 2 for t in terms)
    assert len(set(terms)) == len(terms)


def test_labels_compare_without_numbering_spacing_or_width():
    assert normalize_label("（三） 不予公开") == normalize_label("(三)不予公开") == "不予公开"
    assert normalize_label("１．属于国家秘密") == "属于国家秘密"
    assert normalize_label("[bookmark: _Hlk66973412]一、本年新收政府信息公开申请数量") == "本年新收政府信息公开申请数量"


def test_places():
    data = yaml.safe_load((LEXICON / "places.yaml").read_text(encoding="utf-8"))
    for kind, shorts in data["zone_kinds"].items():
        assert re.search(r"(区|园)$", kind) and shorts, kind  # a zone's kind names a 区 or a 园
        assert all(re.search(r"(区|园)$", s) for s in shorts), kind
    assert all(len(p) >= 2 for p in data["generic_places"])
    assert len(set(data["generic_places"])) == len(data["generic_places"])
