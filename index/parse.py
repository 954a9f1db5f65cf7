"""One report file → everything the index stores about it.

file → lines (index.read) → blocks (layout) → sections → facts, passages,
checks. Pure: no database, so it runs in worker processes.
"""

from __future__ import annotations

import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from index import checks, ocr_fill, tokenize
from index.catalogue import OLD_FORMAT
from index.facts import Fact, from_prose, from_table
from index.history import history_facts
from index.layout import blocks as read_blocks
from index.layout import paragraph_runs
from index.limits import cap_facts
from index.metadata import Metadata, read_metadata
from index.old_table import read_old_table
from index.prose import prose_facts
from index.read import read_lines, sha256_of
from index.runs_text import read_stream_tables
from index.sections import assign_sections
from index.sources import Source
from index.tables import read_tables
from index.template import FORMATS

ALL_TABLES = ("表二", "表三", "表四")
_NATIONAL_ROW = re.compile(rf"^line \d+: (?:{'|'.join(ALL_TABLES)}) row ")


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
    source: Source = field(default_factory=Source)  # what sources.tsv said of the file


def parse_file(path: str | Path, source: Source | None = None) -> ParsedReport:
    """Parse one report (with what sources.tsv says of it); raises index.errors.ReportError when it cannot be read."""
    started = time.perf_counter()
    path = Path(path)
    lines = read_lines(path)
    report = parse_lines(lines, path, source)
    report.sha256 = sha256_of(path)
    report.seconds = time.perf_counter() - started
    return report


def parse_lines(lines: list[str], path: Path, source: Source | None = None) -> ParsedReport:
    blocks = read_blocks(lines)
    meta = read_metadata(blocks, source)
    tables = read_tables(blocks)
    # tables printed as one stream of text (crawler dumps): the rows the row readers did not read
    stream = read_stream_tables(blocks, {(f.metric, f.applicant) for f in tables.facts}, tables.format)
    tables.facts += stream.facts
    # a row the aligner reported unreadable already is not reported twice
    said = {_unread_row(w) for w in tables.warnings if " unreadable (" in w}
    tables.warnings += [w for w in stream.warnings if _unread_row(w) not in said]
    if stream.facts:
        tables.found |= {f.table for f in stream.facts}
        tables.format = tables.format if tables.format in FORMATS else stream.format
    facts = [from_table(f) for f in tables.facts]
    facts += [from_prose(f) for f in prose_facts(blocks)]
    facts += history_facts(blocks)
    # the 2008–2018 reports' own statistics table, where no national table stands
    old = read_old_table(blocks) if not tables.found else None
    if old and old.found:
        facts += [from_table(f) for f in old.facts]
    found = tables.found
    missing = [t for t in ALL_TABLES if t not in found] if found else list(ALL_TABLES)
    if old and old.found:
        missing = []  # the national tables did not exist yet: none is missing
    if old and old.found:
        # the national readers' words on rows of the old table (表四 row 行政诉讼数条 …) are about no national table
        tables.warnings = [w for w in tables.warnings if not _NATIONAL_ROW.match(w)]
    warnings = list(meta.warnings) + tables.warnings + (old.warnings if old else []) + list(getattr(lines, "notes", []))
    # lines read by OCR (index.ocr): their facts marked, their empty cells filled only as the sum rules decide
    facts = ocr_fill.mark(facts, getattr(lines, "ocr", set()), getattr(lines, "unsure", set()), warnings)
    facts = cap_facts(facts, warnings)  # a file pasting one table 100 times yields it once
    if found and missing:
        warnings.append("missing tables: " + ", ".join(missing))
    fmt = tables.format if found else OLD_FORMAT if old and old.found else "none"
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
        source=source or Source(),
    )


def _unread_row(warning: str) -> tuple[str, str]:
    """An unreadable-row warning's line, table and digits as printed, whichever reader wrote it."""
    return warning.split(" row ", 1)[0], re.sub(r"\D", "", warning.rsplit("): ", 1)[-1])


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
