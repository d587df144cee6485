"""Background work of party building: a file of enterprises or party organisations is imported
in a job."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import PARTY_KEEPERS, require_role
from shoushan.core.errors import InvalidInput
from shoushan.core.jobs import Progress, job_task, job_upload_read, upload_job_start
from shoushan.core.models import Job
from shoushan.party.imports import COLUMNS, party_import, rows_read
from shoushan.party.services import NOT_KEEPER

TITLES = {
    "enterprises": gettext_lazy("Non-public enterprises from %(name)s"),
    "organizations": gettext_lazy("Party organisations from %(name)s"),
}


@job_task
def party_import_run(job: Job, progress: Progress) -> dict:
    progress(10, _("Reading the file"))
    rows = rows_read(job.params["kind"], job.params["name"], job_upload_read(job))
    progress(30, _("Checking %(n)s rows") % {"n": len(rows)})
    return party_import(actor=job.created_by, kind=job.params["kind"], rows=rows)


def party_import_start(*, actor, kind: str, upload, back: str = "") -> Job:
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    if kind not in COLUMNS:
        raise InvalidInput(_("Unknown kind of import: %(kind)s.") % {"kind": kind})
    if upload is not None and not upload.name.lower().endswith((".xlsx", ".csv")):
        raise InvalidInput(_("Choose an xlsx or CSV file."))
    return upload_job_start(
        actor=actor,
        runner=party_import_run,
        kind=f"party.{kind}_import",
        title=TITLES[kind] % {"name": getattr(upload, "name", "")[:100]},
        upload=upload,
        params={"kind": kind, "back": back},
    )
