"""`nianbao chat` as a newcomer meets it: choices shown once and numbered, a stray Enter ignored, quit words end it."""

from __future__ import annotations

import io

import pytest

from bot.chat import QUIT_WORDS, WORDING, render_text, run_chat
from bot.question import Asker

REGION_ONLY = "威海市2020年收到多少申请"  # a city whose own report is not indexed: two of its agencies are offered


def chat(seed_index, typed: str) -> str:
    out = io.StringIO()
    assert run_chat(str(seed_index), stdin=io.StringIO(typed), stdout=out) == 0
    return out.getvalue()


def test_choices_print_once_numbered(seed_index):
    answer = Asker(seed_index).ask(REGION_ONLY)
    assert len(answer.choices) >= 2
    shown = render_text(answer)
    for i, choice in enumerate(answer.choices, 1):
        assert shown.count(choice) == 1, shown
        assert f"[{i}] {choice}" in shown


def test_a_stray_enter_is_ignored_and_a_number_picks_a_choice(seed_index):
    choices = Asker(seed_index).ask(REGION_ONLY).choices
    out = chat(seed_index, f"{REGION_ONLY}\n\n   \n2\n")
    after_pick = out.split(f"[2] {choices[1]}", 1)[1]
    assert choices[1] in after_pick  # the answer after the blank lines is for the second choice
    assert "件" in after_pick


@pytest.mark.parametrize("word", sorted(WORDING["quit_words"]))
def test_each_quit_word_ends_the_chat(seed_index, word):
    out = chat(seed_index, f"  {word.upper()}  \n文登区2020年收到多少申请\n")
    assert "42" not in out  # the question after the quit word was never asked


def test_end_of_input_ends_the_chat_and_questions_before_it_are_answered(seed_index):
    out = chat(seed_index, "文登区2020年收到多少申请")
    assert "42件" in out


def test_quit_words_are_not_questions(seed_index):
    """A quit word must not be something people ask: the question layer does not understand any of them."""
    asker = Asker(seed_index)
    assert QUIT_WORDS
    for word in QUIT_WORDS:
        assert asker.ask(word).value is None
