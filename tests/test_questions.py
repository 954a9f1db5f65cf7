"""Phrasings → answers, one case per line of tests/fixtures/phrasings.yaml.

Expected values were read from the seed reports; a question about one agency
must never answer with another's figure.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from bot.question import Asker

PHRASINGS = Path(__file__).parent / "fixtures" / "phrasings.yaml"
MONEY = {"元": 1, "万元": 10_000, "亿元": 100_000_000}


def _cases():
    data = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    for group, items in data.items():
        for question, expectation in items:
            yield pytest.param(question, expectation, id=f"{group}:{question[:24]}")


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


def _expectations(spec: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in spec.split()]


@pytest.mark.parametrize(("question", "expectation"), list(_cases()))
def test_phrasing(asker, question, expectation):
    answer = asker.ask(question)
    data = answer.to_json()
    agencies = {f.get("agency") for f in data["facts"]} | {s.get("agency") for s in data["sources"]}
    for key, want in _expectations(expectation):
        where = f"{question!r} → {answer.status} {answer.value} {answer.unit}: {answer.text[:160]!r}"
        if key == "v":
            if want == "None":
                assert answer.value is None, where
            else:
                assert answer.value is not None and math.isclose(answer.value, float(want)), where
        elif key == "yuan":
            assert answer.value is not None, where
            assert math.isclose(answer.value * MONEY[answer.unit], float(want)), where
        elif key == "s":
            assert answer.status == want, where
        elif key == "i":
            assert answer.intent == want, where
        elif key == "a":
            assert data["facts"] and data["facts"][0]["agency"] == want, where
        elif key == "m":
            assert data["facts"] and data["facts"][0]["metric"] == want, where
        elif key == "src":
            assert set(want.split("|")) <= agencies, where
        elif key == "has":
            assert want in answer.text, where
        else:
            raise AssertionError(f"unknown expectation {key}")


def test_every_phrasing_group_is_covered():
    data = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    assert sum(len(v) for v in data.values()) >= 150


def test_long_question_gets_a_clear_reply(asker):
    answer = asker.ask("文登区" * 2000)
    assert answer.status == "not_understood" and "太长" in answer.text


def test_answers_are_json_serialisable(asker):
    import json

    for q in ("文登区2020年收到多少申请", "哪些报告提到了政府开放日", "比较文登区和高区收到的申请数量", "你好"):
        json.dumps(asker.ask(q).to_json(), ensure_ascii=False)
