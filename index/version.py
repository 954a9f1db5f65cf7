"""The parser version: a digest of everything that decides what a file's facts are.

When it changes, the next build parses every file again. It covers every index
module parsing imports (every reader included) and every lexicon file parsing
reads, plus the versions of the libraries that turn .pdf/.docx/.html/.xls(x) into text.
(LibreOffice, which turns .doc into .docx, is a program, not a library: its
version is not in the digest.)
It leaves out what parsing never reads, so a change there re-parses nothing:
reply wording and question words (lexicon/replies.yaml, questions.yaml,
agencies.yaml, bot/), the generator (generate.py, gen_*.py, lexicon/gen_*.yaml)
and the build's own plumbing. tests/test_version.py checks both lists against
what a parse of every format actually imports and opens.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

INDEX = Path(__file__).parent
# bump to re-parse everything for a reason no file below shows (a change in how facts are stored)
PARSER_VERSION = "2"
PARSING_MODULES = (
    "align", "catalogue", "cells", "checks", "disk_cache", "errors", "facts", "gazetteer", "history", "layout", "limits",
    "metadata",
    "ocr", "ocr_fill", "old_table", "parse", "prose", "read", "read_blocks", "read_doc", "read_docx", "read_html",
    "read_pdf", "read_sheets", "read_text", "recover", "runs", "runs_text", "sections", "sniff", "sources", "tables",
    "template", "tokenize", "yamlfile",
)
PARSING_LEXICON = ("catalogue.yaml", "metadata.yaml", "prose.yaml", "sections.yaml", "terms.yaml",
                   "gazetteer.tsv", "places.yaml")
PARSING_LIBRARIES = ("pdfplumber", "pdfminer.six", "python-docx", "lxml", "selectolax", "jieba", "charset-normalizer", "pypinyin",
                     "python-calamine",
                     # OCR (index.ocr): the engine, its runtime, and the renderer of scanned pages
                     "rapidocr", "onnxruntime", "pypdfium2")


def parser_version(index: Path = INDEX, salt: str = PARSER_VERSION) -> str:
    """16 hex digits that change when any parsing module, parsing lexicon file or reader library changes."""
    digest = hashlib.sha256(salt.encode())
    for name in PARSING_MODULES:
        digest.update(name.encode() + b"\0" + (index / f"{name}.py").read_bytes())
    for name in PARSING_LEXICON:
        digest.update(name.encode() + b"\0" + (index / "lexicon" / name).read_bytes())
    for library in PARSING_LIBRARIES:
        try:
            digest.update(f"{library}=={metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library} missing".encode())
    return digest.hexdigest()[:16]
