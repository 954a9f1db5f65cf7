"""The `nianbao` command: index, fetch, facts, reports, ask, chat, serve, gen, browse.

Contract: ../shared/eval/README.md. Errors become one clear line on stderr and
exit code 2; nothing prints a traceback at a user.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from pathlib import Path

from index.errors import NianbaoError

DEFAULT_DB = os.environ.get("NIANBAO_DB", "var/nianbao.db")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        _check_db(args)
        return args.run(args) or 0
    except NianbaoError as err:
        return _fail(str(err))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except sqlite3.DatabaseError as err:  # random bytes, a truncated copy, a file being written
        db = getattr(args, "db", None)
        if not db:
            return _fail(f"database error: {err}")
        if not Path(db).exists():
            return _fail(f"cannot open or create the index {db} ({err})")
        return _fail(f"{db} is not a readable nianbao index ({err}); rebuild it with `nianbao index build`")
    except OSError as err:  # a missing batch file, a directory where a file should be, no permission
        where = f"{err.filename}: " if err.filename else ""
        return _fail(f"{where}{err.strerror or err}")
    except Exception as err:  # the last line of defence: one line, and the traceback only when asked for
        if os.environ.get("NIANBAO_TRACEBACK"):
            raise
        return _fail(f"unexpected {type(err).__name__}: {err} (set NIANBAO_TRACEBACK=1 for details)", code=1)


def _port(text: str) -> int:
    """A TCP port for argparse: checked here, so uvicorn never fails on it halfway through its start-up."""
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _fail(message: str, code: int = 2) -> int:
    print(f"nianbao: {' '.join(message.split())}", file=sys.stderr)
    return code


def _check_db(args) -> None:
    """A directory given as --db: say so before SQLite reports a vague I/O error."""
    db = getattr(args, "db", None)
    if db and Path(db).is_dir():
        raise NianbaoError(f"--db {db} is a directory; give the index file, e.g. --db {Path(db) / 'nianbao.db'}")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="nianbao", description="政府信息公开工作年度报告 questions and index")
    sub = p.add_subparsers(dest="command")

    idx = sub.add_parser("index", help="build the index").add_subparsers(dest="index_command")
    build = idx.add_parser("build", help="index report files and folders (incremental)")
    build.add_argument("paths", nargs="+")
    build.add_argument("--db", default=DEFAULT_DB)
    build.add_argument("--jobs", type=int, default=1, help="worker processes (0: one per core)")
    build.add_argument("--quiet", action="store_true")
    build.add_argument("--retry-failed", action="store_true",
                       help="read again the files that failed before and have not changed (skipped otherwise)")
    build.set_defaults(run=_index_build)

    fetch = sub.add_parser("fetch", help="download the reports the portals of PORTALS.toml publish")
    fetch.add_argument("portals", help="a TOML file of [[portal]] tables (see deploy/portals.example.toml)")
    fetch.add_argument("--to", required=True, help="the reports folder `index build` reads")
    fetch.add_argument("--quiet", action="store_true")
    fetch.set_defaults(run=_fetch)

    facts = sub.add_parser("facts", help="every fact of the index")
    facts.add_argument("--db", default=DEFAULT_DB)
    facts.add_argument("--jsonl", action="store_true", help="one JSON object a line (the default)")
    facts.set_defaults(run=_facts)

    reports = sub.add_parser("reports", help="each report: agency, year, format, facts, checks, warnings")
    reports.add_argument("--db", default=DEFAULT_DB)
    reports.add_argument("--json", action="store_true")
    reports.set_defaults(run=_reports)

    ask = sub.add_parser("ask", help="answer a question in Chinese")
    ask.add_argument("question", nargs="?")
    ask.add_argument("--db", default=DEFAULT_DB)
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--batch", help="a file with one question a line")
    ask.set_defaults(run=_ask)

    chat = sub.add_parser("chat", help="a terminal conversation on the index")
    chat.add_argument("--db", default=DEFAULT_DB)
    chat.set_defaults(run=_chat)

    serve = sub.add_parser("serve", help="run the Telegram bot")
    serve.add_argument("--config", help="a TOML file (see deploy/nianbao.example.toml)")
    serve.set_defaults(run=_serve)

    gen = sub.add_parser("gen", help="write a generated corpus with its ground truth")
    gen.add_argument("--reports", type=int, required=True)
    gen.add_argument("--out", required=True)
    gen.add_argument("--seed", type=int, default=1)
    gen.set_defaults(run=_gen)

    browse = sub.add_parser("browse", help="serve the index in a browser with Datasette")
    browse.add_argument("--db", default=DEFAULT_DB)
    browse.add_argument("--port", type=_port, default=8001)
    browse.add_argument("--host", default="127.0.0.1")
    browse.add_argument("--sql", action="store_true", help="also accept arbitrary read-only SQL (off by default)")
    browse.set_defaults(run=_browse)
    return p


def _index_build(args) -> int:
    from index.build import build_index

    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    summary = build_index(args.paths, args.db, jobs=jobs, retry_failed=args.retry_failed)
    not_read = set(summary.failed_unchanged)
    for path, reason in summary.failed:
        again = " (failed before, unchanged: not read again; --retry-failed reads it)" if path in not_read else ""
        print(f"skipped {path}: {reason}{again}", file=sys.stderr)
    for path, reason in summary.not_reports:
        print(f"not a report {path}: {reason}", file=sys.stderr)
    if not args.quiet:
        print(summary.line())
    return 1 if summary.failed and not (summary.added or summary.changed or summary.unchanged) else 0


def _fetch(args) -> int:
    """Exit 0 when every portal was reached, even if some reports failed; 1 when a portal was not."""
    from index.harvest.crawl import fetch_portals
    from index.harvest.portals import load_portals

    portals, polite = load_portals(args.portals)
    bar = progress_bar(sys.stderr) if sys.stderr.isatty() and not args.quiet else None
    summary = fetch_portals(portals, args.to, polite, progress=bar)
    if bar:
        sys.stderr.write("\n")
    for url, reason in summary.failed:
        print(f"failed {url}: {reason}", file=sys.stderr)
    for url, reason in summary.incomplete:
        print(f"incomplete {url}: {reason}", file=sys.stderr)
    if not args.quiet:
        print(summary.line())
    return 0 if summary.ok else 1


def progress_bar(stream, width: int = 30):
    """A one-line progress bar redrawn in place on a terminal."""
    def show(done: int, total: int, what: str) -> None:
        filled = width * done // max(total, 1)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what[-60:]:<60}")
        stream.flush()
    return show


def _facts(args) -> int:
    from index.store import open_index

    db = open_index(args.db)
    rows = db.query("select * from facts order by report_id, source_table, line, id")
    out = sys.stdout
    for r in rows:
        record = {
            "file": r["file"],
            "agency": r["agency"],
            "year": r["year"],
            "metric": r["metric"],
            "applicant": r["applicant"],
            "value": _plain(r["value"]),
            "unit": r["unit"],
            "raw": r["raw"],
            "line": r["line"],
            "table": r["source_table"],
            "kind": r["kind"],
            "approx": bool(r["approx"]),
        }
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def _plain(value):
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _reports(args) -> int:
    from index import duplicates
    from index.store import open_index

    db = open_index(args.db)
    checks = {}
    for row in db.query("select report_id, status, count(*) n from checks group by report_id, status"):
        checks.setdefault(row["report_id"], {})[row["status"]] = row["n"]
    # an index built before reports.parent existed has no page and attachment linked yet
    parent = "parent" if "parent" in db["reports"].columns_dict else "'' as parent"
    rows = list(db.query(f"select id, path, file, agency, year, facts, checks_failed, indexed_at, url, {parent} "
                         "from reports"))
    _, dropped = duplicates.used(rows)
    # a report page and its attachment are one report: listed once, as the part used
    part_of = duplicates.parts(rows)
    parts: dict[str, list[str]] = {}
    for part, whole in part_of.items():
        parts.setdefault(whole, []).append(part)
    page_url = {r["path"]: r["url"] or r["file"] for r in rows}
    clashing: dict[str, list[str]] = {}
    for c in duplicates.conflicts(db.conn, dropped):
        for mine in c["values"]:
            clashing.setdefault(mine["file"], []).append(duplicates.conflict_warning(c, mine["file"]))
    for r in db.query("select * from reports order by agency, year"):
        if r["file"] in part_of:
            continue
        record = {
            "file": r["file"],
            "agency": r["agency"],
            "year": r["year"],
            "format": r["format"],
            "facts": r["facts"],
            "checks": checks.get(r["id"], {}),
            "missing_tables": json.loads(r["missing_tables"] or "[]"),
            "warnings": json.loads(r["warnings"] or "[]") + ([duplicates.warning(dropped[r["file"]])]
                                                             if r["file"] in dropped else [])
            + clashing.get(r["file"], []),
            "region": "".join(x for x in (r["province"], r["city"], r["county"]) if x),
            # where the agency and the year were read (title, text, sources.tsv, url), and the page's url
            "agency_from": r["agency_from"] or "",
            "year_from": r["year_from"] or "",
            "url": r["url"] or "",
            # the report page this file is an attachment of (its url), and the other files of this report
            "attachment_of": page_url.get(r.get("parent") or "", ""),
            "parts": sorted(parts.get(r["file"], [])),
        }
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
            continue
        c = record["checks"]
        print(f"{r['agency']} {r['year']}年  格式:{r['format']}  事实:{r['facts']}  "
              f"检查: 通过{c.get('pass', 0)} 未通过{c.get('fail', 0)} 不适用{c.get('na', 0)}  文件:{r['file']}")
        print(f"    agency from: {record['agency_from'] or '-'}  year from: {record['year_from'] or '-'}"
              + (f"  url: {record['url']}" if record["url"] else ""))
        if record["attachment_of"]:
            print(f"    attachment of {record['attachment_of']}")
        if record["parts"]:
            print(f"    one report with: {', '.join(record['parts'])}")
        for w in record["warnings"]:
            print(f"    注意: {w}")
    _failed_files(db, args.json)
    return 0


def _failed_files(db, as_json: bool) -> None:
    """The files the builds could not read, or read and found no report in (a logo), with why: skipped by
    each build until they change."""
    from index import failures

    for f in failures.listed(db):
        key = "failed" if f["kind"] == failures.FAILED else "not_a_report"
        if as_json:
            print(json.dumps({"file": f["file"], key: f["reason"], "read_at": f["read_at"], "url": f["url"]},
                             ensure_ascii=False))
        else:
            print(f"{f['kind']}  文件:{f['file']}  {f['reason']}  (read {f['read_at']}; not read again until "
                  "it changes)" + (f"  url: {f['url']}" if f["url"] else ""))


def _ask(args) -> int:
    from bot.chat import render_text
    from bot.question import Asker

    if args.batch:
        lines = batch_lines(Path(args.batch).read_bytes())
        asker = Asker(args.db)
        for number, question in lines:
            if isinstance(question, UnicodeDecodeError):
                error = {"line": number, "status": "error", "question": None,
                         "error": f"line {number} is not UTF-8 text (byte {question.object[question.start]:#04x} "
                                  f"at column {question.start + 1})"}
                print(json_line(error) if args.json else f"nianbao: {error['error']}")
                continue
            answer = asker.ask(question)
            print(json_line(answer.to_json()) if args.json else render_text(answer), flush=False)
        sys.stdout.flush()
        return 0
    asker = Asker(args.db)
    if args.question is None:
        print("nianbao ask: give a question, or --batch FILE", file=sys.stderr)
        return 2
    answer = asker.ask(args.question)
    print(json.dumps(answer.to_json(), ensure_ascii=False, indent=1) if args.json else render_text(answer))
    return 0


# separators json.dumps(ensure_ascii=False) leaves as they are, and a reader's splitlines would split on
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


def json_line(record: dict) -> str:
    """One JSON object on exactly one line, whatever line separators the strings hold."""
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS)


def batch_lines(data: bytes) -> list[tuple[int, str | UnicodeDecodeError]]:
    """(line number, text) for each line of a batch file, split on \\n only.

    str.splitlines also splits on U+2028, form feeds and other separators that may sit
    inside a question, and then answers no longer pair with their questions. A line
    that is not UTF-8 keeps its place, carrying the decoding error instead of text.
    """
    chunks = data.split(b"\n")
    if chunks and chunks[-1] == b"":
        chunks.pop()  # the file's final newline ends the last line; it starts no new one
    if chunks and chunks[0].startswith(b"\xef\xbb\xbf"):
        chunks[0] = chunks[0][3:]  # a byte-order mark some editors write
    out: list[tuple[int, str | UnicodeDecodeError]] = []
    for number, chunk in enumerate(chunks, 1):
        try:
            out.append((number, chunk.removesuffix(b"\r").decode("utf-8")))
        except UnicodeDecodeError as err:
            out.append((number, err))
    return out


def _chat(args) -> int:
    from bot.chat import run_chat

    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")  # a stray non-UTF-8 byte is a garbled question, not the end of the chat
    return run_chat(args.db)


def _serve(args) -> int:
    from bot.tg.serve import run

    return run(args.config)


def _gen(args) -> int:
    from index.generate import generate_corpus

    summary = generate_corpus(args.reports, Path(args.out), seed=args.seed)
    print(summary)
    return 0


def _browse(args) -> int:
    from bot.browse import serve

    return serve(args.db, host=args.host, port=args.port, allow_sql=args.sql)


if __name__ == "__main__":
    sys.exit(main())
