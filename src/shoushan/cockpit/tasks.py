"""Background work of the cockpit: the quarterly supervision report (xlsx or PDF)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.models import User
from shoushan.cockpit import report, selectors
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_result_save, job_start, job_task
from shoushan.core.models import Job

FORMATS = ("xlsx", "pdf")
REPORT_TITLE = gettext_lazy("Key tasks' quarterly report %(year)s Q%(quarter)s (%(format)s)")


@job_task
def quarter_report_run(job: Job, progress: Progress) -> dict:
    p = job.params
    viewer = User.objects.get(pk=p["viewer"])
    region = selectors.region_for(viewer, p["region"])
    progress(10, _("Collecting the tasks"))
    found = report.quarter_report(viewer, region, p["year"], p["quarter"])
    progress(40, _("Setting the pages (this takes a little while)"))
    content = report.report_pdf(found) if p["format"] == "pdf" else report.report_xlsx(found)
    job_result_save(job, report.report_file_name(found, p["format"]), content)
    return {"rows": len(found.rows)}


def quarter_report_start(*, actor, region_code: str, year: int, quarter: int, fmt: str) -> Job:
    """Start the report of a region the actor may read, for the quarter, in xlsx or PDF."""
    region = selectors.region_for(actor, region_code)
    if fmt not in FORMATS or not 1 <= quarter <= 4:
        raise InvalidInput(_("Choose a quarter (1–4) and a format (xlsx or pdf)."))
    return job_start(
        actor=actor,
        runner=quarter_report_run,
        kind="cockpit.quarter_report",
        title=REPORT_TITLE % {"year": year, "quarter": quarter, "format": fmt.upper()},
        params={
            "viewer": actor.pk,
            "region": region.code,
            "year": year,
            "quarter": quarter,
            "format": fmt,
            "back": f"/tasks/?region_code={region.code}",
        },
    )
