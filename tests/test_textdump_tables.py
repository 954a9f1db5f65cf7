"""Crawler text dumps (tests/fixtures/corpus/textdump): cells run together are never guessed.

A dump prints a table as one line, labels and digits run together
(规章000规范性文件898989…). Each row of the national template is either read
exactly as the hand-read gold says, or reported unreadable by name with its
digits kept for a reader of digit runs (index.runs); no table fact is wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import catalogue
from index.parse import parse_file

DUMPS = Path(__file__).parent / "fixtures" / "corpus" / "textdump"
GOLD = json.loads((DUMPS / "gold.json").read_text(encoding="utf-8"))


def _row_of(key: str) -> tuple[str, str | None, str]:
    """(metric, applicant, the row's name in warnings) of a gold key."""
    cat = catalogue.load()
    parts = key.split(".")
    if parts[0] == "apply":
        metric = ".".join(parts[:-1])
        return metric, parts[-1], f"表三 row {cat.metrics[metric].label} "
    if parts[0] == "proactive":
        return key, None, f"表二 row {cat.proactive_labels[parts[1]]} "
    return key, None, "表四 row"


@pytest.mark.parametrize("name", sorted(GOLD))
def test_each_row_is_read_exactly_or_named_unreadable(name):
    entry = GOLD[name]
    report = parse_file(DUMPS / name)
    got = {(f.metric, f.applicant): f for f in report.facts if f.table != "正文" and f.year is None}
    unreadable = [w for w in report.warnings if "unreadable" in w]
    wrong, silent = [], []
    for key, expected in entry["facts"].items():
        metric, applicant, row_name = _row_of(key)
        fact = got.get((metric, applicant))
        if fact is not None:
            if fact.value != expected:
                wrong.append((key, expected, fact.value))
        elif not any(row_name in w for w in unreadable):
            silent.append(key)
    assert wrong == []
    assert silent == []


def test_a_run_of_digits_is_kept_for_the_runs_reader():
    report = parse_file(DUMPS / "02_pingtan_2021.txt")
    # a row even index.runs cannot cut (表二 has no sum rule) keeps its digits in the warning
    assert any(w.startswith("line 10: 表二 row 规范性文件 unreadable (1 values for 3 cells") for w in report.warnings)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_no_fact_of_any_kind_contradicts_the_gold(name):
    """Table, recovered and prose facts alike: a figure the page states otherwise is never stored
    (予以公开及部分公开42件 is no 部分公开 figure)."""
    facts = parse_file(DUMPS / name).facts
    wrong = []
    for key, expected in GOLD[name]["facts"].items():
        metric, applicant, _ = _row_of(key)
        wrong += [(key, expected, f.value, f.table) for f in facts
                  if f.metric == metric and (f.applicant or "total") == (applicant or "total") and f.value != expected]
    assert wrong == []
