"""The caps every report file is parsed under: files are untrusted (harvested, uploaded).

Two layers. The readers refuse what no report needs (a zip that expands past
`UNZIPPED_BYTES`, a PDF of more than `PDF_PAGES` pages, a table grid past
`GRID_CELLS`, more text than `TEXT_CHARS`) with a ReportError that says which
limit. The worker process a file is parsed in (index.workers) is the backstop
for the rest: `Limits.memory_mb` more address space (RLIMIT_AS) than it starts with and
`Limits.seconds` of wall time, after which the file is reported and its worker
replaced. A LibreOffice conversion (index.read_doc) runs under caps of its own:
`CONVERT_MEMORY_MB` and a share of the worker's wall time.

Memory and time can be set with NIANBAO_PARSE_MEMORY_MB and NIANBAO_PARSE_SECONDS.
NIANBAO_TEST_HANG (tests only): a worker asked to parse a file whose name
contains this text sleeps instead, to stand for a reader that never returns.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import time
from dataclasses import dataclass

# what a real report needs, many times over: reports are 5-500 KB of text, tables of 10-30 columns
UNZIPPED_BYTES = 200 * 1024 * 1024  # a .docx's members, declared and as actually decompressed
ZIP_MEMBERS = 5000
PDF_PAGES = 500
IMAGE_PIXELS = 100_000_000  # one image in a PDF (10,000 × 10,000)
# OCR (index.ocr): a page is rendered at OCR_DPI and any picture is read at most OCR_PIXELS (an A4 page at
# 200 dpi is 3.9 million); a PDF of more scanned pages than OCR_PAGES is refused, each page costs seconds
OCR_DPI = 200
OCR_PIXELS = 12_000_000
OCR_PAGES = 60
# a picture file is all OCR: it gets the OCR budget from the start. A PDF, an HTML page or a Word file (and so
# a .doc/.wps/.rtf/.odt) may need OCR too, but most hold text: they start on the plain budget and get the OCR
# one only once the engine starts on a picture (ocr_starts), so one that hangs before that is killed early
OCR_SUFFIXES = (".png", ".jpg", ".jpeg")
PICTURE_BYTES = 20 * 1024 * 1024  # one picture file an HTML report shows
# the OCR engine (onnxruntime, its models, a band of a page) maps about 1 GB of address space: a worker's
# cap is raised by this much while it reads a picture, and afterwards kept above what the engine holds
OCR_MEMORY_MB = 1536
GRID_CELLS = 250_000  # one table's grid once rowspan/colspan are laid out
COLSPAN = 100
TEXT_CHARS = 5_000_000  # a report's text once read
# LibreOffice converting a .doc runs as a child with an address-space cap of its own: it maps ~600 MB to
# convert a small file, more than the worker's cap leaves (index.read_doc)
CONVERT_MEMORY_MB = 2048
HANG_ENV = "NIANBAO_TEST_HANG"


class OverLimit(ValueError):
    """A file asks for more than a limit allows; read_lines turns it into a ReportError naming the file."""


@dataclass(frozen=True)
class Limits:
    """Per-worker caps: address space in MB; wall seconds per file, `seconds` plus `seconds_per_mb` of its
    size (a small file that takes a minute is hostile, a 10 MB PDF may need it), at most `max_seconds`.
    A file being OCR'd (a picture file from the start, another once OCR starts) gets `ocr_seconds` plus
    `ocr_seconds_per_mb`, at most `ocr_max_seconds`: a scanned page takes 10–100 s on one busy core and is
    0.1–0.5 MB."""

    memory_mb: int = 768
    seconds: float = 20.0
    seconds_per_mb: float = 10.0
    max_seconds: float = 300.0
    ocr_seconds: float = 120.0
    ocr_seconds_per_mb: float = 600.0
    ocr_max_seconds: float = 1800.0

    @classmethod
    def from_env(cls) -> Limits:
        return cls(
            memory_mb=int(os.environ.get("NIANBAO_PARSE_MEMORY_MB") or cls.memory_mb),
            seconds=float(os.environ.get("NIANBAO_PARSE_SECONDS") or cls.seconds),
        )

    def seconds_for(self, size: int, path: str | None = None) -> float:
        """The wall time a file of `size` bytes (at `path`, whose type says whether it is a picture) may take
        to start with; see ocr_seconds_for for one that starts OCR."""
        if path is not None and os.path.splitext(str(path))[1].lower() in OCR_SUFFIXES:
            return self.ocr_seconds_for(size)
        return min(self.seconds + self.seconds_per_mb * size / (1024 * 1024), max(self.max_seconds, self.seconds))

    def ocr_seconds_for(self, size: int) -> float:
        """The wall time, counted from its start, a file of `size` bytes may take once it is being OCR'd."""
        ocr = min(self.ocr_seconds + self.ocr_seconds_per_mb * size / (1024 * 1024), self.ocr_max_seconds)
        return max(ocr, self.seconds_for(size))

    def apply(self) -> None:
        """Cap this process's address space at `memory_mb` more than it starts with: a runaway parser gets
        MemoryError instead of the machine's memory. (A worker forked from the bot starts with the bot's
        mappings, most of them shared and untouched; counting them in would starve it.)"""
        cap = _address_space() + self.memory_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


@contextlib.contextmanager
def ocr_memory():
    """Room for the OCR engine under the worker's RLIMIT_AS (see OCR_MEMORY_MB), for OCR only: afterwards the
    cap is the old one plus what the engine still holds (its models stay loaded), so the next file gets the
    headroom every file gets."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        yield
        return
    before = _address_space()
    raised = soft + OCR_MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (raised if hard == resource.RLIM_INFINITY else min(raised, hard), hard))
    try:
        yield
    finally:
        kept = max(0, _address_space() - before)
        restored = soft + kept
        resource.setrlimit(resource.RLIMIT_AS,
                           (restored if hard == resource.RLIM_INFINITY else min(restored, hard), hard))


def _address_space() -> int:
    """This process's virtual size in bytes (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


_ocr_starting: list = []  # in a worker: what tells its parent that OCR starts (index.workers)


def when_ocr_starts(callback) -> None:
    """In a worker: have `callback` called each time the OCR engine is about to read a picture."""
    _ocr_starting[:] = [callback]


def ocr_starts() -> None:
    """The OCR engine is about to read a picture: in a worker, the file gets the OCR budget (see Limits);
    elsewhere nothing."""
    for callback in _ocr_starting:
        callback()


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Have the kernel kill this worker when the process that started it dies (Linux), even mid-parse."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the worker still ends when its pipe closes
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def hang_if_asked(name: str) -> None:
    """The test hook documented above: stand for a reader that never returns."""
    marker = os.environ.get(HANG_ENV)
    if marker and marker in name:
        while True:
            time.sleep(3600)


def fact_cap() -> int:
    """The most facts a report can hold: every cell of the national tables in both formats, each figure
    stated again in prose, and a chart of past years; generous, so only junk (a table pasted 100 times) hits it."""
    from index.catalogue import load

    cat = load()
    cells = len(cat.metrics) * (len(cat.applicants) + len(cat.applicant_groups) + 1)
    cells += sum(len(c) for c in cat.proactive_columns.values()) * max(1, len(cat.proactive_rows))
    cells += len(cat.review_blocks) * max(1, len(cat.review_columns))
    return 3 * cells


def cap_facts(facts: list, warnings: list[str]) -> list:
    """Facts past the cap are junk: repeated figures go first, then whatever still overflows, with a warning."""
    cap = fact_cap()
    if len(facts) <= cap:
        return facts
    seen, unique = set(), []
    for fact in facts:
        key = (fact.metric, fact.applicant, fact.year, fact.value, fact.unit, fact.table, fact.kind)
        if key not in seen:
            seen.add(key)
            unique.append(fact)
    if len(unique) > cap:
        warnings.append(f"{len(unique) - cap} facts past the limit of {cap} a report can hold were dropped")
    if len(unique) < len(facts):
        warnings.append(f"{len(facts) - len(unique)} repeated facts dropped")
    return unique[:cap]
