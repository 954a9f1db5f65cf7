"""The desk: the copy of the index that `nianbao browse` serves, built without touching the index.

Why a copy: SQLite will not let a view in one database read another (attached)
one, and Datasette lists only a database's main schema, so views cannot sit
beside the index without writing into it; the bot reads that file and a
re-index swaps it. The desk is a consistent snapshot (the backup API) with
`reports.text_z` and `reports.path` (a server path) dropped, label tables (`metrics`, `applicants`) that facts
point to, and two tables computed once per index version: `report_figures`
(one row per report, the main 表三/表四 figures as columns) and `report_checks`
(the consistency checks per report). Computed tables rather than views: they
sort and facet instantly however many facts there are.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from functools import lru_cache
from pathlib import Path

import sqlite_utils

from index import catalogue
from index.catalogue import PROSE, TABLE_APPLY, TABLE_REVIEW
from index.checks import RULE_NAMES
from index.yamlfile import read_yaml

HERE = Path(__file__).parent
DB_NAME = "nianbao"  # the served file is nianbao.db, so Datasette's URLs are /nianbao/...


@lru_cache(maxsize=1)
def spec() -> dict:
    """desk.yaml: the wide table's columns, status words and rule column names."""
    return read_yaml(HERE / "desk.yaml")


def parts(key: str) -> tuple[str, ...]:
    """The metric keys a figure column adds up: the metric itself and/or its group's parts."""
    cat = catalogue.load()
    found = (key,) if key in cat.metrics else ()
    if key in cat.groups:
        found += cat.groups[key].parts
    if not found:
        raise KeyError(f"desk.yaml names {key!r}, which is neither a metric nor a group of index/lexicon/catalogue.yaml")
    return found


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def figures_sql() -> str:
    """SELECT for report_figures: one row per report; a blank cell stays NULL (表中留空 is not 0)."""
    sums = []
    for figure in spec()["figures"]:
        keys = ", ".join(_literal(k) for k in parts(figure["key"]))
        sums.append(f"sum(case when c.metric in ({keys}) then c.value end) as {_ident(figure['column'])}")
    # one value per report and metric (max guards against a row read twice); 表三 has the 总计
    # column as applicant 'total', 表四 has no applicant
    return f"""
        with cells as (
            select report_id, metric, max(value) as value
            from facts
            where source_table in ({_literal(TABLE_APPLY)}, {_literal(TABLE_REVIEW)})
              and coalesce(applicant, 'total') = 'total'
            group by report_id, metric
        )
        select r.id as report_id, r.agency, r.year, r.province, r.city, r.county, r.format,
               {", ".join(sums)},
               r.checks_failed, r.missing_tables, null as {FROM_TEXT}
        from reports r left join cells c on c.report_id = r.id
        group by r.id
    """


FROM_TEXT = "from_text"  # report_figures: the columns whose figure the report states only in its text


def _fill_from_text(db: sqlite_utils.Database) -> None:
    """A report without 表三/表四 (a narrative report) gets the figure its text states, and says so in from_text.

    Only where the whole table is missing: a blank cell of a printed table stays blank.
    The first statement in the text is taken, as the bot's answers take it.
    """
    cat = catalogue.load()
    for figure in spec()["figures"]:
        key, column = figure["key"], _ident(figure["column"])
        table = cat.metric(parts(key)[0]).table
        stated = f"""(select value from facts p where p.report_id = report_figures.report_id
                      and p.source_table = {_literal(PROSE)} and p.metric = {_literal(key)}
                      and coalesce(p.applicant, 'total') = 'total' and p.year = p.report_year
                      order by p.line limit 1)"""
        db.execute(f"""
            update report_figures
            set {column} = {stated},
                {FROM_TEXT} = coalesce({FROM_TEXT} || '、', '') || {_literal(figure["column"])}
            where {column} is null and {stated} is not null
              and not exists (select 1 from facts t where t.report_id = report_figures.report_id
                              and t.source_table = {_literal(table)})
        """)


def _status_case(where: str) -> str:
    words = spec()["status"]
    return (
        f"case when sum({where} and c.status = 'fail') > 0 then {_literal(words['fail'])}"
        f" when sum({where} and c.status = 'pass') > 0 then {_literal(words['pass'])}"
        f" when sum({where}) > 0 then {_literal(words['na'])} end"
    )


def checks_sql() -> str:
    """SELECT for report_checks: counts and, per rule, 未通过 if any check failed, else 通过/不适用."""
    rules = [f"{_status_case(f'c.rule = {int(rule)}')} as {_ident(column)}" for rule, column in spec()["rules"].items()]
    return f"""
        select r.id as report_id, r.agency, r.year, r.province, r.city, r.county, r.format,
               {_status_case('1')} as result,
               coalesce(sum(c.status = 'pass'), 0) as passed,
               coalesce(sum(c.status = 'fail'), 0) as failed,
               coalesce(sum(c.status = 'na'), 0) as not_applicable,
               {", ".join(rules)}
        from reports r left join checks c on c.report_id = r.id
        group by r.id
    """


_PLACE = {"agency": str, "year": int, "province": str, "city": str, "county": str, "format": str}


def build(index_path: str | Path, out_path: str | Path) -> None:
    """Write the desk for the index at index_path into out_path (replaced if there)."""
    out_path = Path(out_path)
    out_path.unlink(missing_ok=True)
    # mode=ro: the desk never takes a write lock on the bot's index
    with closing(sqlite3.connect(f"file:{Path(index_path).resolve()}?mode=ro", uri=True)) as src, \
            closing(sqlite3.connect(out_path)) as dst:
        src.backup(dst)
    db = sqlite_utils.Database(out_path)
    db.execute("pragma journal_mode = delete")
    # files that failed to parse (index.failures) are the admins' business (/status, `nianbao reports`), by path
    db.execute("drop table if exists failures")
    for column in ("text_z", "path"):  # compressed source text: not for browsing; a path on the indexing machine
        if column in db["reports"].columns_dict:
            for index in db["reports"].indexes:
                if column in index.columns:
                    db.execute(f"drop index {_ident(index.name)}")
            db.execute(f"alter table reports drop column {column}")
    _add_lookups(db)
    # metric_ranking reads one metric across every report: the index keeps no such index (store.FACTS_INDEXES)
    db.execute("create index if not exists idx_facts_metric_year_applicant on facts (metric, year, applicant)")
    _add_table(db, "report_figures", {f["column"]: int for f in spec()["figures"]},
               {"checks_failed": int, "missing_tables": str, FROM_TEXT: str}, figures_sql())
    _fill_from_text(db)
    rule_columns = {column: str for column in spec()["rules"].values()}
    _add_table(db, "report_checks", {"result": str, "passed": int, "failed": int, "not_applicable": int},
               rule_columns, checks_sql())
    db.conn.commit()
    db.vacuum()  # drop the freed pages (text_z, the facts rebuilt with foreign keys): a quarter smaller
    db.close()


def _add_table(db: sqlite_utils.Database, name: str, middle: dict, tail: dict, select: str) -> None:
    # INTEGER affinity turns the facts' 42.0 into 42; a report row links to its reports row
    columns = {"report_id": int, **_PLACE, **middle, **tail}
    db[name].create(columns, pk="report_id", foreign_keys=[("report_id", "reports", "id")])
    db.execute(f"insert into {_ident(name)} ({', '.join(_ident(c) for c in columns)}) {select}")


def _add_lookups(db: sqlite_utils.Database) -> None:
    """metrics and applicants with Chinese labels; facts point to them so Datasette shows the label."""
    cat = catalogue.load()
    rows = {
        m.key: {"key": m.key, "label": m.label, "table_name": m.table, "unit": m.unit, "row_label": m.row_label,
                "column_label": m.column_label}
        for m in cat.metrics.values()
    }
    for g in cat.groups.values():
        rows.setdefault(g.key, {"key": g.key, "label": g.label, "unit": g.unit})
    for (key,) in db.execute("select distinct metric from facts").fetchall():
        rows.setdefault(key, {"key": key, "label": key})  # a key the catalogue lost: the foreign key needs a row
    for row in rows.values():
        row["parts"] = " + ".join(parts(row["key"])) if row["key"] in cat.groups else ""
    db["metrics"].insert_all(rows.values(), pk="key", alter=True)
    # what each key adds up, for the ranking query (a plain metric is its own only part)
    db["metric_parts"].insert_all(
        ({"key": key, "part": part} for key in rows for part in (parts(key) if key in cat.groups else (key,))),
        pk=("key", "part"),
    )
    applicants = [*cat.applicants.values(), *cat.applicant_groups.values()]
    db["applicants"].insert_all(({"key": a.key, "label": a.label} for a in applicants), pk="key", replace=True)
    db["facts"].transform(add_foreign_keys=[("metric", "metrics", "key"), ("applicant", "applicants", "key")])


def _stamp(path: Path) -> tuple | None:
    """What tells the index changed: the file (a swap is a new inode) and its `generation`, which every
    committed batch of an update in place moves; that update is in the write-ahead log, not in the file,
    until a checkpoint, which a reader mid-question may hold off indefinitely. The file's mtime and size only
    where it has no generation: a checkpoint changes them, not the data, and would rebuild the desk for nothing."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    generation = _generation(path)
    return (st.st_dev, st.st_ino, generation) if generation is not None else \
        (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _generation(path: Path) -> str | None:
    try:
        with closing(sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)) as conn:
            row = conn.execute("select value from meta where key = 'generation'").fetchone()
    except sqlite3.DatabaseError:
        return None  # a foreign or half-written file: the file's own stamp decides
    return row[0] if row else None


class Desk:
    """The served copy of one index, kept in step with it.

    A re-index replaces the index file with one rename or updates it in place; `refresh`
    notices (inode, mtime, size, the index's generation), builds a new desk beside the served one and copies it in with
    the backup API: one write transaction, so Datasette's open read-only
    connections move to the new data between two queries, without a restart.
    """

    def __init__(self, index_path: str | Path, served_path: str | Path):
        self.index = Path(index_path)
        self.served = Path(served_path)
        self._stamp: tuple | None = None

    def refresh(self) -> bool:
        """Rebuild if the index changed since the last build; True when it did."""
        stamp = _stamp(self.index)
        if stamp is None or stamp == self._stamp:
            return False  # a vanished index leaves the last desk serving
        if not self.served.exists():
            build(self.index, self.served)
        else:
            fresh = self.served.with_name(f"next-{os.getpid()}-{self.served.name}")
            try:
                build(self.index, fresh)
                with closing(sqlite3.connect(fresh)) as src, closing(sqlite3.connect(self.served, timeout=30)) as dst:
                    src.backup(dst)
            finally:
                fresh.unlink(missing_ok=True)
        self._stamp = stamp
        return True


def metadata(allow_sql: bool = False) -> dict:
    """metadata.yaml plus column descriptions written from the catalogue and the check rules.

    allow_sql opens Datasette's arbitrary-SQL page, off unless the operator asks (`browse --sql`).
    """
    meta = read_yaml(HERE / "metadata.yaml")
    if allow_sql:
        meta.pop("allow_sql", None)
    tables = meta["databases"][DB_NAME]["tables"]
    columns = tables["report_figures"].setdefault("columns", {})
    for figure in spec()["figures"]:
        columns[figure["column"]] = _figure_description(figure["key"])
    checks = tables["report_checks"].setdefault("columns", {})
    for rule, column in spec()["rules"].items():
        checks[column] = f"规则{rule}：{RULE_NAMES[int(rule)]}"
    return meta


def _figure_description(key: str) -> str:
    cat = catalogue.load()
    keys = parts(key)
    table = cat.metric(keys[0]).table if cat.metric(keys[0]) else ""
    where = "总计列" if table == TABLE_APPLY else "总计"
    if len(keys) == 1:
        return f"{table}「{cat.label(key)}」{where}，单位：{cat.unit(key)}（{key}）"
    # a long group is named by its row count, so the description stays one line
    named = " + ".join(cat.label(k) for k in keys) if len(keys) <= 2 else f"{len(keys)} 行之和"
    return f"{table}「{cat.label(key)}」{where}：{named}，单位：{cat.unit(key)}（{key}）；全部留空则为空"
