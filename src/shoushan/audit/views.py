import csv
import json
from datetime import datetime, time

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shoushan.audit import selectors


def _filters(request: HttpRequest) -> dict:
    def day(name: str, end: bool) -> datetime | None:
        parsed = parse_date(request.GET.get(name, "") or "")
        if parsed is None:
            return None
        moment = datetime.combine(parsed, time.max if end else time.min)
        return timezone.make_aware(moment)

    return {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "region_code": request.GET.get("region_code", "").strip(),
        "since": day("since", end=False),
        "until": day("until", end=True),
    }


def audit_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
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
            "query": query.urlencode(),
            "actions": selectors.audit_actions(),
        },
    )


def audit_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = selectors.audit_record_get(request.user, record_id)
    return render(request, "audit/detail.html", {"record": record})


def audit_export(request: HttpRequest) -> HttpResponse:
    records = selectors.audit_record_list(request.user, **_filters(request))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Time"),
            _("Actor"),
            _("Action"),
            _("Object"),
            _("Object id"),
            _("Region code"),
            _("Changed fields"),
        ]
    )
    for r in records.iterator(chunk_size=2000):
        writer.writerow(
            [
                timezone.localtime(r.at).isoformat(timespec="seconds"),
                r.actor_name,
                r.action,
                r.object_repr,
                f"{r.object_type}:{r.object_id}",
                r.region_code,
                json.dumps(r.changes, ensure_ascii=False, sort_keys=True),
            ]
        )
    return response
