"""Reply wording lives in lexicon/replies.yaml: every key used and defined, every placeholder filled,
and no Chinese reply text in the question layer's code."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bot.question.compose import replies
from index.catalogue import LEXICON

QUESTION_LAYER = sorted((Path(__file__).resolve().parent.parent / "bot" / "question").glob("*.py"))
CJK = re.compile(r"[\u3400-\u9fff]")

# say("key", …) words a line now; line("key", …) is a line of a Result that compose.render words once
_WORDING_CALLS = ("say", "line")


def _trees():
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in QUESTION_LAYER]


def _key_uses():
    """(key, keyword names or None, where) for say("key", …), replies()["key"] and replies().get("key")."""
    for path, tree in _trees():
        for node in ast.walk(tree):
            where = f"{path.name}:{getattr(node, 'lineno', 0)}"
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in _WORDING_CALLS:
                if node.args and isinstance(node.args[0], ast.Constant):
                    names = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                    yield node.args[0].value, names, where
            elif isinstance(node, ast.Subscript) and _is_replies_call(node.value):
                if isinstance(node.slice, ast.Constant):
                    yield node.slice.value, set(), where
            elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get" \
                    and _is_replies_call(node.func.value) and isinstance(node.args[0], ast.Constant):
                yield node.args[0].value, set(), where


def _is_replies_call(node) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "replies"


def _literals_and_prefixes() -> tuple[set[str], set[str]]:
    literals, prefixes = set(), set()
    for _, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(node.values[0].value)  # f"kind_{fig.kind}" uses every kind_… key
    return literals, prefixes


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_the_code_asks_for_is_defined():
    missing = [(key, where) for key, _, where in _key_uses() if key not in replies()]
    assert missing == []


def test_every_defined_key_is_used():
    literals, prefixes = _literals_and_prefixes()
    unused = [k for k in replies() if k not in literals and not any(p and k.startswith(p) for p in prefixes)]
    assert unused == []


def test_every_say_fills_exactly_the_placeholders_of_its_text():
    wrong = [(key, where, sorted(names ^ _placeholders(replies()[key])))
             for key, names, where in _key_uses()
             if names is not None and key in replies() and names != _placeholders(replies()[key])
             and names]  # replies()[key] read as a whole string is checked by the first test
    assert wrong == []


def test_replies_without_placeholders_are_read_whole():
    # a text with {…} read through replies()["key"] would show the braces to the user
    raw = [(key, where) for key, names, where in _key_uses() if names == set() and _placeholders(replies()[key])]
    assert raw == []


def _chinese_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [f"{path.name}:{node.lineno}: {node.value[:30]}" for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
            and CJK.search(node.value)]


@pytest.mark.parametrize("path", QUESTION_LAYER, ids=lambda p: p.name)
def test_no_chinese_text_in_the_question_layers_code(path):
    # reply wording lives in lexicon/replies.yaml, the words the parser matches in the other lexicon files
    assert _chinese_literals(path) == []


def test_the_reply_file_defines_each_key_once():
    # a key written twice (two branches adding the same note) would silently keep only the last text
    keys = re.findall(r"^([A-Za-z_0-9]+):", (LEXICON / "replies.yaml").read_text(encoding="utf-8"), re.M)
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []
