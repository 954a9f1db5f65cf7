"""A file's kind is told by its first bytes; the name decides only for text and HTML, which have no signature.

Also the spreadsheet reader's cell and block rules, which need no spreadsheet file.
"""

from __future__ import annotations

import datetime
import shutil
import zipfile
from pathlib import Path

import pytest

from index.read_sheets import cell_text, sheet_blocks
from index.sniff import HEAD_BYTES, sniff, sniff_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def kind(path: Path) -> str:
    return sniff(path, path.suffix.lower())


def test_a_pdf_named_html_is_a_pdf(tmp_path):
    path = tmp_path / "report.html"
    shutil.copy(FIXTURES / "huaian_2024.pdf", path)
    assert kind(path) == "pdf"


def test_a_docx_named_doc_is_a_docx(tmp_path):
    path = tmp_path / "report.doc"
    shutil.copy(FIXTURES / "template_2021_format.docx", path)
    assert kind(path) == "docx"


@pytest.mark.parametrize(("members", "expected"), [
    (["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"], "xlsx"),
    (["OFD.xml", "Doc_0/Document.xml"], "ofd"),
    (["readme.txt"], "unknown"),
    # OpenDocument: the `mimetype` member says which
    ([("mimetype", "application/vnd.oasis.opendocument.text"), "content.xml", "META-INF/manifest.xml"], "odt"),
    ([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), "content.xml"], "ods"),
    ([("mimetype", "application/vnd.oasis.opendocument.presentation"), "content.xml"], "unknown"),
])
def test_a_zip_is_what_its_members_say(tmp_path, members, expected):
    path = tmp_path / "report.doc"
    with zipfile.ZipFile(path, "w") as archive:
        for member in members:
            name, text = member if isinstance(member, tuple) else (member, "<x/>")
            archive.writestr(name, text)
    assert kind(path) == expected


def test_a_broken_zip_is_what_its_name_says_so_its_reader_reports_it(tmp_path):
    path = tmp_path / "report.docx"
    path.write_bytes(b"PK\x03\x04 cut short")
    assert kind(path) == "docx"
    assert kind(path.rename(tmp_path / "report.doc")) == "unknown"


@pytest.mark.parametrize(("head", "name", "expected"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(50), "scan.pdf", "image"),
    (b"\xff\xd8\xff\xe0" + bytes(50), "scan.doc", "image"),
    (b"{\\rtf1\\ansi report}", "report.doc", "rtf"),
    (b"\xef\xbb\xbf  <!DOCTYPE html><html><body><p>x</p>", "report.doc", "html"),
    (b"<HTML><BODY>x", "report.xls", "html"),
    (b"<html><body>x", "report.txt", "text"),  # no signature: a .txt stays text, as it always was
    ("政府信息公开工作年度报告".encode("gbk"), "report.html", "html"),
    ("政府信息公开工作年度报告".encode(), "report.wps", "unknown"),
    (b"%PDF-1.7\n", "report.txt", "pdf"),
    (b"\xd0\xcf\x11\xe0 cut short", "report.xls", "unknown"),
    (b"PK\x03\x04 cut short", "report.odt", "odt"),  # a broken zip is what its name says: its reader says why
    (b"PK\x03\x04 cut short", "report.ods", "ods"),
])
def test_signatures(tmp_path, head, name, expected):
    path = tmp_path / name
    path.write_bytes(head)
    assert kind(path) == expected


def test_a_pdf_header_after_junk_counts_only_under_a_pdf_name(tmp_path):
    data = b"\r\n" * 10 + b"%PDF-1.4\n"
    (tmp_path / "a.pdf").write_bytes(data)
    (tmp_path / "a.doc").write_bytes(data)
    assert (kind(tmp_path / "a.pdf"), kind(tmp_path / "a.doc")) == ("pdf", "unknown")


def test_sniffing_reads_only_the_head_of_a_text_file(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * (HEAD_BYTES * 50))
    reads = []
    real_open = open

    class Counting:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def read(self, n=-1):
            data = self.handle.read(n)
            reads.append(len(data))
            return data

    monkeypatch.setattr("builtins.open", lambda *a, **k: Counting(real_open(*a, **k)))
    assert kind(path) == "text"
    assert sum(reads) == HEAD_BYTES


@pytest.mark.parametrize(("value", "printed"), [
    (5.0, "5"), (3645.0, "3645"), (0.0, "0"), (2.5, "2.5"), (-3.0, "-3"), (12, "12"), ("", ""), (None, ""),
    ("8937 万元", "8937 万元"), (" 行政\n许可 ", "行政 许可"), (True, "TRUE"),
    (datetime.datetime(2020, 1, 6), "2020-01-06"), (datetime.date(2019, 12, 31), "2019-12-31"),
])
def test_cells_read_as_printed(value, printed):
    assert cell_text(value) == printed


def test_a_sheet_is_text_lines_and_tables_on_their_own_grids():
    rows = [
        ["", "年度报告", "", ""],
        ["", "一、总体情况", "", ""],
        ["", "", "", ""],
        ["", "信息内容", "本年新制作数量", ""],
        ["", "规章", "0", ""],
        ["", "规范性文件", "", "16"],
        ["", "", "", ""],
        ["", "", "", "结尾"],
    ]
    assert sheet_blocks(rows) == [
        ["年度报告"], ["一、总体情况"],
        ["信息内容\t本年新制作数量\t", "规章\t0\t", "规范性文件\t\t16"],
        ["结尾"],
    ]


@pytest.mark.parametrize(("data", "name"), [
    ((FIXTURES / "huaian_2024.pdf").read_bytes(), "report.html"),
    ((FIXTURES / "template_2021_format.docx").read_bytes(), "report.doc"),
    (b"\xd0\xcf\x11\xe0 cut short", "report.doc"),
    (b"<HTML><BODY>x", "report.xls"),
    ("政府信息公开工作年度报告".encode("gbk"), "report.html"),
])
def test_bytes_not_on_disk_are_told_as_the_same_bytes_in_a_file(tmp_path, data, name):
    """sniff_bytes (the harvester's downloads) and sniff (the index's files) are one sniffer."""
    path = tmp_path / name
    path.write_bytes(data)
    assert sniff_bytes(data, path.suffix) == kind(path)
