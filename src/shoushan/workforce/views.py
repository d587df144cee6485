from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shoushan.accounts.personal import can_view_personal_information, personal_values
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.core.masking import mask
from shoushan.regions.selectors import region_ancestors
from shoushan.workforce import selectors, services, tasks
from shoushan.workforce.forms import (
    AttributeChangeForm,
    EventForm,
    WageForm,
    WorkerEditForm,
    WorkerForm,
)
from shoushan.workforce.models import (
    CommunityWorker,
    Education,
    Post,
    WorkerStatus,
)
from shoushan.workforce.sheets import import_template_xlsx, workers_xlsx
from shoushan.workforce.statistics import attributes_as_of_the_day, explained, trend_chart


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        k: request.GET.get(k, "").strip()
        for k in ("region_code", "status", "post", "education", "q")
    }


def worker_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    workers = selectors.worker_list(request.user, **filters)
    if request.GET.get("format") == "xlsx":
        return workers_xlsx(
            request.user, list(workers[:50_000]), masked=request.GET.get("masked") == "1"
        )
    page = Paginator(workers, 50).get_page(request.GET.get("page"))
    rows = [(w, mask(w.id_number, "id_number"), mask(w.phone, "phone")) for w in page.object_list]
    query = urlencode({k: v for k, v in filters.items() if v})
    return render(
        request,
        "workforce/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": query,
            "statuses": WorkerStatus.choices,
            "posts": Post.choices,
            "educations": Education.choices,
            "may_view_personal": can_view_personal_information(request.user),
        },
    )


def _form_errors(form, error: InvalidInput) -> None:
    details = error.details if isinstance(error.details, dict) else {}
    placed = False
    for field, message in details.items():
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def worker_create(request: HttpRequest) -> HttpResponse:
    selectors.require_workforce_role(request.user)
    initial = {}
    if len(selectors.scope_prefixes(request.user) or []) == 1:
        prefix = selectors.scope_prefixes(request.user)[0]
        if len(prefix) == 12:
            initial["community_code"] = prefix
    form = WorkerForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            worker = services.worker_create(actor=request.user, **data)
        except InvalidInput as e:
            _form_errors(form, e)
        else:
            messages.success(request, _("The worker is recorded."))
            return redirect("workforce:detail", worker_id=worker.pk)
    return render(request, "workforce/form.html", {"form": form, "worker": None})


def worker_edit(request: HttpRequest, worker_id: int) -> HttpResponse:
    worker = selectors.worker_get(request.user, worker_id)
    initial = {f: getattr(worker, f) for f in services.EDITABLE}
    initial["id_number"] = ""
    form = WorkerEditForm(request.POST or None, initial=initial)
    form.fields["id_number"].required = False
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE}
        # ID number and phone are shown masked: left empty, they are kept as they are
        for personal in ("id_number", "phone"):
            if not data.get(personal):
                data.pop(personal, None)
        if not data.get("gender"):
            data.pop("gender", None)
        if not data.get("birth_date"):
            data.pop("birth_date", None)
        try:
            services.worker_update(actor=request.user, worker_id=worker.pk, **data)
        except InvalidInput as e:
            _form_errors(form, e)
        else:
            messages.success(request, _("The worker's record is saved."))
            return redirect("workforce:detail", worker_id=worker.pk)
    form.fields["id_number"].help_text = _(
        "Now %(masked)s. Leave empty to keep it; enter the full number to correct it."
    ) % {"masked": mask(worker.id_number, "id_number")}
    form.fields["phone"].help_text = _("Now %(masked)s. Leave empty to keep it.") % {
        "masked": mask(worker.phone, "phone") or "—"
    }
    form.initial["phone"] = ""
    return render(request, "workforce/form.html", {"form": form, "worker": worker})


def _detail(
    request: HttpRequest,
    worker: CommunityWorker,
    *,
    change_form: AttributeChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    reveal = request.GET.get("reveal") == "1" and can_view_personal_information(request.user)
    if reveal:
        personal = personal_values(
            request.user, [worker], CommunityWorker.PERSONAL_FIELDS, purpose="page"
        )[0]
    else:
        personal = {f: mask(getattr(worker, f), k) for f, k in worker.PERSONAL_FIELDS.items()}
    today = timezone.localdate().isoformat()
    return render(
        request,
        "workforce/detail.html",
        {
            "worker": worker,
            "personal": personal,
            "revealed": reveal,
            "may_view_personal": can_view_personal_information(request.user),
            "history": selectors.worker_history(worker),
            "since": selectors.attribute_since(worker),
            "event_form": EventForm(initial={"on": today}),
            "change_form": change_form or AttributeChangeForm(initial={"on": today}),
            "change_fields": {k.value: v for k, v in AttributeChangeForm.FIELDS.items()},
            "path": [*region_ancestors(worker.community)[1:], worker.community],
        },
        status=status,
    )


def worker_detail(request: HttpRequest, worker_id: int) -> HttpResponse:
    return _detail(request, selectors.worker_get(request.user, worker_id))


@require_POST
def worker_change(request: HttpRequest, worker_id: int) -> HttpResponse:
    """Record a change of education, political status, qualification or pay; a refused change
    shows the worker's page again with the form as entered and the reason."""
    worker = selectors.worker_get(request.user, worker_id)
    form = AttributeChangeForm(request.POST)
    if form.is_valid():
        try:
            change = services.worker_attribute_change_record(
                actor=request.user, worker_id=worker.pk, **form.change()
            )
        except (InvalidInput, Conflict) as e:
            details = e.details if isinstance(e.details, dict) else {}
            placed = False
            for field, message in details.items():
                if field in form.fields:
                    form.add_error(field, message)
                    placed = True
            if not placed:
                form.add_error(None, e.message)
            status = e.status_code
        else:
            messages.success(
                request,
                _("Recorded: change of %(attribute)s from %(on)s.")
                % {"attribute": change.get_attribute_display(), "on": change.on.isoformat()},
            )
            return redirect("workforce:detail", worker_id=worker.pk)
    else:
        status = 422
    return _detail(request, worker, change_form=form, status=status)


@require_POST
def worker_event(request: HttpRequest, worker_id: int) -> HttpResponse:
    form = EventForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(" ".join(e for errors in form.errors.values() for e in errors))
    event = services.worker_event_record(
        actor=request.user, worker_id=worker_id, **form.cleaned_data
    )
    messages.success(
        request,
        _("Recorded: %(kind)s on %(on)s.") % {"kind": event.get_kind_display(), "on": event.on},
    )
    try:
        selectors.worker_get(request.user, worker_id)
    except NotFound:  # moved out of the viewer's scope by a transfer
        return redirect("workforce:list")
    return redirect("workforce:detail", worker_id=worker_id)


def _as_of(request: HttpRequest) -> date:
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else today
    except ValueError:
        raise InvalidInput(_("A date is written YYYY-MM-DD.")) from None
    if day > today:
        raise InvalidInput(_("Statistics are for today or a past date."))
    return day


def statistics(request: HttpRequest) -> HttpResponse:
    region = selectors.region_for_statistics(request.user, request.GET.get("region_code", ""))
    day = _as_of(request)
    result = selectors.statistics_as_of(region, day)
    first_year = selectors.first_hire_year(region) or day.year
    first_year = max(first_year, day.year - 15)
    trend = selectors.statistics_trend(
        region, first_year=first_year, last_day=day, records=result["records"]
    )
    return render(
        request,
        "workforce/statistics.html",
        {
            "region": region,
            "path": [*region_ancestors(region), region],
            "day": day,
            "today": timezone.localdate(),
            "figures": result["figures"],
            "lines": explained(
                result["figures"], households_available=result["households_available"]
            ),
            "as_of_the_day": attributes_as_of_the_day(),
            "children": result["children"],
            # A subdivision without a single record is "no records", not a head count of 0.
            "children_covered": sum(1 for _child, f in result["children"] if f.head_count),
            "households_available": result["households_available"],
            "trend": trend,
            "chart": trend_chart(trend),
            "wages": selectors.city_average_wages()[:5],
            "is_city_admin": selectors.is_city_admin(request.user),
        },
    )


def worker_import(request: HttpRequest) -> HttpResponse:
    selectors.require_workforce_role(request.user)
    if request.GET.get("template") == "1":
        return import_template_xlsx()
    if request.method == "POST":  # the file is read in a background job
        try:
            job = tasks.workers_import_start(
                actor=request.user,
                upload=request.FILES.get("file"),
                back=reverse("workforce:list"),
            )
        except InvalidInput as e:
            messages.error(request, e.message)
        else:
            return redirect("job", job.pk)
    return render(
        request,
        "workforce/import.html",
        {"columns": services.COLUMNS, "required": services.REQUIRED},
    )


def wages(request: HttpRequest) -> HttpResponse:
    """The city's average wage per year, edited by the city administrator."""
    selectors.require_workforce_role(request.user)
    form = WageForm(request.POST or None)
    if request.method == "POST":
        if not selectors.is_city_admin(request.user):
            raise Forbidden(_("Only the city administrator records the city's average wage."))
        if form.is_valid():
            try:
                services.city_average_wage_set(actor=request.user, **form.cleaned_data)
            except InvalidInput as e:
                form.add_error(None, e.message)
            else:
                messages.success(request, _("The city's average wage is saved."))
                return redirect("workforce:wages")
    return render(
        request,
        "workforce/wages.html",
        {
            "form": form,
            "wages": selectors.city_average_wages(),
            "is_city_admin": selectors.is_city_admin(request.user),
        },
    )
