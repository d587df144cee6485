"""What the audit trail records of every request, whatever view answered it (等保 level 3): a
refused access (403), and a file taken out of the platform (an export, a download) by whom."""

from django.http import HttpRequest, HttpResponse

from shoushan.audit.services import audit_record


class AuditTrailMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        where = {"method": request.method, "path": request.path[:500]}
        if response.status_code == 403:
            audit_record(
                actor=user,
                action="access.denied",
                object_repr=request.path[:200],
                changes={**where, "address": request.META.get("REMOTE_ADDR", "")},
            )
        elif response.status_code == 200 and "attachment" in response.get(
            "Content-Disposition", ""
        ):
            audit_record(
                actor=user,
                action="data.export",
                object_repr=response["Content-Disposition"].split("filename=")[-1].strip('"')[:200],
                changes={**where, "query": request.META.get("QUERY_STRING", "")[:500]},
            )
        return response
