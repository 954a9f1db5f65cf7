"""A generated corpus of annual reports with their ground truth (`nianbao gen`).

    generate_corpus(10_000, Path("var/gen"), seed=1)

writes N reports of agencies built from real province › city › county names
(lexicon/regions.yaml) and body types (lexicon/gen_agencies.yaml), several
consecutive years each between 2019 and 2025, in both national table formats
and every layout the ingestion reads, with prose that states figures
(lexicon/gen_prose.yaml). Numbers satisfy the consistency rules except in a
known share of reports that break exactly one of rules 1-5. `truth.jsonl`
holds one line per report: file, agency, year, format, layout, every fact
(metric, applicant, value, unit, raw, table) and broken_rule.

Deterministic for a seed: the same N and seed write the same bytes.
"""

from __future__ import annotations

import json
import random
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index import catalogue
from index import gen_figures as fig
from index import gen_layouts as out
from index.catalogue import LEXICON, PROSE, TABLE_APPLY, TABLE_PROACTIVE, TABLE_REVIEW
from index.gen_layouts import ApplyRow, Cell, Para, Table
from index.history import CHART
from index.yamlfile import read_yaml

YEARS = range(2019, 2026)
BREAK_SHARE = 0.053  # of the reports with tables: about 5% of all
LAYOUT_WEIGHTS = {"tabs": 24, "cells": 24, "markdown": 10, "html": 20, "docx": 16, "narrative": 6}
RUN_WEIGHTS = {1: 10, 2: 14, 3: 18, 4: 18, 5: 14, 6: 12, 7: 14}
PER_FOLDER = 1000


@lru_cache(maxsize=1)
def prose_data() -> dict:
    return read_yaml(LEXICON / "gen_prose.yaml")


@lru_cache(maxsize=1)
def agency_data() -> dict:
    return read_yaml(LEXICON / "gen_agencies.yaml")


@lru_cache(maxsize=1)
def gazetteer() -> dict:
    """Province → {city → [counties]}: the generator's pool of places (lexicon/regions.yaml), a small
    extract kept stable so a seed writes the same corpus; reports are read by index.gazetteer."""
    data = read_yaml(LEXICON / "regions.yaml")
    return {p: (spec.get("cities") or {}) for p, spec in data["provinces"].items()}


# --- agencies -----------------------------------------------------------------------------


@dataclass
class Agency:
    name: str
    kind: str
    place: str  # city or county name the zone and gazette sentences use
    years: list[int] = field(default_factory=list)


def agency_pool(rng: random.Random) -> dict[str, list[Agency]]:
    """Every agency name the data can build, by kind, each list shuffled."""
    data = agency_data()
    forms = data["region_forms"]
    pool: dict[str, list[Agency]] = {kind: [] for kind in data["kinds"]}
    seen: set[str] = set()

    def add(kind: str, name: str, place: str) -> None:
        if name not in seen:
            seen.add(name)
            pool[kind].append(Agency(name, kind, place))

    for province, cities in gazetteer().items():
        short_province = province.removesuffix("省")
        municipality = len(cities) == 1 and next(iter(cities)) in short_province
        for body in data["province_bodies"]:
            add("province_department", province + body, province)
        for city, counties in cities.items():
            prefix = province if municipality or rng.choices([True, False], [forms["with_province"],
                                                                               forms["city_only"]])[0] else ""
            city_name = "" if municipality else f"{city}市"
            if not municipality:
                add("city_government", f"{prefix}{city_name}人民政府", city)
                for body in data["city_bodies"]:
                    add("city_bureau", f"{prefix}{city_name}{body}", city)
            for zone in data["zone_types"]:
                name = f"{city}{rng.choice(data['zone_prefixes'])}{zone}{rng.choice(data['zone_suffixes'])}"
                add("zone", name, city)
            for county in counties:
                # a county-level city is named by itself: 荣成市人民政府
                head = county if county.endswith("市") else f"{prefix}{city_name}{county}"
                add("county_government", f"{head}人民政府", county)
                for body in data["county_bodies"]:
                    add("county_bureau", f"{head}{body}", county)
    for agencies in pool.values():
        rng.shuffle(agencies)
    return pool


def plan_agencies(n: int, rng: random.Random) -> list[Agency]:
    """Agencies with runs of consecutive years adding up to exactly n reports."""
    pool = agency_pool(rng)
    weights = dict(agency_data()["kinds"])
    chosen: list[Agency] = []
    total = 0
    while total < n:
        kinds = [k for k in weights if pool[k]]
        if not kinds:
            break
        agency = pool[rng.choices(kinds, [weights[k] for k in kinds])[0]].pop()
        length = min(rng.choices(list(RUN_WEIGHTS), list(RUN_WEIGHTS.values()))[0], n - total)
        start = rng.randrange(YEARS.start, YEARS.stop - length + 1)
        agency.years = list(range(start, start + length))
        chosen.append(agency)
        total += length
    for agency in chosen:  # more reports than agencies × runs: lengthen runs
        while total < n and len(agency.years) < len(YEARS):
            year = agency.years[-1] + 1 if agency.years[-1] < YEARS.stop - 1 else agency.years[0] - 1
            agency.years = sorted([*agency.years, year])
            total += 1
    if total < n:
        raise ValueError(f"the region and body lists make at most {total} reports; asked for {n}")
    return chosen


# --- one report ------------------------------------------------------------------------------


@dataclass
class Report:
    agency: Agency
    year: int
    layout: str
    fmt: str
    blocks: list = field(default_factory=list)
    facts: list[dict] = field(default_factory=list)
    broken_rule: int | None = None
    break_detail: str = ""
    title: str = ""


def _fact(metric: str, applicant: str | None, cell: fig.Printed, table: str) -> dict:
    return {"metric": metric, "applicant": applicant, "value": cell.value, "unit": cell.unit, "raw": cell.raw,
            "table": table}


def _label_style(text: str, halfwidth: bool) -> str:
    """（一）予以公开 as some exports print it: (一) 予以公开, 1. 属于国家秘密."""
    if not halfwidth:
        return text
    for a, b in (("（", "("), ("）", ") "), ("，", ", ")):
        text = text.replace(a, b)
    if len(text) > 2 and text[0].isdigit() and text[1] == ".":
        text = text[:2] + " " + text[2:]
    return text.strip()


def proactive_table(report: Report, figures: fig.Figures, rng: random.Random, headers: dict[str, str]) -> Table:
    spec = fig.tables_data()["proactive"][report.fmt]
    rows: list[list[Cell]] = []
    for block in spec:
        rows.append([Cell(block["item"], colspan=4, label=True)])
        heads = [headers.get(h, h) for _, h in block["columns"]]
        pad = 4 - 1 - len(heads)
        rows.append([Cell("信息内容", label=True), *[Cell(h, label=True) for h in heads[:-1]],
                     Cell(heads[-1], colspan=1 + pad, label=True)])
        for row_key, label in block["rows"]:
            cells = []
            for col, _ in block["columns"]:
                metric = f"proactive.{row_key}.{col}"
                printed = figures.proactive[metric]
                cells.append(Cell(printed.raw))
                report.facts.append(_fact(metric, None, printed, TABLE_PROACTIVE))
            cells[-1].colspan += pad
            rows.append([Cell(label, label=True), *cells])
    return Table(TABLE_PROACTIVE, rows, 4)


def _apply_printed(figures: fig.Figures, metric: str, applicant: str, sparse: bool) -> fig.Printed:
    value = figures.apply[metric][applicant]
    main = metric in ("apply.new", "apply.carried_over", "apply.total", "apply.carried_forward")
    if sparse and value == 0 and not (main and applicant in ("natural", "total")):
        return fig.Printed("", None, None)
    return fig.Printed(str(value), value, "件")


def apply_table(report: Report, figures: fig.Figures, rng: random.Random, sparse: bool, halfwidth: bool) -> Table:
    data = fig.tables_data()
    head = data["apply_header"]
    applicants = list(catalogue.load().applicant_order)
    spaced = rng.random() < 0.3
    columns = [head["spaced"].get(head["columns"][a], head["columns"][a]) if spaced else head["columns"][a]
               for a in applicants]
    rows = [
        [Cell(head["note"], rowspan=3, colspan=3, label=True), Cell(head["applicants"], colspan=7, label=True)],
        [Cell(columns[0], rowspan=2, label=True), Cell(head["org"], colspan=5, label=True),
         Cell(columns[-1], rowspan=2, label=True)],
        [Cell(c, label=True) for c in columns[1:-1]],
    ]
    printed_rows = fig.apply_rows(report.fmt)
    typo = rng.random() < 0.03
    apply_rows: list[ApplyRow] = []
    result_count = sum(1 for r in printed_rows if r["key"] not in
                       ("apply.new", "apply.carried_over", "apply.carried_forward"))
    for i, spec in enumerate(printed_rows):
        metric = spec["key"]
        values = []
        for a in applicants:
            printed = _apply_printed(figures, metric, a, sparse)
            values.append(printed.raw)
            report.facts.append(_fact(metric, a, printed, TABLE_APPLY))
        item = spec.get("item", "")
        if typo and item in data["label_typos"]:
            item = data["label_typos"][item]
        group_span = 1
        if spec.get("group") and item:
            group_span = 1 + sum(1 for _ in _same_group(printed_rows, i))
        top, group, item = (_label_style(x, halfwidth) for x in (spec.get("top", ""), spec.get("group", ""), item))
        row = ApplyRow(top, group, item, group_span, values)
        apply_rows.append(row)
        cells: list[Cell] = []
        if top and not group:
            cells.append(Cell(top, colspan=3, label=True))
        elif top:
            cells.append(Cell(top, rowspan=result_count, label=True))
        if group and item:
            cells.append(Cell(group, rowspan=group_span, label=True))
        elif group:
            cells.append(Cell(group, colspan=2, label=True))
        if item:
            cells.append(Cell(item, label=True))
        rows.append(cells + [Cell(v) for v in values])
    header = {"note": head["note"], "applicants": head["applicants"], "org": head["org"], "columns": columns}
    return Table(TABLE_APPLY, rows, 10, apply_rows, header)


def _same_group(rows: list[dict], start: int):
    """The rows after `start` that sit under its group label (item rows without a group of their own)."""
    for row in rows[start + 1 :]:
        if row.get("group") or row.get("top") or not row.get("item"):
            return
        yield row


def review_table(report: Report, figures: fig.Figures, rng: random.Random, sparse: bool) -> Table:
    data = fig.tables_data()["review_header"]
    cat = catalogue.load()
    spaced = rng.random() < 0.4
    labels = [data["spaced"][data["columns"][c]] if spaced else data["columns"][c] for c in cat.review_columns]
    rows = [
        [Cell(data["blocks"]["review"], colspan=5, label=True), Cell(data["blocks"]["litigation"], colspan=10,
                                                                      label=True)],
        [*[Cell(label, rowspan=2, label=True) for label in labels],
         *[Cell(data["litigation_blocks"][b], colspan=5, label=True) for b in cat.review_blocks[1:]]],
        [Cell(label, label=True) for _ in cat.review_blocks[1:] for label in labels],
    ]
    values = []
    for block in cat.review_blocks:
        for col in cat.review_columns:
            metric = f"{block}.{col}"
            value = figures.review[metric]
            printed = fig.Printed("", None, None) if sparse and value == 0 and col != "total" else \
                fig.Printed(str(value), value, "件")
            values.append(Cell(printed.raw))
            report.facts.append(_fact(metric, None, printed, TABLE_REVIEW))
    rows.append(values)
    return Table(TABLE_REVIEW, rows, 15)


# --- prose ---------------------------------------------------------------------------------------


def _fill(template: str, context: dict, numbers: dict, spaced: bool) -> str:
    """The sentence, its numbers set off by spaces in some reports as Word exports do (申请 3119 件)."""
    shown = {k: (f" {v} " if spaced else str(v)) for k, v in numbers.items()}
    # a space is only ever read past between a character and a digit, not after 》 or ）
    return re.sub(r"(?<=[》）)]) (?=\d)", "", template.format(**context, **shown))


def _normal(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def figure_sentence(report: Report, spec: dict, numbers: dict, context: dict, spaced: bool) -> str:
    """A sentence stating figures; its facts join the report's truth."""
    for f in spec["facts"]:
        value = numbers[f["value"]] if isinstance(f["value"], str) else f["value"]
        raw = _normal(f["raw"].format(**context, **{k: str(v) for k, v in numbers.items()}))
        applicant = "total" if f["metric"].startswith("apply.") else None
        report.facts.append({"metric": f["metric"], "applicant": applicant, "value": value, "unit": f["unit"],
                             "raw": raw, "table": PROSE})
    return _fill(spec["text"], context, numbers, spaced)


def prose_sentences(report: Report, figures: fig.Figures, rng: random.Random, context: dict,
                    rule5: bool) -> tuple[list[str], list[str]]:
    """(overview figure sentences, section-六 figure sentences)."""
    data = prose_data()["figures"]
    spaced = rng.random() < 0.2
    overview: list[str] = []
    has_tables = report.fmt != "none"
    new, review, litigation = figures.new_total, figures.review_total, figures.litigation_total
    state_new = rule5 or rng.random() < (0.85 if has_tables else 0.95)
    state_review = (rule5 and not state_new) or rng.random() < 0.6
    wrong = None
    if rule5:
        wrong = "apply.new" if state_new else "review"
        figures.broken_rule = 5
    if state_new:
        n = new
        if wrong == "apply.new":
            k = rng.randrange(1, 4)
            n = new + k if new < k or rng.random() < 0.5 else new - k
            figures.break_detail = f"prose apply.new {n}, table {new}"
        key = "apply.new.zero" if n == 0 and rng.random() < 0.7 else "apply.new"
        overview.append(figure_sentence(report, rng.choice(data[key]), {"n": n}, context, spaced))
    if state_review:
        n, m = review, litigation
        if wrong == "review":
            k = rng.randrange(1, 4)
            n = review + k if review < k or rng.random() < 0.5 else review - k
            figures.break_detail = f"prose review.total {n}, table {review}"
        key = "review.zero" if n == m == 0 and rng.random() < 0.7 else "review"
        overview.append(figure_sentence(report, rng.choice(data[key]), {"n": n, "m": m}, context, spaced))
    extras = rng.sample(data["extra"], rng.randrange(1, 5))
    if report.agency.kind.endswith("government") and rng.random() < 0.4:
        extras += data["government_extra"]
    for spec in extras:
        numbers = {"n": _figure(rng, 60), "m": _figure(rng, 12)}
        overview.append(figure_sentence(report, spec, numbers, context, spaced))
    rng.shuffle(overview)
    other = [figure_sentence(report, spec, {"n": _figure(rng, 20), "m": _figure(rng, 15)}, context, spaced)
             for spec in rng.sample(data["other_section"], rng.randrange(0, 3))]
    return overview, other


def _figure(rng: random.Random, mean: int) -> int:
    return rng.randrange(1, 2 * mean + 2)


# --- composing a report -------------------------------------------------------------------------


def compose(agency: Agency, year: int, layout: str, state: fig.AgencyState, rng: random.Random,
            rule: int | None) -> Report:
    """One report's blocks and truth."""
    fmt = "none" if layout == "narrative" else ("2019" if year <= 2020 else "2021")
    report = Report(agency, year, layout, fmt)
    figures = fig.Figures(fmt)
    table_fmt = "2019" if year <= 2020 else "2021"
    figures.apply = fig.apply_table(rng, table_fmt, state)
    figures.review = fig.review_table(rng, state.scale)
    headers: dict[str, str] = {}
    if table_fmt == "2019":
        figures.proactive = fig.proactive_2019(rng, state.scale)
        amount, headers["采购总金额"] = fig.procurement_amount(rng, rng.choice(["yuan", "wan_header", "wan_cell"]))
        figures.proactive["proactive.procurement.amount"] = amount
        if rng.random() < 0.3:
            headers["上一年项目数量"] = "上年项目数量"
    else:
        figures.proactive = fig.proactive_2021(rng, state.scale, state)
    if rule in (1, 2, 3, 4):
        fig.break_rule(rng, figures, rule)
    state.new_totals[year] = figures.new_total
    words = prose_data()
    context = {"agency": agency.name, "year": year, "next": year + 1, "we": rng.choice(words["we"][agency.kind]),
               "site": "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randrange(3, 8))),
               "phone": f"0{rng.randrange(100, 999)}-{rng.randrange(5000000, 9000000)}",
               "address": f"{agency.place}人民路{rng.randrange(1, 300)}号"}
    overview_figures, other_figures = prose_sentences(report, figures, rng, context, rule == 5)
    report.broken_rule, report.break_detail = figures.broken_rule, figures.break_detail
    report.blocks, report.title = _blocks(report, figures, state, rng, context, headers, overview_figures,
                                         other_figures)
    return report


def _blocks(report, figures, state, rng, context, headers, overview_figures, other_figures):
    words = prose_data()
    blocks: list = []
    agency, year = report.agency.name, report.year
    if rng.random() < 0.5:
        first, second = rng.choice(words["titles"]["two_lines"])
        lines = [first.format(agency=agency), second.format(year=year)]
    else:
        lines = [rng.choice(words["titles"]["one_line"]).format(agency=agency, year=year)]
    title = "".join(lines) if len(lines) == 2 else lines[0]
    if report.layout == "html" and rng.random() < 0.5:
        blocks.append(Para(rng.choice(words["noise"]["breadcrumbs"]), "noise"))
    blocks += [Para(line, "title") for line in lines]
    blocks.append(Para(rng.choice(words["preamble"]).format(**context)))
    blocks.append(Para(rng.choice(words["period"]).format(**context)))
    style = rng.choices(list(words["numbering"]), [60, 10, 10, 20])[0]
    numbers = words["numbering"][style]
    mixed = style == "chinese" and rng.random() < 0.15  # 一、二、三、 then 4、 5、 (seed 004)

    def heading(i: int, key: str) -> Para:
        prefix = words["numbering"]["digits"][i] if mixed and i in (3, 4) else numbers[i]
        return Para(prefix + words["sections"][key], "heading")

    blocks.append(heading(0, "overview"))
    fillers = list(words["filler"]["overview"])
    rng.shuffle(fillers)
    subsections = rng.sample(words["subsections"], rng.randrange(2, 5))
    sentences = list(overview_figures)
    for j, sub in enumerate(subsections):
        label = f"{j + 1}.{sub}" if style == "parens" else f"{words['numbering']['parens'][j]}{sub}"
        blocks.append(Para(label, "heading"))
        take = sentences[: max(1, len(sentences) // (len(subsections) - j))] if sentences else []
        sentences = sentences[len(take):]
        text = fillers.pop().format(**context) + "".join(take)
        blocks.append(Para(text))
        if fillers and rng.random() < 0.5:
            blocks.append(Para(fillers.pop().format(**context), splittable=True))
        if report.layout == "tabs" and j == 0 and rng.random() < 0.2:
            blocks += _listing_noise(rng, report)
    if sentences:
        blocks.append(Para("".join(sentences)))
    has_tables = report.fmt != "none"
    blocks.append(heading(1, "proactive"))
    if has_tables and rng.random() < 0.96:
        blocks.append(proactive_table(report, figures, rng, headers))
    elif has_tables:
        blocks.append(Para(f"[image: image{rng.randrange(2, 20)}.png]", "noise"))  # 表二 printed as a picture
    blocks.append(heading(2, "apply"))
    sparse = rng.random() < 0.25
    if has_tables:
        blocks.append(apply_table(report, figures, rng, sparse, halfwidth=rng.random() < 0.3))
    blocks.append(heading(3, "review"))
    if has_tables:
        blocks.append(review_table(report, figures, rng, sparse))
    blocks.append(heading(4, "problems"))
    blocks += [Para(f.format(**context), splittable=True)
               for f in rng.sample(words["filler"]["problems"], rng.randrange(1, 4))]
    blocks.append(heading(5, "other"))
    blocks += [Para(s) for s in other_figures]
    blocks.append(Para(rng.choice(words["filler"]["other"]).format(**context)))
    if has_tables and report.layout in ("cells", "tabs") and rng.random() < 0.1:
        blocks += _chart(report, state, rng)
    blocks += [Para(agency), Para(f"{year + 1}年{rng.randrange(1, 3)}月{rng.randrange(1, 29)}日")]
    return blocks, title


def _chart(report: Report, state: fig.AgencyState, rng: random.Random) -> list:
    """A chart of the last years' applications pasted as a table (seed 001 section 六)."""
    noise = prose_data()["noise"]
    rows = [[Cell(""), Cell(""), Cell(""), Cell(""), Cell(noise["chart_series"][0], label=True), Cell(""),
             Cell(noise["chart_series"][1], label=True), Cell(""), Cell(noise["chart_series"][2], label=True)]]
    for year in range(report.year - 3, report.year + 1):
        value = state.new_totals.get(year)
        if value is None:
            value = state.new_totals[year] = rng.randrange(0, int(state.scale * 2) + 2)
        rows.append([Cell(""), Cell(""), Cell(str(year)), Cell(""), Cell(str(value)), Cell(""),
                     Cell(f"{rng.uniform(1, 5):.1f}"), Cell(""), Cell(str(rng.randrange(1, 6)))])
        report.facts.append({"metric": "apply.new", "applicant": "total", "value": value, "unit": "件",
                             "raw": str(value), "table": CHART, "year": year})
    return [Para(rng.choice(noise["chart_captions"])), Para(noise["image_garbage"][2], "noise"), Table("chart", rows, 9)]


def _listing_noise(rng: random.Random, report: Report) -> list:
    """A web page's list of links pasted into the report (seed 000)."""
    noise = prose_data()["noise"]
    rows = [[Cell(h, label=True) for h in noise["listing_header"]]]
    for title in rng.sample(noise["listing_titles"], 3):
        date = f"{report.year}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        rows.append([Cell(title, label=True), Cell(f"{report.agency.place}办公室", label=True), Cell(date, label=True)])
    return [Para(rng.choice(noise["breadcrumbs"]), "noise"), Table("listing", rows, 3)]


def layout_style(layout: str, rng: random.Random) -> out.Style:
    style = out.Style(rng)
    if layout == "cells":
        style.break_labels = rng.choice([0.0, 0.05, 0.15])
        style.bookmarks = rng.choice([0.0, 0.1, 0.3])
        style.blank_lines = rng.random() < 0.5
    if layout == "tabs":
        style.word_export = rng.random() < 0.6
        style.page_break_row = rng.choice([None, 12, 17, 19, 22])
    style.gbk = layout in ("tabs", "cells", "html") and rng.random() < 0.1
    return style


def render(report: Report, rng: random.Random) -> bytes:
    style = layout_style(report.layout, rng)
    if report.layout == "docx":
        return out.docx_file(report.blocks, style)
    if report.layout == "html":
        return out.encode_text(out.html_file(report.blocks, report.title, style), style)
    return out.encode_text(out.text_file(report.blocks, report.layout, style), style)


# --- the corpus ---------------------------------------------------------------------------------


def generate_corpus(n: int, out_dir: Path, seed: int = 1) -> str:
    """Write n reports and truth.jsonl under out_dir; returns a one-line summary."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    agencies = plan_agencies(n, rng)
    scales = agency_data()["scale"]
    layouts, formats, broken = {}, {}, {}
    written = 0
    with open(out_dir / "truth.jsonl", "w", encoding="utf-8") as truth:
        for agency in agencies:
            state = fig.AgencyState(scale=scales[agency.kind] * rng.lognormvariate(0, 0.8))
            for year in agency.years:
                layout = rng.choices(list(LAYOUT_WEIGHTS), list(LAYOUT_WEIGHTS.values()))[0]
                rule = None
                if layout != "narrative" and rng.random() < BREAK_SHARE:
                    rule = 1 + sum(broken.values()) % 5  # in turn, so even a small corpus breaks each rule
                report = compose(agency, year, layout, state, rng, rule)
                name = f"r{written:06d}_{year}{out.EXTENSION[layout]}"
                folder = out_dir / f"{written // PER_FOLDER:03d}"
                folder.mkdir(exist_ok=True)
                (folder / name).write_bytes(render(report, rng))
                truth.write(json.dumps({
                    "file": name, "path": f"{folder.name}/{name}", "agency": agency.name, "year": year,
                    "format": report.fmt, "layout": layout, "facts": report.facts,
                    "broken_rule": report.broken_rule, "break": report.break_detail,
                }, ensure_ascii=False) + "\n")
                written += 1
                layouts[layout] = layouts.get(layout, 0) + 1
                formats[report.fmt] = formats.get(report.fmt, 0) + 1
                if report.broken_rule:
                    broken[report.broken_rule] = broken.get(report.broken_rule, 0) + 1
    seconds = time.perf_counter() - started
    return (f"{written} reports of {len(agencies)} agencies in {out_dir} ({seconds:.1f}s): "
            f"layouts {_counts(layouts)}; formats {_counts(formats)}; "
            f"{sum(broken.values())} break one rule ({_counts(broken)}); truth in truth.jsonl")


def _counts(counts: dict) -> str:
    return " ".join(f"{k}:{v}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0])))
