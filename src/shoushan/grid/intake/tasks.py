"""Background work of intake: a 12345 file of work orders (up to 200,000 rows) is read, checked,
saved as cases and dispatched in a job, not in the request."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import DISPATCHERS, require_role
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_start, job_task
from shoushan.core.models import Job
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@job_task
def hotline_import_run(job: Job, progress: Progress) -> dict:
    progress(5, _("Reading the file"))
    with job.upload.open("rb") as f:
        rows = hotline_rows_read(job.params["name"], f.read())
    progress(20, _("Checking and saving %(n)s work orders") % {"n": len(rows)})
    result = hotline_orders_import(actor=job.created_by, rows=rows, progress=progress)
    return {
        "created": result.created,
        "located_by_address": result.located_by_address,
        "classified": result.classified,
        "dispatched": result.dispatched,
        "triage": result.triage,
    }


def hotline_import_start(*, actor, upload, back: str = "") -> Job:
    """Queue a file of 12345 work orders for import by a dispatching office."""
    require_role(actor, DISPATCHERS, _("12345 work orders are entered by the dispatching staff."))
    if upload is None:
        raise InvalidInput(_("Choose a CSV or xlsx file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(_("The file is larger than 100 MB."))
    return job_start(
        actor=actor,
        runner=hotline_import_run,
        kind="grid.hotline_import",
        title=IMPORT_TITLE % {"name": upload.name[:100]},
        params={"name": upload.name[:200], "back": back},
        upload=upload,
        upload_name="orders" + (".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"),
    )


IMPORT_TITLE = gettext_lazy("12345 work orders from %(name)s")
