"""Regenerate index/lexicon/gazetteer.tsv and townships.tsv from jionlp's division data.

jionlp (PyPI, Apache-2.0) keeps a dated dictionary of China's administrative
divisions (province › city › county › township › village, with admin codes and
short aliases) and a list of approved changes (襄樊市 → 襄阳市). Importing
jionlp costs seconds and hundreds of MB, so the bot reads a compact extract
instead; this script makes it from the wheel:

    pip download --no-deps jionlp==1.5.31 -d /tmp/jio
    python scripts/gazetteer_from_jionlp.py /tmp/jio/jionlp-1.5.31-py2.py3-none-any.whl
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "index" / "lexicon"
PSEUDO_COUNTY = "市直辖行政区划"
TOWNSHIP_ENDS = ("镇", "乡", "街道", "苏木", "地区")  # 东莞市, 中山市: townships sit right under the city


def main(wheel: str) -> None:
    version = re.search(r"jionlp-([\d.]+)", Path(wheel).name)
    source = f"jionlp {version.group(1) if version else '?'} (PyPI) dictionary/china_location.zip, china_location_change.txt"
    with zipfile.ZipFile(wheel) as whl:
        inner = zipfile.ZipFile(io.BytesIO(whl.read("jionlp/dictionary/china_location.zip")))
        lines = inner.read("china_location.txt").decode("utf-8").splitlines()
        changes = whl.read("jionlp/dictionary/china_location_change.txt").decode("utf-8").splitlines()

    rows, townships = [], {}
    province = city = county = county_name = None
    for line in lines:
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        if depth == 0 and len(fields) == 3:
            province = fields[1]
            rows.append((fields[1], "province", fields[0], fields[2], ""))
        elif depth == 1 and len(fields) == 3:
            city = fields[1]
            rows.append((fields[1], "city", fields[0], fields[2], province))
        elif depth == 2 and len(fields) == 3:
            county, county_name = fields[1], fields[0]
            if fields[0] != PSEUDO_COUNTY:
                rows.append((fields[1], "county", fields[0], fields[2], city))
            else:
                county = city
        elif depth == 2:
            county = None  # a district without a code (台湾省): its townships are left out
        elif depth == 3 and county:
            # a few are written after their county (博爱县金城乡); units such as 国营…农场 are no township
            name = fields[0].removeprefix(county_name)
            if name.endswith(TOWNSHIP_ENDS) and len(name) >= 2:
                townships.setdefault(county, []).append(name)

    codes = {(r[1], r[2]): r[0] for r in rows}
    former = set()
    for line in changes:
        old, new = line.split("=>")
        old, new = old.split("\t"), new.split("\t")
        level = "county" if len(old) == 8 else "city"
        new_code = codes.get((level, new[-1]))
        if new_code:
            former.add((new_code, "former", old[-2], old[-1], old[0]))

    with open(OUT / "gazetteer.tsv", "w", encoding="utf-8") as out:
        out.write(f"# China's administrative divisions, from {source}.\n")
        out.write("# Regenerate: python scripts/gazetteer_from_jionlp.py JIONLP_WHEEL\n")
        out.write("# code\tlevel\tname\talias (/-separated)\tparent code (former: the date it was renamed)\n")
        for row in [*rows, *sorted(former)]:
            out.write("\t".join(row) + "\n")
    with open(OUT / "townships.tsv", "w", encoding="utf-8") as out:
        out.write(f"# Townships (镇/乡/街道/苏木) of each county code, from {source}.\n")
        for code, names in townships.items():
            out.write(code + "\t" + " ".join(names) + "\n")
    print(f"{len(rows)} places, {len(former)} former names, {sum(map(len, townships.values()))} townships")


if __name__ == "__main__":
    main(sys.argv[1])
