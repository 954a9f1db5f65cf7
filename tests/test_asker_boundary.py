"""One error boundary: whatever breaks inside, a question gets a polite reply."""

from __future__ import annotations

import pytest

from bot.question import Asker
from bot.question import asker as asker_module
from index.errors import IndexMissing


def test_an_internal_error_becomes_a_polite_reply(seed_index, monkeypatch):
    asker = Asker(seed_index)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(asker_module, "understand", broken)
    answer = asker.ask("文登区2020年收到多少申请")
    assert answer.status == "not_understood" and answer.value is None
    assert "出了错" in answer.text and answer.suggestions


def test_a_missing_index_is_named(tmp_path):
    with pytest.raises(IndexMissing, match="nianbao index build"):
        Asker(tmp_path / "nothing.db")


def test_reload_sees_a_rebuilt_index(seed_index, tmp_path):
    import shutil

    from index.build import build_index

    db = tmp_path / "copy.db"
    shutil.copy(seed_index, db)
    asker = Asker(db)
    assert len(asker.list_reports()) == 5
    only = tmp_path / "one"
    only.mkdir()
    shutil.copy(seed_index.parent / "seeds" / "001_114e84585976705a.txt", only)
    build_index([only], db)
    # the build committed a new generation in place: the Asker reopens by itself
    assert [r["agency"] for r in asker.list_reports()] == ["威海市文登区人民政府"]
    asker.reload()
    assert [r["agency"] for r in asker.list_reports()] == ["威海市文登区人民政府"]
