"""Figures a report states only in its text, found by the question's own words.

The report's text is cut at every counted number (9600余条, 80余人次); the words
before and after each number up to the next one are its description. The
number whose description holds most of the question's words answers; two
different numbers described equally well are both shown, and none is chosen.
No rule per counted thing: the vocabulary is the question's. Words in
lexicon/passages.yaml.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.question import compose
from bot.question.answer import ANSWERED, Answer
from bot.question.followup import FollowUp
from bot.question.query import Index
from bot.question.understand import Parsed, lexicon, metric_words
from index import catalogue, tokenize
from index.catalogue import LEXICON, PROSE
from index.prose import NUM, digits_of, normalize_sentence
from index.yamlfile import read_yaml

_CLAUSE = re.compile(r"[，,；;。！!？?]")


@lru_cache(maxsize=1)
def words() -> dict:
    return read_yaml(LEXICON / "passages.yaml")


@lru_cache(maxsize=1)
def _counted() -> re.Pattern:
    units = "|".join(sorted(words()["units"], key=len, reverse=True))
    return re.compile(rf"(?<![\d.]){NUM}(?P<unit>{units})")


@dataclass
class Stated:
    value: float
    unit: str
    raw: str
    line: int
    clause: str
    score: float
    approx: bool


def question_words(text: str, names: list[str]) -> tuple[list[str], list[str]]:
    """(words, adjacent pairs): what the question counts, without names, years and how it asks."""
    for name in names:
        text = text.replace(name, " ")
    text = re.sub(r"\d+", " ", text)
    stop = set(words()["stop"])
    asks = tuple(words()["asks"])
    tokens = [t.removesuffix(words()["done"]) for t in tokenize.query_tokens(text)]
    tokens = [t for t in tokens if len(t) >= 2 and t not in stop and not t.startswith(asks)]
    kept = list(dict.fromkeys(tokens))
    pairs = [a + b for a, b in zip(tokens, tokens[1:], strict=False) if a + b in text]
    return kept, pairs


def asks_count(text: str) -> bool:
    return any(w in text for w in words()["asks"])


def asked_unit(text: str) -> str | None:
    units = "|".join(sorted(words()["units"], key=len, reverse=True))
    asks = "|".join(words()["asks"])
    match = re.search(rf"(?:{asks})({units})", text)
    return match.group(1) if match else None


def _same_kind(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in words()["same_units"])


def candidates(lines: list[str], terms: list[str], pairs: list[str], unit: str | None,
               others: tuple[str, ...] = (), asked: tuple[str, ...] = (), naming: tuple[str, ...] = ()) -> list[Stated]:
    """Every counted number of the text whose description holds enough of the question's words, best first.

    A description naming one of `others` (measures the question did not ask about: 撤回, 协助) is
    another figure, however many of the question's words it shares (申请人主动撤回信息公开申请3件);
    one missing a measure the question does name (`asked`: 驳回了多少申请) describes another figure too,
    and so does one with none of the words of the figure asked for (`naming`: 去年剩下多少申请 is 结转, not
    the 收到申请1554件 the common word 申请 finds).
    """
    if not terms:
        return []
    generic = set(words()["generic"])
    specific = [t for t in terms if t not in generic]
    if not specific:
        return []  # 发布了多少: a verb alone describes every number of the text
    need = max(1, math.ceil(len(terms) * words()["min_share"]))
    # the thing counted is the question's last specific word (…引发的行政复议多少件: 行政复议, not 依申请公开)
    head = specific[-1]
    found = []
    for number, clause, hits in _clauses(tuple(lines)):
        if head not in clause:
            continue
        for i, hit in enumerate(hits):
            if unit and not _same_kind(hit["unit"], unit):
                continue
            start = hits[i - 1].end() if i else 0
            end = hits[i + 1].start() if i + 1 < len(hits) else len(clause)
            before = clause[start : hit.start()]
            # 因依申请公开引发行政争议275件: what comes before a cause word is the cause, not the thing counted
            for cause in words()["cause_words"]:
                before = before.rpartition(cause)[2]
            # a description mostly comes before its number (动态信息333条), sometimes after (开展9场…活动),
            # but never past the next item of a list (人大建议3件、政协提案6件)
            after = clause[hit.end() : end].split(words()["list_mark"])[0]
            said = [t for t in terms if t in before] + [t for t in terms if t in after and t not in before]
            if head not in said or len(said) < need or any(w in before for w in others) \
                    or any(w not in before + after for w in asked) \
                    or naming and not any(w in before + after for w in naming):
                continue
            # a longer word says more (政协提案 over 承办)
            score = sum(len(t) if t in before else len(t) / 2 for t in said)
            score += sum(len(p) / 2 for p in pairs if p in before)
            value = float(digits_of(hit["n"])) * words()["multipliers"].get(hit["mult"] or "", 1)
            found.append(Stated(value, hit["unit"], hit.group(0), number, clause.strip(), score,
                                bool(hit["approx"])))
    return sorted(found, key=lambda s: -s.score)


@lru_cache(maxsize=64)
def _clauses(lines: tuple[str, ...]) -> list[tuple[int, str, list[re.Match]]]:
    """(line number, clause, counted numbers) for every clause of a text that counts something (cut once per report)."""
    out = []
    for number, line in enumerate(lines, 1):
        if not any(ch.isdigit() for ch in line):
            continue
        for clause in _CLAUSE.split(normalize_sentence(line)):
            hits = list(_counted().finditer(clause))
            if hits:
                out.append((number, clause, hits))
    return out


def best(stated: list[Stated]) -> list[Stated]:
    """The best-described numbers: one when the text is clear, several (all shown, none chosen) when not."""
    if not stated:
        return []
    top = [s for s in stated if s.score == stated[0].score]
    return list({(s.value, s.unit): s for s in top}.values())


def answer(question: str, p: Parsed, ix: Index, agency: str, year: int) -> Answer | None:
    """The figure the report's text states for the question's words, or None when it states none."""
    report = ix.report(agency, year)
    if report is None:
        return None
    terms, pairs = question_words(p.text, [s.span for s in p.agencies])
    naming = _words_of(p.metric)
    found = best(candidates(ix.lines(report["file"]), terms, pairs, asked_unit(p.text),
                            _others(p.text) + _rivals(p.metric, naming, p.text), _asked_measures(p.text), naming))
    if not found:
        return None
    what = "、".join(terms)
    facts = [_fact(agency, year, report["file"], what, s) for s in found]
    context = FollowUp(p.text, [agency], [year], None, None, "lookup")
    if len(found) > 1:
        lines = [compose.say("passage_several", agency=agency, year=year, words=what, count=len(found))]
        lines += [compose.say("passage_item", value_text=compose.number_text(s.value, s.unit, s.raw), line=s.line,
                              clause=compose.clip(s.clause, 60)) for s in found]
        return Answer(question, ANSWERED, "lookup", "\n".join(lines), facts=facts, context=context)
    s = found[0]
    value_text = compose.number_text(s.value, s.unit, s.raw)
    note = compose.say("note_passage", words=what)
    text = "\n".join([compose.say("passage_one", agency=agency, year=year, words=what, value_text=value_text),
                      compose.say("source_prose", file=report["file"], line=s.line, sentence=compose.clip(s.clause, 90))
                      + (compose.say("source_url", url=report["url"]) if report.get("url") else ""),
                      note] + ([compose.say("note_approx", raw=s.raw)] if s.approx else []))
    return Answer(question, ANSWERED, "lookup", text, compose.plain_value(s.value), s.unit, facts=facts,
                  notes=[note], context=context)


# a figure's word this long names that figure only (部分公开); shorter ones (公开, 申请) are said of many
RIVAL_LENGTH = 4


def _words_of(metric: str | None) -> tuple[str, ...]:
    """The words that name a table's figure the question asks for (结转, 上年结转 for apply.carried_over);
    none for a figure stated only in the text (its words are the question's own: 发布动态信息)."""
    known = catalogue.load().metrics.get(metric or "")
    if not metric or known is not None and known.table == PROSE:
        return ()
    return tuple(w for w, (kind, key) in metric_words().items()
                 if key == metric or kind == "block" and f"{key}.total" == metric)


def _rivals(metric: str | None, naming: tuple[str, ...], text: str) -> tuple[str, ...]:
    """Other table figures' own words the question does not say (部分公开 when 予以公开 is asked): a number
    they describe too counts another figure, or several (予以公开及部分公开17件 is no 予以公开)."""
    if not naming:
        return ()
    return tuple(w for w, (kind, key) in metric_words().items()
                 if kind == "metric" and key != metric and len(w) >= RIVAL_LENGTH and w not in text
                 and not any(w in n or n in w for n in naming))


def _asked_measures(text: str) -> tuple[str, ...]:
    """Measures of their own the question names (驳回, 撤回): the text's number must be described by them."""
    return tuple(w for w in lexicon()["not_our_figures"] if w in text)


def _others(text: str) -> tuple[str, ...]:
    """Measures of their own the question does not name (questions.yaml not_our_figures)."""
    return tuple(w for w in lexicon()["not_our_figures"] if w not in text)


def _fact(agency: str, year: int, file: str, what: str, s: Stated) -> dict:
    return {"agency": agency, "year": year, "metric": "text", "applicant": None, "value": compose.plain_value(s.value),
            "unit": s.unit, "raw": s.raw, "kind": "number", "label": what,
            "source": {"file": file, "table": PROSE, "line": s.line, "sentence": s.clause}}


def outscores(question: str, p: Parsed, ix: Index, fig) -> Answer | None:
    """A text figure found by a prose rule, unless the question's words describe another number better
    (微信公众号发布了多少条: 9600余条, not the 16500余条 of all channels the rule reads first)."""
    report = ix.report(fig.agency, fig.year)
    if report is None:
        return None
    terms, pairs = question_words(p.text, [s.span for s in p.agencies])
    stated = candidates(ix.lines(report["file"]), terms, pairs, asked_unit(p.text), _others(p.text))
    top = best(stated)
    if len(top) != 1 or top[0].value == fig.value:
        return None
    own = max((s.score for s in stated if s.line == fig.line and s.value == fig.value), default=0)
    return answer(question, p, ix, fig.agency, fig.year) if top[0].score > own else None
