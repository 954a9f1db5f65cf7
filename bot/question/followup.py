"""What a follow-up reuses from the last answer: context fills gaps, never overrides.

`FollowUp` is the one shape of a conversation's memory (the terminal chat keeps
the last one, Telegram one per chat); `fill` applies it to a new question. An
agency, year, metric or applicant typed in the new message always wins, and a
name the index does not know is still a name: it is never replaced by the last
agency. Words live in lexicon/followup.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from typing import Any

from bot.question.agencies import Spotted
from bot.question.normalize import years_in
from bot.question.understand import Parsed, Vocabulary, _find_words, lexicon, metric_words
from index.catalogue import LEXICON
from index.yamlfile import read_yaml

# the cues a follow-up may bring to a reused metric (那最多的呢, 一共呢), strongest first
_OWN_CUES = ("ratio", "trend", "compare", "rank", "aggregate")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def words() -> dict:
    return read_yaml(LEXICON / "followup.yaml")


@dataclass
class FollowUp:
    """The parts of the last question a follow-up may reuse."""

    question: str = ""
    agencies: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    metric: str | None = None
    applicant: str | None = None
    intent: str = ""
    search: str = ""
    ratio: str | None = None  # a named rate (公开率) the last answer ranked or computed
    direction: str = ""  # least: the last ranking counted from the bottom (最少的是哪个单位)

    def __bool__(self) -> bool:
        return bool(self.agencies or self.years or self.metric or self.search or self.question)

    @classmethod
    def of(cls, value: FollowUp | dict[str, Any] | None) -> FollowUp:
        """A FollowUp from what a channel kept: the object itself, or its dict (older Telegram chats)."""
        if isinstance(value, cls):
            return value
        return cls(**{k: v for k, v in (value or {}).items() if k in _FIELDS})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    # read as a mapping too ({**answer.context, …}), as channels written before the type did
    def keys(self):
        return [f.name for f in fields(self)]

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)


_FIELDS = frozenset(f.name for f in fields(FollowUp))


def spot(name: str) -> Spotted:
    """An agency carried over from the last answer, as if the question had named it in full."""
    return Spotted(name, 0, 0, [name])


@lru_cache(maxsize=1)
def _known_words() -> dict[str, None]:
    """Every word a lexicon gives a meaning other than a name: metrics, applicants, cues, fillers."""
    known = set(metric_words())
    known |= {w for group in lexicon()["intents"].values() for w in group}
    known |= set(lexicon()["followup"]) | set(lexicon()["relative_years"]) | set(lexicon()["most"])
    known |= set(lexicon()["least"]) | set(words()["filler"])
    return Vocabulary(dict.fromkeys(known))


def unexplained(p: Parsed, text: str) -> str:
    """What is left of a message once every known word is taken out: a name the index does not know."""
    return _unexplained(text, tuple(s.span for s in p.agencies))


@lru_cache(maxsize=64)
def _unexplained(text: str, spans: tuple[str, ...]) -> str:
    # one follow-up asks this up to three times (fill, names_agency, the last report's measure)
    rest = text
    for span in spans:
        rest = rest.replace(span, " ")
    rest = re.sub(r"\d+", " ", rest)
    kept = []
    at = 0
    for start, end, _ in _find_words(rest, _known_words()):
        kept.append(rest[at:start])
        at = end
    kept.append(rest[at:])
    return "".join(ch for ch in "".join(kept) if _CJK.match(ch))


def names_agency(p: Parsed) -> bool:
    """The message names an agency or a place, known to the index or not."""
    return bool(p.agencies or p.unknown_place or p.region or len(unexplained(p, p.text)) >= 2)


def fill(p: Parsed, last: FollowUp, has_year: Callable[[str, list[int]], bool] | None = None) -> Parsed:
    """The question with the gaps a follow-up leaves filled from the last answer.

    has_year(agency, years) tells whether an agency has any of these years: a new agency
    without the last year answers with the years it has, and says so.
    """
    w = words()
    if not last or p.intent in ("search", "greeting", "thanks", "help", "list_reports", "check"):
        return p
    if not (p.followup or len(p.text) <= w["short_message"]):
        return p  # a question of its own
    _years_from_last(p, last)
    if any(m in p.text for m in w["compare_marks"]) and len(p.agencies) == 1:
        p.cues.add("compare")
    reused_metric = False
    if not p.metric and p.agencies and len(unexplained(p, p.text)) >= 2:
        return p  # 临港撤回了几件: a word no lexicon knows asks for its own measure, never the last one
    if not p.metric and not p.ratio and last.ratio and not p.unknown_place and "summary" not in p.cues:
        # 前三呢 after 哪个单位公开率最高: the same rate, ranked again, for the year or the agency typed
        p.ratio, reused_metric = last.ratio, True
    if not p.metric and not p.ratio:
        if not last.metric or not (p.agencies or p.years or p.applicant or p.unknown_place or p.region
                                   or p.cues & set(_OWN_CUES)) or "summary" in p.cues:
            return _measure_of_last_report(p, last)
        p.metric, p.metrics, reused_metric = last.metric, [last.metric], True
        if not p.applicant:
            p.applicant = last.applicant
    if reused_metric or p.intent == "lookup" and not p.cues & set(_OWN_CUES):
        p.intent = _intent(p, last)
        if p.ratio and p.intent not in ("rank", "ratio"):
            p.intent = "ratio"  # 高区呢 after a rate: that agency's rate
    if p.intent == "rank" and last.intent == "rank" and last.direction == "least" \
            and not any(w in p.text for w in w["direction_most"]):
        p.direction = "least"  # 前三呢 after 最少的是哪个单位: the bottom three
    named = names_agency(p)
    if not named and p.intent in w["agency_intents"] and last.agencies:
        p.agencies = [spot(a) for a in last.agencies]
    elif p.intent == "compare" and len(p.agencies) == 1 and len(last.agencies) == 1 \
            and last.agencies[0] not in p.agencies[0].agencies:
        p.agencies = [spot(last.agencies[0]), *p.agencies]  # 跟工信局比呢: the other side is the last agency
    own_question = not reused_metric and p.cues & set(_OWN_CUES)  # 哪个单位收到的申请最多 asks anew
    if not p.years and last.years and not own_question and p.intent != "trend":
        p.years = list(last.years)
        named = [a for s in p.agencies if len(s.agencies) == 1 for a in s.agencies]
        if has_year and named and len(named) == len(p.agencies) and not all(has_year(a, p.years) for a in named):
            p.years = []  # 跟江宁区比呢: an agency without the last year answers with the years it has, and says so
    return p


def _measure_of_last_report(p: Parsed, last: FollowUp) -> Parsed:
    """那撤回的呢: a measure the tables lack, asked of the last report (its text may state it)."""
    if p.intent not in ("unclear", "unknown") or len(last.agencies) != 1:
        return p
    rest = unexplained(p, p.text)
    for word in lexicon()["not_our_figures"]:
        rest = rest.replace(word, "")
    if p.agencies or p.unknown_place or p.region or len(rest) >= 2:
        return p  # 临港撤回了几件 names its own agency, known or not
    p.agencies = [spot(last.agencies[0])]
    p.years = p.years or list(last.years)
    return p


def _years_from_last(p: Parsed, last: FollowUp) -> None:
    """那上一年呢: the year before the last answer's, not before today's."""
    if not last.years or years_in(p.text):
        return
    inside = [(i, j) for i, j, _ in _find_words(p.text, metric_words())]  # 上一年项目数量 is a metric
    for key, step in (("year_before", -1), ("year_after", 1)):
        at = [p.text.find(word) for word in words()[key] if word in p.text]
        if any(not any(i <= a < j for i, j in inside) for a in at):
            p.years = [y + step for y in last.years]
            return


def _intent(p: Parsed, last: FollowUp) -> str:
    """The intent of a follow-up that reuses the last metric: its own cue, else the last intent."""
    own = next((c for c in _OWN_CUES if c in p.cues), None)
    intent = own or (last.intent if last.intent in words()["repeatable_intents"] else "lookup")
    if intent in ("rank", "aggregate") and p.agencies and not own:
        return "lookup"  # 高区呢 after a ranking asks for 高区's own figure
    one_agency = len(p.agencies) == 1 or not p.agencies and len(last.agencies) < 2
    if intent == "compare" and not own and one_agency and len(p.years) < 2:
        return "lookup"
    return intent
