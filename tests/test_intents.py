"""Intents and everyday metric words: one case per example line of index/lexicon/questions.yaml.

`intent_examples`: each `match` question must parse to its intent (with the parts it lists),
each `no_match` question must not. `everyday_metric_words`: each `match` question must name the
entry's figure, each `no_match` question must not. Questions are parsed against the seed index,
so the agency names are those of seeds/.
"""

from __future__ import annotations

import pytest
import yaml

from bot.question import Asker
from bot.question.normalize import normalize
from bot.question.understand import lexicon, metric_words
from index import catalogue
from index.catalogue import LEXICON

QUESTIONS = yaml.safe_load((LEXICON / "questions.yaml").read_text(encoding="utf-8"))
INTENTS = QUESTIONS["intent_examples"]
EVERYDAY = QUESTIONS["everyday_metric_words"]


def _matches(spec) -> list[tuple[str, str]]:
    """A `match` list, or a mapping question → expectations."""
    if isinstance(spec, dict):
        return [(q, e or "") for q, e in spec.items()]
    return [(q, "") for q in spec]


INTENT_MATCH = [pytest.param(intent, q, want, id=f"{intent}: {q}")
                for intent, spec in INTENTS.items() for q, want in _matches(spec["match"])]
INTENT_NO_MATCH = [pytest.param(intent, q, id=f"{intent}: {q}")
                   for intent, spec in INTENTS.items() for q in spec.get("no_match") or ()]
WORD_MATCH = [pytest.param(e["means"], q, id=f"{e['means']}: {q}") for e in EVERYDAY for q in e["match"]]
WORD_NO_MATCH = [pytest.param(e["means"], q, id=f"{e['means']}: {q}") for e in EVERYDAY for q in e["no_match"]]


@pytest.fixture(scope="module")
def asker(seed_index) -> Asker:
    return Asker(seed_index)


def _parse(asker: Asker, question: str):
    return asker._understand(normalize(question))


def _names(means: str, metric: str | None) -> bool:
    """The parsed metric is the figure `means` says: a key, a 表四 block's total, or a 表四 column of any block."""
    cat = catalogue.load()
    if means in cat.metrics or means in cat.groups:
        return metric == means
    if means in cat.review_column_words.values():
        return bool(metric) and metric.endswith(f".{means}")
    return metric == f"{means}.total"


@pytest.mark.parametrize(("intent", "question", "want"), INTENT_MATCH)
def test_intent_match(asker, intent, question, want):
    p = _parse(asker, question)
    assert p.intent == intent, (question, p.intent, p.metric, p.cues)
    for part in want.split():
        key, value = part.split("=", 1)
        if key == "years":
            assert p.years == [int(y) for y in value.split(",")], (question, p.years)
        else:
            got = getattr(p, key)
            assert (",".join(got) if isinstance(got, list) else str(got)) == value, (question, key, got)


@pytest.mark.parametrize(("intent", "question"), INTENT_NO_MATCH)
def test_intent_no_match(asker, intent, question):
    p = _parse(asker, question)
    assert p.intent != intent, (question, p.metric, p.cues)


@pytest.mark.parametrize(("means", "question"), WORD_MATCH)
def test_everyday_word_match(asker, means, question):
    p = _parse(asker, question)
    assert _names(means, p.metric), (question, p.metric, p.metrics)


@pytest.mark.parametrize(("means", "question"), WORD_NO_MATCH)
def test_everyday_word_no_match(asker, means, question):
    p = _parse(asker, question)
    assert not _names(means, p.metric), (question, p.metric)


def test_every_intent_the_parser_gives_has_examples_both_ways():
    intents = {"lookup", "compare", "rank", "aggregate", "trend", "change", "ratio", "multi", "search",
               "list_reports", "summary", "check", "greeting", "thanks", "help"}
    assert intents <= set(INTENTS)
    assert [i for i, spec in INTENTS.items() if not spec.get("match") or not spec.get("no_match")] == []


def test_every_everyday_entry_names_a_figure_and_has_examples_both_ways():
    cat = catalogue.load()
    known = {*cat.metrics, *cat.groups, *cat.review_block_words.values(), *cat.review_column_words.values()}
    for entry in EVERYDAY:
        assert entry["means"] in known, entry
        assert entry["words"] and entry["match"] and entry["no_match"], entry["means"]


def test_an_everyday_word_never_shadows_a_catalogue_word():
    """The catalogue's own words come first; an everyday word adds a way to say a figure, never re-points one."""
    words = metric_words()
    for entry in EVERYDAY:
        for word in entry["words"]:
            kind, key = words[normalize(word)]
            assert key == entry["means"] or normalize(word) in _catalogue_words(), (word, key)


def _catalogue_words() -> set[str]:
    cat = catalogue.load()
    words = {w for m in cat.metrics.values() for w in m.words} | {w for g in cat.groups.values() for w in g.words}
    return {normalize(w) for w in words | set(cat.review_block_words)}


def test_lexicon_words_are_compared_in_normalised_form():
    """前三 in the lexicon is read as the normaliser writes it, so a cue can never be unmatchable."""
    for word in QUESTIONS["intents"]["rank"]:
        assert normalize(word) in lexicon()["intents"]["rank"], word
    unmatchable = [w for ws in QUESTIONS["intents"].values() for w in ws
                   if normalize(w) not in normalize(f"问{w}问")]
    assert unmatchable == []


@pytest.mark.parametrize("word", QUESTIONS["not_our_figures"])
def test_a_measure_the_tables_do_not_hold_is_never_answered_as_new_applications(asker, word):
    """高区2023年有多少申请被撤销: said with the common word 申请, it must not fall back to 新收."""
    p = _parse(asker, f"高区2023年有多少申请{word}了")
    assert p.intent == "unclear" and p.metric is None, (word, p.intent, p.metric)
    p = _parse(asker, f"高区2023年{word}有多少")  # said with no figure's word at all: never the report's summary
    assert p.intent == "unclear" and p.metric is None, (word, p.intent, p.metric)


NEGATION = QUESTIONS["negation_examples"]


@pytest.mark.parametrize(("question", "metric"), list(NEGATION["match"].items()))
def test_a_negated_figure_word_names_the_other_figure(asker, question, metric):
    assert _parse(asker, question).metric == metric


@pytest.mark.parametrize(("question", "metric"), list(NEGATION["no_match"].items()))
def test_a_figure_word_without_negation_keeps_its_figure(asker, question, metric):
    assert _parse(asker, question).metric != metric


AMONG = QUESTIONS["rank_among"]


@pytest.mark.parametrize(("question", "want"), _matches(AMONG["match"]))
def test_what_a_ranking_compares_is_read(asker, question, want):
    p = _parse(asker, question)
    for part in want.split():
        key, value = part.split("=", 1)
        assert str(getattr(p, key)) == value, (question, key, getattr(p, key))


@pytest.mark.parametrize("question", AMONG["no_match"])
def test_no_kind_of_place_is_read_where_none_is_said(asker, question):
    p = _parse(asker, question)
    assert not p.place_kind and not p.among, (question, p.place_kind, p.among)

