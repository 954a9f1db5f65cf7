"""Numerals in questions (lexicon/numerals.yaml): the examples become digits, the words stay as written."""

from __future__ import annotations

import pytest

from bot.question.normalize import normalize, numerals


@pytest.mark.parametrize("question", list(numerals()["examples"]))
def test_numerals_that_count_rank_or_date_become_digits(question):
    assert normalize(question) == numerals()["examples"][question]


@pytest.mark.parametrize("words", numerals()["unchanged"])
def test_numerals_inside_words_stay(words):
    assert normalize(words) == words


def test_every_numeral_of_a_year_or_count_has_its_digit():
    spec = numerals()
    held = set(spec["digits"])
    assert set(spec["year_numerals"]) <= held
    assert set(spec["count_numerals"]) - set("十百千万") <= held
