"""Office formats: each tabled seed and the 淮安 PDF, rendered as .doc, .wps, .xlsx, .xls, .odt, .ods and .et,
give the same facts.

The test renders them itself: tests/render.py writes a .docx and an .xlsx from
the report's lines (for the PDF, the lines the index reads from it), and
LibreOffice saves those as .doc and .xls, and as OpenDocument .odt and .ods. A
.doc under a .wps name stands in for a WPS file (Kingsoft's format is
Word-binary compatible), an .xls under an .et name for a WPS spreadsheet. All are indexed in one
`index build` with two workers, so two conversions run at once, each under the
per-file caps. Then: files named for what they are not, broken files and a
conversion that hangs, each reported by name while the rest index.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from index.build import build_index
from index.read import read_lines

render = pytest.importorskip("render", reason="tests/render.py (the readers' render helpers) is not there yet")
pytest.importorskip("openpyxl", reason="the test writes .xlsx files with openpyxl (pip install -e .[test])")
pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice is not installed (Debian libreoffice-writer-nogui)")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
PDF = ROOT / "tests" / "fixtures" / "huaian_2024.pdf"
TABLED = ("000_45e9b68dfabc38a8", "001_114e84585976705a", "002_06daf30fbb2e76e1", "004_6263b7441e3dec22")
RENDERED = (".doc", ".wps", ".xlsx", ".xls", ".odt", ".ods", ".et")
TABLES = ("表二", "表三", "表四")


def soffice_convert(files: list[Path], to: str, outdir: Path, profile: Path) -> None:
    """Save files in another format with LibreOffice, all in one run (it starts in seconds, converts in less)."""
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                    "--convert-to", to, "--outdir", str(outdir), *map(str, files)],
                   check=True, capture_output=True, timeout=300)
    missing = [f.name for f in files if not (outdir / f"{f.stem}.{to.split(':')[0]}").exists()]
    assert not missing, f"LibreOffice did not write {to} for {missing}"


def sources() -> dict[str, list[str]]:
    """Each original's lines: a seed's as written, the PDF's as the index reads them with each paragraph's
    wrapped lines joined again (a Word author types a paragraph, not the lines a PDF page broke it into)."""
    lines = {stem: (SEEDS / f"{stem}.txt").read_text(encoding="utf-8").split("\n") for stem in TABLED}
    lines["huaian"] = unwrapped(read_lines(PDF))
    return lines


def unwrapped(lines: list[str]) -> list[str]:
    """Runs of text lines (no TAB) between blank lines joined into one line each; table rows kept."""
    out: list[str] = []
    for line in lines:
        if line.strip() and "\t" not in line and out and out[-1].strip() and "\t" not in out[-1]:
            out[-1] = render.glue(out[-1], line.strip())
        else:
            out.append(line)
    return out


def to_docx(lines: list[str], path: Path) -> None:
    """tests/render.py's .docx, ending in a paragraph as every Word document does (LibreOffice's .doc
    export turns a table left as the last thing in the body into text)."""
    import docx

    render.to_docx(lines, path)
    document = docx.Document(str(path))
    document.add_paragraph("")
    document.save(str(path))


@pytest.fixture(scope="module")
def office_index(tmp_path_factory) -> tuple[sqlite_utils.Database, object, Path]:
    """One index of the originals and their .doc/.wps/.xlsx/.xls renderings, built with two workers."""
    base = tmp_path_factory.mktemp("office")
    work, reports = base / "work", base / "reports"
    work.mkdir()
    reports.mkdir()
    for stem, lines in sources().items():
        to_docx(lines, work / f"{stem}.docx")
        render.to_xlsx(lines, work / f"{stem}.xlsx")
    soffice_convert(sorted(work.glob("*.docx")), "doc:MS Word 97", work, base / "profile")
    soffice_convert(sorted(work.glob("*.xlsx")), "xls:MS Excel 97", work, base / "profile")
    soffice_convert(sorted(work.glob("*.docx")), "odt", work, base / "profile")
    soffice_convert(sorted(work.glob("*.xlsx")), "ods", work, base / "profile")
    for stem in TABLED:
        shutil.copy(SEEDS / f"{stem}.txt", reports / f"{stem}.txt")
    shutil.copy(PDF, reports / "huaian.pdf")
    for path in work.iterdir():
        if path.suffix in (".doc", ".xlsx", ".xls", ".odt", ".ods"):
            shutil.copy(path, reports / path.name)
        if path.suffix == ".doc":
            shutil.copy(path, reports / f"{path.stem}.wps")
        if path.suffix == ".xls":
            shutil.copy(path, reports / f"{path.stem}.et")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NIANBAO_PARSE_SECONDS", "60")  # 2-core machines shared by many test runs: no flaky timeouts
        summary = build_index([reports], base / "office.db", jobs=2)
    return sqlite_utils.Database(base / "office.db"), summary, reports


def facts_of(db: sqlite_utils.Database, file: str) -> tuple[set, set]:
    """(table cells, prose figures) of one indexed file, without the lines they sit on."""
    rows = list(db.query("select * from facts where file = ?", [file]))
    cells = {(r["metric"], r["applicant"], r["value"], r["raw"], r["kind"], r["unit"], r["source_table"])
             for r in rows if r["source_table"] in TABLES}
    prose = {(r["metric"], r["applicant"], r["value"], r["unit"], r["approx"])
             for r in rows if r["source_table"] not in TABLES}
    return cells, prose


@pytest.mark.slow
def test_every_rendering_indexes(office_index):
    _, summary, _ = office_index
    assert summary.failed == []
    assert summary.added == 5 + 5 * len(RENDERED)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", RENDERED)
@pytest.mark.parametrize("stem", [*TABLED, "huaian"], ids=lambda s: s[:3])
def test_same_facts_as_the_original(office_index, stem, suffix):
    db, _, _ = office_index
    original = f"{stem}.pdf" if stem == "huaian" else f"{stem}.txt"
    cells, prose = facts_of(db, f"{stem}{suffix}")
    want_cells, want_prose = facts_of(db, original)
    assert len(want_cells) > 100  # every original has its tables
    assert cells == want_cells
    assert prose == want_prose


@pytest.mark.slow
def test_sheet_numbers_read_as_printed(office_index):
    """Excel stores 3645 as the float 3645.0; it comes back as printed, and 8937 万元 stays text."""
    db, _, _ = office_index
    rows = {r["metric"]: r["raw"] for r in db.query(
        "select metric, raw from facts where file = '000_45e9b68dfabc38a8.xls' and source_table = '表二'")}
    assert (rows["proactive.licensing.decisions"], rows["proactive.procurement.amount"]) == ("3645", "8937 万元")


# --- names that lie, broken files, a conversion that hangs ------------------------------------------------


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> Path:
    """Seed 000 as .txt, .docx, .doc, .rtf, .odt, .xlsx, .xls and .ods, and the PDF: what the tests below
    mislabel and break."""
    folder = tmp_path_factory.mktemp("samples")
    lines = (SEEDS / f"{TABLED[0]}.txt").read_text(encoding="utf-8").split("\n")
    shutil.copy(SEEDS / f"{TABLED[0]}.txt", folder / f"{TABLED[0]}.txt")
    shutil.copy(PDF, folder / "huaian.pdf")
    to_docx(lines, folder / f"{TABLED[0]}.docx")
    render.to_xlsx(lines, folder / f"{TABLED[0]}.xlsx")
    soffice_convert([folder / f"{TABLED[0]}.docx"], "doc:MS Word 97", folder, folder / "profile")
    soffice_convert([folder / f"{TABLED[0]}.xlsx"], "xls:MS Excel 97", folder, folder / "profile")
    soffice_convert([folder / f"{TABLED[0]}.docx"], "rtf:Rich Text Format", folder, folder / "profile")
    soffice_convert([folder / f"{TABLED[0]}.docx"], "odt", folder, folder / "profile")
    soffice_convert([folder / f"{TABLED[0]}.xlsx"], "ods", folder, folder / "profile")
    shutil.rmtree(folder / "profile")
    return folder


def test_files_named_for_what_they_are_not_are_read_as_what_they_are(rendered, tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_PARSE_SECONDS", "60")
    folder = tmp_path / "mislabelled"
    folder.mkdir()
    seed = TABLED[0]
    shutil.copy(rendered / f"{seed}.doc", folder / "doc_named.docx")
    shutil.copy(rendered / "huaian.pdf", folder / "pdf_named.html")
    to_docx((SEEDS / f"{seed}.txt").read_text(encoding="utf-8").split("\n"), folder / "docx_named.doc")
    shutil.copy(rendered / f"{seed}.xlsx", folder / "xlsx_named.xls")
    shutil.copy(rendered / f"{seed}.xls", folder / "xls_named.doc")  # an OLE2 file: its directory tells Excel
    shutil.copy(rendered / f"{seed}.rtf", folder / "rtf_named.doc")  # as many portals' "Word" attachments are
    shutil.copy(rendered / f"{seed}.odt", folder / "odt_named.docx")
    shutil.copy(rendered / f"{seed}.ods", folder / "ods_named.xlsx")
    shutil.copy(rendered / f"{seed}.xlsx", folder / "xlsx_named.ods")
    (folder / "html_named.doc").write_text(
        render.to_html((SEEDS / f"{seed}.txt").read_text(encoding="utf-8").split("\n")), encoding="utf-8")
    db_path = tmp_path / "m.db"
    summary = build_index([folder, rendered / f"{seed}.txt", rendered / "huaian.pdf"], db_path, jobs=2)
    assert summary.failed == []
    db = sqlite_utils.Database(db_path)
    want, pdf = facts_of(db, f"{seed}.txt")[0], facts_of(db, "huaian.pdf")[0]
    for name in ("doc_named.docx", "docx_named.doc", "xlsx_named.xls", "xls_named.doc", "rtf_named.doc",
                 "html_named.doc", "odt_named.docx", "ods_named.xlsx", "xlsx_named.ods"):
        assert facts_of(db, name)[0] == want, name
    assert facts_of(db, "pdf_named.html")[0] == pdf


def _broken(folder: Path, rendered: Path) -> None:
    """A corrupt .doc (a real one cut short and scrambled), a zero-byte .xls, random bytes as .wps and as
    .xlsx, a zip named .doc, an OFD, a PNG named .pdf, an .odt and an .ods cut short, random bytes as .et."""
    doc = (rendered / f"{TABLED[0]}.doc").read_bytes()
    scrambled = bytearray(doc[:len(doc) // 3])
    rnd = random.Random(12)
    for i in range(600, len(scrambled), 7):
        scrambled[i] = rnd.randrange(256)
    (folder / "corrupt.doc").write_bytes(bytes(scrambled))
    (folder / "empty.xls").write_bytes(b"")
    (folder / "random.wps").write_bytes(random.Random(5).randbytes(5000))
    (folder / "random.xlsx").write_bytes(random.Random(6).randbytes(5000))
    with zipfile.ZipFile(folder / "report.ofd", "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD xmlns:ofd='http://www.ofdspec.org/2016'/>")
    with zipfile.ZipFile(folder / "archive.doc", "w") as archive:
        archive.writestr("readme.txt", "not a report")
    (folder / "scan.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    for suffix in (".odt", ".ods"):
        data = (rendered / f"{TABLED[0]}{suffix}").read_bytes()
        (folder / f"cut{suffix}").write_bytes(data[:len(data) // 2])
    (folder / "random.et").write_bytes(random.Random(7).randbytes(5000))


def test_broken_files_get_a_clear_reason_and_the_rest_index(rendered, tmp_path, monkeypatch):
    monkeypatch.setenv("NIANBAO_PARSE_SECONDS", "60")
    folder = tmp_path / "broken"
    folder.mkdir()
    _broken(folder, rendered)
    shutil.copy(rendered / f"{TABLED[0]}.doc", folder / "good.doc")
    shutil.copy(rendered / f"{TABLED[0]}.xls", folder / "good.xls")
    summary = build_index([folder], tmp_path / "b.db", jobs=2)
    reasons = {Path(path).name: reason for path, reason in summary.failed}
    assert summary.added == 2
    assert set(reasons) == {"corrupt.doc", "empty.xls", "random.wps", "random.xlsx", "report.ofd", "archive.doc",
                            "scan.pdf", "cut.odt", "cut.ods", "random.et"}
    assert "LibreOffice cannot open it" in reasons["corrupt.doc"]
    assert "empty (0 bytes)" in reasons["empty.xls"]
    assert "its first bytes match no known format" in reasons["random.wps"]
    assert "its first bytes match no known format" in reasons["random.xlsx"]
    assert "its first bytes match no known format" in reasons["archive.doc"]
    assert reasons["report.ofd"].startswith("OFD is not read yet")
    assert "cannot read as an OpenDocument .odt file (corrupt?): BadZipFile" in reasons["cut.odt"]
    assert "cannot read as an OpenDocument .ods spreadsheet (corrupt?): BadZipFile" in reasons["cut.ods"]
    assert "its first bytes match no known format" in reasons["random.et"]
    # a PNG named .pdf is read as the picture it is: OCR when installed, else "needs the OCR extra"
    assert "cannot read as an image" in reasons["scan.pdf"] or "needs the OCR extra" in reasons["scan.pdf"]


def _fake_soffice(folder: Path, body: str) -> None:
    folder.mkdir()
    fake = folder / "soffice"
    fake.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    fake.chmod(0o755)


def test_a_hanging_conversion_is_killed_with_its_group_and_reported(rendered, tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    # the fake starts a child of its own, as soffice starts soffice.bin, and both hang
    _fake_soffice(tmp_path / "bin", f"sleep 300 & echo $! >> {pids}\necho $$ >> {pids}\nwait")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NIANBAO_PARSE_SECONDS", "4")
    folder = tmp_path / "hang"
    folder.mkdir()
    shutil.copy(rendered / f"{TABLED[0]}.doc", folder / "hangs.doc")
    shutil.copy(rendered / f"{TABLED[0]}.txt", folder / "fine.txt")
    summary = build_index([folder], tmp_path / "h.db")
    reasons = {Path(path).name: reason for path, reason in summary.failed}
    assert summary.added == 1
    assert list(reasons) == ["hangs.doc"]
    assert "LibreOffice did not finish converting it within" in reasons["hangs.doc"]
    for pid in map(int, pids.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_without_libreoffice_a_doc_is_reported_as_needing_it(rendered, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    folder = tmp_path / "none"
    folder.mkdir()
    shutil.copy(rendered / f"{TABLED[0]}.doc", folder / "report.wps")
    shutil.copy(rendered / f"{TABLED[0]}.xlsx", folder / "report.xlsx")
    summary = build_index([folder], tmp_path / "n.db")
    reasons = {Path(path).name: reason for path, reason in summary.failed}
    assert summary.added == 1  # the spreadsheet needs no LibreOffice
    assert "needs LibreOffice (Debian libreoffice-writer-nogui)" in reasons["report.wps"]


def test_libreoffice_runs_under_a_memory_cap_of_its_own(rendered, monkeypatch, tmp_path):
    """Its cap is set in the child (the worker's own would be inherited otherwise): too small a cap is a
    clear failure for that file, not a hang or a dead worker."""
    from index import limits, read_doc
    from index.errors import ReportError

    monkeypatch.setenv(read_doc.CACHE_ENV, str(tmp_path / "cache"))  # converted afresh, not kept from a test before
    monkeypatch.setattr(limits, "CONVERT_MEMORY_MB", 150)
    with pytest.raises(ReportError) as raised:
        read_lines(rendered / f"{TABLED[0]}.doc")
    assert "LibreOffice failed converting it (exit code" in raised.value.reason
    assert "its memory cap is 150 MB" in raised.value.reason


def test_an_unchanged_file_is_converted_once(rendered, tmp_path, monkeypatch):
    from index import read_doc
    from index.errors import ReportError

    cache = tmp_path / "cache"
    monkeypatch.setenv(read_doc.CACHE_ENV, str(cache))
    # the cache is kept under its cap: an entry unused for an hour goes, the one just made stays
    monkeypatch.setenv(read_doc.CACHE_SIZE_ENV, "0.001")
    (cache / "00").mkdir(parents=True)
    old = cache / "00" / "old.docx"
    old.write_bytes(bytes(4096))
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    shutil.copy(rendered / f"{TABLED[0]}.doc", tmp_path / "first.doc")
    first = read_lines(tmp_path / "first.doc")
    assert len(list(cache.rglob("*.docx"))) == 1 and not old.exists()
    (kept,) = cache.rglob("*.docx")
    os.utime(kept, (time.time() - 3600, time.time() - 3600))
    started: list[str] = []
    monkeypatch.setattr(read_doc, "_convert", lambda command, *_: started.append(command[-1]) or (1, ""))
    # the same bytes under another name: read from the kept conversion, LibreOffice not started
    shutil.copy(rendered / f"{TABLED[0]}.doc", tmp_path / "again.doc")
    assert read_lines(tmp_path / "again.doc") == first
    assert started == []
    assert time.time() - kept.stat().st_mtime < 60  # a hit is a use: it is the last to go
    # other bytes are converted (here by the stand-in, which fails: a failure is not kept)
    (tmp_path / "changed.doc").write_bytes((rendered / f"{TABLED[0]}.doc").read_bytes() + b"\0")
    for _ in range(2):
        with pytest.raises(ReportError, match="LibreOffice failed converting it"):
            read_lines(tmp_path / "changed.doc")
    assert len(started) == 2
    assert len(list(cache.rglob("*.docx"))) == 1


@pytest.mark.parametrize("suffix", [".odt", ".ods"])
def test_an_opendocument_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch, suffix):
    from index import limits, read_doc
    from index.errors import ReportError

    monkeypatch.setattr(limits, "UNZIPPED_BYTES", 1 << 20)
    monkeypatch.setattr(read_doc, "_convert", lambda *_: pytest.fail("LibreOffice started on a zip bomb"))
    path = tmp_path / f"bomb{suffix}"
    kind = "text" if suffix == ".odt" else "spreadsheet"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", f"application/vnd.oasis.opendocument.{kind}", zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<x>" + b" " * (2 << 20) + b"</x>")  # 2 MB that deflate to 2 KB
    assert path.stat().st_size < 10_000
    with pytest.raises(ReportError, match=r"expands to \d+ bytes \(declared\), over the limit of 1048576 bytes"):
        read_lines(path)
