"""Structured lookups over the index: one figure, a sum of parts, a ranking, a series.

Reads SQLite only (never writes). A figure a row does not hold (不予公开,
行政诉讼, 法人或其他组织) is the sum of its parts, and says so.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index import catalogue, duplicates, gazetteer, same_body
from index.catalogue import OLD_FORMAT, PROSE, TABLE_APPLY, TABLE_OLD, TABLE_PROACTIVE, TABLE_REVIEW
from index.cells import MONEY_UNITS
from index.errors import IndexMissing
from index.history import CHART

TABLE_SOURCES = (TABLE_PROACTIVE, TABLE_APPLY, TABLE_REVIEW, TABLE_OLD)
# the SQL test for a figure read from the tables, with TABLE_SOURCES as its arguments
IN_TABLES = f"source_table in ({', '.join('?' * len(TABLE_SOURCES))})"
# the columns a Figure reads: fetching only these keeps a ranking over thousands of reports fast
FIGURE_COLUMNS = "agency, year, metric, applicant, value, unit, raw, kind, file, source_table, line, sentence, approx, " \
                 "report_id"


@dataclass
class Figure:
    agency: str
    year: int
    metric: str
    applicant: str | None
    value: float | None
    unit: str | None
    raw: str = ""
    kind: str = "number"
    file: str = ""
    table: str = ""
    line: int | None = None
    sentence: str = ""
    approx: bool = False
    report_id: int | None = None
    parts: list[Figure] = field(default_factory=list)
    # the 总计 cell is blank and the figure is the sum of the applicant cells beside it
    blank_total: bool = False
    url: str = ""  # where the report was published (sources.tsv), cited beside file, table and line

    @property
    def is_sum(self) -> bool:
        return bool(self.parts)

    def in_yuan(self) -> float | None:
        factor = MONEY_UNITS.get(self.unit or "")
        return self.value * factor if factor and self.value is not None else None

    def as_fact(self) -> dict:
        cat = catalogue.load()
        return {
            "agency": self.agency,
            "year": self.year,
            "metric": self.metric,
            "applicant": self.applicant,
            "value": _plain(self.value),
            "unit": self.unit,
            "raw": self.raw,
            "kind": self.kind,
            "label": cat.label(self.metric),
            "source": {"file": self.file, "table": self.table, "line": self.line,
                       **({"sentence": self.sentence} if self.sentence else {}),
                       **({"url": self.url} if self.url else {})},
            **({"parts": [p.as_fact() for p in self.parts]} if self.parts else {}),
            **({"blank_total": True} if self.blank_total else {}),
        }


def _applicant_clause(applicants: set[str | None]) -> tuple[str, list[str]]:
    """applicant IN (…) [OR applicant IS NULL], written so the (metric, year, applicant) index serves it."""
    named = sorted(a for a in applicants if a)
    parts = [f"applicant in ({','.join('?' * len(named))})"] if named else []
    if None in applicants:
        parts.append("applicant is null")
    return "(" + " or ".join(parts) + ")", named


def _scope(reports: list[dict], year: int | None) -> tuple[str, list]:
    """The WHERE clause that reads the fewest fact rows for these reports."""
    if len(reports) <= 300:  # one report, or a city's: by report id
        return f"report_id in ({','.join('?' * len(reports)) or 'null'})", [r["id"] for r in reports]
    if year is not None:
        return "year = ?", [year]
    return "1", []


@lru_cache(maxsize=1)
def _region_suffixes() -> tuple[str, ...]:
    """省, 市: a province or city is also written without them (威海市 → 威海)."""
    return tuple(gazetteer.agency_rules()["region_short_suffixes"])


def _region_names(reports: list[dict]) -> dict[str, tuple[str, str]]:
    """Region name as people write it → (reports column, value): 威海市/威海 → ("city", "威海市")."""
    names: dict[str, tuple[str, str]] = {}
    for r in reports:
        for column in ("province", "city", "county"):
            value = r.get(column) or ""
            if len(value) < 2:
                continue
            names.setdefault(value, (column, value))
            short = value[:-1] if value.endswith(_region_suffixes()) and len(value) >= 3 else ""
            if short:
                names.setdefault(short, (column, value))
            for form in _place_forms(value):
                names.setdefault(form, (column, value))
    return names


@lru_cache(maxsize=4096)
def _place_forms(name: str) -> tuple[str, ...]:
    """How the gazetteer says people write a region (新疆维吾尔自治区: 新疆)."""
    return tuple(f for p in gazetteer.load().by_form.get(name, ()) if p.name == name for f in p.forms)


def _stamp(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _plain(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class Index:
    """The read side of the index: reports in memory, facts by indexed query."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not self.path.exists():
            raise IndexMissing(self.path)
        self.conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        # rankings read a few thousand scattered rows: keep 64 MB of pages instead of SQLite's default 2 MB
        self.conn.execute("pragma cache_size = -65536")
        try:
            # an index built before reports.parent existed is read until the next build adds it
            parent = "parent" if "parent" in {c[1] for c in self.conn.execute("pragma table_info(reports)")} \
                else "'' as parent"
            rows = self.conn.execute(
                "select id, file, path, agency, year, format, title, province, city, county, facts, "
                f"checks_failed, missing_tables, indexed_at, url, {parent} from reports order by agency, year"
            ).fetchall()
        except sqlite3.DatabaseError as err:
            raise IndexMissing(self.path) from err
        # one body written two ways (平潭综合实验区, 平潭综合实验区管委会) is one agency here
        rows = [dict(r) for r in rows]
        self.canon = same_body.names(Counter(r["agency"] for r in rows if r["agency"]))
        for r in rows:
            r["agency"] = self.canon.get(r["agency"], r["agency"])
        # one report per agency and year: a file uploaded twice is never counted twice
        self.reports, self.duplicates = duplicates.used(rows)
        # figures the two files of one agency and year state differently: flagged, never silently chosen
        self.conflicts = duplicates.conflicts(self.conn, self.duplicates)
        self.conflicting = {(c["agency"], c["year"], c["metric"], c["applicant"]): c for c in self.conflicts}
        self.urls = {r["id"]: r["url"] or "" for r in rows}
        self.by_key = {(r["agency"], r["year"]): r for r in self.reports}
        self.by_agency: dict[str, list[dict]] = {}
        for r in self.reports:
            self.by_agency.setdefault(r["agency"], []).append(r)
        self.years = sorted({r["year"] for r in self.reports if r["year"]})
        self.agencies = sorted(self.by_agency)
        self.regions = _region_names(self.reports)
        self.cat = catalogue.load()
        # what this Index was read from: a build commits a new generation in place or swaps in a new file
        self._stamp = _stamp(self.path)
        self._data_version = self._pragma_data_version()
        self.generation = self._generation()
        # the data never changes under an open Index (a change means a new one: `stale`), so rankings
        # and searches, the costly questions, are remembered: popular ones are asked again and again
        self._remembered: OrderedDict[tuple, object] = OrderedDict()

    def stale(self) -> bool:
        """Whether the index holds other data than this Index read (a stat and a pragma: cheap enough
        for every question): another file under the name, or another generation committed in place."""
        stamp = _stamp(self.path)
        if stamp is None or stamp == self._stamp and self._pragma_data_version() == self._data_version:
            return False  # a vanished index leaves this one serving
        if stamp[:2] != self._stamp[:2]:
            return True
        self._stamp, self._data_version = stamp, self._pragma_data_version()
        # a write that changed no data (a build that found nothing new) keeps the generation
        return self._generation() != self.generation

    def _pragma_data_version(self) -> int | None:
        try:
            return self.conn.execute("pragma data_version").fetchone()[0]
        except sqlite3.DatabaseError:
            return None

    def _generation(self) -> object:
        try:
            row = self.conn.execute("select value from meta where key = 'generation'").fetchone()
        except sqlite3.DatabaseError:
            return None
        return json.loads(row[0]) if row else None

    def _remember(self, key: tuple, compute):
        if key in self._remembered:
            self._remembered.move_to_end(key)
            return self._remembered[key]
        value = self._remembered[key] = compute()
        if len(self._remembered) > 256:
            self._remembered.popitem(last=False)
        return value

    def close(self) -> None:
        self.conn.close()

    # --- one figure -----------------------------------------------------------------

    def report(self, agency: str, year: int) -> dict | None:
        return self.by_key.get((agency, year))

    def years_of(self, agency: str) -> list[int]:
        return [r["year"] for r in self.by_agency.get(agency, []) if r["year"]]

    def figure(self, agency: str, year: int, metric: str, applicant: str | None = "total") -> Figure | None:
        """The figure a report states, or the sum of its parts; None when it states neither."""
        report = self.report(agency, year)
        if report is None:
            return None
        # a pre-2019 report answers from its own table's row for the metric (受理…总数 for 新收)
        return self.old_figure(report, metric, applicant) or \
            self._figures([report], metric, applicant, year=None).get(report["id"])

    def _applicant_for(self, metric: str, applicant: str | None) -> str | None:
        if metric.startswith("apply."):
            return applicant or "total"
        return None

    def _parts(self, metric: str, applicant: str | None) -> list[tuple[str, str | None]]:
        if applicant in self.cat.applicant_groups and metric.startswith("apply."):
            return [(metric, a) for a in self.cat.applicant_groups[applicant].parts]
        group = self.cat.groups.get(metric)
        if group:
            return [(m, applicant) for m in group.parts]
        return []

    def _leaves(self, metric: str, applicant: str | None) -> set[tuple[str, str | None]]:
        """Every (metric, applicant) a figure or its sum of parts may read."""
        keys = {(metric, applicant)}
        for part in self._parts(metric, applicant):
            keys |= self._leaves(*part)
        return keys

    def _figures(self, reports: list[dict], metric: str, applicant: str | None, year: int | None) -> dict[int, Figure]:
        """One figure per report, read with two queries however many reports there are."""
        applicant = self._applicant_for(metric, applicant)
        if len(reports) > 50 and metric in self.cat.groups and metric not in self.cat.metrics \
                and applicant not in self.cat.applicant_groups:
            return self._group_totals(reports, metric, applicant, year)
        leaves = self._leaves(metric, applicant)
        metrics = sorted({m for m, _ in leaves})
        marks = ",".join("?" * len(metrics))
        scope, args = _scope(reports, year)
        who, applicants = _applicant_clause({a for _, a in leaves})
        cells = {}
        for row in self.conn.execute(
            f"select {FIGURE_COLUMNS} from facts where metric in ({marks}) and {scope} and {who} "
            f"and {IN_TABLES} and year = report_year", [*metrics, *args, *applicants, *TABLE_SOURCES]
        ):
            if (row["metric"], row["applicant"]) in leaves:
                cells.setdefault((row["report_id"], row["metric"], row["applicant"]), row)
        out = {}
        for report in reports:
            fig = self._compose(report, metric, applicant, cells, {})
            if fig is not None:
                out[report["id"]] = fig
        self._add_up_blank_totals(out, metric, applicant)
        missing = [r for r in reports if r["id"] not in out]
        if missing and applicant in (None, "total"):
            # only reports whose tables lack the figure fall back to what their text states
            prose = self._prose_rows(metric, *_scope(missing, year), [r["id"] for r in missing])
            for report in missing:
                fig = self._compose(report, metric, applicant, cells, prose)
                if fig is not None:
                    out[report["id"]] = fig
        return out

    def _add_up_blank_totals(self, out: dict[int, Figure], metric: str, applicant: str | None) -> None:
        """A 总计 cell left blank beside applicant cells that hold numbers: the total is their sum."""
        if not metric.startswith("apply.") or applicant != "total":
            return
        blank = [rid for rid, f in out.items() if f.value is None and not f.is_sum and f.table in TABLE_SOURCES]
        if not blank:
            return
        columns = [a for a in self.cat.applicants if a != "total"]
        cells: dict[int, dict[str, Figure]] = {}
        for at in range(0, len(blank), 500):  # SQLite bounds the number of parameters
            chunk = blank[at : at + 500]
            for row in self.conn.execute(
                f"select {FIGURE_COLUMNS} from facts where report_id in ({','.join('?' * len(chunk))}) "
                f"and metric = ? and applicant in ({','.join('?' * len(columns))}) "
                f"and {IN_TABLES} and year = report_year order by line",
                [*chunk, metric, *columns, *TABLE_SOURCES],
            ):
                cells.setdefault(row["report_id"], {}).setdefault(row["applicant"], self._figure(row))
        for rid, found in cells.items():
            parts = [found[a] for a in columns if a in found]
            numbers = [f.value for f in parts if f.value is not None]
            if numbers:
                old = out[rid]
                out[rid] = Figure(old.agency, old.year, metric, "total", sum(numbers), parts[0].unit, "", "number",
                                  old.file, old.table, old.line, report_id=rid, parts=parts, blank_total=True,
                                  url=self.urls.get(rid, ""))

    def _group_totals(self, reports: list[dict], metric: str, applicant: str | None,
                      year: int | None) -> dict[int, Figure]:
        """A group's sums over many reports, added up by SQLite (rankings of 不予公开, 行政诉讼 …).

        The figures carry no parts: a channel wanting the formula asks figure() for that report.
        """
        parts = self.cat.groups[metric].parts
        scope, args = _scope(reports, year)
        who, applicants = _applicant_clause({applicant})
        sums = {
            row[0]: row
            for row in self.conn.execute(
                f"select report_id, count(*), sum(value), count(value), min(unit), min(source_table) from facts "
                f"where metric in ({','.join('?' * len(parts))}) and {scope} and {who} "
                f"and {IN_TABLES} and year = report_year group by report_id",
                [*parts, *args, *applicants, *TABLE_SOURCES],
            )
        }
        out, missing = {}, []
        for report in reports:
            found = sums.get(report["id"])
            if found is None or found[1] < len(parts):
                missing.append(report)
                continue
            _, _, total, numbers, unit, table = found
            out[report["id"]] = Figure(report["agency"], report["year"], metric, applicant, total if numbers else None,
                                       unit, "", "number" if numbers else "blank", report["file"], table, None,
                                       report_id=report["id"], url=self.urls.get(report["id"], ""))
        if missing and applicant in (None, "total"):
            prose = self._prose_rows(metric, *_scope(missing, year), [r["id"] for r in missing])
            out.update({rid: self._figure(row) for rid, row in prose.items()})
        return out

    def _prose_rows(self, metric: str, scope: str, args: list, ids: list[int]) -> dict[int, sqlite3.Row]:
        wanted = set(ids)
        prose: dict[int, sqlite3.Row] = {}
        for row in self.conn.execute(
            f"select {FIGURE_COLUMNS} from facts where metric = ? and {scope} and source_table = ? order by line",
            [metric, *args, PROSE],
        ):
            if row["report_id"] in wanted:
                prose.setdefault(row["report_id"], row)
        return prose

    def _compose(self, report: dict, metric: str, applicant: str | None, cells: dict, prose: dict) -> Figure | None:
        row = cells.get((report["id"], metric, applicant))
        if row is not None:
            return self._figure(row)
        parts = self._parts(metric, applicant)
        if parts:
            present = [self._compose(report, m, a, cells, {}) for m, a in parts]
            if all(f is not None for f in present):
                numbers = [f.value for f in present if f.value is not None]
                first = present[0]
                return Figure(report["agency"], report["year"], metric, applicant, sum(numbers) if numbers else None,
                              first.unit, "", "number" if numbers else "blank", report["file"], first.table, None,
                              report_id=report["id"], parts=present, url=self.urls.get(report["id"], ""))
        row = prose.get(report["id"])
        return self._figure(row) if row is not None else None

    def prose_figure(self, report: dict, metric: str) -> Figure | None:
        """The first figure the report's text states for a metric, if any."""
        stated = self.prose_statements(report["id"], metric)
        return stated[0] if stated else None

    def prose_statements(self, report_id: int, metric: str) -> list[Figure]:
        """Every figure the report's text states for a metric, in printed order."""
        rows = self.conn.execute(
            f"select {FIGURE_COLUMNS} from facts where report_id = ? and metric = ? and source_table = ? order by line",
            [report_id, metric, PROSE],
        )
        return [self._figure(r) for r in rows]

    def _figure(self, row: sqlite3.Row) -> Figure:
        return Figure(self.canon.get(row["agency"], row["agency"]), row["year"], row["metric"], row["applicant"], row["value"], row["unit"],
                      row["raw"], row["kind"], row["file"], row["source_table"], row["line"], row["sentence"] or "",
                      bool(row["approx"]), row["report_id"], url=self.urls.get(row["report_id"], ""))

    # --- many figures ---------------------------------------------------------------

    def in_region(self, region: tuple[str, str] | None) -> list[dict]:
        if region is None:
            return self.reports
        column, value = region
        return [r for r in self.reports if r.get(column) == value]

    def across_agencies(self, year: int | None, metric: str, applicant: str | None = "total",
                        region: tuple[str, str] | None = None, latest_only: bool = False) -> list[Figure]:
        """One figure per report of a year (every report when year is None), within a region if given.

        latest_only keeps each agency's newest report, for rankings with no year.
        """
        key = ("across", year, metric, applicant, region, latest_only)
        return list(self._remember(key, lambda: self._across(year, metric, applicant, region, latest_only)))

    def _across(self, year, metric, applicant, region, latest_only) -> list[Figure]:
        reports = self.in_region(region)
        if latest_only:
            newest = {r["agency"]: r for r in reports}  # reports are sorted by agency, year
            reports = list(newest.values())
        if year is not None:
            reports = [r for r in reports if r["year"] == year]
        found = self._figures(reports, metric, applicant, year)
        return [found[r["id"]] for r in reports if r["id"] in found]

    def chart_figure(self, agency: str, year: int, metric: str, applicant: str | None = "total") -> Figure | None:
        """A year with no report of its own, known from a later report's chart of past years (newest chart first)."""
        if applicant not in (None, "total"):
            return None
        row = self.conn.execute(
            f"select {FIGURE_COLUMNS} from facts where agency = ? and year = ? and metric = ? and source_table = ? "
            "order by report_year desc, line limit 1", [agency, year, metric, CHART]).fetchone()
        return self._figure(row) if row is not None else None

    def report_year(self, report_id: int | None) -> int | None:
        return next((r["year"] for r in self.reports if r["id"] == report_id), None)

    def old_figure(self, report: dict, metric: str, applicant: str | None = "total") -> Figure | None:
        """A pre-2019 report's statistics-table row that a 2019/2021 metric's series continues with (catalogue
        `series`), never its 历年累计; None when the report prints no such row."""
        if report.get("format") != OLD_FORMAT or applicant not in (None, "total"):
            return None
        for old in self.cat.old_series(metric):
            row = self.conn.execute(
                f"select {FIGURE_COLUMNS} from facts where report_id = ? and metric = ? and source_table = ? "
                "and year = report_year order by line limit 1", [report["id"], old.key, TABLE_OLD]).fetchone()
            if row is not None:
                return self._figure(row)
        return None

    def series(self, agency: str, metric: str, applicant: str | None = "total") -> list[Figure]:
        """Every year the index knows for one agency: its reports, then charts of past years."""
        out = {}
        for year in self.years_of(agency):
            fig = self.figure(agency, year, metric, applicant)
            if fig is not None:
                out[year] = fig
        if metric == "apply.new" and applicant in (None, "total"):
            ids = [r["id"] for r in self.by_agency.get(agency, [])]
            rows = self.conn.execute(
                f"select {FIGURE_COLUMNS} from facts where report_id in ({','.join('?' * len(ids))}) "
                "and metric = ? and source_table = ? order by year",
                [*ids, metric, CHART],
            ).fetchall()
            for row in rows:
                out.setdefault(row["year"], self._figure(row))
        return [out[y] for y in sorted(out)]

    # --- reports, checks, text ------------------------------------------------------

    def checks(self, report_id: int, status: str | None = None) -> list[dict]:
        sql = "select * from checks where report_id = ?"
        args: list = [report_id]
        if status:
            sql += " and status = ?"
            args.append(status)
        return [dict(r) for r in self.conn.execute(sql + " order by rule, id", args)]

    def failed_checks_for(self, report_id: int, metric: str) -> list[dict]:
        """Failed checks whose cells include this metric."""
        return [c for c in self.checks(report_id, "fail") if f'"{metric}"' in (c["cells"] or "")]

    def lines(self, file: str) -> list[str]:
        return list(self._remember(("lines", file), lambda: self._read_lines(file)))

    def _read_lines(self, file: str) -> tuple[str, ...]:
        row = self.conn.execute("select text_z from reports where file = ? limit 1", [file]).fetchone()
        if not row or not row["text_z"]:
            return ()
        return tuple(zlib.decompress(row["text_z"]).decode("utf-8").split("\n"))

    def facts_of(self, report_id: int) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "select * from facts where report_id = ? order by source_table, line, id", [report_id])]

    def search(self, query: str, limit: int = 20) -> list[dict]:
        from index.store import search_sql

        return list(self._remember(("search", query, limit), lambda: [
            dict(r) for r in self.conn.execute(search_sql(limit), {"query": query})]))
