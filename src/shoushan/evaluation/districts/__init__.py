"""The city's own index of its sixteen districts, from the 2020 census and from what the
platform records.

The framework (`imeta.csv` here) follows the six parts of the social-construction index. Its
indicators come from two places, named in the Source column:

- `census2020`: the Seventh Census yearbook by district (Lei Dong et al., github leiii/census,
  MIT licence), shipped in `shoushan/data/population/`. These figures are the census year's,
  whatever year the index is built for, until the next census.
- `platform`: figures the other systems compute from their own records for the year (grid
  cases and return visits; community profiles; community workers). A system with no records yet
  leaves its indicators empty, and `district_framework` drops an indicator no district has, so
  the index grows as the platform fills.

Party building (党的建设) and social mobilisation (社会动员, volunteers) have no source on the
platform yet: they are declared in README.md and left out, not invented."""

import csv
import io
from collections.abc import Callable, Mapping
from pathlib import Path

FRAMEWORK = Path(__file__).with_name("imeta.csv")
PIPELINE = Path(__file__).with_name("pipeline.yaml")
# Shipped with Shoushan (MIT licence): src/shoushan/data/README.md.
CENSUS = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "population"
    / "beijing_districts_census2020_yearbook_leiii.csv"
)


def _share(numerator: str, denominator: str) -> Callable[[Mapping[str, float]], float]:
    return lambda row: 100 * row[numerator] / row[denominator]


def _column(name: str) -> Callable[[Mapping[str, float]], float]:
    return lambda row: row[name]


# iCode → its value from one district's census row (the yearbook's own column names).
CENSUS_RECIPES: dict[str, Callable[[Mapping[str, float]], float]] = {
    "EduYears": _column("平均受教育年限_合计"),
    "HousingArea": _column("人均住房建筑面积"),
    "HomeToilet": _share("住房內有厕所", "家庭户户数_长表"),
    "HomeBath": _share("住房内有洗澡设施", "家庭户户数_长表"),
    "Aged65": _column("人口比重_65岁及以上"),
    "Illiteracy": _column("文盲占15岁及以上人口比重"),
    "RoomsPerHousehold": _column("平均每户住房间数"),
    "Divorced": _share("离婚", "十五岁以上人口"),
    "SinglePerson": _share("一人户数", "家庭户数"),
}


def census_rows(path: Path) -> dict[str, dict[str, float]]:
    """The census yearbook's district rows by 12-digit region code, numbers parsed (NA and
    blanks dropped); the city and 市辖区 rows are left out."""
    out = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = (row.get("区划代码") or "").strip()
            if len(code) != 6 or code.endswith("00"):
                continue
            values = {}
            for key, value in row.items():
                try:
                    values[key] = float(value)
                except (TypeError, ValueError):
                    continue
            out[code + "000000"] = values
    return out


def census_values(rows: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """Each district's census indicators (iCode → value)."""
    out: dict[str, dict[str, float]] = {}
    for code, row in rows.items():
        values = {}
        for icode, recipe in CENSUS_RECIPES.items():
            try:
                values[icode] = recipe(row)
            except (KeyError, ZeroDivisionError):
                continue
        out[code] = values
    return out


def district_framework(values: Mapping[str, Mapping[str, float]]) -> tuple[str, list[str]]:
    """The framework sheet restricted to the indicators at least two districts have with
    different values (min-max needs a spread), and to the aggregates left with children.
    Returns the sheet and the names (iName) of the indicators dropped for want of data."""
    with FRAMEWORK.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = list(reader.fieldnames or []), list(reader)
    dropped = []
    kept_codes = set()
    for row in rows:
        if row["Type"] != "Indicator":
            continue
        present = {v[row["iCode"]] for v in values.values() if row["iCode"] in v}
        if len(present) >= 2:
            kept_codes.add(row["iCode"])
        else:
            dropped.append(row["iName"])
    # Aggregates from the bottom up: one is kept while some child is.
    for level in sorted({int(r["Level"]) for r in rows if r["Type"] != "Indicator"}):
        for row in rows:
            if int(row["Level"]) == level and any(
                r["Parent"] == row["iCode"] and r["iCode"] in kept_codes for r in rows
            ):
                kept_codes.add(row["iCode"])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(r for r in rows if r["iCode"] in kept_codes)
    return out.getvalue(), dropped


def district_idata(names: Mapping[str, str], values: Mapping[str, Mapping[str, float]]) -> str:
    """The iData sheet: one row per district (uCode = its 12-digit code), an indicator column for
    every iCode of the framework, blank where the district has no value."""
    with FRAMEWORK.open(encoding="utf-8", newline="") as f:
        codes = [r["iCode"] for r in csv.DictReader(f) if r["Type"] == "Indicator"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["uCode", "uName", *codes])
    for code in sorted(names):
        own = values.get(code, {})
        writer.writerow([code, names[code], *(_cell(own.get(c)) for c in codes)])
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.10g}"
