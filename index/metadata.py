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

_TITLE = re.compile(r"(?:年度报告|工作报告|年报|年度工作报告)")
_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年(?:度)?")
_PERIOD = re.compile(r"(?:统计|时限|期限|期间)[^。]{0,12}?自?\s*(20\d{2})\s*年\s*1\s*月\s*1\s*日")
_URL = re.compile(r"https?://[A-Za-z0-9./_\-?=&%#:]+")
_PHONE = re.compile(r"(?:电话|联系电话|咨询电话)[:：]?\s*((?:0\d{2,3}[-－—]?)?\d{7,8}(?:[、,，/]\s*(?:0\d{2,3}[-－—]?)?\d{7,8})*)")
_ADDRESS = re.compile(r"(?:联系地址|地址|办公地址)[:：]\s*([^；;，,）)。\s]{4,40})")
_AGENCY_SUFFIX = re.compile(
    r"(人民政府|管理委员会|管委会|委员会|办公室|办公厅|局|厅|委|署|院|中心|开发区|新区|高新区|示范区|试验区|园区|街道办事处|街道|镇|乡|集团|公司)$"
)


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
    head = paragraphs[:8]
    title_at = next((i for i, p in enumerate(head) if _TITLE.search(p.text) and len(p.text) <= 60), None)
    if title_at is not None:
        title = _clean(head[title_at].text)
        meta.title = title
        year = _YEAR_IN_TITLE.search(title)
        meta.year = int(year.group(1)) if year else None
        before = title[: year.start()].strip() if year else ""
        if before:
            meta.agency = before
        elif title_at > 0:
            meta.agency = _clean(head[title_at - 1].text)
            meta.title = f"{meta.agency}{title}"
    if not meta.agency and head:
        first = _clean(head[0].text)
        if len(first) <= 40 and _AGENCY_SUFFIX.search(first):
            meta.agency = first
    meta.agency = re.sub(r"\s+", "", meta.agency)
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
    urls = [u.rstrip(".") for u in _URL.findall(full) if "gov.cn" in u] or _URL.findall(full)
    meta.website = urls[0] if urls else ""
    phone = _PHONE.search(full)
    meta.phone = phone.group(1) if phone else ""
    address = _ADDRESS.search(full)
    meta.address = address.group(1) if address else ""
    return meta


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", strip_noise(text)).strip()
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
    if not county:
        match = re.search(r"市([^市]{1,6}?(?:区|县))", agency)
        if match and "开发区" not in match.group(1) and "新区" not in match.group(1):
            county = match.group(1)
    return province, city, county
