"""Two files for one agency and year: one is used, the other is named as its duplicate.

The one rule, shared by the question layer (which counts only the used report in
rankings and sums) and by `nianbao reports` (which lists the other with a warning):
the report with more facts wins; on a tie, the one with fewer failed checks; then
the one indexed last (a re-upload replaces what it repeats).

A report page and its attachments (sources.tsv `parent`, kept in reports.parent) are one
report, not duplicates: the attachment with figures is used, else the page; the other
parts are no duplicate and never conflict with it (`parts`).
"""

from __future__ import annotations

from collections.abc import Iterable

from index.catalogue import PROSE

RULE = "more facts, then fewer failed checks, then indexed last"


def _rank(report: dict) -> tuple:
    return (report.get("facts") or 0, -(report.get("checks_failed") or 0), report.get("indexed_at") or "",
            report.get("id") or 0)


def parts(reports: Iterable[dict]) -> dict[str, str]:
    """A report page or attachment not used → the file of its report that is: the attachment with the most
    figures when one has any (it holds the tables a page only links to), else the page."""
    reports = list(reports)
    pages = {r["path"]: r for r in reports if r.get("path")}
    families: dict[int, list[dict]] = {}
    for r in reports:
        page = pages.get(r.get("parent") or "")
        if page is not None and page is not r:
            families.setdefault(id(page), [page]).append(r)
    out = {}
    for page, *attachments in families.values():
        best = max(attachments, key=_rank)
        chosen = best if best.get("facts") else page
        out.update({r["file"]: chosen["file"] for r in (page, *attachments) if r is not chosen})
    return out


def used(reports: Iterable[dict]) -> tuple[list[dict], dict[str, str]]:
    """(the reports to use, in their order; duplicate file → the file used instead). The parts of one report
    not used (`parts`) are left out and are no duplicates."""
    part_of = parts(reports := list(reports))
    reports = [r for r in reports if r["file"] not in part_of]
    best: dict[tuple, dict] = {}
    for r in reports:
        key = (r["agency"], r["year"])
        if all(key) and (key not in best or _rank(r) > _rank(best[key])):
            best[key] = r  # a report whose agency or year is unknown duplicates nothing
    winner = {id(r): best.get((r["agency"], r["year"]), r) for r in reports}
    kept = [r for r in reports if winner[id(r)] is r]
    dropped = {r["file"]: winner[id(r)]["file"] for r in reports if winner[id(r)] is not r}
    return kept, dropped


def warning(file_used: str) -> str:
    return f"duplicate: same agency and year as {file_used}, which is used ({RULE})"


def conflict_warning(conflict: dict, file: str) -> str:
    """The `reports` warning of one file in a conflict: what it states and what the other file states."""
    mine = next(v for v in conflict["values"] if v["file"] == file)
    others = "; ".join(f"{v['raw']} in {v['file']}" for v in conflict["values"] if v["file"] != file)
    return (f"conflict: {conflict['metric']}/{conflict['applicant'] or '-'} is {mine['raw']} here but {others}: "
            "answers show both")


# where a report states a figure: its tables, else its text (a forged copy may have either)
_TABLES = ("表二", "表三", "表四")


def conflicts(conn, dropped: dict[str, str]) -> list[dict]:
    """Figures two files for one agency and year state differently: each {agency, year, metric, applicant,
    values: [{file, value, unit, raw, table, line}, …]}, the file used first.

    Choosing one would answer with a number the other report contradicts (a forged or mistaken upload among
    them), so these are shown to admins and flagged in answers instead. ``conn`` is a sqlite3 connection.
    """
    if not dropped:
        return []
    ids = {row[1]: row[0] for row in conn.execute(
        f"select id, file from reports where file in ({','.join('?' * (2 * len(dropped)))})",
        [*dropped, *dropped.values()])}
    stated: dict[int, dict[tuple, dict]] = {}
    for rid, agency, year, metric, applicant, value, unit, raw, table, line in conn.execute(
        f"select report_id, agency, year, metric, applicant, value, unit, raw, source_table, line from facts "
        f"where report_id in ({','.join('?' * len(ids))}) and year = report_year order by report_id, line",
        list(ids.values()),
    ):
        if table not in _TABLES and table != PROSE:
            continue
        key = (agency, year, metric, applicant)
        seen = stated.setdefault(rid, {}).get(key)
        if seen is None or seen["table"] not in _TABLES and table in _TABLES:  # a table cell beats a sentence
            stated[rid][key] = {"value": value, "unit": unit, "raw": raw, "table": table, "line": line}
    found = []
    for other, used in dropped.items():
        if other not in ids or used not in ids:
            continue
        mine, theirs = stated.get(ids[used], {}), stated.get(ids[other], {})
        for key in sorted(mine.keys() & theirs.keys(), key=str):
            a, b = mine[key], theirs[key]
            if a["value"] is None or b["value"] is None or (a["value"], a["unit"]) == (b["value"], b["unit"]):
                continue
            agency, year, metric, applicant = key
            found.append({"agency": agency, "year": year, "metric": metric, "applicant": applicant,
                          "values": [{"file": used, **a}, {"file": other, **b}]})
    return found
