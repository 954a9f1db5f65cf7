"""One body, one name: reports naming an agency with and without its own body word are one agency.

A zone's reports are titled 平潭综合实验区… one year and 平潭综合实验区管委会… the
next; a county's X县… and X县人民政府…. lexicon/agencies.yaml (`own_bodies`) says
these words name the place's own body, written or not. The index keeps each report's
name as printed; where it holds both forms, the question layer and the steps that pair
an agency's years (index.old_years) take the form most reports use (the shorter on a
tie) for both, so a question about the agency finds all its years.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache

from index.catalogue import LEXICON
from index.yamlfile import read_yaml


@lru_cache(maxsize=1)
def own_bodies() -> tuple[str, ...]:
    spec = read_yaml(LEXICON / "agencies.yaml")
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
