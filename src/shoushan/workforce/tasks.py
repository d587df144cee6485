"""Background work of the workforce: an xlsx file of community workers is imported in a job."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_task, job_upload_read, upload_job_start
from shoushan.core.models import Job
from shoushan.workforce import selectors, services
from shoushan.workforce.sheets import read_workers_xlsx


@job_task
def workers_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading and checking the workers"))
    rows = read_workers_xlsx(job_upload_read(job))
    return {"created": services.workers_import(actor=job.created_by, rows=rows).created}


def workers_import_start(*, actor, upload, back: str = "") -> Job:
    selectors.require_workforce_role(actor)
    if upload is not None and not upload.name.lower().endswith(".xlsx"):
        raise InvalidInput(_("Choose an xlsx file."))
    return upload_job_start(
        actor=actor,
        runner=workers_import_run,
        kind="workforce.workers_import",
        title=WORKERS_TITLE % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"back": back},
    )


WORKERS_TITLE = gettext_lazy("Community workers from %(name)s")
