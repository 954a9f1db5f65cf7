"""Report files the build could not parse, remembered in the index so later builds do not read them again.

A reports folder keeps its broken and hostile files (copied in, fetched): each would
cost its full time cap on every build. A failure is remembered by path, with the
file's sha256, its sources.tsv row and the parser version it failed under; while all
three stay the same the build skips the file and reports it again with its reason. A
changed file, a changed row, a new parser version or `retry` reads it again. Uploads
through the bot are set aside further (bot/tg/quarantine.py): out of the folder.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

TABLE = "failures"
COLUMNS = {
    "path": str,
    "file": str,  # its name in the index (index.folders)
    "sha256": str,
    "source_row": str,
    "parser_version": str,
    "reason": str,
    "read_at": str,  # when it was last read and failed
}


def create(db: sqlite_utils.Database) -> None:
    """The table, in an index from before it existed too (no write when it is there)."""
    if TABLE not in db.table_names():
        db[TABLE].create(COLUMNS, pk="path")


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
             reason: str) -> None:
    db[TABLE].upsert({"path": path, "file": file, "sha256": sha256, "source_row": source_row,
                      "parser_version": version, "reason": reason,
                      "read_at": datetime.now(UTC).isoformat(timespec="seconds")}, pk="path")


def forget(db: sqlite_utils.Database, paths: list[str]) -> None:
    for path in paths:
        db.execute(f"delete from {TABLE} where path = ?", [path])


def listed(db: sqlite_utils.Database) -> list[dict]:
    """What `nianbao reports` shows: each failed file, why, when it was last read, and its url (sources.tsv)."""
    if TABLE not in db.table_names():
        return []
    rows = db.query(f"select file, path, reason, read_at, source_row from {TABLE} order by file")
    return [{**{k: r[k] for k in ("file", "path", "reason", "read_at")}, "url": (r["source_row"] or "").split("\t")[0]}
            for r in rows]
