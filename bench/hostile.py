"""Index the seeds beside hostile files and print the build's peak memory and wall time (not a test).

    python bench/hostile.py                 # a folder in a temporary directory, default limits
    python bench/hostile.py --json          # the figures as one JSON object

The folder holds the five seeds and: a zip-bomb .docx (over 1 GB expanded, 1 MB on
disk), a PDF of 10,000 pages, a PDF with one 100,000 × 100,000 image, a 60 MB
text file, files whose reader hangs (the NIANBAO_TEST_HANG hook of index.limits:
a .txt, and a .docx, .pdf and .html, which may need OCR but never start it), an
HTML table with rowspan/colspan of 50,000, a link to a file outside the folder,
and two reports of the same name in two sub-folders. The
build runs in a child process; its peak RSS is the larger of that process's
own and its workers' (getrusage RUSAGE_CHILDREN). tests/test_hostile.py runs
the same and asserts the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.limits import HANG_ENV  # noqa: E402

SEEDS = ROOT / "seeds"
TEMPLATE_DOCX = ROOT / "tests" / "fixtures" / "template_2021_format.docx"
HANG_MARKER = "hangs-its-reader"
OUTSIDE_MARKER = "OUTSIDE-SECRET-7f3a"
BOMB_BYTES = 1100 * 1024 * 1024


def make_folder(base: Path) -> Path:
    """base/reports with the seeds and every hostile file; base/outside/secret.txt is what a link points at."""
    reports = base / "reports"
    shutil.copytree(SEEDS, reports)
    seeds = sorted(SEEDS.glob("*.txt"))
    zip_bomb_docx(reports / "bomb.docx")
    many_pages_pdf(reports / "pages.pdf", 10_000)
    huge_image_pdf(reports / "image.pdf", 100_000)
    with open(reports / "big.txt", "wb") as handle:  # 60 MB of report-like text
        block = seeds[0].read_bytes()
        for _ in range(60 * 1024 * 1024 // len(block) + 1):
            handle.write(block)
    shutil.copy(seeds[1], reports / f"{HANG_MARKER}.txt")
    # a hanging reader of each kind OCR may be needed for: killed on the plain budget, as OCR never starts
    shutil.copy(TEMPLATE_DOCX, reports / f"{HANG_MARKER}.docx")
    many_pages_pdf(reports / f"{HANG_MARKER}.pdf", 2)
    (reports / f"{HANG_MARKER}.html").write_text(span_table(3, 3, 1), encoding="utf-8")
    (reports / "spans.html").write_text(span_table(200, 10, 50_000), encoding="utf-8")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(f"root:x:0:0:{OUTSIDE_MARKER}:/root:/bin/bash\n", encoding="utf-8")
    (reports / "passwd.txt").symlink_to(outside / "secret.txt")
    for sub, seed in (("a", seeds[2]), ("b", seeds[3])):
        (reports / sub).mkdir()
        shutil.copy(seed, reports / sub / "report.txt")
    return reports


def zip_bomb_docx(path: Path, expanded: int = BOMB_BYTES) -> None:
    """The template .docx plus one member of `expanded` zero bytes, deflated to about a thousandth of that.

    The member is written by hand from one deflate block repeated (a full flush makes each block
    independent), so making a 1 GB bomb costs a second, not a gigabyte of compression.
    """
    members = []
    with zipfile.ZipFile(TEMPLATE_DOCX) as template:
        for info in template.infolist():
            data = template.read(info)
            packer = zlib.compressobj(6, zlib.DEFLATED, -15)
            members.append((info.filename, packer.compress(data) + packer.flush(), zlib.crc32(data), len(data)))
    chunk = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    count = expanded // len(chunk)
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    members.append(("word/media/zeros.bin", block * count + packer.flush(), crc, count * len(chunk)))
    _write_zip(path, members)


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip of already-deflated members: (name, deflated bytes, crc32, size)."""
    body, directory = bytearray(), bytearray()
    for name, packed, crc, size in members:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(encoded), 0)
        body += encoded + packed
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(packed), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset)
        directory += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file from its numbered objects (1-based, object 1 the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def many_pages_pdf(path: Path, pages: int) -> None:
    """`pages` pages sharing one small content stream: about 60 bytes a page on disk."""
    text = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"
    objects += [page] * pages
    path.write_bytes(_pdf(objects))


def huge_image_pdf(path: Path, side: int) -> None:
    """One page drawing one side × side greyscale image whose stream is a few bytes (never decodable in memory)."""
    pixels = zlib.compress(bytes(1024))
    draw = b"q 500 0 0 500 50 150 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (side, side, len(pixels), pixels),
    ]
    path.write_bytes(_pdf(objects))


def span_table(rows: int, cells: int, span: int) -> str:
    """An HTML page whose one table asks for rowspan and colspan of `span` in every cell."""
    row = "<tr>" + f'<td rowspan="{span}" colspan="{span}">1</td>' * cells + "</tr>"
    return f"<html><body><p>政府信息公开工作年度报告</p><table>{row * rows}</table></body></html>"


_CHILD = """
import json, resource, sys, time
from index.build import build_index
from index.limits import Limits
started = time.perf_counter()
summary = build_index([sys.argv[1]], sys.argv[2], jobs=int(sys.argv[3]), limits=Limits.from_env())
wall = time.perf_counter() - started
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(json.dumps({"wall_s": round(wall, 2), "peak_rss_mb": round(peak / 1024, 1), "summary": summary.as_dict()}))
"""


def measure(reports: Path, db: Path, jobs: int = 2, env: dict | None = None) -> dict:
    """Build the index of `reports` in a child process: wall time, peak RSS (MB) and the build summary."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), HANG_ENV: HANG_MARKER, **(env or {})}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _CHILD, str(reports), str(db), str(jobs)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_wall_s"] = round(time.perf_counter() - started, 2)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nianbao-hostile-") as tmp:
        t0 = time.perf_counter()
        reports = make_folder(Path(tmp))
        made = time.perf_counter() - t0
        figures = measure(reports, Path(tmp) / "index.db", args.jobs)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    summary = figures["summary"]
    print(f"hostile folder made in {made:.1f}s; build with --jobs {args.jobs}:")
    print(f"  wall {figures['wall_s']} s (process {figures['process_wall_s']} s), peak RSS {figures['peak_rss_mb']} MB")
    print(f"  {summary['reports']} reports, {summary['facts']} facts, {len(summary['failed'])} reported:")
    for path, reason in summary["failed"]:
        print(f"    {Path(path).name}: {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
