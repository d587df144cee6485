from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VersionStamp(models.Model):
    """A stamp per kind of data that processes keep in memory (the grids, the regions, the case
    catalogue, the active intake model): every write of that data gives it a new random value in
    its own transaction, and a process's cached copy is rebuilt when the stamp it holds is no
    longer the current one (see shoushan.core.versioned). Works across processes and machines.
    Random, not counted: a rolled-back write followed by another could repeat a count that a
    process cached inside the rolled-back transaction."""

    name = models.CharField(max_length=40, primary_key=True)
    stamp = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.name} {self.stamp}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job", "waiting to start")
    RUNNING = "running", pgettext_lazy("job", "running")
    DONE = "done", pgettext_lazy("job", "done")
    FAILED = "failed", pgettext_lazy("job", "failed")


class Job(models.Model):
    """Long work a person started (an import, a PDF): the task runner does it in the background
    and writes its progress here, which the job's page shows until it is done. Only the person
    who started a job sees it."""

    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to="jobs/in/%Y/%m/", blank=True)
    result = models.FileField(upload_to="jobs/out/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    outcome = models.JSONField(
        default=dict, blank=True, help_text=_("What the work reports: counts, or the problems.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


class Lease(models.Model):
    """Who runs a singleton (the periodic jobs) until when: held by one process of one machine,
    renewed while it runs, taken over by another when it lapses (its holder died)."""

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=200)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} until {self.expires_at:%H:%M:%S}"


class RateCounter(models.Model):
    """How many times something happened since `started_at` (sign-in attempts of an account or an
    address, reports from an address): the limits every process and machine share."""

    key = models.CharField(max_length=200, primary_key=True)
    started_at = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.started_at:%H:%M:%S}"
