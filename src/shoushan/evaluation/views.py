"""Pages of the comprehensive evaluation: upload indicator data sets, see the index, its ranks and
each unit's profile. Open to researchers and to city and district administrators."""

import math
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shoushan.accounts.models import Role
from shoushan.core.errors import InvalidInput, NotFound, PermissionDenied
from shoushan.core.exports import csv_response
from shoushan.evaluation.engine.results import rank_descending
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.services import Built, dataset_build, dataset_create

EVALUATION_ROLES = {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.RESEARCHER}
PROFILE_INDICATORS = 5  # strengths and weaknesses shown per unit


def _require_evaluator(request: HttpRequest) -> None:
    if request.user.role not in EVALUATION_ROLES and not request.user.is_superuser:
        raise PermissionDenied(_("Your role does not work with the evaluation index."))


def _dataset(pk: int) -> Dataset:
    dataset = Dataset.objects.filter(pk=pk).first()
    if dataset is None:
        raise NotFound(_("There is no such data set."))
    return dataset


def datasets(request: HttpRequest) -> HttpResponse:
    """The data sets, and the upload form: a file that does not read is reported by file, row and
    column, and nothing is stored."""
    _require_evaluator(request)
    problems = []
    if request.method == "POST":
        try:
            dataset = dataset_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
                data_file=request.FILES.get("data"),
                meta_file=request.FILES.get("meta"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(request, _("Data set “%(name)s” stored.") % {"name": dataset.name})
            return redirect("evaluation:results", dataset.pk)
    return render(
        request,
        "evaluation/datasets.html",
        {"datasets": Dataset.objects.select_related("created_by"), "problems": problems},
    )


def _aggregates(built: Built):
    """The aggregates from the index down to the pillars, as the results table shows them."""
    framework = built.data.framework
    return [n for level in range(framework.max_level, 1, -1) for n in framework.level(level)]


def _results_rows(built: Built):
    scores = built.result.scores
    aggregates = _aggregates(built)
    index = aggregates[0]
    ranks = rank_descending(scores.column(index.code))
    names = dict(zip(built.data.raw.units, built.data.unit_names, strict=True))
    rows = [
        {
            "code": unit,
            "name": names.get(unit, ""),
            "rank": None if math.isnan(ranks[i]) else int(ranks[i]),
            "scores": [_number(scores.values[i, scores.codes.index(a.code)]) for a in aggregates],
        }
        for i, unit in enumerate(scores.units)
    ]
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    return aggregates, rows


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 2)


def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The index, its aggregates and the rank of every unit; `?format=csv` downloads them in the
    layout of `shoushan evaluate`."""
    _require_evaluator(request)
    dataset = _dataset(pk)
    built = dataset_build(dataset)
    aggregates, rows = _results_rows(built)
    if request.GET.get("format") == "csv":
        return _results_csv(dataset, built, aggregates)
    compare = _compared(request, dataset, aggregates[0].code)
    for row in rows:
        before = compare.get(row["code"])
        row["change"] = before - row["rank"] if before and row["rank"] else None
    return render(
        request,
        "evaluation/results.html",
        {
            "dataset": dataset,
            "aggregates": aggregates,
            "rows": rows,
            "indicators": len(built.data.raw.codes),
            "others": Dataset.objects.exclude(pk=dataset.pk).only("pk", "name"),
            "compare_pk": int(request.GET["compare"]) if compare else None,
            "chart": {
                "units": [r["name"] or r["code"] for r in rows],
                "scores": [r["scores"][0] for r in rows],
                "provinces": _province_areas(rows) if _boundaries_file() else [],
            },
        },
    )


PROVINCE_BOUNDARIES = "boundaries/china_provinces_ocha2020_wgs84_simplified.geojson"


def _boundaries_file() -> Path | None:
    path = settings.SHARED_DATA_DIR / PROVINCE_BOUNDARIES
    return path if path.is_file() else None


def _province_areas(rows) -> list[dict]:
    """Map areas for units whose uCode is a province's two-digit code (GB/T 2260), keyed by the
    boundary file's ADM1_PCODE (CN011 is Beijing's 11)."""
    return [
        {"name": f"CN0{r['code']}", "value": r["scores"][0], "unit": r["name"] or r["code"]}
        for r in rows
        if len(r["code"]) == 2 and r["code"].isdigit()
    ]


def province_boundaries(request: HttpRequest) -> FileResponse:
    """China's provinces (OCHA COD-AB, simplified), read from SHOUSHAN_SHARED_DATA: the file's
    licence has not been checked for redistribution, so the project does not ship it."""
    path = _boundaries_file()
    if path is None:
        raise NotFound(_("The province boundaries are not installed on this server."))
    response = FileResponse(path.open("rb"), content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _compared(request: HttpRequest, dataset: Dataset, index_code: str) -> dict[str, int]:
    """The ranks in the data set chosen for comparison (e.g. last year's), by unit; empty when
    none is chosen or it has no aggregate of the same code."""
    value = request.GET.get("compare", "")
    if not value.isdigit() or int(value) == dataset.pk:
        return {}
    other = _dataset(int(value))
    scores = dataset_build(other).result.scores
    if index_code not in scores.codes:
        messages.warning(
            request,
            _("“%(name)s” has no aggregate %(code)s to compare with.")
            % {"name": other.name, "code": index_code},
        )
        return {}
    ranks = rank_descending(scores.column(index_code))
    return {u: int(r) for u, r in zip(scores.units, ranks, strict=True) if not math.isnan(r)}


def _results_csv(dataset: Dataset, built: Built, aggregates) -> HttpResponse:
    scores = built.result.scores
    ranks = rank_descending(scores.column(aggregates[0].code))
    names = dict(zip(built.data.raw.units, built.data.unit_names, strict=True))
    return csv_response(
        f"evaluation-{dataset.pk}",
        ["uCode", "uName", *(a.code for a in aggregates), "Rank"],
        (
            [
                unit,
                names.get(unit, ""),
                *(repr(float(scores.values[i, scores.codes.index(a.code)])) for a in aggregates),
                "" if math.isnan(ranks[i]) else int(ranks[i]),
            ]
            for i, unit in enumerate(scores.units)
        ),
    )


def unit_profile(request: HttpRequest, pk: int, unit: str) -> HttpResponse:
    """One unit: its score and rank on every aggregate, a radar of its pillars, and the
    indicators where it ranks best and worst among the units."""
    _require_evaluator(request)
    dataset = _dataset(pk)
    built = dataset_build(dataset)
    scores = built.result.scores
    if unit not in scores.units:
        raise NotFound(_("There is no unit %(unit)s in this data set.") % {"unit": unit})
    row = scores.units.index(unit)
    framework = built.data.framework
    aggregates = [
        {
            "node": node,
            "score": _number(scores.values[row, scores.codes.index(node.code)]),
            "rank": _rank_of(scores.column(node.code), row),
        }
        for node in _aggregates(built)
    ]
    indicators = [
        {
            "node": node,
            "raw": _number(built.data.raw.values[row, built.data.raw.codes.index(node.code)]),
            "rank": _rank_of(scores.column(node.code), row),
        }
        for node in framework.indicators
    ]
    ranked = sorted((i for i in indicators if i["rank"]), key=lambda i: i["rank"])
    pillars = framework.level(2)
    names = dict(zip(built.data.raw.units, built.data.unit_names, strict=True))
    return render(
        request,
        "evaluation/unit.html",
        {
            "dataset": dataset,
            "unit": unit,
            "name": names.get(unit, ""),
            "units": len(scores.units),
            "aggregates": aggregates,
            "strengths": ranked[:PROFILE_INDICATORS],
            "weaknesses": ranked[::-1][:PROFILE_INDICATORS],
            "radar": {
                "unit": names.get(unit, "") or unit,
                "pillars": [p.name or p.code for p in pillars],
                "scores": [
                    _number(scores.values[row, scores.codes.index(p.code)]) for p in pillars
                ],
            },
        },
    )


def _rank_of(column: np.ndarray, row: int) -> int | None:
    rank = rank_descending(column)[row]
    return None if math.isnan(rank) else int(rank)
