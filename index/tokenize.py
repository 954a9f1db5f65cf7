"""One tokeniser for the index and for questions: jieba with a domain dictionary.

Catalogue words, lexicon/terms.yaml and agency names are added so that
文登区, 政府开放日 and 不予公开 stay whole on both sides of a search.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

import jieba

from index import catalogue
from index.catalogue import LEXICON
from index.yamlfile import read_yaml

_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_lock = threading.Lock()
jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    cat = catalogue.load()
    words: set[str] = set()
    for metric in cat.metrics.values():
        words.update(w for w in metric.words if len(w) >= 2)
    for group in cat.groups.values():
        words.update(w for w in group.words if len(w) >= 2)
    for applicant in [*cat.applicants.values(), *cat.applicant_groups.values()]:
        words.update(w for w in applicant.words if len(w) >= 2)
    data = read_yaml(LEXICON / "terms.yaml")
    words.update(data["terms"])
    return tuple(sorted(words))


@lru_cache(maxsize=1)
def tokenizer() -> jieba.Tokenizer:
    """A private jieba instance with the domain dictionary loaded."""
    tk = jieba.Tokenizer()
    tk.initialize()
    for word in domain_words():
        tk.add_word(word, freq=200_000)
    return tk


_added: set[str] = set()


def add_names(names) -> None:
    """Keep agency names and short names whole from now on."""
    tk = tokenizer()
    with _lock:
        for name in names:
            if name and len(name) >= 2 and name not in _added:
                tk.add_word(name, freq=200_000)
                _added.add(name)


def index_tokens(text: str) -> list[str]:
    """Tokens stored for search: whole words plus their dictionary sub-words."""
    return [t for t in tokenizer().cut_for_search(text) if _WORD.search(t)]


def query_tokens(text: str) -> list[str]:
    """Tokens of a search phrase: precise mode, so a phrase asks for its whole words."""
    return [t for t in tokenizer().cut(text) if _WORD.search(t)]
