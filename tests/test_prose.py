"""Prose figures: one case per example sentence in index/lexicon/prose.yaml.

Each `match` sentence must state its value for the rule's metric; each
`no_match` sentence must state no figure at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from index.layout import blocks
from index.prose import figures_in, normalize_sentence, prose_facts

PROSE_YAML = Path(__file__).resolve().parent.parent / "index" / "lexicon" / "prose.yaml"
RULES = yaml.safe_load(PROSE_YAML.read_text(encoding="utf-8"))["rules"]

MATCHES = [
    pytest.param(rule["metric"], sentence, value, id=f"{rule['metric']}: {sentence[:24]}")
    for rule in RULES
    for sentence, value in (rule.get("match") or {}).items()
]
NO_MATCHES = [
    pytest.param(rule["metric"], sentence, id=f"{rule['metric']}: {sentence[:24]}")
    for rule in RULES
    for sentence in rule.get("no_match") or ()
]


@pytest.mark.parametrize("metric,sentence,value", MATCHES)
def test_match(metric, sentence, value):
    found = {m: v for m, v, _, _, _ in figures_in(sentence)}
    assert found.get(metric) == value


@pytest.mark.parametrize("metric,sentence", NO_MATCHES)
def test_no_match(metric, sentence):
    assert figures_in(sentence) == []


def test_every_rule_has_an_example():
    assert [r["metric"] for r in RULES if not r.get("match")] == []


def test_approximate_figures_are_marked():
    found = {m: (v, unit, approx) for m, v, unit, _, approx in figures_in("政府信息公开专栏发布信息1.2万余条")}
    assert found == {"prose.info_published": (12000, "条", True)}
    found = {m: (v, unit, approx) for m, v, unit, _, approx in figures_in("行政诉讼8起")}
    assert found == {"litigation.total": (8, "起", False)}


def test_spaces_around_numbers_go_but_numbers_stay_apart():
    assert normalize_sentence("受理政府信息公开申请 3119 件") == "受理政府信息公开申请3119件"
    assert normalize_sentence("申请数量 3001 53 0") == "申请数量3001 53 0"


def test_figure_cites_the_line_its_number_is_printed_on():
    """A sentence a PDF broke over lines: the figure's line is where its number stands."""
    lines = ["（二）依申请公开情况。2024 年，全市共受理政府信息公开申请 3119 件，答",
             "复 3050 件。政府信息公开行政复议 351",
             "件，其中结果维持 72 件。"]
    facts = {f.metric: (f.value, f.line) for f in prose_facts(blocks(lines))}
    assert facts["apply.new"] == (3119, 1)
    assert facts["review.total"] == (351, 2)
