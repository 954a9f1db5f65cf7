"""Report files the build could not parse, remembered in the index so later builds do not read them again.

A reports folder keeps its broken and hostile files (copied in, fetched): each would
cost its full time cap on every build. A failure is remembered by path, with the
file's sha256, its sources.tsv row and the parser version it failed under; while all
three stay the same the build skips the file and reports it again with its reason. A
changed file, a changed row, a new parser version or `retry` reads it again. Uploads
through the bot are set aside further (bot/tg/quarantine.py): out of the folder.

A picture beside the reports (a logo, a QR code) is not a failure but not a report either: one whose
OCR finds no text, or neither table figures nor its agency and year, is remembered the same way as
`not a report`, listed as such, and never indexed as an empty report.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from index.parse import ParsedReport

TABLE = "failures"
FAILED, NOT_A_REPORT = "failed", "not a report"
PICTURES = (".png", ".jpg", ".jpeg")
COLUMNS = {
    "path": str,
    "file": str,  # its name in the index (index.folders)
    "sha256": str,
    "source_row": str,
    "parser_version": str,
    "reason": str,
    "read_at": str,  # when it was last read and failed
    "kind": str,  # FAILED or NOT_A_REPORT
}


def create(db: sqlite_utils.Database) -> None:
    """The table, in an index from before it existed too (no write when it is there)."""
    if TABLE not in db.table_names():
        db[TABLE].create(COLUMNS, pk="path")
    elif "kind" not in db[TABLE].columns_dict:
        db[TABLE].add_column("kind", str)


def remembered(db: sqlite_utils.Database) -> dict[str, dict]:
    """Every remembered failure by path."""
    if TABLE not in db.table_names():
        return {}
    return {row["path"]: row for row in db[TABLE].rows}


def still_failing(row: dict | None, sha256: str, source_row: str, version: str) -> bool:
    """Whether a remembered failure still holds: the same bytes, sources.tsv row and parser."""
    return row is not None and (row["sha256"], row["source_row"] or "", row["parser_version"]) == \
        (sha256, source_row, version)


def remember(db: sqlite_utils.Database, path: str, file: str, sha256: str, source_row: str, version: str,
             reason: str, kind: str = FAILED) -> None:
    db[TABLE].upsert({"path": path, "file": file, "sha256": sha256, "source_row": source_row,
                      "parser_version": version, "reason": reason, "kind": kind,
                      "read_at": datetime.now(UTC).isoformat(timespec="seconds")}, pk="path")


def verdict(outcome: ParsedReport | tuple[str, str]) -> tuple[str, str, str] | None:
    """None for a report to index; else (path, reason, FAILED or NOT_A_REPORT) for a parse's outcome."""
    if isinstance(outcome, tuple):
        path, reason = outcome
        if _picture(path) and reason.startswith("no text found"):
            return path, "a picture with no text in it (a logo, a photo?)", NOT_A_REPORT
        return path, reason, FAILED
    meta = outcome.meta
    if _picture(outcome.path) and not outcome.facts and not (meta.agency and meta.year):
        # what a logo or a QR code gives OCR: a few words, no table, no agency and year to file it under
        return (outcome.path, f"a picture with no report in it: OCR read {outcome.chars} characters, no table "
                f"figures, {'no agency' if not meta.agency else 'no year'}", NOT_A_REPORT)
    return None


def _picture(path: str) -> bool:
    return Path(path).suffix.lower() in PICTURES


def forget(db: sqlite_utils.Database, paths: list[str]) -> None:
    for path in paths:
        db.execute(f"delete from {TABLE} where path = ?", [path])


def listed(db: sqlite_utils.Database) -> list[dict]:
    """What `nianbao reports` shows: each failed file, why, when it was last read, and its url (sources.tsv)."""
    if TABLE not in db.table_names():
        return []
    rows = db.query(f"select * from {TABLE} order by file")
    return [{**{k: r[k] for k in ("file", "path", "reason", "read_at")}, "kind": r.get("kind") or FAILED,
             "url": (r["source_row"] or "").split("\t")[0]} for r in rows]
