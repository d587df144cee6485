from collections.abc import Callable

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.core.errors import DomainError, NotFound
from shoushan.core.jobs import job_get


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)


def act(request: HttpRequest, work: Callable[[], str]) -> bool:
    """Run a page's write: its success message, or its refusal with every reason, becomes the
    page's message. A record out of sight stays not found. Returns whether it succeeded."""
    try:
        messages.success(request, work())
    except NotFound:
        raise
    except (DomainError, ValueError) as e:
        message = getattr(e, "message", None) or _("Check the form's values.")
        details = getattr(e, "details", None)
        if isinstance(details, dict) and len(details) > 1:
            message = "; ".join(str(v) for v in details.values())
        messages.error(request, message)
        return False
    return True


# ---- background jobs ---------------------------------------------------------------------------

# The labels of the counts a job may report, in the reader's language.
OUTCOME_LABELS = {
    "created": gettext_lazy("Records created"),
    "located_by_address": gettext_lazy("Placed by their address"),
    "classified": gettext_lazy("Classified by the intake model"),
    "dispatched": gettext_lazy("Dispatched without a person"),
    "triage": gettext_lazy("Waiting for manual triage"),
    "added": gettext_lazy("Added"),
    "rows": gettext_lazy("Rows read"),
    "updated": gettext_lazy("Records updated"),
    "unchanged": gettext_lazy("Records unchanged"),
    "unplaced": gettext_lazy("Not placed in a community"),
}
SHOWN_PROBLEMS = 500


def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """A job's progress, polled by the page until it ends; then its outcome or its problems."""
    job = job_get(request.user, job_id)
    problems = job.outcome.get("problems") or []
    if isinstance(problems, dict):  # {field: reason}
        problems = [{"column": k, "reason": v} for k, v in problems.items()]
    problems = [  # apps name the reason `reason` or `message`; rows and columns may be absent
        {
            "row": p.get("row", ""),
            "column": p.get("column", p.get("field", "")),
            "reason": p.get("reason", p.get("message", "")),
        }
        for p in problems
        if isinstance(p, dict)
    ]
    context = {
        "job": job,
        "outcome": [(OUTCOME_LABELS[k], v) for k, v in job.outcome.items() if k in OUTCOME_LABELS],
        "problems": problems[:SHOWN_PROBLEMS],
        "more": max(0, len(problems) - SHOWN_PROBLEMS),
        "back": job.params.get("back", ""),
    }
    if request.GET.get("part") == "status":
        return render(request, "jobs/_status.html", context)
    return render(request, "jobs/detail.html", context)


def job_result(request: HttpRequest, job_id: int) -> FileResponse:
    """The file a job made, for the person who started it."""
    job = job_get(request.user, job_id)
    if not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.result_name)
