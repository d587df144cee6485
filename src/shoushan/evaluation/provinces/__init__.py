"""Shoushan's own index of the 31 provinces, a demonstration built from public research data.

The framework (`imeta.csv` here) maps real indicators to four of the six parts of the China
Social Construction Comprehensive Evaluation Index; party building (党的建设) and social
mobilisation (社会动员) have no public provincial data in the sources we hold, so they are
declared in README.md and left out, not invented. The values come from the provincial Genuine
Progress Indicator replication data (Ji et al., PKU), which states no licence: the project does
not ship it, and `provincial_idata` reads it from where it lies (../shared/data in the demo)."""

import csv
import io
import math
from collections import defaultdict
from pathlib import Path

FRAMEWORK = Path(__file__).with_name("imeta.csv")
PIPELINE = Path(__file__).with_name("pipeline.yaml")  # outliers treated, then min-max, means

# iCode → how it is computed from the GPI sheets: (numerator, denominator, scale). A sheet is
# named by (sheet, sub-table label); a denominator of None means the value as it is.
_POPULATION = ("population-total", "10k person")  # 10,000 persons
_GDP = ("GDP", "hundred million CNY( at current price)")  # 10⁸ yuan
RECIPES: dict[str, tuple[tuple[str, str], tuple[str, str] | None, float]] = {
    # 10⁸ yuan ÷ 10⁴ persons = 10⁴ yuan per person
    "EduSpend": (
        ("pub. exps. on education-local", "hundred million CNY( at current price)"),
        _POPULATION,
        1e4,
    ),
    "HealthSpend": (
        ("pub. exps. on health-local", "hundred million CNY( at current price)"),
        _POPULATION,
        1e4,
    ),
    "TransportSpend": (
        ("pub. exps. on tranport-local", "hundred million CNY( at current price)"),
        _POPULATION,
        1e4,
    ),
    "ServiceWage": (
        ("wage-resident service ind.", "CNY(at current price)"),
        ("wage-average", "CNY(at current price)"),
        1.0,
    ),
    "CrimeCost": (("cost of crime", "hundred million CNY( at current price)"), _GDP, 100.0),
    # 10⁴ yuan ÷ 10⁴ persons = yuan per person
    "AccidentCost": (("cost of auto accidents", "10k CNY (ar current price)"), _POPULATION, 1.0),
    "DisasterCost": (
        ("cost of natural disasters", "hundred million CNY (at current price)"),
        _GDP,
        100.0,
    ),
    # 10⁴ t ÷ 10⁴ persons = t per person
    "Effluent": (("cost of water pollution", "emission of effluent (10 k ton)"), _POPULATION, 1.0),
    "Commuting": (("commuting hours", "minutes per day"), None, 1.0),
    "ForestChange": (("change of forest", "change in the amount (10k hectare)"), None, 1.0),
    # couples ÷ 10⁴ persons ÷ 10 = couples per 1,000 persons
    "Divorces": (("divorces", "couple"), _POPULATION, 0.1),
    "Inequality": (("atkinson", ""), None, 1.0),
}


def provincial_idata(gpi_long_csv: Path, year: int) -> str:
    """The iData sheet (CSV text) of the 31 provinces for `year`: uCode is the two-digit GB/T
    2260 code, uName the Chinese name; an indicator whose inputs are missing is left blank."""
    values: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    with gpi_long_csv.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] != "raw_input" or row["year"] != str(year):
                continue
            names[row["province_code"]] = row["province_zh"]
            try:
                value = float(row["value"])
            except ValueError:
                continue
            values[(row["sheet"], row["block_label_or_unit"])][row["province_code"]] = value
    if not names:
        raise ValueError(f"{gpi_long_csv.name} has no data for {year}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    codes = [*RECIPES, "Unemployment"]
    writer.writerow(["uCode", "uName", *codes])
    for province in sorted(names):
        cells = [_recipe(values, code, province) for code in RECIPES]
        cells.append(_unemployment(values, province))
        writer.writerow(
            [province, names[province], *("" if math.isnan(v) else repr(v) for v in cells)]
        )
    return out.getvalue()


def _recipe(values, code: str, province: str) -> float:
    numerator, denominator, scale = RECIPES[code]
    top = values[numerator].get(province, math.nan)
    if denominator is None:
        return top * scale
    bottom = values[denominator].get(province, math.nan)
    return top / bottom * scale if bottom else math.nan


def _unemployment(values, province: str) -> float:
    unemployed = values[("unemployment", "10k person")].get(province, math.nan)
    employed = values[("employment", "10k person")].get(province, math.nan)
    return 100 * unemployed / (unemployed + employed)
