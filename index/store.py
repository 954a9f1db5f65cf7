"""The SQLite index, the sqlite-utils way: tables, keys, FTS5 and the search SQL.

Tables: reports, facts, passages (+ passages_fts), checks, meta. User text
reaches MATCH only through `fts_query`, which quotes every token.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import sqlite_utils

from index.errors import IndexMissing, NianbaoError
from index.history import CHART

SCHEMA_VERSION = 1

REPORT_COLUMNS = {
    "id": int,
    "path": str,
    "file": str,
    "sha256": str,
    "agency": str,
    "year": int,
    "format": str,
    "title": str,
    "province": str,
    "city": str,
    "county": str,
    "website": str,
    "phone": str,
    "address": str,
    # what the collector knew (sources.tsv, or a harvester): the page, its link title, its date
    "url": str,
    "link_title": str,
    "published": str,
    "source_row": str,  # the sources.tsv row as read (url, title, published), to see it change
    "parent": str,  # an attachment's report page (its path): the two are one report (index/duplicates.py)
    # where the agency and the year were read: title, text, sources.tsv, url
    "agency_from": str,
    "year_from": str,
    "chars": int,
    "lines": int,
    "facts": int,
    "checks_failed": int,
    "missing_tables": str,
    "warnings": str,
    "indexed_at": str,
    "text_z": bytes,
}
FACT_COLUMNS = {
    "id": int,
    "report_id": int,
    "file": str,
    "agency": str,
    "year": int,
    "report_year": int,
    "metric": str,
    "applicant": str,
    "value": float,
    "unit": str,
    "raw": str,
    "line": int,
    "source_table": str,
    "kind": str,
    "approx": int,
    "sentence": str,
}
PASSAGE_COLUMNS = {
    "id": int,
    "report_id": int,
    "file": str,
    "agency": str,
    "year": int,
    "section": str,
    "line": int,
    "text": str,
    "tokens": str,
}
CHECK_COLUMNS = {
    "id": int,
    "report_id": int,
    "file": str,
    "agency": str,
    "year": int,
    "rule": int,
    "name": str,
    "subject": str,
    "status": str,
    "expected": float,
    "actual": float,
    "cells": str,
    "detail": str,
}


def create(db: sqlite_utils.Database) -> None:
    """Create the tables and indexes of an empty index."""
    db["reports"].create(REPORT_COLUMNS, pk="id", not_null={"path", "sha256"}, if_not_exists=True)
    db["reports"].create_index(["path"], unique=True, if_not_exists=True)
    # an index built before a column existed gains it (empty) and is filled as files are parsed again
    have = db["reports"].columns_dict
    for column, kind in REPORT_COLUMNS.items():
        if column not in have:
            db["reports"].add_column(column, kind)
    db["facts"].create(FACT_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")], if_not_exists=True)
    _facts_indexes(db)
    db["passages"].create(PASSAGE_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")], if_not_exists=True)
    db["passages"].create_index(["report_id"], if_not_exists=True)
    if "passages_fts" not in db.table_names():
        db["passages"].enable_fts(["tokens"], fts_version="FTS5", tokenize="unicode61", create_triggers=True)
    db["checks"].create(CHECK_COLUMNS, pk="id", foreign_keys=[("report_id", "reports", "id")], if_not_exists=True)
    db["checks"].create_index(["report_id"], if_not_exists=True)
    db["meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
    if get_meta(db, "schema_version") != SCHEMA_VERSION:  # no write when nothing changes: readers watch writes
        set_meta(db, "schema_version", SCHEMA_VERSION)


# The facts' indexes. Every question reads facts report by report (a ranking: one seek per report of its scope,
# through the first), never one metric across every report: an index led by metric, (metric, year, applicant)
# as rankings read before, puts each new report's ~200 facts on ~200 leaf pages spread over the file, and one
# led by agency on a few pages in the middle of it, so adding 100 reports in place wrote 26 MB of log for
# 8 MB of rows (docs/scaling.md). Led by report_id, a new report's entries go after the last report's.
# A chart of past years is looked up by agency and year: only its rows are in the second (a partial index;
# its WHERE is written literally in the query too, or SQLite will not use it).
CHART_ROWS = f"source_table = '{CHART}'"
FACTS_INDEXES = {
    "idx_facts_report_id_metric_applicant": "facts (report_id, metric, applicant)",
    "idx_facts_charts": f"facts (agency, year, metric) where {CHART_ROWS}",
}


def _facts_indexes(db: sqlite_utils.Database) -> None:
    """Create the facts' indexes an index lacks (analysed when the rest is) and drop those it no longer uses.
    An index of an earlier schema is thus brought up to date in place by the next build (a one-off write of
    the new indexes), its figures unchanged."""
    have = {row[0] for row in db.execute("select name from sqlite_master where type = 'index' and tbl_name = 'facts'"
                                         " and sql is not null")}
    for name, what in FACTS_INDEXES.items():
        if name not in have:
            db.execute(f"create index {name} on {what}")
            if "sqlite_stat1" in db.table_names():  # the planner's figures for the new one too
                db.execute(f"analyze {name}")
    for old in sorted(have - set(FACTS_INDEXES)):
        db.execute(f"drop index {old}")


class NotAnIndex(NianbaoError):
    """A build was pointed at an existing file that is not a nianbao index: it is refused, never replaced.
    (Here, not in index/errors.py: that module is part of the parser version, and this changes no parse.)"""

    def __init__(self, path, why: str):
        self.path = str(path)
        super().__init__(f"--db {self.path} {why}: it is not a nianbao index, so it is left as it is; "
                         f"give another --db path, or move the file away")


SQLITE_MAGIC = b"SQLite format 3\x00"
INDEX_TABLES = {"reports", "facts", "meta"}


def check_target(path: str | Path) -> None:
    """Refuse to build into an existing file that is not a nianbao index (a text file, a device, another
    program's database): a build would replace it. Nothing, an empty file or an empty database is fine."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(st.st_mode):
        raise NotAnIndex(path, "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise NotAnIndex(path, "is not a regular file")
    if st.st_size == 0:
        return
    with open(path, "rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise NotAnIndex(path, "is not an SQLite database")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as err:
        raise NotAnIndex(path, f"cannot be read ({err})") from err
    if tables and not tables >= INDEX_TABLES:
        raise NotAnIndex(path, f"is an SQLite database of something else (tables: {', '.join(sorted(tables)[:5])})")


def fts_out_of_sync(conn: sqlite3.Connection) -> int:
    """Rows the passage search and the passages disagree on: indexed rows no passage has, plus passages
    the search does not hold (0 when every write kept both in one transaction)."""
    conn.execute("create virtual table if not exists temp.passages_vocab using fts5vocab(main, passages_fts, instance)")
    try:
        indexed = {r[0] for r in conn.execute("select distinct doc from temp.passages_vocab")}
    finally:
        conn.execute("drop table temp.passages_vocab")
    held = {r[0] for r in conn.execute("select id from passages where tokens != ''")}
    return len(indexed ^ held)


def bump_generation(db: sqlite_utils.Database) -> int:
    """Count one more change of the index's data, in the caller's transaction: readers reopen when it moves."""
    generation = int(get_meta(db, "generation", 0) or 0) + 1
    set_meta(db, "generation", generation)
    return generation


def set_meta(db: sqlite_utils.Database, key: str, value) -> None:
    db["meta"].upsert({"key": key, "value": json.dumps(value, ensure_ascii=False)}, pk="key")


def get_meta(db: sqlite_utils.Database, key: str, default=None):
    try:
        row = db["meta"].get(key)
    except sqlite_utils.db.NotFoundError:
        return default
    return json.loads(row["value"])


def open_index(path: str | Path) -> sqlite_utils.Database:
    """An existing index for reading; IndexMissing when there is none."""
    path = Path(path)
    if not path.exists():
        raise IndexMissing(path)
    db = sqlite_utils.Database(path)
    if "facts" not in db.table_names() or "reports" not in db.table_names():
        raise IndexMissing(path)
    return db


_QUOTE = re.compile(r'"')


def fts_query(tokens: list[str]) -> str:
    """An FTS5 MATCH expression that asks for every token as a literal string."""
    quoted = ['"' + _QUOTE.sub('""', t) + '"' for t in tokens if t.strip()]
    return " ".join(quoted)


def search_sql(limit: int = 20) -> str:
    """The passage search: BM25-ranked, with report metadata; bind :query."""
    return f"""
        select passages.id, passages.report_id, passages.file, passages.agency, passages.year,
               passages.section, passages.line, passages.text, bm25(passages_fts) as rank
        from passages_fts
        join passages on passages.rowid = passages_fts.rowid
        where passages_fts match :query
        order by rank
        limit {int(limit)}
    """
