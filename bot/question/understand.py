"""A normalised question → its parts: intent, agencies, years, metric, applicant.

Words come from the catalogue (metrics, applicants) and from
index/lexicon/questions.yaml (intent cues); nothing here answers anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from bot.question.agencies import AgencyIndex, Spotted
from bot.question.normalize import years_in
from index import catalogue
from index.catalogue import LEXICON


@lru_cache(maxsize=1)
def lexicon() -> dict:
    return yaml.safe_load((LEXICON / "questions.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def metric_words() -> dict[str, tuple[str, str]]:
    """Question word → (kind, key): metric, group, applicant, block, column."""
    cat = catalogue.load()
    words: dict[str, tuple[str, str]] = {}
    for metric in cat.metrics.values():
        if metric.table == "表四":
            continue
        for word in metric.words:
            words.setdefault(word, ("metric", metric.key))
    for group in cat.groups.values():
        if group.key.startswith("litigation."):
            continue
        for word in group.words:
            words[word] = ("metric", group.key)
    for word, block in cat.review_block_words.items():
        words[word] = ("block", block)
    for word, column in cat.review_column_words.items():
        words.setdefault(word, ("column", column))
    for word, row in cat.proactive_row_words.items():
        words.setdefault(word, ("prow", row))
    for word, column in cat.proactive_column_words.items():
        words.setdefault(word, ("pcol", column))
    for applicant in [*cat.applicants.values(), *cat.applicant_groups.values()]:
        for word in applicant.words:
            words[word] = ("applicant", applicant.key)
    return words


@dataclass
class Parsed:
    text: str
    intent: str = ""
    agencies: list[Spotted] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    metric: str | None = None
    metric_word: str = ""
    # every metric the question names, in order (行政复议和行政诉讼各多少 names two)
    metrics: list[str] = field(default_factory=list)
    applicant: str | None = None
    direction: str = "most"
    top: int = 1
    ratio: str | None = None
    search_phrase: str = ""
    unknown_place: str | None = None
    # a province, city or county the question names without naming an agency: (column, value)
    region: tuple[str, str] | None = None
    # other metrics to try, in order, when the report does not hold the first (a bare 表二 row)
    alternatives: list[str] = field(default_factory=list)
    followup: bool = False
    cues: set[str] = field(default_factory=set)


def _find_words(text: str, vocabulary: dict) -> list[tuple[int, int, str]]:
    """Longest non-overlapping vocabulary words in text: (start, end, word)."""
    longest = max((len(w) for w in vocabulary), default=1)
    hits = []
    for i in range(len(text)):
        for j in range(min(len(text), i + longest), i, -1):
            if text[i:j] in vocabulary:
                hits.append((i, j, text[i:j]))
                break
    taken = [False] * len(text)
    out = []
    for i, j, w in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        if not any(taken[i:j]):
            taken[i:j] = [True] * (j - i)
            out.append((i, j, w))
    return sorted(out)


def understand(text: str, agencies: AgencyIndex, newest_year: int | None,
               regions: dict[str, tuple[str, str]] | None = None) -> Parsed:
    lex = lexicon()
    parsed = Parsed(text)
    parsed.agencies = agencies.spot(text)
    masked = text
    for spot in parsed.agencies:
        masked = masked[: spot.start] + "　" * (spot.end - spot.start) + masked[spot.end :]
    parsed.years = years_in(masked)
    for word, back in lex["relative_years"].items():
        # 去年结转 is a metric word, not a year: relative years only when no year is written
        if word in masked and newest_year and not parsed.years and not _inside_metric_word(masked, word):
            parsed.years.append(newest_year - back)
    parsed.years = list(dict.fromkeys(parsed.years))
    if not parsed.agencies:
        parsed.region = _region(masked, regions or {})
        if not parsed.region:
            parsed.unknown_place = agencies.unknown_place(masked)
    _read_metric(parsed, masked)
    for intent, words in lex["intents"].items():
        if any(w.lower() in masked.lower() for w in words):
            parsed.cues.add(intent)
    if any(w in masked for w in lex["least"]):
        parsed.direction = "least"
    top = re.search(r"前\s*(\d{1,2})", masked)
    if top:
        parsed.top = int(top.group(1))
    for name in lex["ratios"]:
        if name in masked:
            parsed.ratio = name
    parsed.followup = any(masked.startswith(w) or masked.rstrip("？?。 ").endswith(w) for w in lex["followup"])
    parsed.intent = _intent(parsed)
    if parsed.intent in ("rank", "aggregate", "list_reports") and parsed.agencies and regions:
        # 镇江市哪个单位最多: a city named in a ranking is where to look, not the city government
        places = [regions.get(s.span) for s in parsed.agencies]
        if all(places):
            parsed.region, parsed.agencies = places[0], []
    if parsed.intent == "search":
        parsed.search_phrase = search_phrase(text)
    return parsed


def _inside_metric_word(text: str, word: str) -> bool:
    at = text.find(word)
    return any(i <= at and at + len(word) <= j for i, j, _ in _find_words(text, metric_words()))


# a sub-block (直接起诉) says more than the block it belongs to (行政诉讼)
_BLOCK_RANK = {"litigation.direct": 2, "litigation.after_review": 2, "review": 1, "litigation": 1}


def _read_metric(parsed: Parsed, text: str) -> None:
    words = metric_words()
    block = column = prow = pcol = None
    best = None
    for _start, _end, word in _find_words(text, words):
        kind, key = words[word]
        if kind == "applicant":
            parsed.applicant = key
        elif kind == "block":
            if f"{key}.total" not in parsed.metrics:
                parsed.metrics.append(f"{key}.total")
            if block is None or _BLOCK_RANK.get(key, 0) > _BLOCK_RANK.get(block, 0):
                block = key
        elif kind == "column":
            column = key
        elif kind == "prow":
            prow = key
        elif kind == "pcol":
            pcol = key
        else:
            if key not in parsed.metrics:
                parsed.metrics.append(key)
            if best is None or _weight(word) > _weight(best[1]):
                best = (key, word)
    if block:
        parsed.metric = f"{block}.{column or 'total'}"
        parsed.metric_word = block
    elif best:
        parsed.metric, parsed.metric_word = best
    elif column:
        parsed.metric = f"review.{column}"
    if not parsed.metric and not block:
        gapped = _gapped_metric(text, words)
        if gapped:
            parsed.metric, parsed.metric_word = gapped
            parsed.metrics.append(gapped[0])
    # 表二 asked by row and column (行政许可 + 上一年项目数量): the pair names the cell
    row = parsed.metric.split(".")[1] if parsed.metric and parsed.metric.startswith("proactive.") else prow
    if row and pcol and not block:
        parsed.metric = f"proactive.{row}.{pcol}"
    elif prow and not parsed.metric:
        candidates = _default_proactive(prow)
        parsed.metric, parsed.alternatives = (candidates[0], candidates[1:]) if candidates else (None, [])


def _weight(word: str) -> float:
    return len(word) - (1.5 if word in lexicon()["weak_metric_words"] else 0)


def _gapped_metric(text: str, words: dict) -> tuple[str, str] | None:
    """A metric word said with words between its halves (发布了多少条信息 → 发布信息)."""
    best = None
    for word, (kind, key) in words.items():
        if kind != "metric" or len(word) < 4:
            continue
        for cut in range(2, len(word) - 1):
            head, tail = word[:cut], word[cut:]
            at = text.find(head)
            if at >= 0 and 0 <= text.find(tail, at + len(head)) - (at + len(head)) <= 6:
                if best is None or len(word) > len(best[1]):
                    best = (key, word)
                break
    return best


def _default_proactive(row: str) -> list[str]:
    """What a bare 表二 row asks for, by format: decisions, an amount, or the documents in force."""
    metrics = catalogue.load().metrics
    columns = ("decisions", "amount", "in_force", "total_public")
    return [f"proactive.{row}.{c}" for c in columns if f"proactive.{row}.{c}" in metrics]


def _region(text: str, regions: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The longest region name of the index the question contains."""
    for name in sorted(regions, key=len, reverse=True):
        if name in text:
            return regions[name]
    return None


def _intent(p: Parsed) -> str:
    cues = p.cues
    has_subject = bool(p.metric or p.agencies or p.years)
    if "search_strong" in cues or "search" in cues and ("哪些" in p.text or not p.metric or "关于" in p.text):
        return "search"
    if "check" in cues:
        return "check"
    if "list_reports" in cues and not p.metric:
        return "list_reports"
    if "summary" in cues and not p.metric:
        return "summary"
    if p.ratio or "ratio" in cues and p.metric:
        return "ratio"
    if len(p.metrics) >= 2 and ("each" in cues or re.search("[和与及、,，;；]", p.text)) and len(p.agencies) <= 1:
        return "multi"
    if "trend" in cues and p.metric:
        return "trend"
    if p.metric and (len(p.agencies) >= 2 or len(p.years) >= 2 or ("compare" in cues and p.agencies)):
        return "trend" if len(p.agencies) <= 1 and len(p.years) >= 2 and "compare" not in cues else "compare"
    if p.metric and "rank" in cues:
        return "rank"
    if p.metric and "aggregate" in cues and len(p.agencies) != 1:
        return "aggregate"
    if p.metric:
        return "lookup"
    if p.agencies:
        return "summary"
    if "greeting" in cues and not has_subject:
        return "greeting"
    if "help" in cues:
        return "help"
    if "chart" in cues:
        return "help"
    return "unknown"


def search_phrase(text: str) -> str:
    """The words to look for: the question without its search cue and filler."""
    phrase = text
    for word in sorted(lexicon()["search_filler"], key=len, reverse=True):
        phrase = phrase.replace(word, " ")
    phrase = re.sub(r"[\s，。？?！!、：:；;“”\"'（）()《》<>]+", " ", phrase)
    return phrase.strip()
