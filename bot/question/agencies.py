"""Agency names people use → the full names in the index.

Short names are derived from full names by the rules of
index/lexicon/agencies.yaml (drop 人民政府/管委会 and the city prefix,
经济技术开发区 → 经开区 …) plus its alias list. Exact spotting first;
rapidfuzz on a place-like span as a fallback with a cutoff.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import yaml
from rapidfuzz import fuzz, process

from index.catalogue import LEXICON
from index.metadata import gazetteer, region_of

FUZZY_ACCEPT = 90
FUZZY_ASK = 75
_PLACE = re.compile(
    r"[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|区|县|旗|局|委员会|委|办公室|政府|管委会|开发区|新区|高新区|经开区|街道|镇|乡)"
)


@lru_cache(maxsize=1)
def rules() -> dict:
    return yaml.safe_load((LEXICON / "agencies.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _body_words() -> re.Pattern:
    words = sorted([*rules()["sub_bodies"], *rules()["sub_places"]], key=len, reverse=True)
    return re.compile(rf".*?(?:{'|'.join(words)})")


@lru_cache(maxsize=1)
def _places_longest_first() -> tuple[str, ...]:
    return tuple(sorted(place_names(), key=len, reverse=True))


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Province, city and county names, for telling an unknown place from a word."""
    names = set()
    for province, cities in gazetteer().items():
        names.add(province)
        names.add(re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", province))
        for city, counties in cities.items():
            names.update({city, f"{city}市"})
            names.update(counties)
    return frozenset(n for n in names if len(n) >= 2)


def short_names(full: str) -> set[str]:
    """Every name the rules derive for one agency's full name."""
    spec = rules()
    generic = set(spec["zone_words"]) | set(spec["not_names"]) | set(spec["zone_kinds"])
    province, city, _ = region_of(full)
    city_short = city.removesuffix("市")
    body = _drop_body_suffix(full, spec["body_suffixes"])
    suffix = full[len(body):]  # 人民政府办公室, kept to name the body without its province or city
    province_short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", province)
    for prefix in (province, province_short):
        if prefix and body.startswith(prefix) and len(body) - len(prefix) >= 2:
            body = body[len(prefix):]
            break
    rest = body
    for prefix in (city, city_short):
        if prefix and rest.startswith(prefix) and len(rest) - len(prefix) >= 2:
            rest = rest[len(prefix):]
            break
    _, _, county = region_of(full)
    if county and rest.startswith(county) and len(rest) - len(county) >= 2 and not rest.endswith(county):
        # a county's own bureau: 射阳县住房和城乡建设局 → 住房和城乡建设局 under 射阳 / 射阳县
        bureau = rest[len(county):]
        rest_variants = [bureau, county + bureau, county[:-1] + bureau if len(county) >= 3 else ""]
    else:
        rest_variants = []
    # the full name without its province, and without its city: 无锡市人民政府办公室, 柯桥区人民政府办公室
    names = {full, body, rest, body + suffix, rest + suffix, *filter(None, rest_variants)}
    if rest_variants:
        rest = rest_variants[0]
    if city and body in (city, city_short):
        names.add(city_short)  # 淮安市人民政府 → 淮安市, 淮安
    if province and body in (province, province_short):
        names.add(province_short)
    # places a short name may be prefixed with: the city; a county for its own bureaus; a province for its own
    places = [county, county[:-1]] if rest_variants else [p for p in (city, city_short) if p]
    if not city and province_short and province_short != body:
        places.append(province_short)
    bare = []
    for long, shorts in spec["abbreviations"].items():
        if long not in rest:
            continue
        for short in [shorts] if isinstance(shorts, str) else shorts:
            short_rest = rest.replace(long, short)
            # a zone's or bureau's kind alone (高新区, 住建局) is shared: it fits every such agency and asks which
            names.update({short_rest, body.replace(long, short), short})
            bare.append(short_rest)
            names.update(place + short_rest for place in places if place)
    names.update(place + rest for place in places if place and len(rest) >= 3)
    for zone in sorted(spec["zone_words"], key=len, reverse=True):
        if rest.endswith(zone):
            if len(rest) - len(zone) >= 2:
                names.add(rest[: -len(zone)] + "区")  # 临港经济技术开发区 → 临港区
                if city_short:
                    names.add(city_short + rest[: -len(zone)] + "区")
            break
    if rest.endswith(("区", "县")) and len(rest) >= 3 and not any(rest.endswith(z) for z in generic):
        names.add(rest[:-1])  # 文登区 → 文登
    if rest != body and city and rest.endswith(("局", "委", "办", "厅")):
        names.update("市" + n for n in [rest, *bare] if n.endswith(("局", "委", "办")))  # 市工信局
    names.update(spec["aliases"].get(full, []))
    return {n for n in names if len(n) >= 2 and n not in generic}


def _drop_body_suffix(full: str, suffixes: list[str]) -> str:
    for suffix in suffixes:
        if full.endswith(suffix) and len(full) > len(suffix) + 1:
            return full[: -len(suffix)]
    return full


def _prefer_government(owners: set[str]) -> set[str]:
    """柯桥区 means the district's government, not its 人民政府办公室, when both are indexed."""
    governments = {o for o in owners if o.endswith("人民政府")}
    offices = {o for o in owners if any(o == g + "办公室" for g in governments)}
    return owners - offices if len(governments) == 1 and offices else owners


@dataclass
class Spotted:
    span: str
    start: int
    end: int
    agencies: list[str]
    exact: bool = True
    score: float = 100.0
    # the fuller name the question really says when the index holds no such agency (烟台市工信局)
    conflict: str = ""


@dataclass
class AgencyIndex:
    agencies: list[str]
    by_name: dict[str, set[str]] = field(default_factory=dict)
    longest: int = 2

    @classmethod
    def build(cls, agencies: list[str]) -> AgencyIndex:
        index = cls(sorted(set(a for a in agencies if a)))
        for full in index.agencies:
            for name in short_names(full):
                index.by_name.setdefault(name, set()).add(full)
        for name, owners in index.by_name.items():
            if len(owners) > 1:
                index.by_name[name] = _prefer_government(owners)
        index.longest = max((len(n) for n in index.by_name), default=2)
        return index

    def spot(self, text: str) -> list[Spotted]:
        """Agency mentions in a question, longest first, not overlapping."""
        found: list[Spotted] = []
        taken = [False] * len(text)
        candidates = []
        for i in range(len(text)):
            for j in range(min(len(text), i + self.longest), i + 1, -1):
                if text[i:j] in self.by_name:
                    candidates.append((j - i, i, j))
                    break
        for _, i, j in sorted(candidates, key=lambda c: (-c[0], c[1])):
            if any(taken[i:j]):
                continue
            taken[i:j] = [True] * (j - i)
            found.append(Spotted(text[i:j], i, j, sorted(self.by_name[text[i:j]])))
        found.sort(key=lambda s: s.start)
        for spot in found:
            self._check_continuation(text, spot)
            self._check_prefix(text, spot)
        if not found:
            fuzzy = self._fuzzy(text)
            if fuzzy:
                found.append(fuzzy)
        return found

    def _check_continuation(self, text: str, spot: Spotted) -> None:
        """无锡市 + 人民政府办公室 names the office, 淮安市 + 清江浦区 a district: find it, or say there is none."""
        # the name goes on only until a conjunction, a year or another name (文登区与工信局 is two)
        tail = re.match(r"[^\s\d和与及跟同或、，,；;的年对比较]{1,16}", text[spot.end :])
        if not tail:
            return
        body = _body_words().match(tail.group(0))
        if not body or any(a.endswith(body.group(0)) for a in spot.agencies):
            return  # 高区管委会: the agency's own body word
        extended = (spot.span + body.group(0)).replace("人民政府", "政府").replace("政府", "人民政府")
        owners = sorted(a for a in self.agencies if extended in a or extended.replace("人民政府", "政府") in a)
        if owners:
            spot.agencies, spot.span, spot.end = owners, spot.span + body.group(0), spot.end + len(body.group(0))
        else:
            spot.conflict = spot.span + body.group(0)

    def _check_prefix(self, text: str, spot: Spotted) -> None:
        """烟台市 + 工信局: a place written before a short name that belongs to another place."""
        before = text[: spot.start].removesuffix("的")
        places = place_names()
        for size in range(min(len(before), 10), 1, -1):
            place = before[-size:]
            if place in places:
                short = re.sub(r"(省|市|自治区)$", "", place)
                there = [a for a in spot.agencies if short in a or short in "".join(region_of(a))]
                if there:
                    # 济南 + 自然资源和规划局: the place picks that city's bureau among the cities that have one
                    spot.agencies, spot.span, spot.start = there, place + spot.span, spot.start - len(place)
                else:
                    spot.conflict = place + spot.span
                return

    def _fuzzy(self, text: str) -> Spotted | None:
        """A place-like span that nearly matches a known name (文登县 → 文登区)."""
        best = None
        for match in _PLACE.finditer(text):
            span = match.group(0)
            hit = process.extractOne(span, list(self.by_name), scorer=fuzz.ratio, score_cutoff=FUZZY_ASK)
            if hit and (best is None or hit[1] > best.score):
                best = Spotted(span, match.start(), match.end(), sorted(self.by_name[hit[0]]), False, hit[1])
        return best

    def unknown_place(self, text: str) -> str | None:
        """A place or agency the question names that the index does not hold (北京市)."""
        for name in _places_longest_first():
            if name in text and name not in self.by_name:
                return name
        match = _PLACE.search(text)
        if match and match.group(0) not in self.by_name and len(match.group(0)) >= 3:
            span = match.group(0)
            if not any(w in span for w in ("申请", "公开", "报告", "单位", "行政", "哪个", "哪些", "所有")):
                return span
        return None
