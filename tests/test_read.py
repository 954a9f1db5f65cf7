"""index.read: every report file → text lines, and the render helpers that re-lay seeds for tests."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
import render

from index.errors import ReportError
from index.read import _PAGE_NUMBER, SUPPORTED, read_lines, sha256_of

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GBK_SEEDS = [s for s in SEEDS if not s.name.startswith("003")]  # 003 holds Ì and emoji, outside GBK
HUAIAN = ROOT / "tests" / "fixtures" / "huaian_2024.pdf"
TEMPLATE = ROOT / "tests" / "fixtures" / "template_2021_format.docx"
SEED_002 = ROOT / "seeds" / "002_06daf30fbb2e76e1.txt"
SEED_004 = ROOT / "seeds" / "004_6263b7441e3dec22.txt"
SEVEN_BLANKS = "\t" * 7


def file_lines(path: Path) -> list[str]:
    """A UTF-8 file's lines as an editor numbers them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def rows_of(lines: list[str]) -> list[list[str]]:
    """The TAB rows among read lines, split into cells."""
    return [line.split("\t") for line in lines if "\t" in line]


@pytest.fixture(scope="module")
def huaian() -> list[str]:
    """The real Huai'an PDF, read once for the module."""
    return read_lines(HUAIAN)


@pytest.fixture(scope="module")
def template() -> list[str]:
    """The national 2021 Word template, read once for the module."""
    return read_lines(TEMPLATE)


# --- plain text: exact lines, any encoding -----------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_txt_reads_back_exactly_its_lines(seed):
    assert read_lines(seed) == file_lines(seed)


def test_seed_001_keeps_its_399_lines_with_trailing_blanks():
    lines = read_lines(SEEDS[1])
    assert len(lines) == 399
    assert lines[250:253] == ["\t4.无正当理由大量反复申", "", "请"]
    assert lines[-2:] == ["", ""]


def test_crlf_lines_lose_only_the_cr(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes("一、总体情况\r\n\r\n第二行\t3\r\n".encode())
    assert read_lines(path) == ["一、总体情况", "", "第二行\t3"]


def test_form_feed_and_line_separator_do_not_split_lines(tmp_path):
    path = tmp_path / "r.md"
    path.write_text("第一页\x0c第二页\n甲\u2028乙\n", encoding="utf-8")
    assert read_lines(path) == ["第一页\x0c第二页", "甲\u2028乙"]


@pytest.mark.parametrize("seed", GBK_SEEDS, ids=lambda p: p.name[:3])
def test_seed_saved_as_gbk_reads_back_identical(seed, tmp_path):
    path = tmp_path / seed.name
    path.write_bytes(render.to_gbk(seed.read_text(encoding="utf-8")))
    assert read_lines(path) == file_lines(seed)


def test_seed_003_saved_as_gb18030_reads_back_identical(tmp_path):
    seed = SEEDS[3]
    path = tmp_path / seed.name
    path.write_bytes(seed.read_text(encoding="utf-8").encode("gb18030"))
    assert read_lines(path) == file_lines(seed)


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_saved_as_utf8_with_bom_reads_back_identical(seed, tmp_path):
    path = tmp_path / seed.name
    path.write_bytes(b"\xef\xbb\xbf" + seed.read_bytes())
    assert read_lines(path) == file_lines(seed)


@pytest.mark.parametrize(("bom", "byteorder"), [(True, "little"), (True, "big"), (False, "little"), (False, "big")])
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_seed_saved_as_utf16_reads_back_identical(seed, bom, byteorder, tmp_path):
    path = tmp_path / seed.name
    path.write_bytes(render.to_utf16(seed.read_text(encoding="utf-8"), bom=bom, byteorder=byteorder))
    assert read_lines(path) == file_lines(seed)


def test_markdown_rendering_reads_back_as_its_own_lines(tmp_path):
    text = render.to_markdown(file_lines(SEED_004))
    path = tmp_path / "004.md"
    path.write_text(text, encoding="utf-8")
    assert read_lines(path) == text.split("\n")[:-1]


# --- HTML ------------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file holding `text` in `encoding`."""
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_html_rowspan_and_colspan_expand_to_a_full_grid(tmp_path):
    page = """<html><body><p>表三</p><table>
      <tr><td rowspan="2">A</td><td colspan="2">B</td><td>C</td></tr>
      <tr><td>d</td><td>e</td><td>f</td></tr>
      <tr><td colspan="3">g</td><td>h</td></tr>
      <tr><td>i</td><td rowspan="9">j</td></tr>
    </table><p>完</p></body></html>"""
    assert read_lines(write(tmp_path, "t.html", page)) == [
        "表三",
        "",
        "A\tB\t\tC",
        "\td\te\tf",
        "g\t\t\th",
        "i\tj\t\t",
        "",
        "完",
    ]


def test_html_cell_text_is_collapsed_and_trimmed(tmp_path):
    page = (
        "<table><tr><td>  三、本年度\n  办理<br>结果 </td><td>12<b>3</b>&nbsp;</td><td>\u3000４\u3000</td></tr></table>"
    )
    assert read_lines(write(tmp_path, "t.htm", page)) == ["三、本年度 办理 结果\t123\t４"]


def test_html_blocks_become_lines_and_scripts_are_skipped(tmp_path):
    page = """<html><head><title>某区2023年报告</title><style>p{}</style></head><body>
      <h1>一、总体情况</h1><script>var x = "不要";</script>
      <div>第一行<br>第二行<span>续</span></div><ul><li>甲</li><li>乙</li></ul></body></html>"""
    assert read_lines(write(tmp_path, "t.html", page)) == [
        "某区2023年报告",
        "",
        "一、总体情况",
        "",
        "第一行",
        "第二行续",
        "",
        "甲",
        "",
        "乙",
    ]


def test_html_declared_gb2312_is_decoded(tmp_path):
    page = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body><p>淮安市人民政府</p></body></html>'
    assert read_lines(write(tmp_path, "t.html", page, "gbk")) == ["淮安市人民政府"]


def test_html_gbk_without_declaration_is_detected(tmp_path):
    page = "<html><body><p>收到和处理政府信息公开申请情况</p><p>行政复议</p></body></html>"
    assert read_lines(write(tmp_path, "t.html", page, "gbk")) == ["收到和处理政府信息公开申请情况", "", "行政复议"]


def test_html_layout_table_is_walked_as_blocks(tmp_path):
    page = """<table><tr><td><p>二、主动公开政府信息情况</p>
      <table><tr><td>规章</td><td>1</td></tr></table></td></tr></table>"""
    assert read_lines(write(tmp_path, "t.html", page)) == ["二、主动公开政府信息情况", "", "规章\t1"]


def test_html_seed_apply_table_has_rowspans_that_read_back_empty(tmp_path):
    page = render.to_html(file_lines(SEED_004))
    assert '<td rowspan="8">（三）不予公开</td>' in page
    rows = rows_of(read_lines(write(tmp_path, "004.html", page)))
    assert ["", "（三）不予公开", "1.属于国家秘密"] + ["0"] * 7 in rows
    assert ["", "", "3.危及“三安全一稳定”"] + ["0"] * 7 in rows


@pytest.mark.parametrize("fmt", ["html", "docx"])
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_rendered_seed_reads_back_same_paragraphs_and_rows(seed, fmt, tmp_path):
    lines = file_lines(seed)
    path = tmp_path / f"{seed.stem}.{fmt}"
    if fmt == "html":
        path.write_text(render.to_html(lines), encoding="utf-8")
    else:
        render.to_docx(lines, path)
    segments = render.segments(lines)
    expected_text = [" ".join(s.split()) for s in segments if isinstance(s, str) and s.strip()]
    expected_rows = []
    for table in (s for s in segments if not isinstance(s, str)):
        width = max(len(row) for row in table)
        expected_rows += [[" ".join(c.split()) for c in row] + [""] * (width - len(row)) for row in table]
    got = read_lines(path)
    assert [line for line in got if line and "\t" not in line] == expected_text
    assert rows_of(got) == expected_rows


# --- Word ------------------------------------------------------------------------------------------


def test_docx_template_apply_rows_are_ten_cells_with_merged_labels_empty(template):
    start = next(i for i, line in enumerate(template) if line.startswith("（本列数据的勾稽关系"))
    apply = template[start : start + 28]
    assert all(line.count("\t") == 9 for line in apply)
    assert apply[0] == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况" + "\t" * 6
    assert apply[1] == "\t\t\t自然人\t法人或其他组织\t\t\t\t\t总计"
    assert apply[3] == "一、本年新收政府信息公开申请数量\t\t" + SEVEN_BLANKS
    assert apply[5] == "三、本年度办理结果\t（一）予以公开\t" + SEVEN_BLANKS
    assert apply[7] == "\t（三）不予公开\t1.属于国家秘密" + SEVEN_BLANKS
    assert apply[8] == "\t\t2.其他法律行政法规禁止公开" + SEVEN_BLANKS
    assert apply[26] == "\t（七）总计\t" + SEVEN_BLANKS
    assert apply[27] == "四、结转下年度继续办理\t\t" + SEVEN_BLANKS


def test_docx_template_review_table_is_fifteen_columns(template):
    start = template.index("行政复议\t\t\t\t\t行政诉讼" + "\t" * 9)
    assert template[start + 2].split("\t")[5:10] == ["结果 维持", "结果 纠正", "其他 结果", "尚未 审结", "总计"]
    assert template[start + 3] == "\t" * 14


def test_docx_template_paragraphs_are_separated_by_one_blank_line(template):
    assert template[:5] == ["政府信息公开工作年度报告格式模板", "", "一、总体情况", "", "（文字描述）"]


def test_filled_template_reads_back_the_values(tmp_path):
    values = {
        "proactive.rules.issued": 0,
        "proactive.normative_docs.in_force": 16,
        "proactive.penalty.decisions": 1505,
        "proactive.fees.amount": "745.94",
        "apply.new": dict(zip(render.APPLICANTS, [26, 0, 0, 0, 0, 0, 26], strict=True)),
        "apply.denied.state_secret": {"natural": 1, "total": 1},
        **{key: n for n, key in enumerate(render.REVIEW_KEYS, start=1)},
    }
    path = tmp_path / "filled.docx"
    render.fill_template_2021(values, path)
    lines = read_lines(path)
    assert "规章\t0\t\t" in lines
    assert "行政规范性文件\t\t\t16" in lines
    assert "行政处罚\t1505\t\t" in lines
    assert "行政事业性收费\t745.94\t\t" in lines
    assert "一、本年新收政府信息公开申请数量\t\t\t26\t0\t0\t0\t0\t0\t26" in lines
    assert "\t（三）不予公开\t1.属于国家秘密\t1\t\t\t\t\t\t1" in lines
    assert "\t".join(str(n) for n in range(1, 16)) in lines


def test_docx_paragraph_tabs_and_breaks(tmp_path):
    import docx

    document = docx.Document()
    run = document.add_paragraph().add_run("甲\t乙")
    run.add_break()
    run.add_text("\u3000\u3000丙")
    path = tmp_path / "p.docx"
    document.save(str(path))
    assert read_lines(path) == ["甲 乙", "丙"]


def test_docx_nested_table_text_is_flattened_into_its_cell(tmp_path):
    import docx

    document = docx.Document()
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "行政许可"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "12"
    inner.cell(0, 1).text = "件"
    path = tmp_path / "n.docx"
    document.save(str(path))
    assert read_lines(path) == ["行政许可\t12 件"]


def test_docx_one_column_table_is_text(tmp_path):
    import docx

    document = docx.Document()
    box = document.add_table(rows=1, cols=1)
    box.cell(0, 0).text = "第一段"
    box.cell(0, 0).add_paragraph("第二段")
    path = tmp_path / "b.docx"
    document.save(str(path))
    assert read_lines(path) == ["第一段", "", "第二段"]


# --- PDF ---------------------------------------------------------------------------------------------


def test_pdf_huaian_starts_with_the_agency(huaian):
    assert huaian[:2] == ["淮安市人民政府", "2024 年政府信息公开工作年度报告"]
    assert sum("淮安市人民政府" in line for line in huaian) >= 3


def test_pdf_huaian_apply_new_row(huaian):
    assert ["一、本年新收政府信息公开申请数量", "", "", "3001", "53", "0", "0", "61", "4", "3119"] in rows_of(huaian)


def test_pdf_huaian_review_row_of_fifteen(huaian):
    assert "72 64 178 37 351 13 4 8 1 26 12 1 1 6 20".replace(" ", "\t") in huaian


def test_pdf_huaian_cell_line_breaks_are_joined(huaian):
    assert ["三、本年度办理结果", "（一）予以公开", "", "1288", "21", "0", "0", "50", "3", "1362"] in rows_of(huaian)
    assert "\t\t\t\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t" in huaian


def test_pdf_huaian_apply_table_continues_on_the_next_page(huaian):
    first = huaian.index("\t（四）无\t1.本机关不掌握相关政府信息\t746\t12\t0\t0\t10\t1\t769")
    assert huaian[first + 1 : first + 3] == ["", "\t法提供\t2.没有现成信息需要另行制作\t11\t0\t0\t0\t0\t0\t11"]


def test_pdf_huaian_drops_page_numbers(huaian):
    assert not [line for line in huaian if re.fullmatch(r"[-—\s]*\d+[-—\s]*", line)]


@pytest.mark.parametrize(
    "furniture", ["- 1 -", "— 2 —", "－3－", "第 3 页", "第3页 共6页", "共 6 页 第 3 页", "3/6", "3 / 6"]
)
def test_pdf_page_number_patterns(furniture):
    assert _PAGE_NUMBER.match(furniture)


@pytest.mark.parametrize("text", ["2024 年", "一、总体情况", "1.政策文件", "- 说明 -", "12345/6"])
def test_pdf_page_number_patterns_spare_text(text):
    assert not _PAGE_NUMBER.match(text)


def test_pdf_huaian_paragraph_runs_over_the_page_break(huaian):
    end_of_page_1 = huaian.index("业用工和促进返乡人员就业创业专项活动”“建设‘四最’一流")
    assert huaian[end_of_page_1 + 1] == "营商环境高质量推进产业发展”“加快建设长三角北部重要产业"


def test_pdf_huaian_bordered_text_box_is_text(huaian):
    assert "制。报告所列统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日。" in huaian


def test_pdf_huaian_text_and_tables_in_page_order(huaian):
    heading = huaian.index("三、收到和处理政府信息公开申请情况")
    assert huaian[heading - 2 : heading] == ["行政事业性收费\t96171.6", ""]
    assert huaian[heading + 1 : heading + 3] == [
        "",
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t\t\t申请人情况" + "\t" * 6,
    ]


@pytest.mark.skipif(render.cjk_font() is None, reason="no CJK font: apt-get install fonts-wqy-microhei")
def test_rendered_pdf_reads_back_tables_and_text(tmp_path):
    path = tmp_path / "002.pdf"
    render.to_pdf(file_lines(SEED_002), path)
    lines = read_lines(path)
    assert "三、收到和处理政府信息公开申请情况" in lines
    assert "一、本年新收政府信息公开申请数量\t\t0\t0\t0\t0\t0\t0\t0\t" in lines
    assert "\t".join(["", "", "", "", ""] + ["0"] * 10) in lines
    assert "- 1 -" not in lines


# --- bad input --------------------------------------------------------------------------------------


def assert_report_error(path: Path, words: str, **kwargs) -> None:
    """read_lines(path) raises a ReportError that names the file and says `words`."""
    with pytest.raises(ReportError) as caught:
        read_lines(path, **kwargs)
    assert caught.value.path == str(path)
    assert str(path) in str(caught.value)
    assert words in caught.value.reason


def test_missing_file(tmp_path):
    assert_report_error(tmp_path / "none.txt", "file not found")


def test_empty_file(tmp_path):
    assert_report_error(write(tmp_path, "e.txt", ""), "empty")


def test_whitespace_only_file(tmp_path):
    assert_report_error(write(tmp_path, "w.md", " \n\u3000\n\t\n"), "only whitespace")


def test_unsupported_extension_lists_the_supported(tmp_path):
    assert_report_error(write(tmp_path, "r.dps", "x"),
                        "supported: .txt, .md, .html, .htm, .docx, .pdf, .doc, .wps, .rtf, .odt, .xls, .xlsx, .et, .ods")


def test_zero_byte_pdf(tmp_path):
    assert_report_error(write(tmp_path, "r.pdf", ""), "empty (0 bytes)")


def test_corrupt_docx(tmp_path):
    assert_report_error(write(tmp_path, "r.docx", "这不是 zip"), "cannot read as a Word .docx file")


def test_corrupt_pdf(tmp_path):
    assert_report_error(write(tmp_path, "r.pdf", "%PDF-1.4\n垃圾"), "cannot read as a PDF")


def test_oversized_file(tmp_path):
    assert_report_error(SEED_002, "over the limit of 1000 bytes", max_bytes=1000)


def test_random_bytes_txt(tmp_path):
    path = tmp_path / "r.txt"
    path.write_bytes(random.Random(7).randbytes(4096))
    assert_report_error(path, "cannot decode")


def test_pdf_without_text_is_reported_as_scanned(tmp_path):
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    figure = Figure(figsize=(8.27, 11.69))
    figure.add_artist(Line2D([0.1, 0.9], [0.5, 0.5], transform=figure.transFigure))
    path = tmp_path / "scan.pdf"
    figure.savefig(str(path), format="pdf")
    assert_report_error(path, "no extractable text")


def test_html_with_only_scripts_has_no_text(tmp_path):
    assert_report_error(write(tmp_path, "s.html", "<script>var a = 1;</script>"), "no text found in HTML")


# --- the rest of the contract -------------------------------------------------------------------------


def test_supported_extensions():
    assert SUPPORTED == (".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".doc", ".wps", ".rtf", ".odt", ".xls", ".xlsx",
                         ".et", ".ods", ".png", ".jpg", ".jpeg")


def test_sha256_of(tmp_path):
    path = write(tmp_path, "abc.txt", "abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_sha256_of_missing_file_names_it(tmp_path):
    with pytest.raises(ReportError, match="none.txt"):
        sha256_of(tmp_path / "none.txt")


# --- render helpers ------------------------------------------------------------------------------------


def test_segments_reassemble_one_cell_per_line_rows():
    tables = [s for s in render.segments(file_lines(SEEDS[1])) if not isinstance(s, str)]
    assert ["", "", "4.无正当理由大量反复申请"] + ["0"] * 7 in tables[0]
    assert ["", "", "5.要求行政机关确认或重新出具已获取信息"] + ["0"] * 7 in tables[0]
    assert tables[1][2][5:] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2


def test_segments_join_a_cell_broken_without_blank_line():
    tables = [s for s in render.segments(file_lines(SEED_004)) if not isinstance(s, str)]
    assert tables[1][0] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert tables[2][1][:2] == ["结果维持", "结果纠正"]


def test_segments_keep_headings_after_tables_as_text():
    segments = render.segments(file_lines(SEED_004))
    assert "4、 政府信息公开行政复议、行政诉讼情况" in segments
    assert "5、 存在的主要问题及改进情况" in segments


def test_to_markdown_pads_the_header_and_escapes_pipes():
    lines = ["标题", "a\tb|c", "1\t2\t3", "完"]
    assert render.to_markdown(lines) == "标题\n\n| a | b\\|c |  |\n| --- | --- | --- |\n| 1 | 2 | 3 |\n\n完\n"
