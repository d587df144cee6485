"""Reshape UNDP's HDR composite-indices time series (one row per country, one column per
indicator and year, e.g. `le_2022`) into the engine's iData for one year, so that the HDI
framework in this folder can be built from the file UNDP publishes, without copying it."""

import csv
from pathlib import Path

FRAMEWORK_DIR = Path(__file__).resolve().parent
IMETA_PATH = FRAMEWORK_DIR / "iMeta.csv"
PIPELINE_PATH = FRAMEWORK_DIR / "pipeline.yaml"
HDR_COMPONENTS = ("le", "eys", "mys", "gnipc")
HDR_YEARS = range(1990, 2023)


def hdr_idata_write(hdr_csv: Path, year: int, out: Path) -> None:
    """Write iData (uCode = iso3, uName = country, one column per HDI component) for `year`.
    Every row is kept, the regional aggregates ("ZZ…") included; missing cells stay blank."""
    with hdr_csv.open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["uCode", "uName", *HDR_COMPONENTS])
        for row in rows:
            components = [row[f"{code}_{year}"] for code in HDR_COMPONENTS]
            writer.writerow([row["iso3"], row["country"], *components])
