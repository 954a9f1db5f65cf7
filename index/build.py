"""Build or refresh the index from report files, atomically.

Incremental by content hash: unchanged files are not parsed again, files gone
from PATH leave the index. A few new, changed or removed reports are written
into the serving index in place, in WAL transactions, so readers answer from
the last commit throughout and a crash leaves it; a new index or a new parser
version is built in a temporary file that replaces the index with one rename.
Either way a crash or a bad file never leaves half an index. Readers notice
either kind of change (the `generation` in meta, the file's inode) and reopen.
"""

from __future__ import annotations

import dataclasses
import fcntl
import json
import operator
import os
import shutil
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from index import checks as rules
from index import failures, old_years, store, tokenize
from index.errors import NianbaoError, ReportError
from index.facts import Fact
from index.folders import discover, walk
from index.limits import Limits, hang_if_asked
from index.parse import ParsedReport, parse_file
from index.read import sha256_of
from index.sources import Source, sources_for
from index.version import parser_version
from index.workers import OK, run_capped

__all__ = ["BuildSummary", "build_index", "discover", "parser_version"]

Progress = Callable[[int, int, str], None]


@dataclass
class BuildSummary:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    # the paths in `failed` that failed before and have not changed since, so were not read again (index.failures)
    failed_unchanged: list[str] = field(default_factory=list)
    # files that are read but hold no report (a logo, a QR code beside the reports), with why (index.failures)
    not_reports: list[tuple[str, str]] = field(default_factory=list)
    reports: int = 0
    facts: int = 0
    seconds: float = 0.0
    tokenizer_seconds: float = 0.0
    chars: int = 0

    def line(self) -> str:
        """The one-line summary the CLI and the bot print."""
        return (
            f"{self.reports} reports, {self.facts} facts: {self.added} added, {self.changed} changed, "
            f"{self.removed} removed, {self.unchanged} unchanged, {len(self.failed)} failed "
            + (f"({len(self.failed_unchanged)} unchanged since last build, not re-read) " if self.failed_unchanged
               else "")
            + (f"and {len(self.not_reports)} not reports (pictures) " if self.not_reports else "")
            + f"in {self.seconds:.2f}s (jieba start-up {self.tokenizer_seconds:.2f}s)"
        )

    def as_dict(self) -> dict:
        return {**self.__dict__, "failed": [list(f) for f in self.failed],
                "not_reports": [list(f) for f in self.not_reports]}


def _parse_safely(path: Path, name: str, source: Source | None = None) -> ParsedReport | tuple[str, str]:
    """Run in a capped worker (index.workers): the report, or (path, why not)."""
    hang_if_asked(name)
    try:
        report = parse_file(path, source)
    except ReportError as err:
        return (str(path), err.reason)
    except MemoryError:
        raise  # the worker reports it with its limit, and is replaced
    except Exception as err:  # a parser bug must cost one file, not the build
        return (str(path), f"could not parse: {type(err).__name__}: {err}")
    report.file = name
    return _packed(report)


_LISTS = ("facts", "passages", "checks")


def _packed(report: ParsedReport) -> ParsedReport:
    """The report with its lists of dataclasses as (class, rows of values): unpickling ~250 objects a report
    one by one cost the builder more than the rest of receiving it."""
    for name in _LISTS:
        items = getattr(report, name)
        kind = type(items[0]) if items else None
        if kind is not None and dataclasses.is_dataclass(kind) and all(type(i) is kind for i in items):
            get = operator.attrgetter(*(f.name for f in dataclasses.fields(kind)))
            setattr(report, name, _Rows(kind, [get(i) for i in items]))
    return report


def _unpacked(report: ParsedReport) -> ParsedReport:
    for name in _LISTS:
        rows = getattr(report, name)
        if isinstance(rows, _Rows):
            setattr(report, name, [rows.kind(*values) for values in rows.values])
    return report


@dataclass
class _Rows:
    kind: type
    values: list[tuple]


# an update of more reports than this commits every this many, so its write-ahead log stays bounded
BATCH_REPORTS = 500
CACHE_KB = 256 * 1024  # the page cache of an update in place, while it runs


def build_index(
    paths: Iterable[str | Path],
    db_path: str | Path,
    *,
    jobs: int = 1,
    progress: Progress | None = None,
    limits: Limits | None = None,
    retry_failed: bool = False,
) -> BuildSummary:
    """Index report files and folders into db_path; returns what changed.

    An index of the same parser version is updated in place: WAL, one transaction per batch of
    BATCH_REPORTS reports (the FTS table follows by its triggers in the same transaction), so readers
    keep answering from the last commit and a crash leaves it. A new index, or one of another parser
    version, is built in a temporary file and swapped in with one rename. An existing file that is
    not a nianbao index is refused (NotAnIndex), untouched.
    Every file is parsed in a worker process under `limits` (index.limits), never in this one.
    A file that failed before (or a picture with no report in it) is not read again while it, its sources.tsv
    row and the parser version stay the same (index.failures): it is reported again with its reason.
    `retry_failed` reads the failures again.
    """
    started = time.perf_counter()
    summary = BuildSummary()
    db_path = Path(db_path)
    store.check_target(db_path)
    paths = list(paths)
    files, skipped = walk(paths)
    summary.failed.extend(skipped)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    found_sources = sources_for([f.path for f in files], [Path(p).resolve() for p in paths if Path(p).is_dir()])
    version = parser_version()
    run = _Run(files, found_sources, summary, version, jobs, limits or Limits.from_env(), progress, started,
               retry_failed)
    with _one_build_at_a_time(db_path):
        _remove_stale_temps(db_path)
        db = _open_in_place(db_path, version)
        if db is not None:
            try:
                run.update(db, batch=BATCH_REPORTS)
                # the log's pages into the file now, as far as no reader still needs them: never waits
                db.execute("pragma wal_checkpoint(passive)")
            finally:
                db.close()
        else:
            _rebuild(db_path, run)
    summary.seconds = time.perf_counter() - started
    return summary


def _open_in_place(db_path: Path, version: str) -> sqlite_utils.Database | None:
    """The serving index, to update in place; None when a new file must be built (none yet, another parser
    version, or one that cannot be read)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    db = None
    try:
        db = sqlite_utils.Database(db_path)
        db.conn.execute("pragma busy_timeout = 30000")  # a reader's checkpoint, another build
        if store.get_meta(db, "parser_version") == version \
                and db.execute("pragma journal_mode = wal").fetchone()[0] == "wal":
            # a crash loses nothing committed; only power loss may lose the last batch, never half of one
            db.execute("pragma synchronous = normal")
            # a batch touches index pages all over the file: with SQLite's 2 MB cache they were spilled to
            # the log and written again several times within one transaction (3x the bytes)
            db.execute(f"pragma cache_size = -{CACHE_KB}")
            store.create(db)  # an index from before a column existed gains it
            return db
    except sqlite3.DatabaseError:
        pass
    if db is not None:
        db.close()
    return None


def _rebuild(db_path: Path, run: _Run) -> None:
    """Build a new file from a copy of the index (its reports are known, as `changed`) and swap it in."""
    tmp = db_path.with_name(f".{db_path.name}.building-{os.getpid()}")
    _copy_existing(db_path, tmp)
    try:
        db = sqlite_utils.Database(tmp)
        # the temporary copy replaces the index only after a complete build, so a crash
        # mid-build loses nothing: it need not survive power loss, and fsyncs cost 70% of storing
        db.execute("pragma synchronous = off")
        db.execute("pragma journal_mode = memory")
        store.create(db)
        run.update(db, batch=BATCH_REPORTS)  # batches here too: a journal of every page changed stays small
        db.execute("analyze")  # statistics let the planner pick the right index for each question
        db.execute("pragma journal_mode = wal")  # the next update goes in place
        db.close()
        _empty_log(db_path)
        os.replace(tmp, db_path)
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            leftover.unlink(missing_ok=True)


def _empty_log(db_path: Path) -> None:
    """Before a new file takes the index's name: the write-ahead log beside that name must hold no page of
    the old file, or SQLite would apply it to the new one. A killed update may have left some."""
    if not Path(f"{db_path}-wal").exists():
        return
    try:
        with closing(sqlite3.connect(db_path, timeout=30)) as conn:
            busy = conn.execute("pragma wal_checkpoint(truncate)").fetchone()[0]
    except sqlite3.DatabaseError:
        Path(f"{db_path}-wal").unlink(missing_ok=True)  # an unreadable old index: its log is worth nothing
        return
    if busy:
        raise NianbaoError(f"readers kept {db_path} busy for 30 s: the old index still serves; build again")


@contextmanager
def _one_build_at_a_time(db_path: Path):
    """A build from the command line and one from the bot take turns (a lock file beside the index)."""
    with open(db_path.with_name(f".{db_path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class _Run:
    """One build's inputs, applied to an open index by `update`."""

    files: list
    sources: dict
    summary: BuildSummary
    version: str
    jobs: int
    limits: Limits
    progress: Progress | None
    started: float
    retry_failed: bool = False

    def update(self, db: sqlite_utils.Database, batch: int | None) -> None:
        """Apply the files to db: one transaction per `batch` parsed reports (None: one for all, and rule 6
        checked again for every agency), each moving the generation readers watch."""
        summary, files = self.summary, self.files
        reparse_all = store.get_meta(db, "parser_version") != self.version
        known = {r["path"]: (r["id"], r["sha256"], r["file"], r["source_row"] or "", r["agency"])
                 for r in db.query("select id, path, sha256, file, source_row, agency from reports")}
        failures.create(db)
        failed_before = failures.remembered(db)
        todo, hashes, settled = [], {}, []
        for found in files:
            path = found.path
            try:
                hashes[str(path)] = sha256_of(path)
            except (OSError, ReportError) as err:
                summary.failed.append((str(path), getattr(err, "reason", None) or f"cannot read: {err}"))
                continue
            old = known.get(str(path))
            source = self.sources.get(path) or Source()
            # a changed sources.tsv row changes what the report's metadata is read from
            if old and old[1:4] == (hashes[str(path)], found.name, source.key()) and not reparse_all:
                summary.unchanged += 1
                if str(path) in failed_before:
                    settled.append(str(path))  # back to the bytes its report was read from
            elif self._still_failing(failed_before.get(str(path)), hashes[str(path)], source.key()):
                # a hostile file would cost its whole time cap again on every build, a logo its OCR
                row = failed_before[str(path)]
                if (row.get("kind") or failures.FAILED) == failures.FAILED:
                    summary.failed.append((str(path), row["reason"]))
                    summary.failed_unchanged.append(str(path))
                else:
                    summary.not_reports.append((str(path), row["reason"]))
            else:
                todo.append(found)
        gone = [p for p in known if p not in hashes]
        touched: set[str] = set()  # agencies whose rule-6 checks must be read again
        db.conn.execute("begin immediate")
        try:
            for path in gone:
                _delete_report(db, known[path][0])
                touched.add(known[path][4] or "")
            summary.removed = len(gone)
            failures.forget(db, [p for p in failed_before if p not in hashes] + settled)
            names = {str(found.path): found.name for found in todo}
            if todo:
                t0 = time.perf_counter()
                tokenize.tokenizer()
                summary.tokenizer_seconds = time.perf_counter() - t0
            pending = len(gone)
            for done, result in enumerate(_parse_all(todo, self.jobs, self.limits, self.sources), start=1):
                if (outcome := failures.verdict(result)) is not None:
                    path, reason, kind = outcome
                    (summary.failed if kind == failures.FAILED else summary.not_reports).append((path, reason))
                    if path in hashes:
                        failures.remember(db, path, names.get(path, Path(path).name), hashes[path],
                                          (self.sources.get(Path(path)) or Source()).key(), self.version, reason,
                                          kind)
                    # a broken new version of a file leaves the old one serving; a file that is not a report
                    # (a logo where a scanned report was) leaves the index
                    if kind == failures.NOT_A_REPORT and path in known:
                        _delete_report(db, known[path][0])
                        touched.add(known[path][4] or "")
                        summary.removed += 1
                        pending += 1
                    if self.progress:
                        self.progress(done, len(todo), Path(path).name)
                    continue
                if result.path in failed_before:
                    failures.forget(db, [result.path])
                old = known.get(result.path)
                if old:
                    _delete_report(db, old[0])
                    touched.add(old[4] or "")
                    summary.changed += 1
                else:
                    summary.added += 1
                summary.chars += result.chars
                _insert_report(db, result)
                touched.add(result.meta.agency or "")
                pending += 1
                if batch and pending >= batch:
                    self._commit(db, touched)
                    touched, pending = set(), 0
                    db.conn.execute("begin immediate")
                if self.progress:
                    self.progress(done, len(todo), result.file)
            self._commit(db, None if batch is None else touched, final=True)
        except BaseException:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise

    def _still_failing(self, row: dict | None, sha256: str, source_row: str) -> bool:
        """A remembered failure (or picture that is no report) of these very bytes: not read again, unless
        `retry_failed` asks for the failures."""
        if self.retry_failed and row is not None and (row.get("kind") or failures.FAILED) == failures.FAILED:
            return False
        return failures.still_failing(row, sha256, source_row, self.version)

    def _commit(self, db: sqlite_utils.Database, touched: set[str] | None, final: bool = False) -> None:
        """Finish one batch: rule 6 for the agencies it touched, the generation, then COMMIT."""
        summary = self.summary
        changed = touched is None or bool(touched)
        if changed:
            old_years.resolve(db)  # rows of old tables that a neighbouring year's 历年累计 decides
            _cross_year_checks(db, touched)
            store.bump_generation(db)
        if final:
            summary.reports = db["reports"].count
            summary.facts = db["facts"].count
            if store.get_meta(db, "parser_version") != self.version:
                store.set_meta(db, "parser_version", self.version)
            if changed:
                store.set_meta(db, "built_at", datetime.now(UTC).isoformat(timespec="seconds"))
            summary.seconds = time.perf_counter() - self.started
            # also when nothing changed (/status shows the last build's failures): the generation stays
            store.set_meta(db, "last_build", summary.as_dict())
        db.conn.commit()


def _remove_stale_temps(db_path: Path) -> None:
    """Temporary files of builds whose process died (killed, power cut): nobody will swap them in."""
    prefix = f".{db_path.name}.building-"
    for temp in db_path.parent.glob(prefix + "*"):
        pid = temp.name[len(prefix) :].split("-", 1)[0]  # also its -wal / -journal files
        if pid.isdigit() and not pid_alive(int(pid)):
            temp.unlink(missing_ok=True)


def pid_alive(pid: int) -> bool:
    """Whether a process still runs, so files left by a dead build (or browse) can go."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _copy_existing(db_path: Path, tmp: Path) -> None:
    """Start from a consistent copy of the serving index (the backup API, not a file copy)."""
    tmp.unlink(missing_ok=True)
    if not db_path.exists():
        return
    try:
        source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        target = sqlite3.connect(tmp)
        with target:
            source.backup(target)
        source.close()
        target.close()
    except sqlite3.DatabaseError:
        # not an index we can read: start afresh; the old file is replaced only on success
        tmp.unlink(missing_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)


def _parse_all(files: list, jobs: int, limits: Limits, sources: dict | None = None):
    """Parsed reports (or (path, why not)) as capped workers finish them; the workers live for the build."""
    if not files:
        return
    tasks = [(found.path, found.name, (sources or {}).get(found.path)) for found in files]
    sizes = {found.path: _size(found.path) for found in files}
    budget = lambda task: limits.seconds_for(sizes[task[0]], task[0])  # noqa: E731
    ocr_budget = lambda task: limits.ocr_seconds_for(sizes[task[0]])  # noqa: E731
    for (path, *_), status, value in run_capped(_parse_safely, tasks, jobs, limits, budget, ocr_budget):
        if status != OK:
            yield (str(path), value)  # over a cap: the worker's reason
        else:
            yield value if isinstance(value, tuple) else _unpacked(value)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _delete_report(db: sqlite_utils.Database, report_id: int) -> None:
    for table in ("facts", "passages", "checks"):
        db.execute(f"delete from {table} where report_id = ?", [report_id])
    db.execute("delete from reports where id = ?", [report_id])


def _insert_report(db: sqlite_utils.Database, report: ParsedReport) -> None:
    meta = report.meta
    failed = sum(1 for c in report.checks if c.status == rules.FAIL)
    row = {
        "path": report.path,
        "file": report.file,
        "sha256": report.sha256,
        "agency": meta.agency,
        "year": meta.year,
        "format": report.format,
        "title": meta.title,
        "province": meta.province,
        "city": meta.city,
        "county": meta.county,
        "website": meta.website,
        "phone": meta.phone,
        "address": meta.address,
        "url": meta.url,
        "link_title": meta.link_title,
        "published": meta.published,
        "agency_from": meta.agency_from,
        "year_from": meta.year_from,
        "source_row": report.source.key(),
        "parent": report.source.parent,
        "chars": report.chars,
        "lines": zlib.decompress(report.text_z).count(b"\n") + 1 if report.text_z else 0,
        "facts": len(report.facts),
        "checks_failed": failed,
        "missing_tables": json.dumps(report.missing_tables, ensure_ascii=False),
        "warnings": json.dumps(report.warnings, ensure_ascii=False),
        "indexed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "text_z": report.text_z,
    }
    report_id = db["reports"].insert(row).last_pk
    common = (report_id, report.file, meta.agency)
    # plain executemany: sqlite-utils' per-row dict handling was a third of the build
    _insert_rows(db, "facts", ("report_id", "file", "agency", "year", "report_year", "metric", "applicant", "value",
                               "unit", "raw", "line", "source_table", "kind", "approx", "sentence"),
                 ((*common, f.year or meta.year, meta.year, f.metric, f.applicant, f.value, f.unit, f.raw, f.line,
                   f.table, f.kind, int(f.approx), f.sentence) for f in report.facts))
    _insert_rows(db, "passages", ("report_id", "file", "agency", "year", "section", "line", "text", "tokens"),
                 ((*common, meta.year, p.section, p.line, p.text, p.tokens) for p in report.passages))
    _insert_rows(db, "checks", ("report_id", "file", "agency", "year", "rule", "name", "subject", "status", "expected",
                                "actual", "cells", "detail"),
                 ((*common, meta.year, c.rule, c.name, c.subject, c.status, c.expected, c.actual, _cells_json(c),
                   c.detail) for c in report.checks))


def _insert_rows(db: sqlite_utils.Database, table: str, columns: tuple[str, ...], rows) -> None:
    marks = ", ".join("?" * len(columns))
    db.conn.executemany(f"insert into {table} ({', '.join(columns)}) values ({marks})", rows)


def _cells_json(check: rules.Check) -> str:
    """The cells of a failed check, to name them in answers; a passing check keeps none (40% of the index)."""
    return json.dumps(check.cells, ensure_ascii=False) if check.status == rules.FAIL else "[]"


def _cross_year_checks(db: sqlite_utils.Database, agencies: set[str] | None = None) -> None:
    """Rule 6 for every agency (or these agencies) with reports for consecutive years."""
    scope, args = "", []
    if agencies is not None:
        args = sorted(agencies)
        scope = f" and agency in ({','.join('?' * len(args))})"
    db.execute("delete from checks where rule = 6" + scope, args)
    reports = list(db.query("select id, agency, year, file from reports where agency != '' and year is not null"
                            + scope, args))
    by_key = {(r["agency"], r["year"]): r for r in reports}
    for (agency, year), later in by_key.items():
        earlier = by_key.get((agency, year - 1))
        if not earlier:
            continue
        found = rules.cross_year_checks(_fact_map(db, earlier["id"]), _fact_map(db, later["id"]))
        db["checks"].insert_all(
            {"report_id": later["id"], "file": later["file"], "agency": agency, "year": year, "rule": 6,
             "name": c.name, "subject": c.subject, "status": c.status, "expected": c.expected,
             "actual": c.actual, "cells": _cells_json(c),
             "detail": f"{year - 1}年 → {year}年"}
            for c in found
        )


def _fact_map(db: sqlite_utils.Database, report_id: int) -> dict:
    out = {}
    rows = db.query(
        "select * from facts where report_id = ? and source_table != '正文' and year = report_year", [report_id]
    )
    for r in rows:
        out[(r["metric"], r["applicant"])] = Fact(
            r["metric"], r["applicant"], r["value"], r["unit"], r["raw"], r["line"], r["source_table"], r["kind"]
        )
    return out
