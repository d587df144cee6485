"""Pages of the comprehensive evaluation: upload indicator data sets, see the index, its ranks and
each unit's profile. Open to researchers and to city and district administrators."""

import math
import textwrap

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shoushan.accounts.roles import THINK_TANK_KEEPERS, has_role
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.exports import csv_response
from shoushan.core.views import act
from shoushan.evaluation import selectors, tasks
from shoushan.evaluation.blue_book import blue_book as blue_book_of
from shoushan.evaluation.engine import EngineError
from shoushan.evaluation.engine import pipeline as pipeline_module
from shoushan.evaluation.engine.analysis import (
    correlations,
    cronbach_alpha,
    effective_weights,
    indicator_stats,
    pca_first_component,
)
from shoushan.evaluation.engine.results import rank_descending
from shoushan.evaluation.models import Dataset
from shoushan.evaluation.provinces import PIPELINE as PROVINCES_PIPELINE
from shoushan.evaluation.provinces import official
from shoushan.evaluation.reports import (
    AreaMap,
    aggregates_of,
    area_map,
    index_ranks,
    province_boundaries_file,
    ranking_rows,
    region_features,
    uncertainty_of,
    unit_profile_of,
)
from shoushan.evaluation.services import (
    Built,
    dataset_build,
    dataset_create,
    dataset_framework_edit,
    dataset_pipeline_edit,
    district_dataset_create,
)
from shoushan.thinktank.services import topics_draft


def datasets(request: HttpRequest) -> HttpResponse:
    """The data sets, and the upload form: a file that does not read is reported by file, row and
    column, and nothing is stored."""
    visible = selectors.datasets_visible(request.user)
    problems = []
    if request.method == "POST":
        try:
            dataset = dataset_create(
                actor=request.user,
                name=request.POST.get("name", ""),
                note=request.POST.get("note", ""),
                data_file=request.FILES.get("data"),
                meta_file=request.FILES.get("meta"),
                pipeline_file=request.FILES.get("pipeline"),
                year=_year(request.POST.get("year", "")),
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
        {"datasets": visible, "problems": problems},
    )


def sample(request: HttpRequest, name: str) -> HttpResponse:
    """A whole sample data set to download and upload again: the provinces' social-spending index
    of the latest year, from the official statistics that ship with Shoushan."""
    selectors.datasets_visible(request.user)  # the evaluators' page: their role is checked
    if name == "idata.csv":
        body = official.official_idata(official.official_years()[0]).encode()
    elif name == "imeta.csv":
        body = official.FRAMEWORK.read_bytes()
    elif name == "pipeline.yaml":
        body = PROVINCES_PIPELINE.read_bytes()
    else:
        raise Http404
    kind = "text/yaml" if name.endswith(".yaml") else "text/csv"
    response = HttpResponse(body, content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sample-{name}"'
    return response


@require_POST
def districts_build(request: HttpRequest) -> HttpResponse:
    """Build the districts' index for a year from the census and the platform's records."""
    try:
        year = _year(request.POST.get("year", ""))
        if year is None:
            raise InvalidInput(_("Give the year to build the index for."))
        dataset = district_dataset_create(actor=request.user, year=year)
    except InvalidInput as e:
        messages.error(request, e.message)
        return redirect("evaluation:datasets")
    messages.success(request, _("Data set “%(name)s” stored.") % {"name": dataset.name})
    return redirect("evaluation:results", dataset.pk)


def _year(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(_("The year %(year)s is not a year of data.") % {"year": value[:10]})
    return int(value)


def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The index, its aggregates and the rank of every unit; `?format=csv` downloads them in the
    layout of `shoushan evaluate`."""
    dataset = selectors.dataset_get(request.user, pk)
    built = dataset_build(dataset)
    aggregates = aggregates_of(built)
    if request.GET.get("format") == "csv":
        return _results_csv(dataset, built, aggregates)
    compare = _compared(request, dataset, aggregates[0].code)
    rows = ranking_rows(built, previous=compare)
    return render(
        request,
        "evaluation/results.html",
        {
            "dataset": dataset,
            "aggregates": aggregates,
            "rows": rows,
            "indicators": len(built.data.raw.codes),
            "others": selectors.datasets_other(request.user, dataset),
            "compare_pk": int(request.GET["compare"]) if compare else None,
            "chart": {
                "units": [r["name"] or r["code"] for r in rows],
                "scores": [r["scores"][0] for r in rows],
                "map": _map_of(area_map(rows), dataset),
            },
        },
    )


def _map_of(shape: AreaMap | None, dataset: Dataset) -> dict | None:
    if shape is None:
        return None
    url = reverse("evaluation:province_boundaries")
    if shape.regions:
        url = reverse("evaluation:region_boundaries", args=[dataset.pk])
    return {"areas": shape.areas, "key": shape.key, "geojson": url}


def region_boundaries(request: HttpRequest, pk: int) -> JsonResponse:
    """The boundaries of the data set's units that are the platform's regions (WGS84 GeoJSON)."""
    dataset = selectors.dataset_get(request.user, pk)
    units = dataset_build(dataset).data.raw.units
    return JsonResponse({"type": "FeatureCollection", "features": region_features(set(units))})


def province_boundaries(request: HttpRequest) -> FileResponse:
    """China's provinces (OCHA COD-AB, simplified), read from SHOUSHAN_SHARED_DATA: the file's
    licence has not been checked for redistribution, so the project does not ship it."""
    path = province_boundaries_file()
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
    other = selectors.dataset_get(request.user, int(value))
    if index_code not in dataset_build(other).result.scores.codes:
        messages.warning(
            request,
            _("“%(name)s” has no aggregate %(code)s to compare with.")
            % {"name": other.name, "code": index_code},
        )
        return {}
    return index_ranks(dataset_build(other))


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
    dataset = selectors.dataset_get(request.user, pk)
    built = dataset_build(dataset)
    if unit not in built.result.scores.units:
        raise NotFound(_("There is no unit %(unit)s in this data set.") % {"unit": unit})
    profile = unit_profile_of(built, unit)
    units = len(built.result.scores.units)
    if request.method == "POST":  # the weaknesses become draft research topics
        year = dataset.year or timezone.localdate().year
        made: list = []

        def draft() -> str:
            made.extend(
                topics_draft(
                    actor=request.user,
                    year=year,
                    indicators=[
                        (
                            i["node"].name or i["node"].code,
                            _("%(unit)s ranks %(rank)s of %(units)s in “%(dataset)s”.")
                            % {
                                "unit": profile.name or unit,
                                "rank": i["rank"],
                                "units": units,
                                "dataset": dataset.name,
                            },
                        )
                        for i in profile.weaknesses
                    ],
                    budget_cap=request.POST.get("budget_cap", ""),
                )
            )
            return _("%(n)s draft topics are in the %(year)s guide.") % {
                "n": len(made),
                "year": year,
            }

        if act(request, draft):
            return redirect(f"{reverse('thinktank:index')}?year={year}")
        return redirect(request.path)
    return render(
        request,
        "evaluation/unit.html",
        {
            "dataset": dataset,
            "profile": profile,
            "drafts": has_role(request.user, THINK_TANK_KEEPERS),
            "units": units,
            "radar": {
                "unit": profile.name or unit,
                "pillars": [p["node"].name or p["node"].code for p in profile.pillars],
                "scores": [p["score"] for p in profile.pillars],
            },
        },
    )


def blue_book(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The data set's blue book, compared with the newest data set of the year before when there
    is one: the HTML at once; the PDF, which takes a while to set, as a background job whose page
    offers the file when it is ready."""
    if kind == "pdf":
        if request.method != "POST":  # a job is a write: started by the form's button
            return HttpResponseNotAllowed(["POST"])
        job = tasks.blue_book_pdf_start(
            actor=request.user,
            dataset_id=pk,
            back=reverse("evaluation:results", args=[pk]),
        )
        return redirect("job", job.pk)
    dataset = selectors.dataset_get(request.user, pk)
    book = blue_book_of(dataset, selectors.dataset_of_year_before(dataset))
    response = HttpResponse(book.html, content_type="text/html; charset=utf-8")
    name = f"blue-book-{dataset.year or dataset.pk}.html"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Every key a pipeline file may hold, with an example value: the module's own documentation.
PIPELINE_REFERENCE = textwrap.dedent((pipeline_module.__doc__ or "").partition("The keys::")[2])
FRAMEWORK_FIELDS = {
    "name": "iName",
    "parent": "Parent",
    "weight": "Weight",
    "direction": "Direction",
}


def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The framework as a tree, each row's name, parent, weight and direction editable and each
    indicator removable; saving rebuilds the index, and a framework that no longer builds is
    refused with the reason."""
    dataset = selectors.dataset_get(request.user, pk)
    if request.method == "POST":
        changes: dict[str, dict[str, str]] = {}
        for key, value in request.POST.items():
            field, _sep, code = key.partition(":")
            if field in FRAMEWORK_FIELDS and code:
                changes.setdefault(code, {})[FRAMEWORK_FIELDS[field]] = value
        try:
            dataset_framework_edit(
                actor=request.user,
                dataset=dataset,
                changes=changes,
                remove=set(request.POST.getlist("remove")),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The framework was saved and the index rebuilt."))
            return redirect("evaluation:results", dataset.pk)
    framework = dataset_build(dataset).data.framework
    levels = [
        (level, framework.level(level), framework.level(level + 1))
        for level in range(framework.max_level, 0, -1)
    ]
    return render(
        request,
        "evaluation/framework.html",
        {
            "dataset": dataset,
            "framework": framework,
            "levels": levels,
            "editable": selectors.dataset_editable_by(request.user, dataset),
        },
    )


def pipeline_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The data set's pipeline file as text: saving checks every key, rebuilds the index and
    refuses a file with problems, listing each one; nothing changes until it builds."""
    dataset = selectors.dataset_get(request.user, pk)
    text, problems = dataset.pipeline_yaml, []
    if request.method == "POST":
        text = request.POST.get("pipeline", "")
        try:
            dataset_pipeline_edit(actor=request.user, dataset=dataset, text=text)
        except InvalidInput as e:
            messages.error(request, e.message)
            problems = e.details or []
        else:
            messages.success(request, _("The pipeline was saved and the index rebuilt."))
            return redirect("evaluation:results", dataset.pk)
    return render(
        request,
        "evaluation/pipeline.html",
        {
            "dataset": dataset,
            "text": text,
            "problems": problems,
            "reference": PIPELINE_REFERENCE,
            "editable": selectors.dataset_editable_by(request.user, dataset),
        },
    )


def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """What a researcher checks before trusting an index: each indicator's statistics and flags
    (raw data), how the pillars correlate, each pillar's internal consistency (Cronbach's alpha)
    and the weights PCA would propose, and each element's effective weight in the index."""
    dataset = selectors.dataset_get(request.user, pk)
    built = dataset_build(dataset)
    framework, scores = built.data.framework, built.result.scores
    nodes = {n.code: n for n in framework.nodes}
    pillars = [n.code for n in framework.level(2)]
    pillar_scores = scores.select_codes(pillars)
    normalised = built.result.stages["Normalised"]
    consistency = []
    for pillar in framework.level(2):
        children = [c.code for c in framework.children(pillar.code) if c.code in normalised.codes]
        alpha = cronbach_alpha(normalised.select_codes(children)) if len(children) > 1 else None
        try:
            pca = pca_first_component(normalised.select_codes(children), pillar.code)
        except EngineError:
            pca = None
        consistency.append(
            {
                "node": pillar,
                "alpha": None if alpha is None or math.isnan(alpha) else round(alpha, 3),
                "pca": [
                    (nodes[code], round(float(w), 3))
                    for code, w in zip(pca.codes, pca.loadings, strict=True)
                ]
                if pca
                else [],
                "explained": round(float(pca.variance_explained[0]) * 100, 1) if pca else None,
            }
        )
    effective = effective_weights(framework)
    return render(
        request,
        "evaluation/analysis.html",
        {
            "dataset": dataset,
            "stats": [(nodes[s.code], s) for s in indicator_stats(built.data.raw)],
            "pillars": [nodes[code] for code in pillars],
            "correlations": [
                (nodes[row], [_rounded(c.r) for c in pairs])
                for row, pairs in _matrix(
                    correlations(pillar_scores, pillar_scores, pval=0), pillars
                )
            ],
            "consistency": consistency,
            "effective": [
                (nodes[code], round(w * 100, 2))
                for code, w in effective.items()
                if nodes[code].level == 1
            ],
        },
    )


def _matrix(pairs, codes: list[str]):
    by = {(c.var1, c.var2): c for c in pairs}
    return [(row, [by[(row, col)] for col in codes]) for row in codes]


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def uncertainty(request: HttpRequest, pk: int) -> HttpResponse:
    """How firmly each unit holds its rank: the 5–95 % interval of its rank when the method is
    varied (Monte Carlo), and which choice of method moves the ranking most (Sobol)."""
    dataset = selectors.dataset_get(request.user, pk)
    result = uncertainty_of(dataset_build(dataset))
    return render(
        request,
        "evaluation/uncertainty.html",
        {
            "dataset": dataset,
            "result": result,
            "chart": {
                "units": [r["name"] for r in result.rows],
                "intervals": [[r["p05"], r["p95"]] for r in result.rows],
                "nominal": [r["nominal"] for r in result.rows],
                "median": [r["median"] for r in result.rows],
            },
        },
    )
