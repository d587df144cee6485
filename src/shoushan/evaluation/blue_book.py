"""The blue book (蓝皮书): the year's evaluation as one Chinese report, in HTML and in PDF —
methodology, framework, rankings with their change, pillar tables, the map, charts and a
profile of every unit. Charts are SVG drawn here, so the PDF needs no browser; the PDF is set
by WeasyPrint in a CJK font installed on the machine."""

import json
import shutil
import subprocess
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.evaluation import svg
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.reports import (
    aggregates_of,
    area_map,
    index_ranks,
    province_boundaries_file,
    ranking_rows,
    region_features,
    uncertainty_of,
    unit_profile_of,
)
from shoushan.evaluation.services import dataset_build
from shoushan.thinktank.selectors import blue_book_chapters

CJK_FONTS = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Source Han Serif SC", "WenQuanYi Zen Hei"'


@dataclass(frozen=True)
class BlueBook:
    dataset: Dataset
    html: str

    def pdf(self) -> bytes:
        return chinese_pdf(self.html)


def chinese_pdf(html: str) -> bytes:
    """A Chinese report's HTML set as PDF, or the reason it cannot be (no CJK font)."""
    from weasyprint import HTML  # imported here: it loads Pango, which only the PDF needs

    if not cjk_font_installed():
        raise InvalidInput(
            _(
                "No font with Chinese characters is installed, so the PDF cannot be set: "
                "install fonts-noto-cjk (Debian/Ubuntu: apt install fonts-noto-cjk)."
            )
        )
    return HTML(string=html).write_pdf()


def cjk_font_installed() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (WeasyPrint finds fonts through it)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def blue_book_for_year(year: int) -> BlueBook:
    """The blue book of the newest data set of `year`, compared with the newest of the year
    before when it has the same index."""
    dataset = Dataset.objects.filter(year=year).order_by("-created_at", "-id").first()
    if dataset is None:
        raise InvalidInput(
            _(
                "There is no indicator data set of %(year)s: upload one on the evaluation page "
                "and give the year of its data."
            )
            % {"year": year}
        )
    previous = Dataset.objects.filter(year=year - 1).order_by("-created_at", "-id").first()
    return blue_book(dataset, previous)


def blue_book(dataset: Dataset, previous: Dataset | None = None) -> BlueBook:
    built = dataset_build(dataset)
    aggregates = aggregates_of(built)
    index, pillars = aggregates[0], built.data.framework.level(2)
    before = None
    if previous is not None:
        previous_built = dataset_build(previous)
        if index.code in previous_built.result.scores.codes:
            before = index_ranks(previous_built)
        else:
            previous = None
    rows = ranking_rows(built, previous=before)
    names = [r["name"] or r["code"] for r in rows]
    profiles = []
    for row in rows:
        profile = unit_profile_of(built, row["code"])
        profiles.append(
            {
                "profile": profile,
                "rank": row["rank"],
                "change": row["change"],
                "radar": svg.radar(
                    [p["node"].name or p["node"].code for p in profile.pillars],
                    [p["score"] for p in profile.pillars],
                ),
            }
        )
    pillar_tables = []
    for pillar in pillars:
        position = [a.code for a in aggregates].index(pillar.code)
        ordered = sorted(
            rows, key=lambda r: (r["scores"][position] is None, -(r["scores"][position] or 0))
        )
        pillar_tables.append(
            {
                "node": pillar,
                "children": built.data.framework.children(pillar.code),
                "rows": [(r, r["scores"][position]) for r in ordered],
                "ranks": dict(
                    (p["profile"].code, pr["rank"])
                    for p in profiles
                    for pr in p["profile"].pillars
                    if pr["node"].code == pillar.code
                ),
            }
        )
    with translation.override("zh-hans"):
        uncertain = uncertainty_of(built)  # its labels are in the book's language
        html = render_to_string(
            "evaluation/blue_book.html",
            {
                "dataset": dataset,
                "previous": previous,
                "index": index,
                "aggregates": aggregates,
                "pillars": pillars,
                "framework": built.data.framework,
                "rows": rows,
                "units": len(rows),
                "indicators": len(built.data.raw.codes),
                "ranking_chart": svg.bar_chart(names, [r["scores"][0] for r in rows]),
                "map": _map(rows),
                "pillar_tables": pillar_tables,
                "profiles": profiles,
                "uncertainty": uncertain,
                "uncertainty_chart": svg.rank_intervals(
                    [r["name"] for r in uncertain.rows],
                    [(r["p05"], r["p95"]) for r in uncertain.rows],
                    [r["nominal"] for r in uncertain.rows],
                ),
                "chapters": blue_book_chapters(dataset.year) if dataset.year else [],
                "fonts": CJK_FONTS,
                "made": timezone.localtime(),
            },
        )
    return BlueBook(dataset=dataset, html=html)


def _map(rows: list[dict]) -> str:
    shape = area_map(rows)
    if shape is None:
        return ""
    if shape.regions:
        features = region_features(a["name"] for a in shape.areas)
    else:
        path = province_boundaries_file()
        features = json.loads(path.read_text(encoding="utf-8"))["features"] if path else []
    values = {a["name"]: a["value"] for a in shape.areas if a["value"] is not None}
    return svg.choropleth(features, values, shape.key) if values else ""
