"""Manual triage (人工分拨): the cases that the intake model could not place confidently."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shoushan.core.errors import InvalidInput, PermissionDenied
from shoushan.grid import selectors
from shoushan.grid.cases import DISPATCHER_ROLES, case_dispatch_as_predicted
from shoushan.grid.intake_selectors import case_duplicate_candidates
from shoushan.grid.merge import case_may_merge, case_merge
from shoushan.grid.models import IntakeModel
from shoushan.grid.workflow import Stage


def triage(request: HttpRequest) -> HttpResponse:
    """New cases in the viewer's scope that wait for a person: predicted below the threshold
    (default), or every new case with its prediction (`?all=1`)."""
    if request.user.role not in DISPATCHER_ROLES and not request.user.is_superuser:
        raise PermissionDenied(_("Manual triage is done by the dispatching staff."))
    show_all = request.GET.get("all") == "1"
    cases = selectors.case_list_visible(request.user).filter(
        stage=Stage.REPORTED, intake_model_version__isnull=False
    )
    if not show_all:
        cases = cases.filter(needs_triage=True)
    page = Paginator(cases.order_by("intake_confidence", "-reported_at"), 50).get_page(
        request.GET.get("page")
    )
    model = IntakeModel.objects.filter(is_active=True).defer("payload").first()
    return render(
        request,
        "grid/triage.html",
        {
            "page": page,
            "model": model,
            "macro_f1": (model.report.get("raw_like") or {}).get("macro_f1") if model else None,
            "show_all": show_all,
            "query": "all=1" if show_all else "",
        },
    )


def case_duplicates(request: HttpRequest, case_id: int) -> HttpResponse:
    """The possible duplicates of a case, for the dispatcher to compare and merge: this case into
    another, or another into this one."""
    if request.user.role not in DISPATCHER_ROLES and not request.user.is_superuser:
        raise PermissionDenied(_("Manual triage is done by the dispatching staff."))
    case = selectors.case_get(request.user, case_id)
    rows = [
        {
            "case": other,
            "candidate": candidate,
            "merge_here": case_may_merge(request.user, case, other),
            "merge_there": case_may_merge(request.user, other, case),
        }
        for other, candidate in case_duplicate_candidates(request.user, case_id)
    ]
    return render(request, "grid/duplicates.html", {"case": case, "rows": rows})


@require_POST
def case_merge_view(request: HttpRequest, case_id: int) -> HttpResponse:
    """Merge case `case_id` into the case posted as `into`."""
    into = request.POST.get("into", "")
    if not into.isdigit():
        raise InvalidInput(_("Choose the case to merge into."))
    kept = case_merge(
        actor=request.user,
        case_id=case_id,
        into_id=int(into),
        note=request.POST.get("note", "")[:2000],
    )
    messages.success(
        request,
        _("Case %(duplicate)s is merged into %(kept)s; its reporter is kept there.")
        % {"duplicate": selectors.case_get(request.user, case_id).number, "kept": kept.number},
    )
    return redirect("grid:case", case_id=kept.pk)


@require_POST
def case_dispatch_predicted(request: HttpRequest, case_id: int) -> HttpResponse:
    """From manual triage: register and dispatch a case where its prediction points."""
    case = case_dispatch_as_predicted(actor=request.user, case_id=case_id)
    messages.success(
        request,
        _("Case %(number)s is dispatched to %(unit)s.")
        % {"number": case.number, "unit": case.unit.name},
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "grid:triage"  # only back to our own page, never elsewhere
    return redirect(back)
