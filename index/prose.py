"""Figures stated in prose (收到申请42件, 行政诉讼8起, 群众留言345条).

Rules are data (lexicon/prose.yaml). A report with no tables still tells how
many applications it received, and rule 5 checks prose against tables.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import cn2an

from index import catalogue
from index.catalogue import LEXICON
from index.cells import to_number
from index.layout import Block, paragraph_runs
from index.yamlfile import read_yaml

# small counts are often written in words (申请一件, 收到两件); only before 件, since 三个第一时间 is no count
NUM = r"(?P<n>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3}(?=件))(?P<mult>万|亿)?(?P<approx>余|多)?"
_SENTENCE_END = re.compile(r"[。！？!?；;]")
# spaces a PDF or Word export puts around numbers (申请 3119 件); never between two numbers (2019 2020)
_GAP = re.compile(r"(?<=[\u4e00-\u9fff％%.》）)」”])\s+(?=[\u4e00-\u9fff\d])|(?<=\d)\s+(?=[\u4e00-\u9fff])")
_UNIT = re.compile(r"(件|起|宗|个|条|篇|人次|名|人|场|次|期|元|份)$")


@dataclass(frozen=True)
class Rule:
    metric: str
    pattern: re.Pattern
    value: float | None
    examples: dict
    counter_examples: tuple[str, ...]
    # words that, in the same sentence, show the figure counts something else (审批: a service hall's cases)
    unless: tuple[str, ...] = ()


@dataclass
class ProseFact:
    metric: str
    value: float | int
    unit: str
    raw: str
    line: int
    sentence: str
    approx: bool


@lru_cache(maxsize=1)
def rules() -> tuple[Rule, ...]:
    data = read_yaml(LEXICON / "prose.yaml")
    cat = catalogue.load()
    out = []
    for spec in data["rules"]:
        if spec["metric"] not in cat.metrics and spec["metric"] not in cat.groups:
            raise ValueError(f"prose.yaml: unknown metric {spec['metric']}")
        pattern = re.compile(spec["pattern"].replace("{NUM}", NUM))
        out.append(
            Rule(spec["metric"], pattern, spec.get("value"), spec.get("match") or {}, tuple(spec.get("no_match") or ()),
                 tuple(spec.get("unless") or ()))
        )
    return tuple(out)


def digits_of(number: str) -> str:
    """A NUM match as digits: 42 stays, 一 → 1, 两 → 2."""
    return number if number[0].isdigit() else str(cn2an.cn2an(number.replace("两", "二"), "smart"))


def normalize_sentence(text: str) -> str:
    """NFKC with the spaces between characters and digits removed (申请 3119 件)."""
    return _GAP.sub("", unicodedata.normalize("NFKC", text))


def figures_in(sentence: str) -> list[tuple[str, float | int, str, str, bool]]:
    """(metric, value, unit, raw, approx) for every figure one sentence states."""
    text = normalize_sentence(sentence)
    found: dict[str, tuple] = {}
    for rule in rules():
        if rule.metric in found:
            continue
        match = rule.pattern.search(text)
        if not match or any(word in text for word in rule.unless):
            continue
        raw = match.group(0)
        if rule.value is not None:
            found[rule.metric] = (rule.metric, rule.value, catalogue.load().unit(rule.metric), raw, False)
            continue
        digits = digits_of(match["n"])
        value = to_number(digits)
        if match["mult"]:
            value = to_number(str(float(digits) * (10_000 if match["mult"] == "万" else 100_000_000)))
        unit_match = _UNIT.search(raw)
        unit = unit_match.group(1) if unit_match else catalogue.load().unit(rule.metric)
        found[rule.metric] = (rule.metric, value, unit, raw, bool(match["approx"]))
    return list(found.values())


def sentences(blocks: list[Block]) -> list[tuple[str, int, list[tuple[int, str]]]]:
    """(sentence, first line, [(line, text)]) over runs of adjacent prose lines."""
    out = []
    for run in paragraph_runs(blocks):
        text, owners = "", []
        for para in run:
            owners.extend([para.line] * len(para.text))
            text += para.text
        start = 0
        for match in [*_SENTENCE_END.finditer(text), None]:
            end = match.end() if match else len(text)
            if text[start:end].strip():
                out.append((text[start:end].strip(), owners[start], _parts(text, owners, start, end)))
            start = end
    return out


def _parts(text: str, owners: list[int], start: int, end: int) -> list[tuple[int, str]]:
    by_line: dict[int, str] = {}
    for ch, line in zip(text[start:end], owners[start:end], strict=True):
        by_line[line] = by_line.get(line, "") + ch
    return list(by_line.items())


def prose_facts(blocks: list[Block]) -> list[ProseFact]:
    facts = []
    for sentence, first_line, parts in sentences(blocks):
        for metric, value, unit, raw, approx in figures_in(sentence):
            facts.append(ProseFact(metric, value, unit, raw, _line_of(raw, parts, first_line), sentence, approx))
    return facts


def _line_of(raw: str, parts: list[tuple[int, str]], default: int) -> int:
    """The line where a figure's number is printed."""
    digits = re.search(r"\d+(?:\.\d+)?", raw)
    if digits:
        for line, text in parts:
            if digits.group(0) in normalize_sentence(text):
                return line
    return default
