"""A normalised question → its parts: intent, agencies, years, metric, applicant.

Words come from the catalogue (metrics, applicants) and from
index/lexicon/questions.yaml (intent cues, everyday words for figures, negations),
all compared in the form normalize() gives a question; nothing here answers anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.question.agencies import AgencyIndex, Spotted
from bot.question.normalize import normalize, years_in
from index import catalogue
from index.catalogue import LEXICON, TABLE_REVIEW
from index.yamlfile import read_yaml


@lru_cache(maxsize=1)
def lexicon() -> dict:
    """questions.yaml with every word in the form a normalised question has (前三 → 前3)."""
    return _normalized(read_yaml(LEXICON / "questions.yaml"))


def _normalized(data):
    if isinstance(data, str):
        return normalize(data)
    if isinstance(data, list):
        return [_normalized(v) for v in data]
    if isinstance(data, dict):
        return {(_normalized(k) if isinstance(k, str) else k): _normalized(v) for k, v in data.items()}
    return data


@lru_cache(maxsize=1)
def everyday_unless() -> dict[str, list[str]]:
    """Everyday metric word → words that, in the same question, show it means something else."""
    return {w: entry["unless"] for entry in lexicon()["everyday_metric_words"] if entry.get("unless")
            for w in entry["words"]}


@lru_cache(maxsize=1)
def metric_words() -> dict[str, tuple[str, str]]:
    """Question word → (kind, key): metric, group, applicant, block, column."""
    cat = catalogue.load()
    words: dict[str, tuple[str, str]] = {}
    for metric in cat.metrics.values():
        if metric.table == TABLE_REVIEW:
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
    words = Vocabulary({normalize(w): v for w, v in words.items()})
    blocks, columns = set(cat.review_block_words.values()), set(cat.review_column_words.values())
    for entry in lexicon()["everyday_metric_words"]:
        kind = "block" if entry["means"] in blocks else "column" if entry["means"] in columns else "metric"
        for word in entry["words"]:
            words.setdefault(word, (kind, entry["means"]))
    return words


def _vocabulary(text: str) -> dict[str, tuple[str, str]]:
    """The metric words a question may use: an everyday word whose `unless` word is present is not one."""
    words = metric_words()
    dropped = [w for w, unless in everyday_unless().items() if w in text and any(u in text for u in unless)]
    return Vocabulary({w: v for w, v in words.items() if w not in dropped}) if dropped else words


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
    # metrics named by a specific word, not only by a common one such as 申请 or 处理
    strong: set[str] = field(default_factory=set)
    # a measure the question names that the tables do not hold (撤回): say so, never fall back
    unclear: str = ""
    # other metrics to try, in order, when the report does not hold the first (a bare 表二 row)
    alternatives: list[str] = field(default_factory=list)
    followup: bool = False
    cues: set[str] = field(default_factory=set)
    # the metric was not named but taken as lexicon's default_metric (文登区2020年比2019年多多少)
    assumed_metric: bool = False
    # metric words where the question says them: (position, metric key, word)
    named: list[tuple[int, str, str]] = field(default_factory=list)
    # two figures of one report set against each other (予以公开比不予公开多多少)
    compared: list[str] = field(default_factory=list)
    # 哪个统计局, 统计局中: the named agencies are what a ranking compares, even when the name fits one
    among: bool = False
    # 哪个街道, 各县: a ranking among the places' own bodies of that kind (lexicon rank_among.place_kinds)
    place_kind: str = ""


class Vocabulary(dict):
    """Words → meanings, with the word lengths kept so a scan tries only lengths some word has."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sizes = tuple(sorted({len(w) for w in self}, reverse=True))


def _find_words(text: str, vocabulary: dict) -> list[tuple[int, int, str]]:
    """Longest non-overlapping vocabulary words in text: (start, end, word)."""
    sizes = vocabulary.sizes if isinstance(vocabulary, Vocabulary) else \
        tuple(sorted({len(w) for w in vocabulary}, reverse=True))
    hits = []
    n = len(text)
    for i in range(n):
        for size in sizes:
            if i + size <= n and text[i:i + size] in vocabulary:
                hits.append((i, i + size, text[i:i + size]))
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
    for s in parsed.agencies:
        if s.conflict and s.span in (regions or {}) and text[s.end:].startswith(_which_words()) \
                and any(o.start >= s.end for o in parsed.agencies if not o.conflict):
            # 湖北哪个医保局: a region of the index, then the agencies ranked there; no name the index lacks
            parsed.region = regions[s.span]
    parsed.agencies = [s for s in parsed.agencies if not (parsed.region and s.conflict and s.span in regions)]
    conflicts = [s.conflict for s in parsed.agencies if s.conflict]
    if conflicts:
        # the question names an agency the index does not hold; never answer for a shorter name
        parsed.agencies = [s for s in parsed.agencies if not s.conflict]
    masked = text
    for spot in parsed.agencies:
        masked = masked[: spot.start] + "　" * (spot.end - spot.start) + masked[spot.end :]
    parsed.years = years_in(masked)
    parsed.among = any(text[: s.start].endswith(_which_words())
                       or text[s.end:].startswith(tuple(lex["rank_among"]["after"])) for s in parsed.agencies)
    kind = _place_kind().search(masked)
    parsed.place_kind = kind.group(1) if kind else ""
    for word, back in lex["relative_years"].items():
        # 去年结转 is a metric word and 比去年 a change, not a year: relative years only when no year is written
        if word in masked and newest_year and not parsed.years and not _inside_metric_word(masked, word) \
                and not _inside_any(masked, word, lex["intents"]["change"]):
            parsed.years.append(newest_year - back)
    parsed.years = list(dict.fromkeys(parsed.years))
    if conflicts:
        parsed.unknown_place = conflicts[0]
    elif not parsed.agencies:
        parsed.region, parsed.unknown_place = _region(masked, regions or {})
        if not parsed.region and not parsed.unknown_place:
            parsed.unknown_place = agencies.unknown_place(masked)
    _read_metric(parsed, masked)
    lowered = masked.lower()
    parsed.cues.update(intent for intent, words in _intent_words() if words.search(lowered))
    if parsed.strong:
        # 申请人逾期不补正、不再处理, 一共办结了多少件申请: the common words (申请, 处理) name no second figure,
        # unless joined to another figure's word (上年结转加本年新收一共多少)
        joined = _joined_metrics(parsed.named, masked) | _asked_apart(parsed, masked)
        parsed.metrics = [m for m in parsed.metrics
                          if m in parsed.strong or m in joined or m.startswith(("review.", "litigation."))]
    if any(w in masked for w in lex["least"]):
        parsed.direction = "least"
    top = _top().search(masked)
    if top:
        parsed.top = int(next(g for g in top.groups() if g))
        if parsed.top > 1:
            parsed.cues.add("rank")  # 前两名: a ranking's size is a ranking cue, said in any numeral
    if not parsed.metric and parsed.agencies and ("change" in parsed.cues or "difference" in parsed.cues
                                                  and len(parsed.years) >= 2
                                                  or parsed.cues & {"compare", "difference"} and len(parsed.agencies) >= 2):
        # 文登区2020年比2019年多多少, 安徽统计局和奉节统计局比较: the headline figure, and the answer says it was assumed
        parsed.metric, parsed.assumed_metric = lex["default_metric"], True
        parsed.metrics = [parsed.metric]
    for name, spec in lex["ratios"].items():
        if name in masked or not parsed.metric and any(w in masked for w in spec.get("words", ())):
            parsed.ratio = name
    if not parsed.metric and not parsed.ratio and parsed.applicant and parsed.agencies and "ratio" in parsed.cues:
        # 文登区2020年商业企业占百分之多少: an applicant's share of the headline figure, said to be assumed
        parsed.metric, parsed.assumed_metric = lex["default_metric"], True
        parsed.metrics = [parsed.metric]
    parsed.compared = _compared_metrics(parsed, masked)
    parsed.followup = any(masked.startswith(w) or masked.rstrip("？?。 ").endswith(w) for w in lex["followup"])
    parsed.intent = _intent(parsed)
    if parsed.intent in ("rank", "aggregate", "list_reports") and parsed.agencies and regions \
            and "by_applicant" not in parsed.cues:
        # 镇江市哪个单位最多: a city named in a ranking is where to look, not the city government
        places = [regions.get(s.span) for s in parsed.agencies]
        if all(places):
            parsed.region, parsed.agencies = places[0], []
    if parsed.intent == "search":
        parsed.search_phrase = search_phrase(text)
    return parsed


@lru_cache(maxsize=1)
def _which_words() -> tuple[str, ...]:
    """哪个, 各, 所有 …: what makes the name after it the scope of a ranking or a sum (lexicon rank_among.before)."""
    return tuple(lexicon()["rank_among"]["before"])


@lru_cache(maxsize=1)
def _place_kind() -> re.Pattern:
    """哪个街道, 各县: a which-word, then a kind of place alone (not the start of a name: 哪个市场监管局)."""
    among = lexicon()["rank_among"]
    return re.compile(rf"(?:{_alternation(among['before'])})({_alternation(list(among['place_kinds']))})"
                      rf"(?={_alternation(among['place_kind_followers'])}|\d|$)")


@lru_cache(maxsize=1)
def _intent_words() -> tuple[tuple[str, re.Pattern], ...]:
    """Each intent's cue words as one pattern, lower-cased (Latin cues such as TOP are compared so)."""
    return tuple((intent, re.compile("|".join(re.escape(w.lower()) for w in words)))
                 for intent, words in lexicon()["intents"].items() if words)


def _inside_metric_word(text: str, word: str) -> bool:
    at = text.find(word)
    return any(i <= at and at + len(word) <= j for i, j, _ in _find_words(text, metric_words()))


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _join() -> re.Pattern:
    """What may stand between two figures' words that are added or listed together (上年结转加本年新收)."""
    lex = lexicon()
    affix = f"(?:{_alternation(lex['join_affixes'])})?"
    return re.compile(rf"^{affix}(?:{_alternation(lex['join_words'])}){affix}$")


def _joined_metrics(named: list[tuple[int, str, str]], text: str) -> set[str]:
    """Metrics whose words stand next to another metric's word, joined by 和/加/、 …"""
    joined = set()
    ends = sorted((start, start + len(word), key) for start, key, word in named)
    for (_, end, key), (start, _, other) in zip(ends, ends[1:], strict=False):
        if key != other and _join().match(text[end:start]):
            joined |= {key, other}
    return joined


def _side_by_side(named: list[tuple[int, str, str]]) -> set[str]:
    """Metrics whose words follow each other with nothing between (复议诉讼, 许可处罚): a list, unless one
    figure is part of the other (国家秘密不公开 is one row of 不予公开)."""
    weak = lexicon()["weak_metric_words"]  # 被申请行政复议: 申请 is how the review came, not a figure listed
    ends = sorted((start, start + len(word), key) for start, key, word in named if word not in weak)
    listed = set()
    for (_, end, key), (start, _, other) in zip(ends, ends[1:], strict=False):
        a, b = key.removesuffix(".total"), other.removesuffix(".total")  # 行政诉讼 holds 复议后起诉
        if start == end and a != b and not (a.startswith(b + ".") or b.startswith(a + ".")):
            listed |= {key, other}
    return listed


def _asked_apart(parsed: Parsed, text: str) -> set[str]:
    """Metrics asked in a sentence of their own (收到申请多少件？其中多少件被复议？): in a question of several
    sentences, a common word (申请) is the figure its sentence asks for when that sentence asks a count
    and names no other figure."""
    spec = lexicon()["sentences"]
    sentences = re.split("|".join(map(re.escape, spec["marks"])), text)
    if len([s for s in sentences if s.strip()]) < 2:
        return set()
    asked, start = set(), 0
    for sentence in sentences:
        end = start + len(sentence)
        inside = {key for at, key, _ in parsed.named if start <= at < end}
        if len(inside) == 1 and not inside & parsed.strong and any(w in sentence for w in spec["ask_words"]):
            asked |= inside
        start = end + 1
    return asked


def _inside_any(text: str, word: str, phrases: list[str]) -> bool:
    """word is part of one of the phrases where the text says it (比去年 holds 去年)."""
    return any(word in phrase and phrase in text for phrase in phrases)


@lru_cache(maxsize=1)
def _top() -> re.Pattern:
    """How many a ranking asks for: 前3, 前3名, 3个单位, 3家 (numerals are digits after normalising)."""
    spec = lexicon()["top_count"]
    before, counters, units, after = (_alternation(spec[k]) for k in ("before", "counters", "units", "after"))
    not_after = "".join(f"(?<!{re.escape(w)})" for w in spec["not_after"])
    return re.compile(rf"(?:{before})\s*(\d{{1,2}})|(\d{{1,2}})\s*(?:{counters})(?:{units})|{not_after}(\d{{1,2}})\s*(?:{after})")


# a sub-block (直接起诉) says more than the block it belongs to (行政诉讼)
_BLOCK_RANK = {"litigation.direct": 2, "litigation.after_review": 2, "review": 1, "litigation": 1}


def _read_metric(parsed: Parsed, text: str) -> None:
    words = _vocabulary(text)
    block = column = pcol = None
    prows: dict[str, tuple[int, str]] = {}  # 表二 rows said by a bare row word (许可, 处罚): where, which word
    best = None
    strong: set[str] = set()
    negated = lexicon()["negated_metrics"]
    for start, _end, word in _find_words(text, words):
        kind, key = words[word]
        if key in negated and text[:start].endswith(tuple(lexicon()["negation_words"])):
            key = negated[key]  # 没给公开: the other figure
        if kind in ("metric", "block"):
            parsed.named.append((start, key if kind == "metric" else f"{key}.total", word))
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
            prows.setdefault(key, (start, word))
        elif kind == "pcol":
            pcol = key
        else:
            if key not in parsed.metrics:
                parsed.metrics.append(key)
            if word not in lexicon()["weak_metric_words"]:
                strong.add(key)
            if best is None or _weight(word) > _weight(best[1]):
                best = (key, word)
    parsed.strong = strong
    if block:
        parsed.metric = f"{block}.{column or 'total'}"
        parsed.metric_word = block
    elif best:
        parsed.metric, parsed.metric_word = best
    elif column:
        parsed.metric = f"review.{column}"
    if best and best[1] in lexicon()["weak_metric_words"] and not block and not pcol:
        _check_weak_metric(parsed, text, words)
    if not parsed.metric and not block:
        gapped = _gapped_metric(text, words)
        if gapped:
            parsed.metric, parsed.metric_word = gapped
            parsed.metrics.append(gapped[0])
    # 表二 asked by row and column (行政许可 + 上一年项目数量): the pair names the cell
    prow = list(prows)[-1] if prows else None
    row = parsed.metric.split(".")[1] if parsed.metric and parsed.metric.startswith("proactive.") else prow
    if row and pcol and not block:
        parsed.metric = _proactive_cell(row, pcol)
    elif prow and not parsed.metric:
        candidates = _default_proactive(prow)
        parsed.metric, parsed.alternatives = (candidates[0], candidates[1:]) if candidates else (None, [])
    if not parsed.metric and not block:
        # 网站访问量, 有多少件转办: a measure of its own the tables do not hold, said with no figure's word
        parsed.unclear = next((w for w in lexicon()["not_our_figures"] if w in text), "")
    if block or not parsed.metric:
        return
    # 许可和处罚各多少, 收到的申请和许可: every 表二 row said is asked, none dropped
    asked = [parsed.metric, *parsed.metrics]
    rows_asked = {m.split(".")[1] for m in asked if m.startswith("proactive.")}
    for other, (start, word) in prows.items():
        if other in rows_asked:
            continue
        candidates = [_proactive_cell(other, pcol)] if pcol else _default_proactive(other)
        if not candidates:
            continue
        if parsed.metric not in parsed.metrics:
            parsed.metrics.insert(0, parsed.metric)
        parsed.metrics.append(candidates[0])
        parsed.strong.add(candidates[0])  # a row word names its figure as surely as a metric word
        parsed.named.append((start, candidates[0], word))
        rows_asked.add(other)
    if len(rows_asked) > 1:
        said_at = {key: at for at, key, _ in sorted(parsed.named, reverse=True)}
        parsed.metrics.sort(key=lambda m: said_at.get(m, len(text)))  # answered in the order asked


def _proactive_cell(row: str, column: str) -> str:
    """The 表二 cell a row and a column name; a column the row lacks reads as the row's counterpart."""
    cat = catalogue.load()
    if f"proactive.{row}.{column}" not in cat.metrics and column in cat.proactive_otherwise:
        column = cat.proactive_otherwise[column]
    return f"proactive.{row}.{column}"


@lru_cache(maxsize=1)
def _filler() -> re.Pattern:
    """Words and marks that say nothing of which row a question means (请问, 多少, 件, ？)."""
    lex = lexicon()
    # in the lexicon's order: a word before another it starts (请问 before 请) is tried first
    return re.compile("|".join(re.escape(w) for w in lex["metric_filler"])
                      + rf"|[\d\s{re.escape(lex['punctuation'])}]")


@lru_cache(maxsize=1)
def _metric_labels() -> dict[str, str]:
    """Row labels and words of every metric, for naming a row said loosely (补正后仍不明确)."""
    labels = {}
    for metric in catalogue.load().metrics.values():
        for label in (metric.row_label, *metric.words):
            if len(label) >= 4:
                labels[label] = metric.key
    return labels


def _check_weak_metric(parsed: Parsed, text: str, words: dict) -> None:
    """A metric guessed from a common word only (申请): check what else the question says.

    A measure the tables do not hold (撤回) makes the question unclear; a close match to a
    row's own words (补正后仍不明确) names that row instead.
    """
    odd = [w for w in lexicon()["not_our_figures"] if w in text]
    if odd:
        parsed.metric, parsed.metrics, parsed.unclear = None, [], odd[0]
        return
    rest = text
    for spot in parsed.agencies:
        rest = rest.replace(spot.span, "")
    for _start, _end, word in _find_words(rest, words):
        rest = rest.replace(word, "")
    rest = _filler().sub("", rest)
    if len(rest) < 4:
        return
    labels = _metric_labels()
    hit = process.extractOne(rest, list(labels), scorer=fuzz.ratio, score_cutoff=75)
    if hit:
        parsed.metric, parsed.metric_word = labels[hit[0]], hit[0]
        parsed.metrics = [parsed.metric]


def _weight(word: str) -> float:
    return len(word) - (1.5 if word in lexicon()["weak_metric_words"] else 0)


def _gapped_metric(text: str, words: dict) -> tuple[str, str] | None:
    """A metric word said with words between its halves (发布了多少条信息 → 发布信息)."""
    best = None
    for word, (kind, key) in words.items():
        if kind != "metric" or len(word) < 4 or word[0] not in text or word[-1] not in text:
            continue  # (a word whose first or last character is absent cannot be there in halves)
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


@lru_cache(maxsize=1)
def _region_tail() -> re.Pattern:
    """A place or body written right after a region's name (威海市 + 环翠区, 四川 + 住建厅)."""
    from bot.question.agencies import rules

    spec = rules()
    words = sorted({*spec["sub_bodies"], *spec["sub_places"], *spec["region_tail_bodies"]}, key=len, reverse=True)
    return re.compile(rf"[^\s\d{re.escape(spec['region_tail_stop'])}]{{0,8}}?(?:{'|'.join(words)})")


def _region(text: str, regions: dict[str, tuple[str, str]]) -> tuple[tuple[str, str] | None, str | None]:
    """(region, unknown place): the longest region of the index the question names, unless the
    name goes on into a place or body the index does not hold (威海市 + 环翠区)."""
    for name in sorted(regions, key=len, reverse=True):
        at = text.find(name)
        if at < 0:
            continue
        rest = text[at + len(name):]
        tail = _region_tail().match(rest)
        if tail and not rest.startswith(_which_words()):  # 江苏哪个区, 江苏所有单位
            return None, name + tail.group(0)
        return regions[name], None
    return None, None


def _intent(p: Parsed) -> str:
    cues = p.cues
    has_subject = bool(p.metric or p.agencies or p.years)
    lex = lexicon()
    if "search_strong" in cues or "search" in cues and (not p.metric or any(w in p.text for w in lex["search_with_metric"])):
        return "search"
    if "check" in cues:
        return "check"
    if "list_reports" in cues and not p.metric:
        return "list_reports"
    if "summary" in cues and not p.metric:
        return "summary"
    if p.ratio and "rank" in cues and not p.agencies:
        return "rank"  # 哪个单位公开率最高: reports ranked by the named rate
    if p.ratio or "ratio" in cues and p.metric:
        return "ratio"
    if _is_change(p):
        return "change"
    if p.compared:
        return "compare"
    if len(p.metrics) >= 2 and (cues & {"each", "sum"} or any(w in p.text for w in lex["list_joiners"])
                                or _asked_apart(p, p.text) or _side_by_side(p.named)) and len(p.agencies) <= 1:
        return "multi"
    # 2023年比2022年多了多少 asks for one difference: a compare, not a series
    # (2019年到2020年增长了多少 too: two years and a change word ask for the difference)
    asks_difference = "difference" in cues or "change" in cues and len(p.years) == 2
    if ("trend" in cues or "trend_weak" in cues and len(p.years) != 1 and not asks_difference) and p.metric:
        return "trend"
    if p.metric and (len(p.agencies) >= 2 or len(p.years) >= 2 or ("compare" in cues and p.agencies)):
        compared = "compare" in cues or asks_difference or lex["compare_marker"] in p.text
        return "trend" if len(p.agencies) <= 1 and len(p.years) >= 2 and not compared else "compare"
    if p.metric and ("rank" in cues or p.top > 1 or "by_applicant" in cues and len(p.agencies) == 1):
        return "rank"
    if p.metric and "aggregate" in cues and (len(p.agencies) != 1 or p.among):  # 所有统计局一共: the ones named
        return "aggregate"
    if p.metric and p.among and len(p.agencies) == 1 and len(p.agencies[0].agencies) > 1:
        return "rank"  # 各统计局收到多少申请: each one the name fits, listed by its figure
    if p.metric:
        return "lookup"
    if p.unclear:
        return "unclear"
    if p.agencies:
        return "summary"
    if "greeting" in cues and not has_subject:
        return "greeting"
    if "thanks" in cues and not has_subject:
        return "thanks"
    if "help" in cues:
        return "help"
    if "chart" in cues:
        return "help"
    return "unknown"


def _compared_metrics(p: Parsed, text: str) -> list[str]:
    """Two figures a compare question sets against each other, or none.

    `A比B多多少`: the best word on each side of 比 (a common word such as 申请 counts here:
    收到的申请比办结的多多少); `A和B哪个多`: two specific words. A side with no metric word
    (予以公开比去年多多少) makes it no compare of figures.
    """
    if not p.cues & {"compare", "difference"} or p.cues & {"each", "sum"} or len(p.agencies) > 1 or len(p.years) > 1:
        return []
    at = _compare_marker_at(text)
    if at >= 0:
        sides = [[h for h in p.named if h[0] < at], [h for h in p.named if h[0] > at]]
        best = [max(side, key=lambda h: _weight(h[2]))[1] for side in sides if side]
        return best if len(best) == 2 and best[0] != best[1] else []
    strong = list(dict.fromkeys(key for _, key, word in p.named if word not in lexicon()["weak_metric_words"]))
    return strong if len(strong) == 2 else []


def _compare_marker_at(text: str) -> int:
    """Where 比 sets two sides against each other, after any 比较 (比较文登区和高区: no sides), or -1."""
    lex = lexicon()
    start = max((text.find(w) + len(w) for w in lex["compare_marker_not"] if w in text), default=0)
    return text.find(lex["compare_marker"], start)


def _is_change(p: Parsed) -> bool:
    """One year against the year before: a figure of one agency, at most one year named, no history asked.

    表二's own 本年增/减 column (行政许可本年增加了多少) is a lookup, not a change.
    """
    return ("change" in p.cues and "trend" not in p.cues and bool(p.metric) and len(p.years) <= 1
            and len(p.agencies) <= 1 and not (p.metric or "").endswith(".change"))


def search_phrase(text: str) -> str:
    """The words to look for: the question without its search cue and filler."""
    phrase = text
    for word in sorted(lexicon()["search_filler"], key=len, reverse=True):
        phrase = phrase.replace(word, " ")
    phrase = re.sub(r"[\s，。？?！!、：:；;“”\"'（）()《》<>]+", " ", phrase)
    return phrase.strip()
