"""Datasette plugin: the bot's own search tokenisation and labels as SQL functions.

`jieba_match(text)` turns what a reader typed into the FTS5 expression the bot
uses (index.tokenize.query_tokens, then index.store.fts_query, which quotes every
token), so 政府开放日 or 文登区 政府开放日 finds passages and no FTS syntax gets
through. `metric_label` and `applicant_label` give the catalogue's Chinese names;
`plain` prints 42.0 as 42.
"""

from __future__ import annotations

from datasette import hookimpl

from index import catalogue
from index.store import fts_query
from index.tokenize import query_tokens

# a phrase that matches nothing: MATCH '' is a syntax error, and input of only punctuation has no tokens
NOTHING = '""'


def jieba_match(text) -> str:
    if text is None:
        return NOTHING
    return fts_query(query_tokens(str(text))) or NOTHING


def metric_label(key) -> str | None:
    return None if key is None else catalogue.load().label(str(key))


def applicant_label(key) -> str | None:
    return None if key is None else catalogue.load().applicant_label(str(key))


def plain(value):
    """Sums of REAL facts print as whole numbers when they are."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Datasette lists every column description above a table; folded into <details>, the table stays on screen.
# Agency names are long: on one line they read as names, not as a column of two-character fragments.
TABLE_PAGE = """
const style = document.createElement("style");
style.textContent = "td.col-agency { white-space: nowrap; }";
document.head.append(style);
const dl = document.querySelector("dl.column-descriptions");
if (dl) {
  const box = document.createElement("details");
  const title = document.createElement("summary");
  title.textContent = "列说明";
  dl.replaceWith(box);
  box.append(title, dl);
}
"""


@hookimpl
def prepare_connection(conn):
    conn.create_function("jieba_match", 1, jieba_match)  # not deterministic: agency names join the dictionary
    conn.create_function("metric_label", 1, metric_label, deterministic=True)
    conn.create_function("applicant_label", 1, applicant_label, deterministic=True)
    conn.create_function("plain", 1, plain, deterministic=True)


@hookimpl
def extra_body_script(template):
    return TABLE_PAGE if template == "table.html" else ""
