"""Where a block stands in the report's six-part outline.

Numbering varies (一、 / 4、 / （四） / none), and older reports use other
titles, so a heading is recognised by its words, and any other numbered short
line becomes a section of its own name.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index.catalogue import LEXICON
from index.layout import Block, Paragraph
from index.yamlfile import read_yaml


@lru_cache(maxsize=1)
def section_words() -> dict[str, tuple[str, ...]]:
    """Section key → words a heading of that section contains (lexicon/sections.yaml)."""
    data = read_yaml(LEXICON / "sections.yaml")
    return {key: tuple(words) for key, words in data["sections"].items()}


# a table row printed with spaces (四、结转下年度继续办理 2 0 0), not a heading
_ENDS_IN_VALUES = re.compile(r"\s[-+]?\d+(?:\.\d+)?\s+[-+]?\d+(?:\.\d+)?$")
_TOP_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[、.．]\s*)")


def heading_key(text: str) -> str | None:
    """The section a heading line opens, or None if the line is not a heading."""
    t = text.strip()
    if len(t) > 40 or t.endswith(("。", "；", ";")) or _ENDS_IN_VALUES.search(t):
        return None
    numbered = bool(_TOP_NUMBER.match(t))
    for key, words in section_words().items():
        if any(w in t for w in words) and (numbered or len(t) <= 24):
            return key
    # a bare number (三、 left alone where a PDF cut a merged cell) opens nothing
    if numbered and len(t) <= 30 and "，" not in t and len(_TOP_NUMBER.sub("", t)) >= 2:
        return "other_heading"
    return None


def assign_sections(blocks: list[Block]) -> list[tuple[str, str, Block]]:
    """Each block with (section key, section title)."""
    key, title = "preamble", ""
    out = []
    for block in blocks:
        if isinstance(block, Paragraph):
            found = heading_key(block.text)
            if found:
                key = found if found != "other_heading" else key_for_title(block.text)
                title = block.text.strip()
        out.append((key, title, block))
    return out


def key_for_title(title: str) -> str:
    """A stable key for a non-standard section: its title without numbering."""
    return "section:" + _TOP_NUMBER.sub("", title.strip())[:20]
