"""The metric catalogue: one source of names for the parser and the question layer.

Loaded once from ``lexicon/catalogue.yaml``. Code speaks canonical keys
(``apply.new``, ``natural``); Chinese labels and synonyms stay in the data file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz

from index.yamlfile import read_yaml

LEXICON = Path(__file__).with_name("lexicon")

TABLE_PROACTIVE = "表二"
TABLE_APPLY = "表三"
TABLE_REVIEW = "表四"
TABLE_OLD = "统计表"  # the 2008–2018 reports' own 政府信息公开情况统计表
PROSE = "正文"
# the table format of a report that prints the pre-2019 statistics table
OLD_FORMAT = "2008"
# a row's 历年累计 value: its own metric, never the year's figure
CUMULATIVE = ".cumulative"


@dataclass(frozen=True)
class Metric:
    key: str
    table: str
    label: str
    unit: str = "件"
    formats: tuple[str, ...] = ("2019", "2021")
    words: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    parent: str = ""
    money: bool = False
    # the table row and column the figure sits in, in words (for "where it stands")
    row_label: str = ""
    column_label: str = ""
    # an old-table metric: the 2019/2021 metric a trend continues with, and whether it means the same
    series: str = ""
    same: bool = True


@dataclass(frozen=True)
class Group:
    """A total no table row holds: the sum of its parts."""

    key: str
    label: str
    parts: tuple[str, ...]
    words: tuple[str, ...] = ()
    formats: tuple[str, ...] = ("2019", "2021")
    unit: str = "件"


@dataclass(frozen=True)
class Applicant:
    key: str
    label: str
    header: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()


def _memo(method):
    """Remember a matcher's answer per label: the same few hundred labels recur in every report."""
    name = method.__name__

    @functools.wraps(method)
    def wrapper(self, *args):
        cache = self.memo.setdefault(name, {})
        if args not in cache:
            if len(cache) > 100_000:  # noisy labels must not grow memory without bound
                cache.clear()
            cache[args] = method(self, *args)
        return cache[args]

    return wrapper


@dataclass
class Catalogue:
    metrics: dict[str, Metric] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    applicants: dict[str, Applicant] = field(default_factory=dict)
    applicant_groups: dict[str, Applicant] = field(default_factory=dict)
    proactive_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    proactive_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review_columns: tuple[str, ...] = ()
    review_blocks: tuple[str, ...] = ()
    # header words of 表四 (block or group key → words) and of the tables themselves
    review_block_header: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review_column_header: dict[str, tuple[str, ...]] = field(default_factory=dict)
    table_headers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # question words naming a 表四 block (review, litigation.direct, litigation …) or column (upheld …)
    review_block_words: dict[str, str] = field(default_factory=dict)
    review_column_words: dict[str, str] = field(default_factory=dict)
    # question words naming a 表二 row (行政许可 …) or column (上一年项目数量 …)
    proactive_row_words: dict[str, str] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False, compare=False)
    # a 表二 question column a row lacks → the column it means there (采购 项目 → items, 许可 项目 → prev_items)
    proactive_otherwise: dict[str, str] = field(default_factory=dict)
    # 表二 row and column keys → their printed labels
    proactive_labels: dict[str, str] = field(default_factory=dict)
    proactive_column_words: dict[str, str] = field(default_factory=dict)
    # the old statistics table: its header words (lexicon `old_table`), its rows' labels by metric key
    old_table: dict[str, tuple[str, ...]] = field(default_factory=dict)
    old_rows: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def applicant_order(self) -> tuple[str, ...]:
        return tuple(self.applicants)

    def metric(self, key: str) -> Metric | None:
        return self.metrics.get(key)

    def label(self, key: str) -> str:
        if key in self.metrics:
            return self.metrics[key].label
        if key in self.groups:
            return self.groups[key].label
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "proactive":
            # a 表二 row and column no format prints together (行政许可 本年废止件数): name it in words
            return self.proactive_labels.get(parts[1], parts[1]) + self.proactive_labels.get(parts[2], parts[2])
        return key

    def unit(self, key: str) -> str:
        if key in self.metrics:
            return self.metrics[key].unit
        if key in self.groups:
            return self.groups[key].unit
        return "件"

    def applicant_label(self, key: str | None) -> str:
        if not key:
            return ""
        found = self.applicants.get(key) or self.applicant_groups.get(key)
        return found.label if found else key

    # --- recognising table labels -------------------------------------------------

    def match_apply_row(self, label: str, parent: str = "") -> str | None:
        """The 表三 metric a row label names, or None.

        Short labels such as "3.其他" only count under their numbered group
        (（六）其他处理), which the caller passes as `parent`; under a group,
        a sub-row with a typo (属于国际秘密) still finds its sibling.
        """
        return self.score_apply_row(label, parent)[0]

    @_memo
    def score_apply_row(self, label: str, parent: str = "") -> tuple[str | None, float]:
        """match_apply_row with how well the label fits (100: exactly), to choose between readings of a label."""
        text = normalize_label(label)
        if not text:
            return None, 0.0
        parent_text = normalize_label(parent)
        scored: list[tuple[float, str, str]] = []
        for metric in self.metrics.values():
            if metric.table != TABLE_APPLY:
                continue
            for row in metric.rows:
                if len(row) < 4 and metric.parent and not _parent_fits(parent_text, metric.parent):
                    continue
                scored.append((_label_score(text, row), metric.key, metric.parent))
        if not scored:
            return None, 0.0
        best = max(scored)
        if best[0] >= 92:
            return best[1], best[0]
        siblings = [s for s in scored if s[2] and _parent_fits(parent_text, s[2])]
        if siblings and max(siblings)[0] >= 70:
            return max(siblings)[1], max(siblings)[0]
        return (best[1], best[0]) if best[0] >= 85 else (None, 0.0)

    @_memo
    def is_apply_group_label(self, label: str) -> bool:
        """Whether a label names a numbered group such as （三）不予公开, even cut by a page."""
        text = normalize_label(label)
        return any(_parent_fits(text, m.parent) for m in self.metrics.values() if m.parent) and len(text) <= 8

    @_memo
    def review_blocks_named(self, text: str) -> tuple[str, ...]:
        """The 表四 blocks a header cell or row label names, in national order (行政诉讼: both of its blocks)."""
        text = normalize_label(text)
        named = {b for b, words in self.review_block_header.items() if any(w in text for w in words)}
        for block in list(named):
            if block not in self.review_blocks:  # a group such as litigation
                named.discard(block)
                if not named & set(self.groups_parts(block)):
                    named.update(self.groups_parts(block))
        return tuple(b for b in self.review_blocks if b in named)

    def groups_parts(self, key: str) -> tuple[str, ...]:
        """The blocks a 表四 group (litigation) is made of."""
        total = self.groups.get(f"{key}.total")
        return tuple(p.rsplit(".", 1)[0] for p in total.parts) if total else ()

    @_memo
    def names_review_column(self, text: str) -> bool:
        text = normalize_label(text)
        return any(w in text for words in self.review_column_header.values() for w in words)

    @_memo
    def is_table_header(self, table: str, text: str) -> bool:
        """Whether a cell holds one of the words that head `table` (lexicon `table_headers`)."""
        text = normalize_label(text)
        return any(w in text for w in self.table_headers.get(table, ()))

    @_memo
    def match_old_row(self, label: str) -> str | None:
        """The old statistics-table metric a row label names (主动公开文件数 → old.proactive), or None."""
        return _best_key_scored(normalize_label(label), self.old_rows)[0]

    def old_series(self, key: str) -> tuple[Metric, ...]:
        """The old-table metrics a 2019/2021 metric's trend continues with before 2019."""
        return tuple(m for m in self.metrics.values() if m.series == key)

    def match_proactive_row(self, label: str) -> str | None:
        return self.score_proactive_row(label)[0]

    @_memo
    def score_proactive_row(self, label: str) -> tuple[str | None, float]:
        return _best_key_scored(normalize_label(label), self.proactive_rows)

    @_memo
    def match_proactive_column(self, header: str) -> str | None:
        return _best_key(normalize_label(header), self.proactive_columns)


def _parent_fits(parent_text: str, parent: str) -> bool:
    # a page break can cut （四）无法提供 into （四）无 / 法提供
    return bool(parent_text) and (parent in parent_text or (len(parent_text) >= 2 and parent_text in parent))


def _best_key(text: str, table: dict[str, tuple[str, ...]]) -> str | None:
    return _best_key_scored(text, table)[0]


def _best_key_scored(text: str, table: dict[str, tuple[str, ...]]) -> tuple[str | None, float]:
    if not text:
        return None, 0.0
    best, best_score = None, 0.0
    for key, labels in table.items():
        for label in labels:
            score = _label_score(text, label)
            if score > best_score or (score == best_score and best and len(label) > 0):
                best, best_score = key, score
    return (best, best_score) if best_score >= 85 else (None, 0.0)


def _label_score(text: str, label: str) -> float:
    if text == label:
        return 100.0
    if text.startswith(label) and len(label) >= 4:
        return 95.0 + min(len(label), 40) / 10
    if len(label) >= 6 and label in text:
        return 92.0
    if len(text) >= 6 and label.startswith(text):
        return 90.0  # the first line of a label a PDF wrapped (申请人无正当理由逾期不补)
    # typos such as 属于国际秘密 for 属于国家秘密, or words broken by a page
    if min(len(text), len(label)) < 4:
        return 0.0
    return fuzz.ratio(text, label) * 0.97


_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．]|第[一二三四五六七八九十]+[项部分])+"
)
# where a label cell holds a group and its row (（三）不予公开 1.属于国家秘密): the numbering between them
_INNER_NUMBER = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]|(?<![\d.．])\d{1,2}[、.．](?!\d))"
)
_PUNCT = re.compile(r"[\s\u3000“”\"'‘’（）()，,、。：:；;.．/／\-—_·]+")
_NOISE = re.compile(r"\[(?:bookmark|image)[^\]]*\]")


@lru_cache(maxsize=65_536)
def normalize_label(text: str) -> str:
    """A label's comparable form: NFKC, no noise, numbering or punctuation."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _NOISE.sub("", text)
    text = re.sub(r"\s+", "", text)
    text = _NUMBERING.sub("", text)
    return _PUNCT.sub("", text)


@lru_cache(maxsize=65_536)
def split_label(text: str) -> tuple[str, ...]:
    """A label cell's numbered parts, normalised: "（三）不予公开 1.属于国家秘密" → [不予公开, 属于国家秘密]."""
    text = re.sub(r"\s+", "", _NOISE.sub("", unicodedata.normalize("NFKC", text or "")))
    parts = (normalize_label(p) for p in _INNER_NUMBER.split(text))
    return tuple(p for p in parts if p)


def _joined(row: str, column: str) -> str:
    """A 表二 row and column label as one phrase, without saying a shared word twice (政府集中采购 + 采购项目数量)."""
    overlap = max((n for n in range(1, min(len(row), len(column)) + 1) if row.endswith(column[:n])), default=0)
    return row + column[overlap:]


def _tuple(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@lru_cache(maxsize=1)
def raw_data() -> dict:
    """lexicon/catalogue.yaml as written (index.template reads the per-column formats)."""
    return read_yaml(LEXICON / "catalogue.yaml")


@lru_cache(maxsize=1)
def load() -> Catalogue:
    """The catalogue, read and checked once per process."""
    data = raw_data()
    cat = Catalogue()
    for key, spec in data["applicants"].items():
        cat.applicants[key] = Applicant(key, spec["label"], _tuple(spec.get("header")), _tuple(spec.get("words")))
    for key, spec in data["applicant_groups"].items():
        cat.applicant_groups[key] = Applicant(
            key, spec["label"], (), _tuple(spec.get("words")), _tuple(spec["parts"])
        )
    cat.proactive_rows = {k: tuple(normalize_label(h) for h in v["header"]) for k, v in data["proactive_rows"].items()}
    cat.proactive_columns = {
        k: tuple(normalize_label(h) for h in v["header"]) for k, v in data["proactive_columns"].items()
    }
    money_columns = {k for k, v in data["proactive_columns"].items() if v.get("money")}
    for key, spec in data["proactive_rows"].items():
        cat.proactive_row_words.update(dict.fromkeys(_tuple(spec.get("words")), key))
    for key, spec in data["proactive_columns"].items():
        cat.proactive_column_words.update(dict.fromkeys(_tuple(spec.get("words")), key))
        if spec.get("otherwise"):
            cat.proactive_otherwise[key] = spec["otherwise"]
    row_labels = {k: v["label"] for k, v in data["proactive_rows"].items()}
    cat.proactive_labels = {**row_labels, **{k: v["label"] for k, v in data["proactive_columns"].items()}}
    col_labels = {k: v["label"] for k, v in data["proactive_columns"].items()}
    for key, spec in data["proactive_metrics"].items():
        _, row, col = key.split(".")
        cat.metrics[key] = Metric(
            key,
            TABLE_PROACTIVE,
            _joined(row_labels[row], col_labels[col]),
            unit=spec.get("unit", "件"),
            formats=_tuple(spec.get("formats")),
            words=_tuple(spec.get("words")),
            money=col in money_columns,
            row_label=row_labels[row],
            column_label=col_labels[col],
        )
    for key, spec in data["apply_metrics"].items():
        cat.metrics[key] = Metric(
            key,
            TABLE_APPLY,
            spec["label"],
            formats=_tuple(spec.get("formats")) or ("2019", "2021"),
            words=_tuple(spec.get("words")),
            rows=tuple(normalize_label(r) for r in _tuple(spec.get("rows"))),
            parent=normalize_label(spec.get("parent", "")),
            row_label=spec["label"].split("·")[-1],
        )
    for key, spec in data["apply_groups"].items():
        cat.groups[key] = Group(
            key,
            spec["label"],
            _tuple(spec["parts"]),
            _tuple(spec.get("words")),
            _tuple(spec.get("formats")) or ("2019", "2021"),
        )
    cat.review_columns = tuple(data["review_columns"])
    cat.review_blocks = tuple(data["review_blocks"])
    for section in ("review_blocks", "review_groups"):
        for key, spec in data[section].items():
            cat.review_block_header[key] = tuple(normalize_label(w) for w in _tuple(spec.get("header")))
    for key, spec in data["review_columns"].items():
        cat.review_column_header[key] = tuple(normalize_label(w) for w in _tuple(spec.get("header")))
    cat.table_headers = {k: tuple(normalize_label(w) for w in v) for k, v in data["table_headers"].items()}
    column_labels = {k: v["label"] for k, v in data["review_columns"].items()}
    for block, bspec in data["review_blocks"].items():
        for col, cspec in data["review_columns"].items():
            key = f"{block}.{col}"
            cat.metrics[key] = Metric(
                key,
                TABLE_REVIEW,
                f"{bspec['label']}{column_labels[col]}",
                words=_block_words(bspec, cspec, col),
                row_label=bspec["label"],
                column_label=column_labels[col],
            )
    for block, bspec in {**data["review_blocks"], **data["review_groups"]}.items():
        for word in _tuple(bspec.get("words")):
            cat.review_block_words[word] = block
    for col, cspec in data["review_columns"].items():
        for word in _tuple(cspec.get("words")):
            cat.review_column_words[word] = col
    for key, spec in data["review_groups"].items():
        for col in data["review_columns"]:
            cat.groups[f"{key}.{col}"] = Group(
                f"{key}.{col}",
                f"{spec['label']}{column_labels[col]}" if col != "total" else f"{spec['label']}总计",
                tuple(f"{part}.{col}" for part in spec["parts"]),
                _tuple(spec.get("words")) if col == "total" else (),
            )
    for key, spec in data["prose_metrics"].items():
        cat.metrics[key] = Metric(
            key, PROSE, spec["label"], unit=spec.get("unit", "件"), words=_tuple(spec.get("words"))
        )
    _load_old(cat, data)
    return cat


def _load_old(cat: Catalogue, data: dict) -> None:
    """The old statistics table's rows: a metric for the year's value and one for the 历年累计."""
    cat.old_table = {k: tuple(_tuple(v)) for k, v in data["old_table"].items()}
    for key, spec in data["old_metrics"].items():
        common = {"unit": spec.get("unit", "件"), "formats": (OLD_FORMAT,), "money": bool(spec.get("money")),
                  "parent": spec.get("parent", ""), "row_label": spec["label"]}
        year_column, cumulative = cat.old_table["year_column"][0], cat.old_table["cumulative_column"][0]
        cat.metrics[key] = Metric(key, TABLE_OLD, spec["label"], words=_tuple(spec.get("words")),
                                  series=spec.get("series", ""), same=bool(spec.get("same", True)),
                                  column_label=year_column, **common)
        cat.metrics[key + CUMULATIVE] = Metric(key + CUMULATIVE, TABLE_OLD, f"{spec['label']}（{cumulative}）",
                                               column_label=cumulative, **common)
        cat.old_rows[key] = tuple(normalize_label(r) for r in _tuple(spec.get("rows")))


def _block_words(block_spec: dict, column_spec: dict, column: str) -> tuple[str, ...]:
    if column == "total":
        return _tuple(block_spec.get("words"))
    return ()
