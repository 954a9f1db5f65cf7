"""The parser version covers exactly what parsing reads: every reader and lexicon file it opens, nothing else."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from index.version import INDEX, PARSING_LEXICON, PARSING_MODULES, parser_version

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# a parse of one file of every format, in a fresh process that records every file it opens
_PROBE = textwrap.dedent("""
    import json, sys
    opened = set()
    sys.addaudithook(lambda event, args: opened.add(str(args[0])) if event == "open" and args else None)
    from index.parse import parse_file
    for path in sys.argv[1:]:
        parse_file(path)
    print(json.dumps({"modules": sorted(m for m in sys.modules if m.startswith(("index", "bot"))),
                      "opened": sorted(opened)}))
""")


@pytest.fixture(scope="module")
def read_by_parsing(tmp_path_factory) -> dict:
    html = tmp_path_factory.mktemp("probe") / "report.html"
    seed = (ROOT / "seeds" / "004_6263b7441e3dec22.txt").read_text(encoding="utf-8")
    rows = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>"
                   for line in seed.splitlines() if "\t" in line)
    html.write_text(f"<html><body><p>{seed.splitlines()[0]}</p><table>{rows}</table></body></html>", encoding="utf-8")
    files = [ROOT / "seeds" / "004_6263b7441e3dec22.txt", html, FIXTURES / "template_2021_format.docx",
             FIXTURES / "huaian_2024.pdf"]
    if importlib.util.find_spec("openpyxl"):  # a spreadsheet too (LibreOffice's .doc goes through the .docx reader)
        render = importlib.import_module("render")
        files.append(html.with_suffix(".xlsx"))
        render.to_xlsx(seed.split("\n"), files[-1])
    done = subprocess.run([sys.executable, "-c", _PROBE, *map(str, files)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_module_parsing_imports_is_in_the_version(read_by_parsing):
    imported = {m.removeprefix("index.") for m in read_by_parsing["modules"] if m.startswith("index.")}
    assert not [m for m in read_by_parsing["modules"] if m.startswith("bot")]  # parsing never reads bot/
    assert imported == set(PARSING_MODULES)


def test_every_lexicon_file_parsing_opens_is_in_the_version(read_by_parsing):
    lexicon = INDEX / "lexicon"
    opened = {Path(p).name for p in read_by_parsing["opened"] if Path(p).parent == lexicon}
    assert opened == set(PARSING_LEXICON)


def test_reply_wording_and_generator_data_are_not_in_the_version():
    assert not {"replies.yaml", "questions.yaml", "agencies.yaml"} & set(PARSING_LEXICON)
    assert not [name for name in PARSING_LEXICON if name.startswith("gen_")]
    assert not [name for name in PARSING_MODULES if name.startswith(("gen", "build", "store"))]


@pytest.mark.parametrize(("changed", "reparses"), [
    ("read_pdf.py", True), ("read_docx.py", True), ("read_doc.py", True), ("read_sheets.py", True), ("sniff.py", True),
    ("tables.py", True), ("limits.py", True),
    ("lexicon/prose.yaml", True), ("lexicon/catalogue.yaml", True),
    ("lexicon/replies.yaml", False), ("lexicon/questions.yaml", False), ("lexicon/gen_tables.yaml", False),
    ("generate.py", False), ("gen_layouts.py", False),
])
def test_a_change_reparses_only_when_parsing_reads_the_file(tmp_path, changed, reparses):
    copy = tmp_path / "index"
    shutil.copytree(INDEX, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = parser_version(copy)
    assert before == parser_version(INDEX)
    with open(copy / changed, "a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    assert (parser_version(copy) != before) is reparses
