"""The words of lexicon/metadata.yaml that read an agency and a year without a title line, each with
lines it must read and lines it must not (real report sentences, from tests/fixtures/corpus and beyond)."""

from __future__ import annotations

import pytest

from index.layout import blocks
from index.metadata import complete_agency, county_of_site, header_fields, read_metadata, site_agency, text_agencies

# the report names itself: <intro word> <agency> <year>年 <subject> … <title word>
SELF_NAMED = [
    ("特编制湛江市人民政府地方志办公室2023年政府信息公开工作年度报告。", "湛江市人民政府地方志办公室", 2023),
    ("根据《条例》有关要求,现将政务服务中心2020年政府信息公开工作报告如下:", "政务服务中心", 2020),
    ("根据《条例》要求,现公布《南京市江宁区人民政府2023年政府信息公开工作年度报告》,报告中所列数据", "南京市江宁区人民政府", 2023),
    ("等相关规定,编制达州市通川区统计局2024年政府信息公开工作年度报告,所列数据统计期限为2024年", "达州市通川区统计局", 2024),
    ("要求,现向社会公开《沙依巴克区人民政府2022年度政府信息公开工作年度报告》。", "沙依巴克区人民政府", 2022),
    ("根据《条例》规定，现将昆明市财政局2022年度政府信息公开工作情况报告如下：", "昆明市财政局", 2022),
]
NOT_SELF_NAMED = [
    # notices about reports name the notice's sender, not the report's agency
    "和区政府办公室《区政府办公室关于切实做好2023 年政府信息公开年度报告编制发布工作的通知》",
    "和《安徽省政务公开办公室关于做好2021年度政府信息公开工作年度报告编制和发布工作的通知》要求",
    "认真贯彻落实《邢台市2021年政务公开工作要点》",
    "根据《中华人民共和国政府信息公开条例》要求,特制定本报告。",
]
# the overview's first sentence: <year>年[度]，<agency><verb>
SUBJECTS = [
    ("2023年度,建始县林业局在县委县政府的领导下,切实推进政府信息公开工作", "建始县林业局"),
    ("2021年,朔州市人民政府办公室认真落实国家、省关于全面推进政务公开工作的部署要求", "朔州市人民政府办公室"),
    ("2020年,武汉经济技术开发区(汉南区)医疗保障局政府信息公开工作在工委(区委)的领导下", "武汉经济技术开发区(汉南区)医疗保障局"),
    ("新港街道办事处2023年度政府信息公开工作依托天津市滨海新区人民政府政务网开展。", "新港街道办事处"),
    ("2024年,乌拉特后旗坚持以习近平新时代中国特色社会主义思想为指导", "乌拉特后旗"),
]
NOT_SUBJECTS = [
    "2023年，我区认真贯彻落实《条例》。",  # the report speaking of itself
    "2021年,市政府办公室代表市政府共受理政府信息公开申请44件",  # no name: 市政府办公室 is relative
    "2020年以来,全面推进政务公开。",
    "(一)主动公开情况。全面落实《条例》和《规范》要求",
]
CONTACTS = [
    ("公众如需进一步咨询了解相关信息,请与林芝市林业和草原局联系(地址:西藏自治区林芝市", "林芝市林业和草原局"),
    # a body's inner office answers for it
    ("对本报告如有任何疑问,可与福州市统计局办公室联系(地址:福州市仓山区", "福州市统计局"),
    ("如对本报告有任何疑问,请与乌拉特后旗政务公开领导小组办公室联系(地址:", "乌拉特后旗"),
    ("由于篇幅有限,对本报告有任何疑问,请与团结乡政府办公室联系。", "团结乡"),
    ("要求,由福州市统计局办公室编制完成本报告。", "福州市统计局"),
    # a county's or a city's government office is a body of its own
    ("如有疑问请与荔浦市人民政府办公室联系(地址:荔浦市荔城镇滨江路6号", "荔浦市人民政府办公室"),
]
NOT_CONTACTS = ["如有疑问请与我们联系。", "请与申请人联系,确认申请内容。"]


@pytest.mark.parametrize(("line", "agency", "year"), SELF_NAMED)
def test_a_report_naming_itself_gives_its_agency_and_year(line, agency, year):
    assert text_agencies(line, {}) == ([agency], year)


@pytest.mark.parametrize("line", NOT_SELF_NAMED)
def test_a_notice_or_plan_is_not_the_report_naming_itself(line):
    assert text_agencies(line, {}) == ([], None)


@pytest.mark.parametrize(("line", "agency"), SUBJECTS + CONTACTS)
def test_the_overviews_subject_and_the_contact_sentence_name_the_agency(line, agency):
    assert text_agencies(line, {})[0] == [agency]


@pytest.mark.parametrize("line", NOT_SUBJECTS + NOT_CONTACTS)
def test_pronouns_relative_names_and_headings_name_no_agency(line):
    assert text_agencies(line, {})[0] == []


HEADERS = [
    ("标题: 平潭综合实验区2019年度政府信息公开工作年度报告", "title", "平潭综合实验区2019年度政府信息公开工作年度报告"),
    (" 发布机构:政务服务中心  公文时效:", "publisher", "政务服务中心"),
    ("发布机构: 平潭综合实验区管委会办公室", "publisher", "平潭综合实验区管委会办公室"),
    ("原文链接: https://www.pingtan.gov.cn/zwgk/t20200120_80576.htm", "url", "https://www.pingtan.gov.cn/zwgk/t20200120_80576.htm"),
    ("发布时间: 2020-01-20 15:22", "published", "2020-01-20"),
    ("来源:本溪市卫生健康委员会 发布时间:2022-01-24 12:23:04 【字体:", "publisher", "本溪市卫生健康委员会"),
]
NOT_HEADERS = [
    "本报告的电子版可在政府门户网站下载,发布机构为区政府办公室。",  # a sentence mentioning a field is not a field
    "平潭综合实验区2019年政府信息公开工作年度报告",
]


@pytest.mark.parametrize(("line", "field", "value"), HEADERS)
def test_header_lines_are_read_as_their_fields(line, field, value):
    kept, fields = header_fields([line])
    assert fields[field] == value
    assert kept == ([value] if field == "title" else [])


@pytest.mark.parametrize("line", NOT_HEADERS)
def test_other_lines_are_no_header(line):
    assert header_fields([line]) == ([line], {})


def test_a_crawler_header_gives_the_title_never_a_name_with_its_key():
    meta = read_metadata(blocks(["标题: 平潭综合实验区2019年度政府信息公开工作年度报告", "发布时间: 2020-01-20 15:22",
                                 "栏目: 政府信息公开年报", "原文链接: https://www.pingtan.gov.cn/a.htm", "正文"]))
    assert (meta.agency, meta.year, meta.agency_from, meta.url) == (
        "平潭综合实验区", 2019, "title", "https://www.pingtan.gov.cn/a.htm")


SITE_TEXT = "本年度报告电子版可从平顶山市人民政府门户网站(www.pds.gov.cn)下载。"


def test_the_site_beside_the_reports_own_url_names_the_body():
    assert site_agency(SITE_TEXT, "https://pds.gov.cn/contents/35920/288778.html") == "平顶山市人民政府"
    assert site_agency(SITE_TEXT, "https://www.other.gov.cn/a.html") == ""
    assert site_agency(SITE_TEXT, "") == ""


@pytest.mark.parametrize(("name", "text", "full"), [
    ("荔浦市", "", "荔浦市人民政府"),  # a place stands for its government
    ("乌拉特后旗", "", "乌拉特后旗人民政府"),
    ("上海市普陀区万里街道", "", "上海市普陀区万里街道办事处"),
    ("团结乡政府", "", "团结乡人民政府"),
    ("天津市住建委", "", "天津市住房和城乡建设委员会"),
    ("平潭综合实验区", "平潭综合实验区管委会办公室", "平潭综合实验区"),  # a zone is named as itself
    # a zone sharing its government with a county, the city printed before the zone elsewhere in the text
    ("高新区(新市区)", "乌鲁木齐国家高新区(新市区)\n政府信息公开",
     "乌鲁木齐高新技术产业开发区管理委员会(乌鲁木齐市新市区人民政府)"),
    ("高新区(新市区)", "", "高新区(新市区)"),  # which 高新区: the text does not say
    ("威海市工业和信息化局", "", "威海市工业和信息化局"),
    ("县统计局", "对《奉节县统计局政府信息公开标准目录》进行细化调整", "奉节县统计局"),
    ("厚桥街道", "本报告由无锡市锡山区人民政府厚桥街道党政办公室综合科编制。", "无锡市锡山区厚桥街道办事处"),
    ("新港街道办事处", "新港街道办事处2023年度政府信息公开工作依托天津市滨海新区人民政府政务网开展。",
     "天津市滨海新区新港街道办事处"),
    # no place where a scope word or a verb stands before the name
    ("市场监督管理局", "今年加强全市市场监督管理局工作。", "市场监督管理局"),
    ("大五里镇", "在市政务信息公开工作领导小组的指导下,我镇通过不同渠道公开。", "大五里镇人民政府"),
])
def test_a_name_is_completed_from_the_text(name, text, full):
    assert complete_agency(name, text) == full


@pytest.mark.parametrize(("url", "county"), [
    ("http://www.huichang.gov.cn/hcxxxgk/hc1554/202101/157a.shtml", "会昌县"),  # the host spells the county
    ("https://www.jiangning.gov.cn/a.html", "江宁区"),
    ("http://xxgk.huichang.gov.cn/", "会昌县"),
    ("https://www.nanjing.gov.cn/zzb/a.html", ""),  # a city's site names no county
    ("http://www.gov.cn/", ""),
    ("", ""),
])
def test_a_county_site_spells_its_county(url, county):
    assert county_of_site(url) == county


def test_a_township_on_its_county_site_gets_the_county_only_when_the_text_gives_none():
    url = "http://www.huichang.gov.cn/hcxxxgk/hc1554/202101/157a.shtml"
    assert complete_agency("中村乡", "中村乡全面贯彻落实《条例》", url) == "会昌县中村乡人民政府"
    assert complete_agency("中村乡", "由会昌县人民政府中村乡党政办编制", url) == "会昌县中村乡人民政府"
    assert complete_agency("中村乡", "中村乡全面贯彻落实《条例》", "") == "中村乡人民政府"
    assert complete_agency("会昌县统计局", "", url) == "会昌县统计局"


@pytest.mark.parametrize(("lines", "agency", "year"), [
    (["登录 |   注册", "团结乡2020年政府信息公开工作年度报告", "发布日期:2021-01-29    点击数:"], "团结乡人民政府", 2020),
    (["关怀版 无障碍 无障碍", "您当前所在位置: 首页 > 乡镇信息公开 > 中村乡 > 政务信息公开年报",
      "中村乡2020年政府信息公开工作年度报告", "访问量:"], "中村乡人民政府", 2020),
    (["站群导航", "|", "加入收藏", "|", "设为首页", "乌鲁木齐国家高新区(新市区)", "政府信息公开", "全文检索",
      "2022年高新区(新市区)政府信息公开工作年度报告", "来源: 发布时间:2023-01-31 浏览次数: 【字体:"],
     "乌鲁木齐高新技术产业开发区管理委员会(乌鲁木齐市新市区人民政府)", 2022),
])
def test_page_chrome_before_the_title_is_no_name(lines, agency, year):
    meta = read_metadata(blocks(lines))
    assert (meta.agency, meta.year) == (agency, year)


@pytest.mark.parametrize(("lines", "published", "year", "year_from"), [
    # web text copied through NFKC lost the 年: 20201月1日 is 1 January 2020
    (["本报告中所列数据的统计期限自20201月1日起至202012月31日止。", "2021年工作打算。"], "", 2020, "text"),
    (["本报告所列数据统计期限为2025年1月1日至2025年12月31日。", "2026年工作打算。"], "2026-03-10", 2025, "text"),
    (["2022年度我乡未接到申请。", "2023年工作打算。"], "2023-01-20", 2022, "text"),  # XXXX年度 before the date
    (["我乡未接到申请。"], "2023-01-20", 2022, "sources.tsv"),  # the published date minus one
    (["我乡未接到申请。"], "", None, ""),
])
def test_the_year_reported_on_without_a_title(lines, published, year, year_from):
    from index.sources import Source

    meta = read_metadata(blocks(lines), Source(published=published))
    assert (meta.year, meta.year_from) == (year, year_from)
