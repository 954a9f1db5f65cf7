"""Shared fixtures: the seed index, built once per test session.

Tests read it, never write it; a test that builds or breaks an index makes its
own under tmp_path.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
import sqlite_utils

from index.build import build_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _conversion_cache(tmp_path_factory):
    """LibreOffice conversions (index.read_doc) kept for this session only: a test that makes a conversion
    fail must not find a conversion an earlier run kept."""
    from index.read_doc import CACHE_ENV

    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(tmp_path_factory.mktemp("convert-cache"))
    yield
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the five seed reports (a copy, so test runs never touch seeds/)."""
    base = tmp_path_factory.mktemp("seed_index")
    shutil.copytree(SEEDS, base / "seeds")
    db = base / "seeds.db"
    summary = build_index([base / "seeds"], db)
    assert not summary.failed, summary.failed
    return db


@pytest.fixture(scope="session")
def web_index(tmp_path_factory) -> Path:
    """The real web corpus's 40 reports with the sources.tsv a harvester writes (the url; a link title where
    the text never names the agency), as ../shared/eval/check_corpus.py builds them."""
    web = FIXTURES / "corpus" / "web"
    folder = tmp_path_factory.mktemp("web") / "reports"
    folder.mkdir()
    with (folder / "sources.tsv").open("w", encoding="utf-8") as out:
        out.write("file\turl\ttitle\tpublished\n")
        for row in csv.DictReader((web / "SOURCES.tsv").open(encoding="utf-8"), delimiter="\t"):
            shutil.copy(web / "raw" / row["filename"], folder / row["filename"])
            title = f"{row['agency']}{row['year']}年政府信息公开工作年度报告" if row["agency_source"] == "url" else ""
            out.write(f"{row['filename']}\t{row['url']}\t{title}\t\n")
    db = folder.parent / "web.db"
    assert not build_index([folder], db).failed
    return db


@pytest.fixture(scope="session")
def seed_db(seed_index) -> sqlite_utils.Database:
    return sqlite_utils.Database(seed_index)
