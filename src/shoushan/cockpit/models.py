"""The work system's own records (工作体系): the key tasks handed down from the city's yearly
measures (重要举措 → 任务 → 子任务) and supervised (督办), their events, evidence, deadline
changes and reminders; review meetings that turn red tiles into tasks; and the tiles' daily
counts, which the cockpit reads and which give each tile its last twelve periods.

A unit is a region's office: a task's lead unit and co-units are region codes, and an account
speaks for a unit when that region is one of its scopes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shoushan.cockpit.rules import TaskState


class TaskStateChoice(models.TextChoices):
    DRAFT = TaskState.DRAFT, _("to be handed down (待交办)")
    ASSIGNED = TaskState.ASSIGNED, _("handed down (已交办)")
    ACCEPTED = TaskState.ACCEPTED, _("taken on (领办)")
    REPORTED = TaskState.REPORTED, _("reported done (上报)")
    RETURNED = TaskState.RETURNED, _("returned to redo (驳回重办)")
    VERIFIED = TaskState.VERIFIED, _("verified done (已办结)")
    CLOSED = TaskState.CLOSED, _("closed off (办结销号)")


class TaskLevel(models.TextChoices):
    MEASURE = "measure", _("key measure (重要举措)")
    TASK = "task", _("task")
    SUBTASK = "subtask", _("subtask")


class Meeting(models.Model):
    """A review meeting of a region (调度会): its agenda is the red tiles of the day, kept as they
    were; the actions agreed are key tasks pointing back to it."""

    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    agenda = models.JSONField(_("agenda"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("review meeting")

    def __str__(self) -> str:
        return self.title


class KeyTask(models.Model):
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.CharField(_("level"), max_length=8, choices=TaskLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what is to be done"), blank=True)
    # the office that handed the task down: the parent's lead unit, or the creator's for a measure
    assigning_code = models.CharField(_("handed down by"), max_length=12, db_index=True)
    lead_code = models.CharField(_("lead unit"), max_length=12, db_index=True)
    deadline = models.DateField(_("deadline"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    indicators = models.JSONField(_("linked indicators"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=TaskStateChoice.choices, default=TaskState.DRAFT
    )
    assigned_on = models.DateField(_("handed down on"), null=True, blank=True)
    finished_on = models.DateField(_("verified on"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        indexes = [models.Index(fields=["lead_code", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="cockpit_task_weight_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class CoUnit(models.Model):
    """A unit that works on a task with its lead unit (协办单位)."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="co_units")
    region_code = models.CharField(max_length=12, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "region_code"], name="cockpit_one_co_unit")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} + {self.region_code}"


class TaskEvent(models.Model):
    """One step of a task's life, with who took it and why: the task's log."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.task_id} {self.action}"


class Evidence(models.Model):
    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="tasks/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    kind = models.CharField(max_length=8)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name


class DeadlineChangeStatus(models.TextChoices):
    PENDING = "pending", _("awaiting approval")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class DeadlineChange(models.Model):
    """A lead unit's request to move a deadline, decided by the unit that handed the task down."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="deadline_changes")
    old_deadline = models.DateField(_("deadline before"))
    new_deadline = models.DateField(_("deadline asked"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        max_length=10, choices=DeadlineChangeStatus.choices, default=DeadlineChangeStatus.PENDING
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.old_deadline} → {self.new_deadline}"


class Reminder(models.Model):
    """催办: a reminder to a task's lead unit; the second is copied to the unit above it and the
    third and later to the city (`to_code` is where it lands)."""

    task = models.ForeignKey(KeyTask, on_delete=models.CASCADE, related_name="reminders")
    level = models.PositiveSmallIntegerField(_("level"))
    to_code = models.CharField(_("sent to"), max_length=12, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )  # empty: sent by the platform's daily check
    sent_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.task_id} level {self.level}"


class TileSetting(models.Model):
    """The city's own target for a tile, where it differs from the tile's default."""

    tile = models.CharField(max_length=40, primary_key=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    amber = models.FloatField(_("amber band"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.tile


class TileCount(models.Model):
    """A tile's counts over the whole city on a day, grouped by the first nine digits of each
    record's region code (the street): the figure of the city, a district or a street, and of
    each region one level down, is a sum of these pairs. The cockpit reads today's count rather
    than counting all the records again, and the last count of each month is that month's
    figure in the tile's twelve periods."""

    tile = models.CharField(max_length=40)
    day = models.DateField()
    counts = models.JSONField()  # {"110101001": [numerator, denominator], …}
    counted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tile", "day"], name="cockpit_one_count_a_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.tile} {self.day}"
