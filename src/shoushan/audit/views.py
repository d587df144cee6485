import json
from datetime import datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shoushan.audit import selectors
from shoushan.audit.actions import action_label
from shoushan.core.errors import InvalidInput
from shoushan.core.exports import csv_response


def _filters(request: HttpRequest) -> tuple[dict, list[str]]:
    """The filters from the query string, and what was wrong with them (those are left out)."""
    errors = []

    def day(name: str, label: str, end: bool) -> datetime | None:
        value = request.GET.get(name, "").strip()
        if not value:
            return None
        try:
            parsed = parse_date(value)
        except ValueError:
            parsed = None
        if parsed is None:
            errors.append(
                _("“%(value)s” is not a date (%(label)s); use YYYY-MM-DD.")
                % {"value": value[:40], "label": label}
            )
            return None
        return timezone.make_aware(datetime.combine(parsed, time.max if end else time.min))

    filters = {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "region_code": request.GET.get("region_code", "").strip(),
        "since": day("since", _("From"), end=False),
        "until": day("until", _("To"), end=True),
    }
    return filters, errors


@require_safe
def audit_list(request: HttpRequest) -> HttpResponse:
    filters, errors = _filters(request)
    page = Paginator(selectors.audit_record_list(request.user, **filters), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": request.GET,
            "errors": errors,
            "query": query.urlencode(),
            "actions": selectors.audit_actions(request.user),
        },
    )


@require_safe
def audit_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.audit_record_get(request.user, record_id)
    return render(request, "audit/detail.html", {"record": record})


@require_safe
def audit_export(request: HttpRequest) -> HttpResponse:
    filters, errors = _filters(request)
    if errors:
        raise InvalidInput(" ".join(errors))
    records = selectors.audit_record_list(request.user, **filters)
    header = [
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Action code"),
        _("Object"),
        _("Object id"),
        _("Region code"),
        _("Changed fields"),
    ]
    rows = (
        [
            timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M:%S"),
            r.actor_name,
            action_label(r.action),
            r.action,
            r.object_repr,
            f"{r.object_type}:{r.object_id}",
            r.region_code,
            json.dumps(r.changes, ensure_ascii=False, sort_keys=True),
        ]
        for r in records.iterator(chunk_size=2000)
    )
    return csv_response("audit", header, rows)
