"""Plain-text reports (.txt/.md) → their lines exactly, and the encoding detection HTML also relies on."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from index.errors import ReportError

CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def read_text(path: Path) -> list[str]:
    """A .txt/.md file's lines, exactly: line N of the list is line N of the file."""
    text = decode_text(path.read_bytes())
    if text is None:
        raise ReportError(path, "cannot decode the text: not UTF-8, UTF-16 or GB18030/GBK")
    if not text.strip():
        raise ReportError(path, "file is empty (only whitespace)")
    return split_lines(text)


def split_lines(text: str) -> list[str]:
    """Lines split on \\n or \\r\\n only (not str.splitlines, which also splits on \\f, \\x1c, U+2028…)."""
    newline = "\n" if "\n" in text else "\r"  # old Mac files use a bare CR
    lines = text.split(newline)
    if lines and lines[-1] == "":
        lines.pop()  # a final newline ends the last line, it does not start another
    return [line.removesuffix("\r") for line in lines]


def decode_text(data: bytes) -> str | None:
    """Bytes in UTF-8, UTF-16 or GB18030/GBK → text without BOM; None when no decoding is plausible."""
    for encoding, guessed in _candidates(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not guessed or plausible(text):
            return text.removeprefix("\ufeff")
    return _guess(data)


def _candidates(data: bytes) -> list[tuple[str, bool]]:
    """Encodings to try strictly, in order, each with whether it is a guess whose result must look Chinese."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return [(encoding, False)]
    utf16 = _utf16_by_nuls(data) if b"\x00" in data else ""
    # strict UTF-8 that succeeds is right in practice; GB18030 accepts much that is not Chinese
    return ([(utf16, True)] if utf16 else []) + [("utf-8", False), ("gb18030", True)]


def _utf16_by_nuls(data: bytes) -> str:
    """UTF-16 without BOM shows as NUL bytes on one side: the high bytes of ASCII characters."""
    sample = data[:65536]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    enough = max(2, len(sample) // 200)
    if odd >= enough and odd > 4 * even:
        return "utf-16-le"
    if even >= enough and even > 4 * odd:
        return "utf-16-be"
    return ""


def _guess(data: bytes) -> str | None:
    """charset-normalizer's best guess, only when the strict decoders all failed, and only if it looks Chinese."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        return None
    try:
        text = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return None
    return text.removeprefix("\ufeff") if plausible(text) else None


def plausible(text: str) -> bool:
    """Whether a guessed decoding reads as Chinese: no replacement or control characters, mostly CJK beyond ASCII."""
    sample = text[:200_000]
    if "\ufffd" in sample or "\x00" in sample:
        return False
    visible = len(sample) - sum(1 for c in sample if c.isspace())
    if len(_CONTROL.findall(sample)) > 2 + visible // 100:  # a stray ^Z at the end is fine
        return False
    foreign = [c for c in sample if ord(c) > 127 and not c.isspace()]
    if not foreign:
        return True
    odd = sum(1 for c in foreign if unicodedata.category(c) in ("Co", "Cn", "Cs"))
    return odd * 100 <= len(foreign) and len(CJK.findall("".join(foreign))) >= 0.6 * len(foreign)
