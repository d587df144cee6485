"""Background jobs: long work (imports, PDFs) runs in the task runner (django-tasks, its database
backend and its `db_worker`), not in the request. A service starts a job with `job_start`: the
Job row and the queued task are written in one transaction, and the page the person is sent to
polls the row. The work itself is a function of the job decorated with `job_task`, which marks
the job running, lets the work report progress, and records how it ended: done with its outcome,
or failed with the reason a person can act on (a DomainError's message and details) — never a
half-finished state.

    @job_task
    def hotline_import_run(job: Job, progress: Progress) -> dict:
        progress(10, _("Reading the file"))
        ...
        return {"created": 120}
"""

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from shoushan.core.errors import DomainError, InvalidInput, NotFound
from shoushan.core.models import Job, JobStatus

log = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
JobWork = Callable[[Job, Progress], dict]


def job_task(work: JobWork):
    """The task that runs `work` for a job id, recording its progress and its end."""

    @wraps(work)
    def run(job_id: int) -> None:
        job = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).first()
        if job is None:  # run already, or its row is gone: nothing to do twice
            return
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=1)

        def progress(percent: int, message: str) -> None:
            Job.objects.filter(pk=job.pk).update(
                progress=max(1, min(99, percent)), message=str(message)[:500]
            )

        try:
            outcome = work(job, progress)
        except DomainError as e:
            _finish(job, JobStatus.FAILED, e.message, {"problems": _jsonable(e.details)})
        except Exception:
            log.exception("job %s (%s) failed", job.pk, job.kind)
            _finish(job, JobStatus.FAILED, _("The work stopped on an unexpected error."), {})
        else:
            _finish(job, JobStatus.DONE, _("Done."), outcome or {})

    return task(run)


def _finish(job: Job, status: str, message: str, outcome: dict) -> None:
    job.refresh_from_db(fields=["result", "result_name", "progress"])
    job.status, job.message, job.outcome = status, str(message)[:500], outcome
    job.progress = 100 if status == JobStatus.DONE else job.progress
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "outcome", "progress", "finished_at"])


def _jsonable(details: Any) -> Any:
    if details is None or isinstance(details, str | int | float | bool):
        return details
    if isinstance(details, dict):
        return {str(k): _jsonable(v) for k, v in details.items()}
    if isinstance(details, list | tuple):
        return [_jsonable(v) for v in details]
    return str(details)


def job_start(
    *,
    actor,
    runner,
    kind: str,
    title: str,
    params: dict | None = None,
    upload: File | None = None,
    upload_name: str = "",
) -> Job:
    """A new job of `actor`'s, queued for the task `runner` (made by `job_task`). An uploaded
    file is kept with the job for the work to read."""
    with transaction.atomic():
        job = Job(
            kind=kind,
            title=str(title)[:200],
            params=params or {},
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if upload is not None:
            job.upload.save(upload_name or upload.name or "upload", upload, save=False)
        job.save()
        runner.enqueue(job.pk)
    job.refresh_from_db()
    return job


MAX_UPLOAD_BYTES = 100 * 1024 * 1024


def upload_job_start(
    *, actor, runner, kind: str, title: str, upload: File | None, params: dict | None = None
) -> Job:
    """A job that works on an uploaded file (an import): the file is checked to be there and of a
    sane size, kept with the job under its own name's ending, and its name passed on."""
    if upload is None:
        raise InvalidInput(_("Choose a file."))
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    name = str(upload.name or "upload")
    ending = "." + name.rsplit(".", 1)[-1].lower()[:8] if "." in name else ""
    if name.lower().endswith(".osm.pbf"):
        ending = ".osm.pbf"
    return job_start(
        actor=actor,
        runner=runner,
        kind=kind,
        title=title,
        params={**(params or {}), "name": name[:200]},
        upload=upload,
        upload_name="upload" + ending,
    )


def job_upload_read(job: Job) -> bytes:
    with job.upload.open("rb") as f:
        return f.read()


def job_result_save(job: Job, name: str, content: bytes) -> None:
    """Keep the file the work made (a PDF, a report) for the person to download."""
    job.result.save(name, ContentFile(content), save=False)
    job.result_name = name[:200]
    job.save(update_fields=["result", "result_name"])


def job_get(viewer, job_id: int) -> Job:
    """A job the viewer started (a superuser sees every job); another's answers NotFound."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or not (
        getattr(viewer, "is_superuser", False)
        or (job.created_by_id is not None and job.created_by_id == getattr(viewer, "pk", None))
    ):
        raise NotFound(_("There is no such job of yours."))
    return job
