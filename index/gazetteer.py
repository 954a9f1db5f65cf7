"""China's administrative divisions: province › city › county, with their short names.

Read from lexicon/gazetteer.tsv, an extract of jionlp's dated division data made by
scripts/gazetteer_from_jionlp.py (townships, 43k names, in lexicon/townships.tsv are
read only when asked for). A former name (襄樊市) is a form of the place it became.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from index.catalogue import LEXICON
from index.yamlfile import read_yaml

LEVELS = ("province", "city", "county")
PSEUDO_CITY = "省直辖行政区划"
_ZONE_ENDS = "区园"
# what a county-level or city-level name ends with, kept when an ethnic name is shortened (互助土族自治县 → 互助县)
_KIND = re.compile(r"(自治县|自治旗|自治州|特别行政区|自治区|新区|林区|地区|矿区|区|县|市|旗|盟|州|省)$")


class Place(NamedTuple):
    code: str
    level: str
    name: str
    forms: tuple[str, ...]  # how people write it: 桦川县, 桦川; 互助土族自治县, 互助, 互助县
    parent: str

    @property
    def aliases(self) -> tuple[str, ...]:
        return self.forms[1:]


def _forms(name: str, aliases: list[str], zone: tuple[str, ...] = ()) -> tuple[str, ...]:
    out = [name, *aliases, *zone]
    kind = _KIND.search(name)
    if kind and kind.group(1) in ("自治县", "自治旗", "自治州") and aliases:
        out.append(aliases[0] + kind.group(1)[-1])  # 互助县, 临夏州
    generic = _kind_words()  # 经开区 alone names no zone
    return tuple(dict.fromkeys(f for f in out if len(f) >= 2 and f not in generic))


@dataclass
class Gazetteer:
    places: dict[str, Place]
    by_form: dict[str, list[Place]]
    longest: int

    def chain(self, place: Place) -> list[Place]:
        """The place and the places above it, highest first (a municipality's city is its province)."""
        out = [place]
        while out[-1].parent in self.places and self.places[out[-1].parent] is not out[-1]:
            parent = self.places[out[-1].parent]
            if parent.code == out[-1].code:
                break
            out.append(parent)
        return out[::-1]

    def at(self, text: str, start: int = 0) -> list[tuple[str, list[Place]]]:
        """The place names text starts with at `start`, longest first, with the places each may be."""
        out = []
        end = start + 1
        while end <= len(text) and text[start:end] in self._prefixes:
            places = self.by_form.get(text[start:end]) if end - start >= 2 else None
            if places:
                out.append((text[start:end], places))
            end += 1
        return out[::-1]

    @cached_property
    def _prefixes(self) -> frozenset[str]:
        """Every start of a place name: a scan stops as soon as the text leaves them."""
        return frozenset(form[:k] for form in self.by_form for k in range(1, len(form) + 1))


@lru_cache(maxsize=1)
def load() -> Gazetteer:
    rows = [line.split("\t") for line in (LEXICON / "gazetteer.tsv").read_text(encoding="utf-8").splitlines()
            if line and line[0] != "#"]
    names = {code: name for code, level, name, _, _ in rows if level != "former"}
    places: dict[str, Place] = {}
    for code, level, name, alias, parent in rows:
        if level == "former" or name == PSEUDO_CITY or (level == "city" and code in places):
            continue  # a municipality is one place, its own city; 省直辖行政区划 names no place
        if names.get(parent) == PSEUDO_CITY:
            parent = parent[:2] + "0000"
        aliases = [a for a in alias.split("/") if a and a != name]
        zone = ()
        if level == "county" and name[-1] in _ZONE_ENDS and parent in places:
            zone = _zone_forms(name, places[parent])
        places[code] = Place(code, level, name, _forms(name, aliases, zone), parent)
    by_form: dict[str, list[Place]] = {}
    for place in places.values():
        for form in place.forms:
            by_form.setdefault(form, []).append(place)
    for code, level, name, alias, _ in rows:
        if level == "former" and code in places:  # 襄樊 is a form of 襄阳市
            for form in {name, alias}:
                if len(form) >= 2 and places[code] not in by_form.setdefault(form, []):
                    by_form[form].append(places[code])
    return Gazetteer(places, by_form, max(map(len, by_form)))


@lru_cache(maxsize=1)
def agency_rules() -> dict:
    """lexicon/agencies.yaml (the question layer's names) with lexicon/places.yaml (zone kinds, generic
    places), read once; parsing reads only places.yaml (place_rules)."""
    return {**read_yaml(LEXICON / "agencies.yaml"), **place_rules()}


@lru_cache(maxsize=1)
def place_rules() -> dict:
    """lexicon/places.yaml: kinds of zone and place names that are common words."""
    return read_yaml(LEXICON / "places.yaml")




@lru_cache(maxsize=1)
def _zone_kinds() -> dict[str, list[str]]:
    return dict(sorted(place_rules()["zone_kinds"].items(), key=lambda k: -len(k[0])))


@lru_cache(maxsize=1)
def _kind_words() -> frozenset[str]:
    kinds = _zone_kinds()
    return frozenset({*kinds, *(s for shorts in kinds.values() for s in shorts)})


def _zone_forms(name: str, city: Place) -> tuple[str, ...]:
    """A zone the divisions list as a county (威海火炬高技术产业开发区): its short forms, 威海火炬高新区, 火炬高新区."""
    kinds = _zone_kinds()
    kind = next((k for k in kinds if name.endswith(k)), None)
    if not kind:
        return ()
    rest = name[: -len(kind)]
    for prefix in sorted(city.forms, key=len, reverse=True):
        if rest.startswith(prefix):
            rest = rest[len(prefix):]
            break
    prefixes = list(city.forms)
    out = [p + rest + short for p in prefixes for short in kinds[kind]]
    if len(rest) >= 2:
        out += [rest + kind, *(rest + short for short in kinds[kind]), rest + "区", rest]
    return tuple(out)


@lru_cache(maxsize=1)
def townships() -> dict[str, tuple[str, ...]]:
    """County code → its townships (镇/乡/街道/苏木); a city without counties lists them under its own code."""
    out = {}
    for line in (LEXICON / "townships.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, names = line.split("\t")
            out[code] = tuple(names.split(" "))
    return out


def provinces() -> list[Place]:
    return [p for p in load().places.values() if p.level == "province"]


def children(code: str) -> list[Place]:
    return [p for p in load().places.values() if p.parent == code and p.code != code]


@lru_cache(maxsize=1)
def township_names() -> frozenset[str]:
    return frozenset(n for names in townships().values() for n in names)


# what follows a short form that makes it part of another name: 河东 + 镇 is a township, not 河东区
_NOT_AFTER_SHORT = "区县市旗镇乡州盟"


def read_places(text: str) -> list[Place]:
    """The places a name starts with, each below the one before (威海市文登区… → 威海市, 文登区).

    A form several places share (鼓楼区) is kept only when the places around it tell which one it is;
    reading stops at the first place it cannot tell, or at the first text that is no place."""
    g = load()
    generic = frozenset(place_rules()["generic_places"])
    read: list[list[Place]] = []
    pos = 0
    while pos < len(text):
        found: list[Place] = []
        for form, places in g.at(text, pos):
            after = text[pos + len(form):pos + len(form) + 2]
            if form in generic or (all(form != p.name for p in places)
                                   and (after[:1] and after[0] in _NOT_AFTER_SHORT or after == "街道")):
                continue
            if read:  # below one of the places read before it
                places = [p for p in places if any(a in read[-1] for a in g.chain(p)[:-1])]
            if places:
                found, pos = places, pos + len(form)
                break
        if not found:
            break
        if read:  # the place read before it is the one above this one
            read[-1] = [a for a in read[-1] if any(a in g.chain(p)[:-1] for p in found)]
        read.append(found)
    out = []
    for places in read:
        if len(places) != 1:
            break
        out.append(places[0])
    return out
