"""One report file → everything the index stores about it.

file → lines (index.read) → blocks (layout) → sections → facts, passages,
checks. Pure: no database, so it runs in worker processes.
"""

from __future__ import annotations

import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from index import checks, tokenize
from index.facts import Fact, from_prose, from_table
from index.history import history_facts
from index.layout import blocks as read_blocks
from index.layout import paragraph_runs
from index.limits import cap_facts
from index.metadata import Metadata, read_metadata
from index.prose import prose_facts
from index.read import read_lines, sha256_of
from index.sections import assign_sections
from index.tables import read_tables

ALL_TABLES = ("表二", "表三", "表四")


@dataclass
class Passage:
    section: str
    line: int
    text: str
    tokens: str


@dataclass
class ParsedReport:
    path: str
    file: str
    sha256: str
    meta: Metadata
    format: str
    facts: list[Fact]
    passages: list[Passage]
    checks: list[checks.Check]
    missing_tables: list[str]
    warnings: list[str] = field(default_factory=list)
    chars: int = 0
    seconds: float = 0.0
    # the report's text lines, zlib-compressed, so answers can quote the lines around a figure
    text_z: bytes = b""


def parse_file(path: str | Path) -> ParsedReport:
    """Parse one report; raises index.errors.ReportError when it cannot be read."""
    started = time.perf_counter()
    path = Path(path)
    lines = read_lines(path)
    report = parse_lines(lines, path)
    report.sha256 = sha256_of(path)
    report.seconds = time.perf_counter() - started
    return report


def parse_lines(lines: list[str], path: Path) -> ParsedReport:
    blocks = read_blocks(lines)
    meta = read_metadata(blocks)
    tables = read_tables(blocks)
    facts = [from_table(f) for f in tables.facts]
    facts += [from_prose(f) for f in prose_facts(blocks)]
    facts += history_facts(blocks)
    found = tables.found
    missing = [t for t in ALL_TABLES if t not in found] if found else list(ALL_TABLES)
    warnings = list(meta.warnings) + tables.warnings
    facts = cap_facts(facts, warnings)  # a file pasting one table 100 times yields it once
    if found and missing:
        warnings.append("missing tables: " + ", ".join(missing))
    fmt = tables.format if found else "none"
    return ParsedReport(
        path=str(path),
        file=path.name,
        sha256="",
        meta=meta,
        format=fmt,
        facts=facts,
        passages=passages_of(blocks, meta),
        checks=checks.report_checks(facts),
        missing_tables=missing,
        warnings=warnings,
        chars=sum(len(x) for x in lines),
        text_z=zlib.compress("\n".join(lines).encode("utf-8"), 6),
    )


def passages_of(blocks, meta: Metadata) -> list[Passage]:
    """Every paragraph with its section, tokenised for full-text search."""
    tokenize.add_names([meta.agency])
    section_of = {id(b): title or key for key, title, b in assign_sections(blocks)}
    out = []
    for run in paragraph_runs(blocks):
        text = "".join(p.text for p in run)
        if len(text) < 4:
            continue
        out.append(Passage(section_of.get(id(run[0]), ""), run[0].line, text, " ".join(tokenize.index_tokens(text))))
    return out
