"""Old statistics-table rows cut several ways, decided by the agency's 历年累计 of the year before or after.

A row's 历年累计 is last year's 历年累计 plus this year's value. When the cells ran
together (主动公开文件数条294981916) and the report alone cannot tell 2949 | 81916
from 294 | 981916 (index.old_table left it unread, naming its key, unit and digits in
a warning), the same agency's reports of the neighbouring years can: a cut is kept
when last year's 历年累计 + this year = this 历年累计 (or this 历年累计 + next year =
next 历年累计). A link no cut satisfies says nothing (the count restarted); a row is
filled only when exactly one cut is left, as facts of kind `recovered` whose
`sentence` states the sum. Recomputed on every build, after all reports are stored.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import sqlite_utils

from index import runs, same_body
from index.catalogue import CUMULATIVE, OLD_FORMAT, TABLE_OLD

_PENDING = re.compile(r"^line (\d+): \S+ row .+? \((old\.[\w.]+), (\S+)\) unreadable \(.*\): (\d+)$")
_MARK = " = "  # in the `sentence` of the facts decided here, and only those
_OLD_REPORTS = "select id from reports where format = ?"


def _cuts(digits: str) -> list[tuple[int, int]]:
    """(year, 历年累计) for every cut of the digits in which the 历年累计 holds the year's value."""
    out = []
    for cells in runs.row_cuts(digits, 2) or []:
        year, cum = (int(runs.value(c)) for c in cells)
        if cum >= year:
            out.append((year, cum))
    return out


def resolve(db: sqlite_utils.Database) -> int:
    """Fill what the neighbouring years decide; returns how many rows were filled."""
    # only old-format reports' facts are read or written here: through the report_id index, so a build
    # batch of a large index never scans every fact
    db.execute(f"delete from facts where report_id in ({_OLD_REPORTS}) and source_table = ? and kind = ? "
               "and sentence like ?", [OLD_FORMAT, TABLE_OLD, runs.RECOVERED, f"%{_MARK}%"])
    # one body written two ways (X, X管委会) is one agency whose years follow each other
    canon = same_body.names(Counter({r["agency"]: r["n"] for r in db.query(
        "select agency, count(*) as n from reports where agency != '' group by agency")}))
    pending: dict[tuple[str, int, str], dict] = {}
    for r in db.query("select id, file, agency, year, warnings from reports where format = ? and agency != '' "
                      "and year is not null", [OLD_FORMAT]):
        for warning in json.loads(r["warnings"] or "[]"):
            m = _PENDING.match(warning)
            if m:
                options = _cuts(m[4])
                if options:
                    pending[(canon.get(r["agency"], r["agency"]), r["year"], m[2])] = {"report": r, "line": int(m[1]), "unit": m[3],
                                                              "digits": m[4], "options": options}
    if not pending:
        return 0
    known: dict[tuple[str, int, str], float] = {}
    for f in db.query(f"select agency, year, metric, value from facts where report_id in ({_OLD_REPORTS}) "
                      "and source_table = ? and year = report_year and value is not null", [OLD_FORMAT, TABLE_OLD]):
        known[(canon.get(f["agency"], f["agency"]), f["year"], f["metric"])] = f["value"]
    changed = True
    while changed:
        changed = False
        for (agency, year, key), row in pending.items():
            before = row["options"]
            row["options"] = _link(before, _neighbour(known, pending, agency, year - 1, key), later=False)
            row["options"] = _link(row["options"], _neighbour(known, pending, agency, year + 1, key), later=True)
            changed |= row["options"] != before
    filled = 0
    for (agency, year, key), row in pending.items():
        if len(row["options"]) != 1:
            continue
        value, cum = row["options"][0]
        proof = _proof(known, pending, agency, year, key, value, cum)
        rep = row["report"]
        for metric, v in ((key, value), (key + CUMULATIVE, cum)):
            db.execute(
                "insert into facts (report_id, file, agency, year, report_year, metric, applicant, value, unit, raw, "
                "line, source_table, kind, approx, sentence) values (?, ?, ?, ?, ?, ?, null, ?, ?, ?, ?, ?, ?, 0, ?)",
                [rep["id"], rep["file"], rep["agency"], year, year, metric, v, row["unit"], row["digits"], row["line"],
                 TABLE_OLD, runs.RECOVERED, proof])
        filled += 1
    db.execute("update reports set facts = (select count(*) from facts where facts.report_id = reports.id) "
               "where format = ?", [OLD_FORMAT])
    return filled


def _neighbour(known, pending, agency: str, year: int, key: str) -> list[tuple[int, int]]:
    """A neighbouring year's (value, 历年累计): as read, or its still possible cuts."""
    if (agency, year, key) in pending:
        return pending[(agency, year, key)]["options"]
    value, cum = known.get((agency, year, key)), known.get((agency, year, key + CUMULATIVE))
    return [(value, cum)] if value is not None and cum is not None else []


def _link(options, other, later: bool):
    """The options the sum with a neighbouring year keeps; all of them when it keeps none (a restarted count)."""
    if not other:
        return options
    if later:
        kept = [o for o in options if any(o[1] + n[0] == n[1] for n in other)]
    else:
        kept = [o for o in options if any(p[1] + o[0] == o[1] for p in other)]
    return kept or options


def _proof(known, pending, agency, year, key, value, cum) -> str:
    """The sum that decided the cut, in digits: 78967 + 2949 = 81916 (2014 → 2015)."""
    known = {k: int(v) if float(v).is_integer() else v for k, v in known.items()}
    for p in _neighbour(known, pending, agency, year - 1, key):
        if p[1] + value == cum:
            return f"{p[1]} + {value}{_MARK}{cum} ({year - 1} → {year})"
    for n in _neighbour(known, pending, agency, year + 1, key):
        if cum + n[0] == n[1]:
            return f"{cum} + {n[0]}{_MARK}{n[1]} ({year} → {year + 1})"
    return f"{value} | {cum}{_MARK}?"
