"""Legacy Word .doc, WPS .wps, RTF and OpenDocument .odt reports → lines, through LibreOffice and the .docx reader.

LibreOffice (headless) converts the file to .docx in a private temporary folder
with its own profile, so two workers converting at once never share one; the
.docx reader then reads it, so tables stay tables. The conversion runs in its
own process group under its own caps (limits.CONVERT_MEMORY_MB of address space,
CPU seconds, and a wall time shorter than the worker's, see `seconds_for`): on
timeout the whole group is killed and the file reported. Without LibreOffice
the file is reported as needing it, never skipped in silence.

A conversion is kept by the SHA-256 of the file's bytes and the LibreOffice it
ran (in NIANBAO_CONVERT_CACHE, default ~/.cache/nianbao/convert), so an
unchanged file is converted once, as a picture is OCR'd once (index.ocr). Only
a conversion that succeeded is kept; a failure is tried again next build. The
folder is kept under NIANBAO_CONVERT_CACHE_MB (index.disk_cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from index import disk_cache, limits
from index.errors import ReportError
from index.read_docx import check_zip, read_docx

NEEDS = "needs LibreOffice (Debian libreoffice-writer-nogui) to read .doc/.wps/.rtf/.odt files: soffice is not on PATH"
# the share of the worker's wall time the conversion may take: the .docx reader needs the rest, and a
# conversion that runs out is then reported as such instead of the worker being killed around it
_SHARE_OF_BUDGET = 0.7
CACHE_ENV = "NIANBAO_CONVERT_CACHE"
CACHE_SIZE_ENV = "NIANBAO_CONVERT_CACHE_MB"  # its cap (index.disk_cache): least recently used go first
# part of a cached conversion's key: a change in how files are converted converts again
CACHE_VERSION = "1"


def read_doc(path: Path) -> list[str]:
    """The document's paragraphs and tables, converted to .docx by LibreOffice and read as one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReportError(path, NEEDS)
    if _suffix(path) == ".odt":
        check_zip(path)  # a zip bomb is refused before LibreOffice inflates it
    cached = _cached(path, soffice)
    if cached.is_file():
        disk_cache.used(cached)
        with contextlib.suppress(FileNotFoundError):  # trimmed by another worker meanwhile: convert again
            return read_docx(cached)
    seconds = seconds_for(path.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        work = Path(tmp)
        # a plain name (the original may hold characters LibreOffice's URL parsing trips on) whose extension
        # agrees with the content: a Word file named .docx or .txt would be opened by the wrong filter
        source = work / f"report{_suffix(path)}"
        shutil.copyfile(path, source)
        out = work / "out"
        command = [soffice, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--nodefault", "--nolockcheck", "--convert-to", "docx:MS Word 2007 XML",
                   "--outdir", str(out), str(source)]
        code, stderr = _convert(command, work, seconds, path)
        converted = out / "report.docx"
        if code != 0:  # a crash: 134 is an abort, what running out of its address space looks like
            raise ReportError(path, f"LibreOffice failed converting it (exit code {code}; its memory cap is "
                                    f"{limits.CONVERT_MEMORY_MB} MB)")
        if not converted.exists():
            said = " ".join(line for line in stderr.splitlines() if "javaldx" not in line)[-200:].strip()
            raise ReportError(path, "LibreOffice cannot open it as a Word/WPS document (corrupt?)"
                              + (f": {said}" if said else ""))
        lines = read_docx(converted)
        _keep(converted, cached)
        return lines


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "nianbao" / "convert")


def _cached(path: Path, soffice: str) -> Path:
    """Where the conversion of this file's bytes by this LibreOffice is kept: the program's path, size and
    time stand for its version (asking `soffice --version` costs a start of LibreOffice)."""
    program = Path(soffice).resolve()
    try:
        info = program.stat()
        identity = f"{program}:{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        identity = str(program)
    digest = hashlib.sha256(f"{CACHE_VERSION};{identity};{_suffix(path)}\0".encode())
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    key = digest.hexdigest()
    return cache_dir() / key[:2] / f"{key}.docx"


def _keep(converted: Path, cached: Path) -> None:
    """Store a conversion the .docx reader has read (so it is within the caps), atomically."""
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        shutil.copyfile(converted, tmp)
        tmp.replace(cached)
        disk_cache.trim(cache_dir(), disk_cache.cap_bytes(CACHE_SIZE_ENV, disk_cache.CONVERT_CACHE_MB))
    except OSError:
        pass  # a read-only home: convert again next time, still correct


def _suffix(path: Path) -> str:
    """.rtf for RTF, .odt for a zip (index.sniff sends only OpenDocument text here), the file's own .doc/.wps
    otherwise (.wps lets LibreOffice try Microsoft Works too), else .doc."""
    with open(path, "rb") as handle:
        head = handle.read(5)
    if head == b"{\\rtf":
        return ".rtf"
    if head.startswith(b"PK\x03\x04"):
        return ".odt"
    suffix = path.suffix.lower()
    return suffix if suffix in (".doc", ".wps") else ".doc"


def seconds_for(size: int) -> float:
    """The wall time a conversion of a file of `size` bytes may take: a share of the worker's."""
    return limits.Limits.from_env().seconds_for(size) * _SHARE_OF_BUDGET


def _convert(command: list[str], work: Path, seconds: float, path: Path) -> tuple[int, str]:
    """Run LibreOffice under its caps: (exit code, stderr), or ReportError when it outlives `seconds`."""
    env = {**os.environ, "HOME": str(work), "TMPDIR": str(work), "SAL_USE_VCLPLUGIN": "svp"}
    with subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          cwd=work, env=env, start_new_session=True, preexec_fn=_caps(seconds)) as process:
        try:
            _, stderr = process.communicate(timeout=seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise ReportError(path, f"LibreOffice did not finish converting it within {seconds:.0f} s") from None
    return process.returncode, stderr.decode("utf-8", "replace")


def _caps(seconds: float):
    """The child's own limits, set between fork and exec. The worker's RLIMIT_AS (its start plus a little)
    would be inherited and is too small for LibreOffice, so the child sets its own; only the soft limit,
    which any process may move up to the hard one."""
    memory = limits.CONVERT_MEMORY_MB * 1024 * 1024
    parent = os.getpid()

    def apply() -> None:
        limits.die_with_parent(parent)  # a worker killed mid-conversion takes LibreOffice's launcher with it
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory if hard == resource.RLIM_INFINITY else min(memory, hard), hard))
        cpu = int(seconds) + 1
        _, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu if hard_cpu == resource.RLIM_INFINITY else min(cpu, hard_cpu),
                                                 hard_cpu))

    return apply


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the conversion's whole process group (soffice starts soffice.bin as its child) and reap it.
    Only before the leader is reaped: until then its pid, and so the group's id, cannot be reused."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
