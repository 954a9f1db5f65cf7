"""What a table cell or a prose figure says: a number, a blank, a slash, a dash.

A blank, 0, "/" and "-" are different statements, so each cell keeps its kind
and the raw text as printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

BLANK = "blank"
NUMBER = "number"
SLASH = "slash"
DASH = "dash"
NONE_WORD = "none"  # 无

MONEY_UNITS = {"元": 1, "万元": 10_000, "亿元": 100_000_000}

_CELL_NUMBER = re.compile(
    r"^(?P<sign>[+\-−－]?)(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|亿元|元|件|项|个|条|次|人次)?$"
)
_DASHES = {"-", "—", "–", "－", "——", "--", "―"}
_SLASHES = {"/", "／", "\\"}


@dataclass(frozen=True)
class CellValue:
    kind: str
    value: float | int | None
    unit: str | None
    raw: str


@lru_cache(maxsize=65_536)
def clean(text: str) -> str:
    """Cell text compared as printed but without width or spacing noise."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text.replace("\u3000", " "))


@lru_cache(maxsize=65_536)
def parse_cell(raw: str) -> CellValue | None:
    """The value a table cell states, or None when the cell is a label."""
    text = clean(raw).replace(",", "")
    if not text:
        return CellValue(BLANK, None, None, raw.strip())
    if text in _DASHES:
        return CellValue(DASH, None, None, raw.strip())
    if text in _SLASHES:
        return CellValue(SLASH, None, None, raw.strip())
    if text == "无":
        return CellValue(NONE_WORD, None, None, raw.strip())
    match = _CELL_NUMBER.match(text)
    if not match:
        return None
    number = to_number(match["num"])
    if match["sign"] in ("-", "−", "－"):
        number = -number
    return CellValue(NUMBER, number, match["unit"], raw.strip())


def to_number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and "." not in text else value


def is_value(raw: str) -> bool:
    return parse_cell(raw) is not None


def in_yuan(value: float | None, unit: str | None) -> float | None:
    """Money in 元, so 8937 万元 and 89370000 元 compare equal."""
    if value is None or unit not in MONEY_UNITS:
        return None
    return value * MONEY_UNITS[unit]
