"""Report metadata: agency, year, title, region, contacts — read from the text.

The agency comes from the title lines, never the file name; the year is the
year reported on (a report dated 二〇二〇年一月 reports on 2019).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from index.catalogue import LEXICON
from index.layout import Block, Paragraph, strip_noise

_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年(?:度)?")
_PERIOD = re.compile(r"(?:统计|时限|期限|期间)[^。]{0,12}?自?\s*(20\d{2})\s*年\s*1\s*月\s*1\s*日")
_URL = re.compile(r"https?://[A-Za-z0-9./_\-?=&%#:]+")
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


def read_metadata(blocks: list[Block]) -> Metadata:
    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    meta = Metadata()
    meta.title, meta.agency, meta.year = read_title([p.text for p in paragraphs[:8]])
    text = "\n".join(_clean(p.text) for p in paragraphs[:60])
    if meta.year is None:
        period = _PERIOD.search(text)
        if period:
            meta.year = int(period.group(1))
        else:
            years = Counter(int(y) for y in re.findall(r"(20\d{2})\s*年", text))
            meta.year = years.most_common(1)[0][0] if years else None
            meta.warnings.append("year read from the years the text mentions most")
    if not meta.agency:
        meta.warnings.append("no agency name found in the title lines")
    meta.province, meta.city, meta.county = region_of(meta.agency)
    full = "\n".join(_clean(p.text) for p in paragraphs)
    meta.website = _website(full, meta.agency)
    phone = _PHONE.search(full)
    meta.phone = _DASH.sub("-", phone.group(1)) if phone else ""
    address = _ADDRESS.search(full)
    meta.address = address.group(1) if address else ""
    return meta


@lru_cache(maxsize=1)
def title_words() -> dict:
    """The words of lexicon/metadata.yaml."""
    return yaml.safe_load((LEXICON / "metadata.yaml").read_text(encoding="utf-8"))


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
    return bool(text) and text.endswith(tuple(title_words()["agency_suffixes"]))


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


@lru_cache(maxsize=1)
def gazetteer() -> dict:
    """Province → {city → [counties]} from lexicon/regions.yaml."""
    data = yaml.safe_load((LEXICON / "regions.yaml").read_text(encoding="utf-8"))
    return {p: (spec.get("cities") or {}) for p, spec in data["provinces"].items()}


@lru_cache(maxsize=4096)
def region_of(agency: str) -> tuple[str, str, str]:
    """(province, city, county) the agency's name gives, '' where it gives none."""
    if not agency:
        return "", "", ""
    province = city = county = ""
    for prov, cities in gazetteer().items():
        short = re.sub(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区)$", "", prov)
        if agency.startswith((prov, short)):
            province = prov
        for name, counties in cities.items():
            if name in agency and (not city or len(name) > len(city.rstrip("市"))):
                city, province = f"{name}市", prov
                county = next((c for c in counties if c in agency[agency.index(name) + len(name) :]), "")
    if not city:
        # a county's own body names no city (射阳县住房和城乡建设局): the county says which
        for prov, cities in gazetteer().items():
            for name, counties in cities.items():
                found = next((c for c in counties if len(c) >= 3 and agency.startswith(c)), "")
                if found:
                    province, city, county = prov, f"{name}市", found
    if not province:
        match = _PROVINCE.match(agency)
        province = match.group(1) if match else ""
    if not city:
        # a city the gazetteer does not list: the name still says XX市 / XX州 after its province
        match = _CITY.match(agency[len(province):] if agency.startswith(province) else agency)
        city = match.group(1) if match else ""
    if not county:
        match = re.search(r"(?:市|州|盟)([^市]{1,6}?(?:区|县|旗))", agency)
        if match and "开发区" not in match.group(1) and "新区" not in match.group(1):
            county = match.group(1)
    return province, city, county


_PROVINCE = re.compile(r"^([\u4e00-\u9fff]{2,3}省|[\u4e00-\u9fff]{2,8}自治区)")
_CITY = re.compile(r"^([\u4e00-\u9fff]{2,4}?市|[\u4e00-\u9fff]{2,9}?(?:自治州|州|盟|地区))(?=[\u4e00-\u9fff]{2})")
