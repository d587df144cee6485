"""An index of the 31 provinces from official statistics that ship with Shoushan: the shares of
each province's general public budget spent on the social fields (中国统计年鉴, table 7-6, data
years 2019–2023) and the share aged 65 and over (NBS sample surveys; none in the census year
2020). The figures are NBS facts as compiled by MIT-licensed projects; `shoushan/data/README.md`
names them. It measures what a province spends on social construction, not its outcomes, and
says so in its name; the fuller demonstration index (`provincial_idata`) needs research data
that may not ship."""

import csv
from collections import defaultdict
from pathlib import Path

FRAMEWORK = Path(__file__).with_name("official_imeta.csv")
DATA = Path(__file__).resolve().parents[2] / "data" / "provinces" / "nbs_provinces_2019_2023.csv"

# iCode → (numerator, denominator): percentages of the data file's indicator codes.
RECIPES = {
    "EduShare": ("fx_education", "fx_total"),
    "HealthShare": ("fx_health", "fx_total"),
    "SocialSecurityShare": ("fx_social_security_employment", "fx_total"),
    "CultureShare": ("fx_culture_tourism_sport_media", "fx_total"),
    "CommunityShare": ("fx_urban_rural_community", "fx_total"),
    "HousingShare": ("fx_housing_security", "fx_total"),
    "EnvironmentShare": ("fx_energy_saving_environment", "fx_total"),
    "Aged65": ("nbs_pop65_sample", "nbs_pop_sample"),
}


def official_years() -> list[int]:
    """The years with every indicator, newest first."""
    with DATA.open(encoding="utf-8", newline="") as f:
        codes_by_year = defaultdict(set)
        for row in csv.DictReader(f):
            codes_by_year[int(row["year"])].add(row["indicator_code"])
    needed = {code for pair in RECIPES.values() for code in pair}
    return sorted((y for y, codes in codes_by_year.items() if needed <= codes), reverse=True)


def official_idata(year: int) -> str:
    """The iData sheet of `year`: one row per province (uCode = its 2-digit code), a value for
    each indicator its figures give, blank where one is missing."""
    values: dict[str, dict[str, float]] = defaultdict(dict)
    names: dict[str, str] = {}
    with DATA.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if int(row["year"]) == year:
                names[row["province_code"]] = row["province"]
                values[row["province_code"]][row["indicator_code"]] = float(row["value"])
    lines = [",".join(["uCode", "uName", *RECIPES])]
    for code in sorted(names):
        own = values[code]
        cells = []
        for numerator, denominator in RECIPES.values():
            if own.get(numerator) is None or not own.get(denominator):
                cells.append("")
            else:
                cells.append(f"{100 * own[numerator] / own[denominator]:.10g}")
        lines.append(",".join([code, names[code], *cells]))
    return "\n".join(lines) + "\n"
