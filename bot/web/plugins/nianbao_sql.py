"""Datasette plugin: the bot's own search tokenisation and labels as SQL functions.

`jieba_match(text)` turns what a reader typed into the FTS5 expression the bot
uses (index.tokenize.query_tokens, then index.store.fts_query, which quotes every
token), so 政府开放日 or 文登区 政府开放日 finds passages and no FTS syntax gets
through. `metric_key(text)` reads a metric the way the bot reads it in a question
(新收申请, 行政诉讼, 没公开 …, or a catalogue key or label). `metric_label` and
`applicant_label` give the catalogue's Chinese names; `plain` prints 42.0 as 42.

Every function refuses an argument over MAX_CHARS: one call runs in SQLite's
thread, where neither the time limit nor a signal can stop it. SQLite's own
fts3_tokenizer (which prints a memory address) is replaced by one that returns NULL,
and the /-/ pages that show server paths, threads and plugin files are not served.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

from index import catalogue
from index.store import fts_query
from index.tokenize import query_tokens

# a phrase that matches nothing: MATCH '' is a syntax error, and input of only punctuation has no tokens
NOTHING = '""'
# longer than any search phrase, metric word or key; jieba takes about a millisecond per 1,000 characters
MAX_CHARS = 2000
# Datasette's own pages that show the server's paths, threads, plugin files or permission checks
HIDDEN_PAGES = r"/-/(versions|plugins|threads|databases|settings|config|permissions|allow-debug|patterns|messages)"


def _bounded(value) -> str | None:
    """The argument as text, or None when it is NULL or too long to be anything a reader typed."""
    if value is None or len(value if isinstance(value, str | bytes) else str(value)) > MAX_CHARS:
        return None
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def jieba_match(text) -> str:
    text = _bounded(text)
    if text is None:
        return NOTHING
    return fts_query(query_tokens(text)) or NOTHING


def metric_key(text) -> str | None:
    """The catalogue key a reader's metric word names, read as the bot reads it; None when none."""
    text = _bounded(text)
    if text is None or not text.strip():
        return None
    text = text.strip()
    cat = catalogue.load()
    if text in cat.metrics or text in cat.groups:
        return text
    labelled = {m.label: m.key for m in cat.metrics.values()} | {g.label: g.key for g in cat.groups.values()}
    if text in labelled:
        return labelled[text]
    from bot.question.understand import Parsed, _read_metric  # the question layer's own metric reading

    parsed = Parsed(text)
    _read_metric(parsed, text)
    return parsed.metric


def metric_label(key) -> str | None:
    key = _bounded(key)
    return None if key is None else catalogue.load().label(key)


def applicant_label(key) -> str | None:
    key = _bounded(key)
    return None if key is None else catalogue.load().applicant_label(key)


def no_pointer(*_args) -> None:
    """fts3_tokenizer('simple') would return the tokenizer's address in the server's memory."""
    return None


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
    conn.create_function("metric_key", 1, metric_key, deterministic=True)
    conn.create_function("metric_label", 1, metric_label, deterministic=True)
    conn.create_function("applicant_label", 1, applicant_label, deterministic=True)
    conn.create_function("plain", 1, plain, deterministic=True)
    for arity in (1, 2):  # an application function overrides SQLite's built-in of the same name and arity
        conn.create_function("fts3_tokenizer", arity, no_pointer)


async def not_served(request):
    return Response.text("Not found", status=404)


@hookimpl
def register_routes():
    return [(HIDDEN_PAGES + r"(\.json)?$", not_served)]


@hookimpl
def extra_body_script(template):
    return TABLE_PAGE if template == "table.html" else ""
