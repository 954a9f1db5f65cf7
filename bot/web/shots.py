"""Looking at the desk as a reader does: `nianbao browse` on a free loopback port, seen by headless chromium.

Used by tests/test_browse.py and to make the README's screenshot:

    .venv/bin/python -m bot.web.shots --db var/nianbao.db --out docs/browse-wide.png

Debian's chromium (deploy/apt-packages.txt) is driven from its command line
(--dump-dom, --screenshot): no browser download, no driver package.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox will not start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",  # nothing but 127.0.0.1 is reachable, and nothing else should be asked
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
WIDE_TABLE = "/nianbao/report_figures"


def chromium() -> str | None:
    """The headless browser's path, or None where it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium_run(url: str, *extra: str, timeout: float = 30) -> subprocess.CompletedProcess:
    binary = chromium()
    if binary is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="nianbao-chromium-") as profile:  # a fresh profile every time
        cmd = [binary, *FLAGS, f"--user-data-dir={profile}", *extra, url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)


def dump_dom(url: str) -> str:
    """The page's DOM after its scripts ran."""
    return _chromium_run(url, "--dump-dom").stdout


def screenshot(url: str, out: str | Path, width: int = 2200, height: int = 760) -> Path:
    """A PNG of the page; the default size fits the wide table's 21 columns and five seed rows."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _chromium_run(url, f"--screenshot={out}", f"--window-size={width},{height}")
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _browse_command() -> list[str]:
    script = Path(sys.executable).with_name("nianbao")  # the console script beside this Python, as a user runs it
    return [str(script), "browse"] if script.exists() else [sys.executable, "-m", "bot.cli", "browse"]


@contextmanager
def running(db: str | Path, timeout: float = 30) -> Iterator[str]:
    """`nianbao browse` on a free 127.0.0.1 port, as a subprocess; yields its base URL."""
    port = free_port()
    # output to a file, not a pipe nobody reads (a full pipe would stall the server)
    with tempfile.TemporaryFile("w+") as output:
        proc = subprocess.Popen([*_browse_command(), "--db", str(db), "--port", str(port)],
                                stdout=output, stderr=subprocess.STDOUT, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait(proc, base + "/-/metadata.json", timeout, output)
            yield base
        finally:
            proc.terminate()  # uvicorn shuts down on SIGTERM and browse removes its copy
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait(proc: subprocess.Popen, address: str, timeout: float, output) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output.seek(0)
            raise RuntimeError(f"nianbao browse exited with {proc.returncode}: {output.read()}")
        try:
            with urllib.request.urlopen(address, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nianbao browse did not answer {address} within {timeout}s")


def url(base: str, path: str, **params) -> str:
    """A URL with Chinese parameters percent-encoded (servers refuse raw UTF-8 in a request line)."""
    return base + urllib.parse.quote(path) + ("?" + urllib.parse.urlencode(params) if params else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="screenshot of the desk's wide table")
    parser.add_argument("--db", required=True)
    parser.add_argument("--out", default="docs/browse-wide.png")
    args = parser.parse_args(argv)
    with running(args.db) as base:
        print(screenshot(url(base, WIDE_TABLE), args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
