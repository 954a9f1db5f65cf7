"""A question's comparable form: half-width, simplified, numerals as digits.

二〇二〇年 → 2020年, 20年 → 2020年, 一百二十件 → 120件, 臨港區 → 临港区.
Words such as 一共 or 统一 keep their 一: only numerals that count or date
something are turned into digits.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import cn2an
import opencc

from index.catalogue import LEXICON
from index.yamlfile import read_yaml

MAX_QUESTION = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")


@lru_cache(maxsize=1)
def numerals() -> dict:
    """lexicon/numerals.yaml with its patterns compiled."""
    spec = read_yaml(LEXICON / "numerals.yaml")
    year, word = re.escape(spec["year_numerals"]), re.escape(spec["year_word"])
    return {
        **spec,
        "year": re.compile(rf"([{year}]{{4}}|[{year}]{{2}})(?={word})"),
        "short_year": re.compile(rf"(?<![\d])([012]\d)(?={word})"),
        "count": re.compile(rf"([{re.escape(spec['count_numerals'])}]+)(?=[{re.escape(spec['count_units'])}]|$)"),
        "rank": re.compile(rf"(?<={re.escape(spec['rank_word'])})([{re.escape(spec['rank_numerals'])}]+)"),
    }


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional() -> tuple[frozenset[str], tuple[str, ...]] | None:
    """The characters t2s converts, and the few phrases it converts that hold none of them: a question
    with neither is left as it is (the pure-Python converter costs about 1 ms a question)."""
    folder = Path(opencc.__file__).with_name("dictionary")
    try:
        chars = frozenset(line.split("\t")[0] for line in (folder / "TSCharacters.txt").open(encoding="utf-8")
                          if line.strip())
        phrases = tuple(key for line in (folder / "TSPhrases.txt").open(encoding="utf-8")
                        for key in [line.split("\t")[0]] if line.strip() and chars.isdisjoint(key))
    except OSError:
        return None  # another packaging of opencc: convert every question
    return chars, phrases


def _simplified(text: str) -> str:
    known = _traditional()
    if known and known[0].isdisjoint(text) and not any(p in text for p in known[1]):
        return text
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """The question as the layer compares it."""
    text = _CONTROL.sub(" ", text or "")
    text = unicodedata.normalize("NFKC", text)[:MAX_QUESTION * 2]
    text = _simplified(text)
    num = numerals()
    text = num["year"].sub(lambda m: "".join(num["digits"][c] for c in m.group(1)), text)
    text = num["short_year"].sub(lambda m: "20" + m.group(1), text)
    text = num["rank"].sub(lambda m: str(_cn_number(m.group(1))), text)
    text = num["count"].sub(lambda m: _count(m), text)
    return re.sub(r"\s+", " ", text).strip()


def _count(match: re.Match) -> str:
    raw = match.group(1)
    if raw in numerals()["keep_alone"]:  # 一件 alone is rarely a count people ask about; keep words like 一次性
        return raw
    value = _cn_number(raw)
    return str(value) if value is not None else raw


def _cn_number(text: str) -> int | None:
    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError):
        return None


def years_in(text: str) -> list[int]:
    """Four-digit years 2000–2099 the (normalised) text names, in order, without repeats."""
    found = [int(y) for y in re.findall(r"(?<!\d)(20\d{2})(?:$|\D)", text)]
    return list(dict.fromkeys(found))
