"""Background work of intake: a 12345 file of work orders (up to 200,000 rows) is read, checked,
saved as cases and dispatched in a job, not in the request."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import ADMINISTRATORS, DISPATCHERS, require_role
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_task, job_upload_read, upload_job_start
from shoushan.core.models import Job
from shoushan.grid.intake.hotline import hotline_orders_import, hotline_rows_read
from shoushan.grid.intake.problems import messages_import


@job_task
def hotline_import_run(job: Job, progress: Progress) -> dict:
    progress(5, _("Reading the file"))
    rows = hotline_rows_read(job.params["name"], job_upload_read(job))
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
    return upload_job_start(
        actor=actor,
        runner=hotline_import_run,
        kind="grid.hotline_import",
        title=IMPORT_TITLE % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"back": back},
    )


@job_task
def messages_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading and checking the messages"))
    added = messages_import(
        actor=job.created_by,
        source=job.params["source"],
        name=job.params["name"],
        content=job_upload_read(job),
    )
    return {"added": added}


def messages_import_start(*, actor, source: str, upload, back: str = "") -> Job:
    """Queue a file of a channel's messages for the month's problems."""
    require_role(actor, ADMINISTRATORS, _("The city and the districts import messages."))
    if not (source or "").strip():
        raise InvalidInput(_("Name the source of the messages (e.g. 12345-web)."))
    return upload_job_start(
        actor=actor,
        runner=messages_import_run,
        kind="grid.messages_import",
        title=MESSAGES_TITLE % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"source": source.strip()[:40], "back": back},
    )


IMPORT_TITLE = gettext_lazy("12345 work orders from %(name)s")
MESSAGES_TITLE = gettext_lazy("Messages from %(name)s")
