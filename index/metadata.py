"""Report metadata: agency, year, title, region, contacts — read from the text.

The agency comes from the title lines, never the file name; without one, from
the text (the report naming itself, the overview's first sentence, the contact
sentence, the page's 发布机构), from the link title whoever collected the file
wrote in sources.tsv, or from the site the report was published on. The year is
the year reported on (a report dated 二〇二〇年一月 reports on 2019). Each records
where it came from: title, text, sources.tsv or url.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from index import gazetteer
from index.catalogue import LEXICON
from index.layout import Block, Paragraph, strip_noise
from index.sources import Source
from index.yamlfile import read_yaml

_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年(?:度)?")
# web text copied through NFKC may lose the 年: 统计期限自20201月1日起 is 2020
_PERIOD = re.compile(r"(?:统计|时限|期限|期间)[^。]{0,12}?\s*(20\d{2})\s*年?\s*0?1\s*月\s*0?1\s*日")
_YEAR_OF = re.compile(r"(20\d{2})\s*年度")
_DATE = re.compile(r"(20\d{2})\s*[-/.年]\s*\d{1,2}")
_URL = re.compile(r"https?://[A-Za-z0-9./_\-?=&%#:]+")
_SITE = re.compile(r"(?:https?://)?((?:[A-Za-z0-9-]+\.)+(?:gov\.cn|cn|com|net|org))(?![A-Za-z0-9.-])")
_NAME = "[\u4e00-\u9fff()（）]"
# a proper name in quotes or brackets starts right after one of these (《奉节县统计局政府信息公开标准目录》)
_OPENERS = ("《", "“", "「", "『", "(", "（", '"', "〈", "<")
_PHONE = re.compile(r"(?:电话|联系电话|咨询电话)[:：]?\s*((?:0\d{2,3}[-－—]?)?\d{7,8}(?:[、,，/]\s*(?:0\d{2,3}[-－—]?)?\d{7,8})*)")
_DASH = re.compile(r"[－—–]")  # 0631—8988877 is the number 0631-8988877
_ADDRESS = re.compile(r"(?:联系地址|地址|办公地址)[:：]\s*([^；;，,）)。\s]{4,40})")
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}
_CN_YEAR = re.compile(r"([〇零○Ｏ一二三四五六七八九]{4})\s*年")
_SENTENCE = re.compile(r"[。；;：:，,]")


@dataclass
class Metadata:
    agency: str = ""
    year: int | None = None
    title: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    website: str = ""
    phone: str = ""
    address: str = ""
    warnings: list[str] = field(default_factory=list)
    # what the collector knew (sources.tsv) or the page's own header said
    url: str = ""
    link_title: str = ""
    published: str = ""
    # where the agency and the year were read: title, text, sources.tsv, url ('' when nowhere)
    agency_from: str = ""
    year_from: str = ""


def read_metadata(blocks: list[Block], source: Source | None = None) -> Metadata:
    source = source or Source()
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    # a line of page furniture's separators (|) is no line of the head
    head, fields = header_fields([p.text for p in paragraphs[:24] if re.search(r"\w", p.text)])
    meta = Metadata(url=source.url or fields.get("url", ""), link_title=source.title,
                    published=source.published or fields.get("published", ""))
    meta.title, title_agency, title_year = read_title(head[:8])
    text = "\n".join(_clean(p.text) for p in paragraphs[:60])
    full = "\n".join(_clean(p.text) for p in paragraphs)
    link_agency, link_year = read_title([source.title])[1:] if source.title else ("", None)
    named, named_year = text_agencies(text, fields)
    candidates = [("title", title_agency), ("sources.tsv", link_agency), *(("text", n) for n in named),
                  ("url", site_agency(full, meta.url))]
    meta.agency, meta.agency_from = pick_agency(candidates, full, meta.url)
    meta.year, meta.year_from = _year(text, [("title", title_year), ("sources.tsv", link_year)], named_year,
                                      source.published, fields.get("published", ""))
    if meta.year_from == "":
        years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", text))
        meta.year = years.most_common(1)[0][0] if years else None
        meta.year_from = "text" if meta.year else ""
        meta.warnings.append("year read from the years the text mentions most")
    if not meta.agency:
        meta.warnings.append("no agency name found in the title lines, the text or sources.tsv")
    meta.province, meta.city, meta.county = region_of(meta.agency)
    meta.website = _website(full, meta.agency)
    phone = _PHONE.search(full)
    meta.phone = _DASH.sub("-", phone.group(1)) if phone else ""
    address = _ADDRESS.search(full)
    meta.address = address.group(1) if address else ""
    return meta


@lru_cache(maxsize=1)
def title_words() -> dict:
    """The words of lexicon/metadata.yaml."""
    return read_yaml(LEXICON / "metadata.yaml")


def read_title(head: list[str]) -> tuple[str, str, int | None]:
    """(title, agency, year) from a report's first lines; '' and None where they do not say.

    The title may be printed over up to three lines (agency / year / the rest),
    so lines before the title line join it while it names no agency yet.
    """
    words = title_words()
    # breadcrumbs (当前位置：首页 > … > 政府信息公开年报) are page furniture, not the title
    lines = [t for t in (_clean(t) for t in head) if not any(t.startswith(n) for n in words["navigation"])]
    candidates = [i for i, t in enumerate(lines) if any(w in t for w in words["title_words"]) and len(t) <= 60]
    # a title names its year: prefer such a line over a heading that only says 年报
    at = next((i for i in candidates if _YEAR_IN_TITLE.search(lines[i])), candidates[0] if candidates else None)
    if at is None:
        first = lines[0] if lines else ""
        return "", first if len(first) <= 40 and _is_agency(first) else "", None
    title = lines[at]
    for before in reversed(lines[max(0, at - 2) : at]):
        if _agency_in(title) or len(before) > 30 or _SENTENCE.search(before):
            break
        if _is_agency(before) or _YEAR_IN_TITLE.fullmatch(before):
            title = before + title
    year = _YEAR_IN_TITLE.search(title)
    return title, _agency_in(title), int(year.group(1)) if year else None


def _agency_in(title: str) -> str:
    """The agency a title names: what stands before its subject, the year and the wrappers taken out."""
    words = title_words()
    text = _YEAR_IN_TITLE.sub("", title)
    for end in words["wrappers_after"]:
        text = text.removesuffix(end)
    # 关于印发<agency>…的通知: the agency is inside the wrapper; <agency>关于…: before it
    pieces = [text]
    wrapper = next((w for w in words["wrappers_before"] if w in text), None)
    if wrapper:
        before, _, after = text.partition(wrapper)
        pieces = [after, before]
    for piece in pieces:
        agency = _before_subject(piece)
        for cut, whole in words["cut_body"].items():
            if agency.endswith(cut):
                agency = agency[: -len(cut)] + whole
        if _is_agency(agency):
            return re.sub(r"\s+", "", agency)
    return ""


def _before_subject(text: str) -> str:
    """The text before the report's subject (…政府信息公开工作年度报告), or all of it when it names none."""
    starts = [text.find(s) for s in title_words()["subjects"] if s in text]
    return text[: min(starts)].strip() if starts else text.strip()


def _is_agency(text: str) -> bool:
    # a body sharing its government with a county names it after itself: 高新区(新市区)
    text = _TRAILING_NAME.sub("", text) if text and text[-1] in ")）" else text
    return bool(text) and text.endswith(tuple(title_words()["agency_suffixes"]))


_TRAILING_NAME = re.compile(r"[(（][^()（）]{2,20}[)）]$")


def _website(text: str, agency: str) -> str:
    """The agency's own site: the URL printed right after its name, else the first gov.cn URL.

    Reports often name the city portal first and their own site second
    (威海市政府门户网站（…）和威海市工业和信息化局（…）下载).
    """
    found = [(m.start(), m.group(0).rstrip(".")) for m in _URL.finditer(text)]
    if agency:
        own = [url for start, url in found if agency in text[max(0, start - len(agency) - 6) : start]]
        if own:
            return own[0]
    urls = [url for _, url in found if "gov.cn" in url] or [url for _, url in found]
    return urls[0] if urls else ""


def _clean(text: str) -> str:
    """A head line compared as printed, without noise, width or the spaces around a year (二〇二三年 → 2023年)."""
    text = unicodedata.normalize("NFKC", strip_noise(text)).strip()
    text = re.sub(r"^(?:#{1,6}\s*|\*\*)|\*\*$", "", text).strip()  # markdown heading or bold markers
    text = _CN_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)) + "年", text)
    return re.sub(r"\s*(20\d{2})\s*年", r"\1年", text)


@lru_cache(maxsize=4096)
def region_of(agency: str) -> tuple[str, str, str]:
    """(province, city, county) the agency's name gives, '' where it gives none.

    Read by the national gazetteer (index.gazetteer), the one the questions are read by; a zone the
    divisions list as a county (威海临港经济技术开发区) is in its city, no county of its own."""
    if not agency:
        return "", "", ""
    province = city = county = ""
    places = gazetteer.read_places(agency)
    if places:
        chain = gazetteer.load().chain(places[-1])
        by_level = {p.level: p.name for p in chain}
        province = by_level.get("province", "")
        city = by_level.get("city", "")
        county = by_level.get("county", "")
        if county and not city and province.endswith("市"):
            city = province  # a municipality is its own city
        if county.endswith(tuple(title_words()["zone_endings"])) or _zone_kind(county):
            county = ""
    if not province:
        match = _PROVINCE.match(agency)
        province = match.group(1) if match else ""
    if not city:
        # a city the gazetteer does not list: the name still says XX市 / XX州 after its province
        match = _CITY.match(agency[len(province):] if agency.startswith(province) else agency)
        city = match.group(1) if match else ""
    if not county and not (places and places[-1].level == "county"):
        match = re.search(r"(?:市|州|盟)([^市]{1,6}?(?:区|县|旗))", agency)
        if match and "开发区" not in match.group(1) and "新区" not in match.group(1):
            county = match.group(1)
    return province, city, county


def _zone_kind(name: str) -> bool:
    return any(name.endswith(kind) for kind in gazetteer.place_rules()["zone_kinds"])


_PROVINCE = re.compile(r"^([\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}自治区)")
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,4}?市|[\u4e00-\u9fff]{2,9}?(?:自治州|州|盟|地区))(?=[\u4e00-\u9fff]{2})")


# --- agency and year without a title line


@lru_cache(maxsize=1)
def _header_key() -> re.Pattern:
    keys = sorted({k for ks in title_words()["header_fields"].values() for k in ks}, key=len, reverse=True)
    return re.compile(r"(" + "|".join(map(re.escape, keys)) + r")\s*[:：]\s*")


def header_fields(lines: list[str]) -> tuple[list[str], dict[str, str]]:
    """(the lines without header fields, {field: value}) for a crawler's or a page's header lines.

    `标题: …` gives its value as a title line; `发布机构:政务服务中心  公文时效:` gives publisher;
    any other line is kept as it is. The first value of each field wins.
    """
    kinds = {k: kind for kind, ks in title_words()["header_fields"].items() for k in ks}
    kept, fields = [], {}
    for raw in lines:
        line = _clean(raw).lstrip("-•· ")
        keys = list(_header_key().finditer(line))
        if not keys or keys[0].start() != 0:
            kept.append(raw)
            continue
        for i, key in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(line)
            value = line[key.end():end].strip()
            kind = kinds[key.group(1)]
            if kind != "title":  # a title may hold spaces; other values end at the first
                value = value.split()[0] if value.split() else ""
            if value and kind not in fields:
                fields[kind] = value
        if kinds[keys[0].group(1)] == "title" and fields.get("title"):
            kept.append(fields["title"])
    return kept, fields


def text_agencies(text: str, fields: dict[str, str]) -> tuple[list[str], int | None]:
    """Names the text gives its agency, strongest first, and the year the report names itself with."""
    words = title_words()
    found, year = [], None
    for name, named_year in _self_named(text):
        found.append(name)
        year = year or named_year
    found += _subjects(text)
    contact = "|".join(map(re.escape, words["contact"]))
    end = "|".join(map(re.escape, words["contact_end"]))
    # who answers questions and who compiled the report: often the body's own office, named without it
    found += [_without_office(m.group(1))
              for m in re.finditer(rf"(?:{contact})\s*({_NAME}{{2,30}}?)\s*(?:{end})", text)]
    compiled = "|".join(map(re.escape, words["compiled_by"]))
    found += [_without_office(m.group(1)) for m in re.finditer(rf"由\s*({_NAME}{{2,30}}?)\s*(?:{compiled})", text)]
    if fields.get("publisher"):
        found.append(fields["publisher"])
    found = list(dict.fromkeys(re.sub(r"\s+", "", n) for n in found))
    # 我区, 本局, 全县: the report speaking of itself, not a name
    return [n for n in found if _is_agency(n) and not _is_pronoun(n)], year


def _without_office(name: str) -> str:
    """福州市统计局办公室 → 福州市统计局, 乌拉特后旗政务公开领导小组办公室 → 乌拉特后旗: a body's inner office
    answers for it. A county's or a city's government office (荔浦市人民政府办公室) is a body of its own and
    stays; a township's (团结乡政府办公室) is not."""
    words = title_words()
    for office in sorted(words["inner_offices"], key=len, reverse=True):
        rest = name.removesuffix(office)
        government = next((g for g in words["government_words"] if rest.endswith(g)), "")
        if rest == name or not (_is_agency(rest) or government):
            continue
        if not government:
            return rest
        if rest[: -len(government)].endswith(tuple(words["township_endings"])):
            return rest[: -len(government)]  # the township itself, completed with its body later
    return name


def _is_pronoun(name: str) -> bool:
    """我区, 本局, 全县政府: a pronoun and a bare body word (本溪市 is a name)."""
    words = title_words()
    bare = set(words["agency_suffixes"]) | set(words["place_bodies"])
    return name[0] in words["pronouns"] and name[1:] in bare


def _subject_words() -> str:
    return "|".join(map(re.escape, title_words()["subjects"]))


def _self_named(text: str):
    """(agency, year) where the report names itself: 现将政务服务中心2020年政府信息公开工作报告如下."""
    words = title_words()
    title_word = "|".join(map(re.escape, words["title_words"] + words["self_named_ends"]))
    pattern = rf"({_NAME}{{2,60}})\s*(20\d{{2}})\s*年度?\s*(?:{_subject_words()})[^。，,；;]{{0,10}}?(?:{title_word})"
    for m in re.finditer(pattern, text):
        piece = _after_intro(m.group(1), words["name_intro"])
        if not any(w in piece for w in words["wrappers_before"]):  # 关于做好2021年度…年度报告…的通知 names a notice
            yield piece, int(m.group(2))


def _after_intro(piece: str, intro: list[str]) -> str:
    """What follows the last introducing word (编制, 现将, 可从 …) in a run of text."""
    cut = max((piece.rfind(w) + len(w) for w in intro if w in piece), default=0)
    return piece[cut:]


def _subjects(text: str) -> list[str]:
    """The overview's opening subject: 2023年度，建始县林业局在… / 新港街道办事处2023年度政府信息公开工作…."""
    verbs = "|".join(map(re.escape, sorted(title_words()["subject_verbs"], key=len, reverse=True)))
    out = []
    for line in text.splitlines():
        line = line.strip()
        m = re.match(rf"20\d{{2}}\s*年度?\s*[,，、]?\s*({_NAME}{{2,30}}?)(?:{verbs})", line)
        m = m or re.match(rf"({_NAME}{{2,30}}?)20\d{{2}}\s*年度?\s*(?:{_subject_words()})工作", line)
        if m:
            out.append(_after_intro(m.group(1), title_words()["name_intro"]))
    return out


def site_agency(text: str, url: str) -> str:
    """The body the text names beside its own site's address, when that site is the report's url's."""
    host = _host(url)
    if not host:
        return ""
    words = title_words()
    for m in _SITE.finditer(text):
        if _host(m.group(1)) != host:
            continue
        before = re.search(rf"({_NAME}{{2,40}}?)[(（“\"]?\s*$", text[max(0, m.start() - 40): m.start()])
        if not before:
            continue
        run = before.group(1).rstrip("()（）")
        # 平顶山市人民政府门户网站: the name is what is left with one site word taken off, the longest such name
        names = [_after_intro(run.removesuffix(w), words["name_intro"] + words["site_intro"])
                 for w in words["site_words"] if run.endswith(w)]
        names = [n for n in names if _is_agency(n)]
        if names:
            return max(names, key=len)
    return ""


def _host(url: str) -> str:
    m = re.match(r"(?:https?://)?([A-Za-z0-9.-]+)", url.strip())
    return m.group(1).lower().removeprefix("www.") if m else ""


def pick_agency(candidates: list[tuple[str, str]], text: str, url: str = "") -> tuple[str, str]:
    """(agency, where from): the first name given, or a fuller one that only adds its place before it."""
    named = [(source, complete_agency(name, text, url)) for source, name in candidates if name]
    if not named:
        return "", ""
    source, best = named[0]
    for other_source, other in named[1:]:
        if other != best and other.endswith(best) and _places().fullmatch(other[: -len(best)]):
            source, best = other_source, other
    return best, source


@lru_cache(maxsize=1)
def _places() -> re.Pattern:
    words = title_words()
    ends = "|".join(map(re.escape, sorted(words["place_ends"], key=len, reverse=True)))
    # autonomous areas carry long names (黔东南苗族侗族自治州); other places two to four characters
    autonomous = "|".join(map(re.escape, words["autonomous_ends"]))
    return re.compile(rf"(?:[\u4e00-\u9fff]{{2,10}}?(?:{autonomous})|[\u4e00-\u9fff]{{2,4}}?(?:{ends}))+")


def complete_agency(name: str, text: str, url: str = "") -> str:
    """A name as the text gives it, made the body's full name: short forms written out, the place the text
    (or else the url's site) gives a name that lacks one, and a place's own body (荔浦市 → 荔浦市人民政府,
    万里街道 → 万里街道办事处)."""
    words = title_words()
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    for short, full in words["short_bodies"].items():
        if name.endswith(short) and not name.endswith(full):
            name = name[: -len(short)] + full
            break
    double = _double_name(name, text)
    if double:
        return double
    name = _with_place(name, text, url)
    if not name.endswith(tuple(words["zone_endings"])):
        for end in sorted(words["place_bodies"], key=len, reverse=True):
            if name.endswith(end) and len(name) > len(end) + 1:
                name = name[: -len(end)] + words["place_bodies"][end]
                break
    return name


def _with_place(name: str, text: str, url: str = "") -> str:
    """县统计局 → 奉节县统计局, 厚桥街道 → 锡山区厚桥街道: the place the text prints before the name, if any."""
    words = title_words()
    places = _places()
    relative = name[0] if name[0] in words["relative_places"] and len(name) > 3 else ""
    if not relative and places.match(name):
        return name  # it names its place already
    body = name[1:] if relative else name
    best = ""
    for m in re.finditer(re.escape(body), text):
        window = text[max(0, m.start() - 20): m.start()]
        if not relative:  # 无锡市锡山区人民政府厚桥街道: the county's government stands between
            for word in words["government_words"]:
                window = window.removesuffix(word)
        run = re.search(r"[\u4e00-\u9fff]*$", window).group(0)
        place = _place_suffix(run, bounded=window[: len(window) - len(run)].endswith(_OPENERS))
        if place and (not relative or place.endswith(relative)) and len(place) > len(best):
            best = place
    if not best and not relative and name.endswith(tuple(words["township_endings"])):
        best = _platform_place(text) or county_of_site(url)
    return best + body if best else name


def _double_name(name: str, text: str) -> str:
    """A zone that shares its government with a county, named as both (高新区(新市区)): its full name,
    the zone's body then the county's (乌鲁木齐高新技术产业开发区管理委员会(乌鲁木齐市新市区人民政府)), when
    the gazetteer knows the zone and the county in one city (the text may print the city before the zone:
    乌鲁木齐国家高新区(新市区)); '' otherwise."""
    m = re.fullmatch(r"(.+?)[(（](.+?)[)）]", name)
    if not m:
        return ""
    zone, county = m.groups()
    written = [zone]
    for found in re.finditer(rf"([\u4e00-\u9fff]{{1,12}}){re.escape(zone)}[(（]{re.escape(county)}[)）]", text):
        run = found.group(1)
        written += [run[i:] + zone for i in range(len(run))]
    for form in sorted(set(written), key=len, reverse=True):
        full = _zone_and_county(form, county)
        if full:
            return full
    return ""


def _zone_and_county(zone: str, county: str) -> str:
    words = title_words()
    g = gazetteer.load()
    for rank in words["zone_ranks"]:
        zone = zone.replace(rank, "")
    zones = [p for p in g.by_form.get(zone, []) if p.level == "county" and _zone_kind(p.name)]
    pairs = [(z, c) for z in zones for c in g.by_form.get(county, [])
             if c.level == "county" and c.parent == z.parent and c is not z]
    if len(pairs) != 1:
        return ""
    z, c = pairs[0]
    city = g.places.get(z.parent)
    end = next((e for e in sorted(words["place_bodies"], key=len, reverse=True) if c.name.endswith(e)), "")
    county_body = c.name[: len(c.name) - len(end)] + words["place_bodies"][end] if end else c.name
    return f"{z.name}{words['zone_body']}({city.name if city else ''}{county_body})"


def county_of_site(url: str) -> str:
    """The county a site's host name spells in pinyin (xxgk.tongyu.gov.cn → 通榆县), when exactly one
    county the gazetteer knows is spelled so; '' otherwise."""
    labels = _host(url).split(".")
    if not url or not labels:
        return ""
    spelled = _county_spellings()
    found = {spelled[label] for label in labels if label in spelled}
    return found.pop() if len(found) == 1 and None not in found else ""


@lru_cache(maxsize=1)
def _county_spellings() -> dict[str, str | None]:
    """Pinyin → county for every county in the gazetteer, bare (huichang) and with its kind (lufengshi);
    None where two counties share a spelling."""
    from pypinyin import lazy_pinyin  # only reports that need it pay its start-up

    kinds = title_words()["county_kinds_pinyin"]
    out: dict[str, str | None] = {}
    for place in gazetteer.load().places.values():
        county = place.name
        kind = next((k for k in kinds if county.endswith(k) and len(county) > len(k) + 1), None)
        if place.level == "city" and kind:  # nanjing is 南京市's site, not 南靖县's
            out["".join(lazy_pinyin(county[: -len(kind)]))] = None
        if place.level != "county" or not kind or _zone_kind(county):
            continue
        bare = "".join(lazy_pinyin(county[: -len(kind)]))
        for spelling in (bare, bare + kinds[kind]):
            out[spelling] = county if out.get(spelling, county) == county else None
    return out


def _platform_place(text: str) -> str:
    """The county a township's report says it publishes on: 依托天津市滨海新区人民政府政务网 → 天津市滨海新区."""
    sites = "|".join(map(re.escape, sorted(title_words()["site_words"], key=len, reverse=True)))
    government = "|".join(map(re.escape, title_words()["government_words"]))
    for m in re.finditer(rf"([\u4e00-\u9fff]{{2,20}}?)(?:{government})?(?:{sites})", text):
        place = _place_suffix(m.group(1), bounded=text[: m.start()].endswith(_OPENERS))
        if place and place.endswith(tuple(title_words()["county_ends"])):
            return place
    return ""


def _place_suffix(run: str, bounded: bool) -> str:
    """The place names a run of Chinese text ends with: the longest that starts with a name the gazetteer
    knows (由无锡市锡山区 → 无锡市锡山区), else one that starts where the run does (bounded: a quote or
    bracket before it, 《奉节县 → 奉节县) or after a word that introduces a name (由, 对, 依托); '' when none."""
    places = _places()
    ends = [i for i in range(len(run)) if places.fullmatch(run[i:])]
    known = [run[i:] for i in ends if run[i:].startswith(_place_names())]
    if known:
        return max(known, key=len)
    before = tuple(title_words()["place_before"])
    starts = [run[i:] for i in ends if ((i == 0 and bounded and not run.startswith(before)) or run[:i].endswith(before))
              and run[i] not in title_words()["pronouns"]]  # 全市, 本县: no place
    return max(starts, key=len) if starts else ""


@lru_cache(maxsize=1)
def _place_names() -> tuple[str, ...]:
    """Every province, city and county the gazetteer holds, as it is written (无锡市, 无锡)."""
    return tuple({f for p in gazetteer.load().places.values() for f in p.forms if len(f) >= 2})


def _year(text: str, titled: list[tuple[str, int | None]], named_year: int | None, published: str,
          page_date: str) -> tuple[int | None, str]:
    """(year reported on, where from): the title, the 统计期限 sentence, XXXX年度, the published date minus one."""
    for source, year in titled:
        if year:
            return year, source
    period = _PERIOD.search(text)
    if period:
        return int(period.group(1)), "text"
    if named_year:
        return named_year, "text"
    of = _YEAR_OF.search(text)
    if of:
        return int(of.group(1)), "text"
    for source, date in (("sources.tsv", published), ("text", page_date)):
        m = _DATE.match(date.strip()) if date else None
        if m:
            return int(m.group(1)) - 1, source
    return None, ""
