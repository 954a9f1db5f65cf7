"""Two files for one agency and year: one is used, the other is named as its duplicate.

The one rule, shared by the question layer (which counts only the used report in
rankings and sums) and by `nianbao reports` (which lists the other with a warning):
the report with more facts wins; on a tie, the one with fewer failed checks; then
the one indexed last (a re-upload replaces what it repeats).
"""

from __future__ import annotations

from collections.abc import Iterable

RULE = "more facts, then fewer failed checks, then indexed last"


def _rank(report: dict) -> tuple:
    return (report.get("facts") or 0, -(report.get("checks_failed") or 0), report.get("indexed_at") or "",
            report.get("id") or 0)


def used(reports: Iterable[dict]) -> tuple[list[dict], dict[str, str]]:
    """(the reports to use, in their order; duplicate file → the file used instead)."""
    reports = list(reports)
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
