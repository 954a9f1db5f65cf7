"""Agency names people use → the full names in the index.

A name is read as its places (province › city › county › zone › township, the
gazetteer's places by code) and its body (人民政府, a department, a 管委会 …), both
from index/lexicon/agencies.yaml and index/gazetteer.py. An indexed agency's short
names are derived from that reading; a mention in a question is read the same way
and fits the agencies whose reading it matches. One rule for what a name means:
one agency fits → that one; several → ask which; none → say so, with near names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from rapidfuzz import fuzz, process

from index import gazetteer

NEAR_CUTOFF = 60
NEAR_MAX = 8
_CJK = r"\u4e00-\u9fff"


def rules() -> dict:
    return gazetteer.agency_rules()


def _stop_chars() -> str:
    """The characters no place or body name has, so a name read from a question stops at them."""
    return rules()["stop_chars"]


def _is_cjk(ch: str) -> bool:
    return 0x4E00 <= ord(ch) <= 0x9FFF


# --- reading a name ---------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One place in a name. `key` is what is compared: gazetteer codes, a zone's own name and kind,
    a township's own name, or a level alone (市 in 市府办)."""

    level: str
    key: frozenset
    forms: tuple[str, ...]
    kind: str = ""  # a zone's kind (高新区), also of a zone the gazetteer lists as a county

    def same(self, other: Part) -> bool:
        if "level" in (self.level, other.level):
            word, place = (self, other) if self.level == "level" else (other, self)
            return place.forms[0] == word.forms[0] if place.level == "level" else _level_word(place) == word.forms[0]
        if self.level in _NAMED or other.level in _NAMED:
            return self.level == other.level and self.key == other.key
        return bool(self.key & other.key)

    @property
    def bare_kind(self) -> bool:
        """A zone written by its kind alone (经开区): it needs a place before it to name one."""
        return self.level == "zone" and next(iter(self.key))[0] == ""


_NAMED = ("zone", "township")


def _level_word(part: Part) -> str:
    if part.level not in gazetteer.LEVELS:
        return ""
    name = part.forms[0]
    return name[-1] if name[-1] in rules()["level_chars"] else ""


@dataclass(frozen=True)
class Reading:
    parts: tuple[Part, ...]
    body: str  # canonical; '' is the place's own body (人民政府, 管委会, 办事处)
    chain: tuple[Part, ...]  # the parts with the gazetteer's places above them, highest first
    end: int = 0
    written: str = ""  # the body as written (人民政府 where body is '')
    at: int = 0  # where the places end and the body begins

    def fits(self, agency: Reading) -> bool:
        """This mention names that agency: the same body, the same lowest place, every other place above it."""
        if self.body != agency.body:
            return False
        if not self.parts:
            return bool(self.body)
        if len(self.parts) == 1 and self.parts[0].bare_kind:
            # 高新区 alone is shared vocabulary: it fits every zone of that kind (威海高新区 names one)
            return bool(agency.parts) and agency.parts[-1].kind == self.parts[0].kind
        if not agency.parts or not self.parts[-1].same(agency.parts[-1]):
            return False
        return all(_within(p, agency) for p in self.parts[:-1])


@lru_cache(maxsize=1)
def _lexicon() -> dict:
    spec = rules()
    synonyms = {}
    for group in spec["body_synonyms"]:
        for form in group:
            synonyms[form] = group[0]
            for long, short in spec["body_endings"].items():
                if form.endswith(long):
                    synonyms.setdefault(form[: -len(long)] + short, group[0])
    kinds = dict(spec["zone_kinds"])
    for shorts in spec["zone_kinds"].values():  # a kind written short (高新区) reads as its long form's
        for short in shorts:
            kinds.setdefault(short, shorts)
    kind_re = "|".join(sorted(kinds, key=len, reverse=True))
    town_re = "|".join(spec["township_suffixes"])
    words = sorted(spec["body_words"], key=len, reverse=True)
    generic = set(spec["generic_places"])
    return {
        "synonyms": synonyms,
        "groups": {g[0]: g for g in spec["body_synonyms"]},
        "own": set(spec["own_bodies"]),
        "known": frozenset({*synonyms, *spec["own_bodies"]}),
        "known_sizes": sorted({len(w) for w in {*synonyms, *spec["own_bodies"]}}, reverse=True),
        "zone": re.compile(rf"([{_CJK}]{{0,10}}?)({kind_re})"),
        "town": re.compile(rf"([{_CJK}]{{2,12}}?)({town_re})"),
        # 和 may join words inside a body (住房和城乡建设委), never start one (文登区和工信局)
        "words": "|".join(words),
        "generic": generic,
        "kinds": kinds,
        "unknown": re.compile(rf"([{_CJK}]{{2,6}}?)(?:{'|'.join(spec['place_suffixes'])})"),
    }


@lru_cache(maxsize=2)
def _department(stop: str) -> re.Pattern:
    # 和 may join words inside a body (住房和城乡建设委), never start one (文登区和工信局)
    chars = rf"[^{stop}\W\d]" if stop else r"[^\W\d]"
    joiners = "|".join(rules()["body_joiners"])
    return re.compile(rf"{chars}(?:{chars}|{joiners}){{0,11}}?(?:{_lexicon()['words']})")


def canonical_body(body: str) -> str:
    """人民政府 → '', 市府办 → 人民政府办公室, 卫健委 → 卫生健康委员会, 地方志工作办 → 地方志工作办公室."""
    lex, spec = _lexicon(), rules()
    if body in lex["own"]:
        return ""
    if body in lex["synonyms"]:
        return lex["synonyms"][body]
    for prefix in spec["department_prefixes"]:
        if body.startswith(prefix) and len(body) > len(prefix) + 1:
            return canonical_body(body[len(prefix):])
    for long, short in spec["body_endings"].items():
        if body.endswith(short) and not body.endswith(long):
            body = body[: -len(short)] + long
    return lex["synonyms"].get(body, body)


def _gazetteer_part(text: str, pos: int, parts: list[Part]) -> tuple[Part | None, int]:
    g = gazetteer.load()
    above = [p for p in parts if p.level in gazetteer.LEVELS]
    if len(parts) != len(above):
        return None, pos  # nothing of the gazetteer sits below a zone or a township
    for form, places in g.at(text, pos):
        if form in _lexicon()["generic"]:
            continue
        after = text[pos + len(form):pos + len(form) + 2]
        lower = rules()["lower_place_chars"]
        if all(form != p.name for p in places) and (after[:1] and after[0] in lower or after == rules()["street_suffix"]):
            continue  # 河东 + 镇 is a township, not 河东区
        if above:
            places = [p for p in places if any(a.code in above[-1].key for a in g.chain(p)[:-1])]
        if places:
            kind = next((shorts[0] for k, shorts in rules()["zone_kinds"].items() if places[0].name.endswith(k)), "")
            return Part(places[0].level, frozenset(p.code for p in places), places[0].forms, kind), pos + len(form)
    return None, pos


def _zone_part(text: str, pos: int, stop: str) -> tuple[Part | None, int]:
    m = _lexicon()["zone"].match(text, pos)
    if not m or any(c in stop or c in rules()["zone_core_stop"] for c in m.group(1)):
        return None, pos
    core, kind = m.groups()
    shorts = _lexicon()["kinds"][kind]
    forms = [core + kind, *(core + s for s in shorts)]
    if len(core) >= 2:
        forms += [core + rules()["zone_area_suffix"], core]
    return Part("zone", frozenset({(core, shorts[0])}), tuple(dict.fromkeys(forms)), shorts[0]), m.end()


def _township_part(text: str, pos: int, stop: str) -> tuple[Part | None, int]:
    m = _lexicon()["town"].match(text, pos)
    if not m or m.group(1) in _lexicon()["generic"]:
        return None, pos
    odd = any(c in stop or c in rules()["township_core_stop"] for c in m.group(1))
    if odd and m.group(0) not in gazetteer.township_names():
        return None, pos  # a question's words or places, unless a real township is so named (史各庄镇, 码市镇)
    core, suffix = m.groups()
    return Part("township", frozenset({core}), (core + suffix, core)), m.end()


def _unknown_part(text: str, pos: int, stop: str) -> tuple[Part | None, int]:
    """A place-shaped name the gazetteer does not hold (海阳区): a mention that fits no agency."""
    m = _lexicon()["unknown"].match(text, pos)
    if not m or any(c in stop for c in m.group(0)) or {m.group(0), m.group(1)} & _lexicon()["generic"]:
        return None, pos
    return Part("unknown", frozenset({m.group(0)}), (m.group(0),)), m.end()


def _known_body(text: str, pos: int) -> str:
    """The longest body of the lexicon (a synonym or an own body) written at pos, '' when none is."""
    lex = _lexicon()
    return next((text[pos:pos + n] for n in lex["known_sizes"] if text[pos:pos + n] in lex["known"]), "")


def _body_at(text: str, pos: int, stop: str | None = None) -> tuple[str, int]:
    """The body written at pos (统计局, 府办, 人民政府办公室), '' and pos when there is none."""
    stop = _stop_chars() if stop is None else stop
    known = _known_body(text, pos)
    m = _department(stop).match(text, pos)
    department = m.group(0) if m else ""
    body = department if len(department) > len(known) else known
    if body in rules()["department_prefixes"]:
        # 人民政府 + 国有资产监督管理委员会: a department the government's name is written before
        m = _department(stop).match(text, pos + len(body))
        if m and canonical_body(m.group(0)):
            body += m.group(0)
    return body, pos + len(body)


def read(text: str, start: int = 0, stop: str | None = None, places_only: bool = False) -> Reading:
    """The places and body a name is written with, from `start` on; `end` is where it stops.
    A question's name stops at words no name has (`stop`, by default the lexicon's stop_chars);
    a full name is read whole (stop='')."""
    stop = _stop_chars() if stop is None else stop
    spec = rules()
    parts: list[Part] = []
    pos = start
    while pos < len(text):
        part, end = _gazetteer_part(text, pos, parts)
        if not part and _known_body(text, pos):
            break  # a body of the lexicon is no place (住房和城乡建设委员会 holds 城乡, shaped like a township)
        if not part:
            part, end = _zone_part(text, pos, stop)
        if not part:
            part, end = _township_part(text, pos, stop)
        if not part and not parts:
            part, end = _unknown_part(text, pos, stop)
        if not part:
            break
        parts.append(part)
        pos = end
    if not parts and pos < len(text) and text[pos] in spec["level_alone_chars"]:
        # 市府办, 县政府办: a level alone, then a body of that level's government
        body, end = _body_at(text, pos + 1, stop)
        if body and canonical_body(body) == _lexicon()["synonyms"][spec["level_alone_body"]]:
            level = Part("level", frozenset(), (text[pos],))
            return Reading((level,), canonical_body(body), (level,), end)
    if places_only and not parts:
        return Reading((), "", (), start)  # a question scanned for names: no place starts here
    body, end = _body_at(text, pos, stop)
    if body and not parts and canonical_body(body) == "":
        return Reading((), "", (), start)  # 政府 alone names no agency
    return Reading(tuple(parts), canonical_body(body), _chain(parts), end if body else pos, body, pos)


def _chain(parts: list[Part]) -> tuple[Part, ...]:
    """The parts with the gazetteer's places above the highest one written (桦川县 → 黑龙江省, 佳木斯市)."""
    g = gazetteer.load()
    first = next((p for p in parts if p.level in gazetteer.LEVELS), None)
    if first is None or len(first.key) != 1:
        return tuple(parts)
    place = g.places[next(iter(first.key))]
    above = [Part(p.level, frozenset({p.code}), p.forms) for p in g.chain(place)[:-1]]
    at = parts.index(first)
    return tuple(parts[:at] + above + parts[at:])


@lru_cache(maxsize=8192)
def read_agency(full: str) -> tuple[Reading, ...]:
    """An indexed agency's readings: one per way its full name is written (A(B)C is A C and B C)."""
    names = [full]
    m = re.search(r"[(（]([^)）]+)[)）]", full)
    if m:
        before, inside, after = full[: m.start()], m.group(1), full[m.end():]
        names = [before + after, inside + after]
    out = []
    for name in names:
        reading = read(name, stop="")
        if reading.end < len(name):  # what is not read stays part of the body: never its place's government
            rest = name[reading.end:]
            reading = Reading(reading.parts, canonical_body(reading.body + rest) if reading.body else rest,
                              reading.chain, len(name))
        if reading.parts or reading.body:
            out.append(reading)
    return tuple(out)


# --- short names derived from a reading ----------------------------------------------


def _body_forms(reading: Reading) -> list[str]:
    lex, spec = _lexicon(), rules()
    if reading.body == "":
        lowest = reading.parts[-1] if reading.parts else None
        own = spec["own_body_forms"]
        if lowest and lowest.level == "zone":
            return ["", *own["zone"]]
        if lowest and lowest.level == "township" and lowest.forms[0].endswith(spec["street_suffix"]):
            return ["", *own["street"]]
        return ["", *own["government"]]
    forms = list(lex["groups"].get(reading.body, [reading.body]))
    for long, short in spec["body_endings"].items():
        forms += [f[: -len(long)] + short for f in forms if f.endswith(long)]
    return list(dict.fromkeys(forms))


def _place_forms(reading: Reading) -> list[str]:
    """The lowest place, alone or after the place right above it (文登, 威海文登区), and the whole chain.
    Other prefixes (山东威海文登区, 济宁洸河街道) are read from the gazetteer when asked, not listed."""
    if not reading.parts:
        return [""]
    chain = list(reading.chain)
    lowest = chain[-1].forms
    out = [] if chain[-1].bare_kind else list(lowest)
    if chain[-1].bare_kind and len(chain) >= 2 and chain[-2].level == "county":
        # a county's one zone by the county's short name (平潭综合实验区 → 平潭, its 地税局 → 平潭地税局);
        # 平潭县 names the county
        out += list(chain[-2].forms[1:])
    if len(chain) >= 2:
        out += [a + b for a, b in product(chain[-2].forms, lowest)]
        out += ["".join(p.forms[0] for p in chain), "".join(p.forms[0] for p in chain[1:])]
    return list(dict.fromkeys(out))


def short_names(full: str) -> set[str]:
    """Every name the rules derive for one agency's full name."""
    spec = rules()
    names = {full, *spec["aliases"].get(full, [])}
    generic = set(spec["not_names"]) | {s for shorts in spec["zone_kinds"].values() for s in shorts}
    for reading in read_agency(full):
        places = _place_forms(reading)
        bodies = _body_forms(reading)
        for place, body in product(places, bodies):
            if place.endswith(spec["street_suffix"]) and body.startswith(spec["street_suffix"]):
                continue
            names.add(place + body)
        if reading.body:
            # a department by its body alone fits every such department (工信局), or after its level (市工信局)
            level = _level_word(reading.parts[-1]) if reading.parts else ""
            names.update(bodies)
            names.update(level + b for b in bodies if level)
    return {n for n in names if len(n) >= 2 and n not in generic and n not in _lexicon()["own"]}


# --- spotting mentions in a question ----------------------------------------------------


@dataclass
class Spotted:
    span: str
    start: int
    end: int
    agencies: list[str]
    exact: bool = True
    score: float = 100.0
    # the name the question says when no indexed agency fits it (烟台市工信局)
    conflict: str = ""


@dataclass
class AgencyIndex:
    agencies: list[str]
    by_name: dict[str, set[str]] = field(default_factory=dict)
    longest: int = 2
    # agencies by what their lowest place is keyed on (a code, a zone, a township) or by body: who may fit
    by_key: dict[object, list[str]] = field(default_factory=dict)
    names_of: dict[str, list[str]] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)  # every start of a name: a scan stops when none fits

    @classmethod
    def build(cls, agencies: list[str]) -> AgencyIndex:
        index = cls(sorted(set(a for a in agencies if a)))
        for full in index.agencies:
            index.names_of[full] = sorted(short_names(full), key=lambda n: (len(n), n))
            for name in index.names_of[full]:
                index.by_name.setdefault(name, set()).add(full)
            for reading in read_agency(full):
                keys = set(reading.parts[-1].key) if reading.parts else set()
                if reading.parts and reading.parts[-1].kind:
                    keys.add(("kind", reading.parts[-1].kind))
                for key in {*keys, ("body", reading.body)}:
                    index.by_key.setdefault(key, []).append(full)
        index.longest = max((len(n) for n in index.by_name), default=2)
        index.prefixes = {n[:k] for n in index.by_name for k in range(1, len(n) + 1)}
        return index

    def fitting(self, mention: Reading) -> list[str]:
        if len(mention.parts) == 1 and mention.parts[0].bare_kind:
            keys = {("kind", mention.parts[0].kind)}
        elif mention.parts and mention.parts[-1].level != "level":
            keys = mention.parts[-1].key
        else:
            keys = {("body", mention.body)}
        candidates = {a for k in keys for a in self.by_key.get(k, ())}
        return sorted(a for a in candidates if any(mention.fits(r) for r in read_agency(a)))

    def spot(self, text: str, places: bool = False) -> list[Spotted]:
        """Agency mentions in a question, longest first, not overlapping. A province, city or county
        alone that no agency fits is a region (威海市: the agencies there), reported only with `places`."""
        candidates = []
        hits = {}
        n = len(text)
        for i in range(n):
            hit, j = "", i + 1
            while j <= n and text[i:j] in self.prefixes:
                if text[i:j] in self.by_name and j - i >= 2:
                    hit = text[i:j]
                j += 1
            hits[i] = hit
        ends = {i + len(hit) for i, hit in hits.items() if hit}
        for i in range(len(text)):
            hit = hits[i]
            reading = read(text, i, places_only=True) if _starts_name(text, i, ends) else None
            if (reading and all(p.level == "unknown" for p in reading.parts)
                    and any(hits[k] for k in range(i + 1, reading.end))):
                reading = None  # 请问文登区: a known name inside, not an unknown one
            after = hits.get(reading.at, "") if reading and reading.parts else ""
            if after and reading.at + len(after) >= reading.end and reading.at + len(after) - i > len(hit):
                # 万年县 + 陈营政府: places written before a known short name pick among its agencies
                candidates.append((reading.at + len(after) - i, i, reading.at + len(after), (reading, after)))
            elif reading and reading.parts and reading.end - i >= len(hit):
                candidates.append((reading.end - i, i, reading.end, reading))
            elif hit:
                candidates.append((len(hit), i, i + len(hit), None))
        found: list[Spotted] = []
        regions: list[Spotted] = []
        taken = [False] * len(text)
        for _size, i, j, reading in sorted(candidates, key=lambda c: (-c[0], c[1])):
            if any(taken[i:j]):
                continue
            taken[i:j] = [True] * (j - i)
            span = text[i:j]
            owners = set(self.by_name.get(span, ()))
            if isinstance(reading, tuple):
                places, name = reading
                if _body_at(name, 0, "")[1] == len(name):
                    # a body alone after places (湖北省 + 人民政府办公厅): the last place is the agency's own
                    owners |= set(self.fitting(Reading(places.parts, canonical_body(name), places.chain)))
                else:
                    owners |= {a for a in self.by_name[name]
                               if any(all(_within(p, r) for p in places.parts) for r in read_agency(a))}
                reading = None
            elif reading is not None:
                owners |= set(self.fitting(reading))
            owners = sorted(owners)
            spot = Spotted(span, i, j, owners, conflict="" if owners else span)
            if not owners and reading is not None and _region_only(reading):
                regions.append(spot)
                continue
            found.append(spot)
        if places or found:
            found += regions  # a place alone is a region, unless the question names an agency beside it
        found.sort(key=lambda s: s.start)
        return found

    def unknown_place(self, text: str) -> str | None:
        """A place or agency the question names that the index does not hold (北京市)."""
        for spot in self.spot(text, places=True):
            if spot.conflict:
                return spot.conflict
        return self._unknown_department(text)

    def _unknown_department(self, text: str) -> str | None:
        """A department written with no place (市场监管局) that no agency of the index is: the question is about
        it, so it is named as not found rather than dropped (请问税务局: the body after the lead word)."""
        found: dict[int, str] = {}
        for i in range(len(text)):
            if not _starts_name(text, i, set()):
                continue
            body, end = _body_at(text, i)
            canonical = canonical_body(body)
            department = canonical in _lexicon()["groups"] or body.endswith(tuple(rules()["department_endings"]))
            if len(body) >= 3 and canonical and department and ("body", canonical) not in self.by_key:
                found[end] = body  # the latest start for an end: the shortest body there
        return found[min(found)] if found else None

    def near(self, name: str) -> list[str]:
        return near_names(name, self.agencies)

    def shortest_name(self, agency: str) -> str:
        """The shortest name that means only this agency and says which one (临沂经开区, not 经开区)."""
        return next((n for n in self.names_of.get(agency, ()) if len(n) >= 3 and self.by_name[n] == {agency}
                     and read(n).parts), agency)


_RANK = {"province": 0, "city": 1, "county": 2, "zone": 3, "township": 4}


def _within(place: Part, agency: Reading) -> bool:
    """A place written before an agency's lowest place or short name is one of its places, or, when the
    agency's name places it nowhere (河东镇人民政府), above its lowest (陆丰 + 河东镇); never below it."""
    if any(place.same(q) for q in agency.chain):
        return True
    if any(q.level in gazetteer.LEVELS for q in agency.chain):
        return False  # the gazetteer knows where the agency is: a place not on its chain is elsewhere
    return (place.level in _RANK and agency.chain[-1].level in _RANK
            and _RANK[place.level] < _RANK[agency.chain[-1].level])


def _starts_name(text: str, i: int, ends: set[int]) -> bool:
    """A name is read from the start, after a stop, a digit, a lead word (请问) or another name's end
    (文登区工信局), never from inside a word (建议和政协委员: not 和政县)."""
    if i == 0 or i in ends or not _is_cjk(text[i - 1]) or text[i - 1] in _stop_chars():
        return True
    return text.endswith(_lead_words(), 0, i)


@lru_cache(maxsize=1)
def _lead_words() -> tuple[str, ...]:
    return tuple(rules()["lead_words"])


def _region_only(reading: Reading) -> bool:
    return not reading.written and all(p.level in gazetteer.LEVELS for p in reading.parts)


def near_names(name: str, agencies: list[str]) -> list[str]:
    """Indexed agencies near a name no agency fits: the same lowest place, else a place above it,
    else the same body or kind of zone, else similar names."""
    mention = read(name)
    places = [p for p in mention.parts if p.level != "level"]
    agencies = [a for a in agencies if a]
    readings = {a: read_agency(a) for a in agencies}
    tests = [
        lambda r: places and r.parts and places[-1].same(r.parts[-1]),
        lambda r: any(p.same(q) for q in r.chain for p in mention.chain if p.level != "level"),
        lambda r: mention.body and r.body == mention.body,
        lambda r: any(p.level == "zone" and q.level == "zone" and next(iter(p.key))[1] == next(iter(q.key))[1]
                      for p in places for q in r.parts),
    ]
    for test in tests:
        near = [a for a in agencies if any(test(r) for r in readings[a])]
        if near:
            return near[:NEAR_MAX]
    hits = process.extract(name, agencies, scorer=fuzz.partial_ratio, score_cutoff=NEAR_CUTOFF, limit=NEAR_MAX)
    return [h[0] for h in hits]
