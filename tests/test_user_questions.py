"""Questions in real users' words (tests/fixtures/user_questions.yaml) asked of the real web corpus
(tests/fixtures/corpus/web); every expected value is read from its gold.json by report and metric key."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml

from bot.question.asker import Asker

FIXTURES = Path(__file__).parent / "fixtures"
WEB = FIXTURES / "corpus" / "web"
ROWS = list(csv.DictReader((WEB / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"))
GOLD = json.loads((WEB / "gold.json").read_text(encoding="utf-8"))
ENTRIES = yaml.safe_load((FIXTURES / "user_questions.yaml").read_text(encoding="utf-8"))["questions"]


def gold(file: str, metric: str):
    """A report's gold figure by metric key: a table cell (apply.new is its 总计 column) or else a prose figure."""
    report = GOLD[file]
    for where, key in ((report["facts"], metric), (report["facts"], f"{metric}.total"),
                       (report["prose"], metric), (report["prose"], metric.removesuffix(".total"))):
        if where.get(key) is not None:
            return where[key]
    return None


def among(scope: dict) -> list[dict]:
    """The reports a ranking or sum covers: a province, an agency-name ending (or several), a year."""
    suffix = scope.get("suffix", "")
    return [r for r in ROWS if r["province"] == scope.get("province", r["province"])
            and r["agency"].endswith(tuple(suffix) if isinstance(suffix, list) else suffix)
            and int(r["year"]) == scope.get("year", int(r["year"]))]


@pytest.fixture(scope="module")
def asker(web_index) -> Asker:
    return Asker(web_index)


def check(answer, entry: dict) -> None:
    question = entry["ask"]
    assert answer.status == entry.get("status", "answered"), (question, answer.text)
    for word in entry.get("says", []):
        assert word in answer.text, (question, word, answer.text)
    if answer.status != "answered":
        assert answer.value is None, (question, answer.text)
        for word in entry.get("choices", []):
            assert answer.choices and all(word in c for c in answer.choices), (question, answer.choices)
        return
    if "facts" in entry:
        want = [(f, gold(f, m)) for f, m in (fact.split() for fact in entry["facts"])]
        assert all(v is not None for _, v in want), (question, "the gold has no such figure")
        got = [(f["source"]["file"], f["value"]) for f in answer.facts]
        assert got == want, (question, answer.text)
        values = [v for _, v in want]
        expected = {"one": values[0], "sum": sum(values), "diff": max(values) - min(values), "none": None}
        assert answer.value == expected[entry.get("value", "one")], (question, answer.text)
    for kind in ("rank", "total"):
        if kind in entry:
            metric, rows = entry[kind]["metric"], among(entry[kind]["among"])
            want = {r["filename"]: gold(r["filename"], metric) for r in rows}
            want = {f: v for f, v in want.items() if v is not None}
            assert want, (question, "the gold holds nothing to rank")
            got = {f["source"]["file"]: f["value"] for f in answer.facts}
            assert set(got) <= {r["filename"] for r in rows}, (question, answer.text)
            if kind == "rank":
                assert answer.value == max(want.values()), (question, answer.text)
                assert got.get(max(want, key=want.get)) == answer.value, (question, answer.text)
            else:
                assert answer.value == sum(want.values()), (question, answer.text)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.get("ask") or e["chat"][0]["ask"] for e in ENTRIES])
def test_a_user_question_gets_the_gold_answer(asker, entry):
    context = None
    for turn in entry.get("chat", [entry]):
        answer = asker.ask(turn["ask"], context)
        check(answer, turn)
        context = answer.context
