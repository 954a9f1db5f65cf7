"""Where a block stands in the report's six-part outline.

Numbering varies (一、 / 4、 / （四） / none), and older reports use other
titles, so a heading is recognised by its words, and any other numbered short
line becomes a section of its own name.
"""

from __future__ import annotations

import re

from index.layout import Block, Paragraph

# section key → words a heading of that section contains
SECTION_WORDS = {
    "overview": ("总体情况", "概述", "基本情况"),
    "proactive": ("主动公开政府信息情况", "主动公开政府信息以及", "主动公开情况"),
    "apply": ("收到和处理政府信息公开申请", "依申请公开政府信息情况", "依申请公开情况"),
    "review": ("行政复议、行政诉讼", "行政复议和行政诉讼", "行政复议及行政诉讼", "行政复议行政诉讼"),
    "problems": ("存在的主要问题", "主要问题和改进"),
    "other": ("其他需要报告的事项", "其他需要报告"),
}

_TOP_NUMBER = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}\s*[、.．]\s*)")


def heading_key(text: str) -> str | None:
    """The section a heading line opens, or None if the line is not a heading."""
    t = text.strip()
    if len(t) > 40 or t.endswith(("。", "；", ";")):
        return None
    numbered = bool(_TOP_NUMBER.match(t))
    for key, words in SECTION_WORDS.items():
        if any(w in t for w in words) and (numbered or len(t) <= 24):
            return key
    if numbered and len(t) <= 30 and "，" not in t:
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
