"""The command line as a newcomer meets it: one line in, one JSON line out; a clear line, never a traceback."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import batch_lines, json_line

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}
ENV.pop("NIANBAO_TRACEBACK", None)
ENV.pop("NIANBAO_DB", None)


def nianbao(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=ENV, input=stdin)


def test_batch_splits_on_newline_only_and_keeps_undecodable_lines_in_place():
    data = "文登区2020年收到多少申请\n工信局\u20282020年\x0c收到多少申请\r\n".encode() + b"\xff\xfe\n\xe6\x96"
    lines = batch_lines(data)
    assert [n for n, _ in lines] == [1, 2, 3, 4]
    assert lines[0][1] == "文登区2020年收到多少申请"
    assert lines[1][1] == "工信局\u20282020年\x0c收到多少申请"  # the \r of a Windows line end goes, the rest stays
    assert isinstance(lines[2][1], UnicodeDecodeError)
    assert isinstance(lines[3][1], UnicodeDecodeError)  # a character cut off at the end of the file
    assert batch_lines(b"") == []
    assert [q for _, q in batch_lines(b"\xef\xbb\xbfa\n\nb\n")] == ["a", "", "b"]  # a BOM goes; an empty line stays


def test_a_json_line_is_one_line_for_any_reader():
    line = json_line({"question": "a\u2028b\u2029c\x85d\x0ce"})
    assert len(line.splitlines()) == 1
    assert json.loads(line)["question"] == "a\u2028b\u2029c\x85d\x0ce"


def test_batch_gives_one_answer_per_line_in_order(seed_index, tmp_path):
    questions = ["文登区2020年收到多少申请", "工信局\u20282020年收到多少申请", None, "文登区2020年\x0c收到多少申请"]
    batch = tmp_path / "q.txt"
    batch.write_bytes(b"\n".join(b"\xff\xfe\xfa" if q is None else q.encode() for q in questions) + b"\n")
    done = nianbao("ask", "--batch", str(batch), "--db", str(seed_index), "--json")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(out) == 4
    assert [o["question"] for o in out] == questions
    assert out[2]["status"] == "error" and out[2]["line"] == 3 and "UTF-8" in out[2]["error"]
    assert out[0]["value"] == out[3]["value"] == 42  # the form feed did not cut the question in two


@pytest.fixture(scope="module")
def broken(seed_index, tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("broken")
    (base / "folder").mkdir()
    (base / "random.db").write_bytes(os.urandom(8192))
    (base / "truncated.db").write_bytes(seed_index.read_bytes()[:20_000])
    (base / "empty.db").write_bytes(b"")
    (base / "batch.txt").write_text("文登区2020年收到多少申请\n", encoding="utf-8")
    shutil.copy(seed_index, base / "good.db")
    return base


ERROR_PATHS = {
    "missing batch file": ("ask", "--batch", "{b}/no-such.txt", "--db", "{b}/good.db"),
    "batch file is a folder": ("ask", "--batch", "{b}/folder", "--db", "{b}/good.db"),
    "--db is a folder": ("ask", "文登区2020年收到多少申请", "--db", "{b}/folder"),
    "random bytes": ("ask", "文登区2020年收到多少申请", "--db", "{b}/random.db"),
    "truncated index": ("ask", "文登区2020年收到多少申请", "--db", "{b}/truncated.db"),
    "empty file as index": ("facts", "--db", "{b}/empty.db"),
    "facts of random bytes": ("facts", "--db", "{b}/random.db"),
    "reports of a truncated index": ("reports", "--db", "{b}/truncated.db"),
    "batch on random bytes": ("ask", "--batch", "{b}/batch.txt", "--db", "{b}/random.db", "--json"),
    "missing index": ("ask", "文登区2020年收到多少申请", "--db", "{b}/none.db"),
    "building into a folder": ("index", "build", str(ROOT / "seeds"), "--db", "{b}/folder"),
    "building where nothing can be written": ("index", "build", str(ROOT / "seeds"), "--db", "/proc/nianbao.db"),
    "chat on a folder": ("chat", "--db", "{b}/folder"),
    "chat on random bytes": ("chat", "--db", "{b}/random.db"),
    "browse a truncated index": ("browse", "--db", "{b}/truncated.db", "--port", "0"),
    "generating into /proc": ("gen", "--reports", "1", "--out", "/proc/nianbao-gen"),
    "browse on a port that does not exist": ("browse", "--db", "{b}/good.db", "--port", "99999"),
}


@pytest.mark.parametrize("name", ERROR_PATHS)
def test_error_paths_print_one_line_and_exit_non_zero(broken, name):
    args = [a.format(b=broken) for a in ERROR_PATHS[name]]
    done = nianbao(*args)
    assert done.returncode != 0, (name, done.stdout)
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    if "usage:" in done.stderr:  # argparse's refusal: the usage line, then the problem
        lines = lines[-1:]
    assert len(lines) == 1 and lines[0].startswith("nianbao"), done.stderr
    # the line names what is wrong: the path or value given
    named = [a for a in args if a.startswith(str(broken)) or a.startswith("/proc") or a == "99999"]
    assert any(Path(a).name in lines[0] for a in named), lines[0]


def test_chat_survives_a_line_that_is_not_utf8_and_a_stray_enter(seed_index):
    command = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())", "chat", "--db",
               str(seed_index)]
    typed = b"\xff\xfe\n\n" + "文登区2020年收到多少申请\n".encode()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, timeout=120, env=ENV, input=typed)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr.decode()
    assert "42件" in done.stdout.decode()
