"""One body, one name: reports naming an agency with and without its own body word are one agency.

A zone's reports are titled 平潭综合实验区… one year and 平潭综合实验区管委会… the
next; a county's X县… and X县人民政府…. lexicon/agencies.yaml (`own_bodies`) says
these words name the place's own body, written or not. When the index holds both
forms of a name, every report, fact, passage and check takes the form most reports
use (the shorter on a tie), so a question about the agency finds all its years.
Run on every build, after all reports are stored.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

import sqlite_utils
import yaml

from index.catalogue import LEXICON

TABLES = ("reports", "facts", "passages", "checks")


@lru_cache(maxsize=1)
def own_bodies() -> tuple[str, ...]:
    spec = yaml.safe_load((LEXICON / "agencies.yaml").read_text(encoding="utf-8"))
    return tuple(sorted(spec["own_bodies"], key=len, reverse=True))


def place_of(agency: str) -> str:
    """The name without a trailing own-body word (平潭综合实验区管委会 → 平潭综合实验区)."""
    for word in own_bodies():
        if agency.endswith(word) and len(agency) > len(word) + 1:
            return agency[: -len(word)]
    return agency


def names(agencies: Counter) -> dict[str, str]:
    """Agency name → the name its body takes, for the names that change."""
    by_place: dict[str, list[str]] = {}
    for agency in agencies:
        by_place.setdefault(place_of(agency), []).append(agency)
    out = {}
    for forms in by_place.values():
        if len(forms) < 2:
            continue
        keep = max(forms, key=lambda a: (agencies[a], -len(a)))
        out.update({a: keep for a in forms if a != keep})
    return out


def unify(db: sqlite_utils.Database) -> dict[str, str]:
    """Rename the agencies of the index whose body is written two ways; returns old name → new name."""
    counts = Counter({r["agency"]: r["n"] for r in db.query(
        "select agency, count(*) as n from reports where agency != '' group by agency")})
    renamed = names(counts)
    for old, new in renamed.items():
        for table in TABLES:
            db.execute(f"update {table} set agency = ? where agency = ?", [new, old])
    return renamed
