"""Background work of the registry: a CSV or xlsx file of organisations, inspections, ratings
or credit-list entries is imported in a job."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import REGISTRARS, require_role
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_task, job_upload_read, upload_job_start
from shoushan.core.models import Job
from shoushan.organizations.imports import COLUMNS, organizations_import, rows_read
from shoushan.organizations.services import NOT_REGISTRAR

TITLES = {
    "registry": gettext_lazy("Social organisations from %(name)s"),
    "inspections": gettext_lazy("Annual inspections from %(name)s"),
    "ratings": gettext_lazy("Ratings from %(name)s"),
    "lists": gettext_lazy("Credit-list entries from %(name)s"),
}


@job_task
def organizations_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading the file"))
    rows = rows_read(job.params["kind"], job.params["name"], job_upload_read(job))
    progress(30, _("Checking %(n)s rows") % {"n": len(rows)})
    return organizations_import(actor=job.created_by, kind=job.params["kind"], rows=rows)


def organizations_import_start(*, actor, kind: str, upload, back: str = "") -> Job:
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    if kind not in COLUMNS:
        raise InvalidInput(_("Unknown kind of import: %(kind)s.") % {"kind": kind})
    if upload is not None and not upload.name.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput(_("Choose an xlsx or CSV file."))
    return upload_job_start(
        actor=actor,
        runner=organizations_import_run,
        kind=f"organizations.{kind}_import",
        title=TITLES[kind] % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"kind": kind, "back": back},
    )
