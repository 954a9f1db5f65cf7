"""Agency, year and contacts from the first lines of reports titled the many ways agencies title them."""

from __future__ import annotations

import pytest

from index.layout import blocks
from index.metadata import read_metadata

HUANCUI = ("威海市环翠区人民政府", 2023, "山东省", "威海市", "环翠区")
TITLES = {
    "agency, year, subject": (["威海市环翠区人民政府2023年政府信息公开工作年度报告"], HUANCUI),
    "spaces around the year": (["威海市环翠区人民政府 2023 年政府信息公开工作年度报告"], HUANCUI),
    "year first": (["2023年威海市环翠区人民政府政府信息公开工作年度报告"], HUANCUI),
    "年度": (["威海市环翠区人民政府2023年度政府信息公开工作年度报告"], HUANCUI),
    "year in Chinese numerals": (["威海市环翠区人民政府二〇二三年政府信息公开工作年度报告"], HUANCUI),
    "agency on its own line": (["威海市环翠区人民政府", "", "2023年政府信息公开工作年度报告"], HUANCUI),
    "agency, year, subject on three lines": (["威海市环翠区人民政府", "2023年", "政府信息公开工作年度报告"], HUANCUI),
    "year and agency, then subject": (["2023年度威海市环翠区人民政府", "政府信息公开工作年度报告"], HUANCUI),
    "关于": (["威海市环翠区人民政府关于2023年政府信息公开工作年度报告"], HUANCUI),
    "关于印发…的通知 under the issuing office": (
        ["威海市环翠区人民政府办公室", "关于印发威海市环翠区人民政府2023年政府信息公开工作年度报告的通知"], HUANCUI),
    "年度工作报告": (["威海市工业和信息化局", "2020 年政府信息公开年度工作报告"],
                 ("威海市工业和信息化局", 2020, "山东省", "威海市", "")),
    "a place for its government": (["威海市环翠区2023年政府信息公开工作年度报告"],
                                   ("威海市环翠区人民政府", 2023, "山东省", "威海市", "环翠区")),
    "人民政府信息公开 run together": (["济南市历下区人民政府信息公开工作年度报告（2022年）"],
                                   ("济南市历下区人民政府", 2022, "山东省", "济南市", "历下区")),
    "a province": (["山东省人民政府2021年政府信息公开工作年度报告"], ("山东省人民政府", 2021, "山东省", "", "")),
    "province, city, county": (["江苏省南京市鼓楼区人民政府2021年政府信息公开工作年度报告"],
                               ("江苏省南京市鼓楼区人民政府", 2021, "江苏省", "南京市", "鼓楼区")),
    "a zone": (["临沂经济技术开发区 2019 年政府信息公开工作年度报告", "临沂经济技术开发区管理委员会办公室 二〇二〇年一月"],
               ("临沂经济技术开发区", 2019, "山东省", "临沂市", "")),
}


@pytest.mark.parametrize("name", list(TITLES))
def test_agency_and_year_from_the_title(name):
    lines, expected = TITLES[name]
    meta = read_metadata(blocks([*lines, "", "根据《中华人民共和国政府信息公开条例》要求，编制本报告。"]))
    assert (meta.agency, meta.year, meta.province, meta.city, meta.county) == expected


def test_year_from_the_statistics_period_when_the_title_gives_none():
    meta = read_metadata(blocks(["威海市环翠区人民政府政府信息公开工作年度报告",
                                 "本报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。"]))
    assert (meta.agency, meta.year, meta.warnings) == ("威海市环翠区人民政府", 2023, [])


def test_no_title_is_said_so():
    meta = read_metadata(blocks(["2023年，我区认真贯彻落实《条例》。"]))
    assert meta.agency == ""
    assert "no agency name found in the title lines, the text or sources.tsv" in meta.warnings


def test_contacts_prefer_the_agencys_own_site_and_plain_phone_numbers():
    meta = read_metadata(blocks([
        "威海市工业和信息化局", "2020年政府信息公开工作年度报告",
        "报告电子版可在威海市政府门户网站（http://www.weihai.gov.cn）和威海市工业和信息化局"
        "（http://gxj.weihai.gov.cn/）下载。如有疑问请联系（地址：威海市新威路11号，电话：0631—5231696）。",
    ]))
    assert (meta.website, meta.phone, meta.address) == ("http://gxj.weihai.gov.cn/", "0631-5231696", "威海市新威路11号")


def test_a_markdown_heading_title_names_the_agency(tmp_path):
    from index.parse import parse_file

    report = tmp_path / "a.md"
    report.write_text("# 威海市文登区人民政府2020年政府信息公开工作年度报告\n\n一、总体情况\n", encoding="utf-8")
    assert parse_file(report).meta.agency == "威海市文登区人民政府"


def test_a_breadcrumb_above_the_title_is_not_the_title(tmp_path):
    from index.parse import parse_file

    report = tmp_path / "b.txt"
    report.write_text("当前位置：首页 > 信息公开 > 政府信息公开年报\n\n威海市文登区人民政府2020年政府信息公开工作年度报告\n",
                      encoding="utf-8")
    meta = parse_file(report).meta
    assert (meta.agency, meta.year) == ("威海市文登区人民政府", 2020)


def test_a_figure_after_a_closing_quote_mark_is_read():
    from index.prose import figures_in

    assert [f[:2] for f in figures_in("制作《淮安市人民政府公报》 6 期")] == [("prose.gazette_issues", 6)]


@pytest.mark.parametrize(("agency", "region"), [
    ("河南省驻马店市驿城区人民政府", ("河南省", "驻马店市", "驿城区")),  # a city the gazetteer does not list
    ("黑龙江省大庆市人民政府", ("黑龙江省", "大庆市", "")),
    ("北京市海淀区人民政府", ("北京市", "北京市", "海淀区")),
    ("广州市天河区人民政府", ("广东省", "广州市", "天河区")),  # the province from the gazetteer
    ("威海临港经济技术开发区", ("山东省", "威海市", "")),
    ("市场监督管理局", ("", "", "")),
])
def test_region_read_from_the_name(agency, region):
    from index.metadata import region_of

    assert region_of(agency) == region
