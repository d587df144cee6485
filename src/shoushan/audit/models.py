from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One write, or one read of unmasked personal information. Append-only."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("actor"), max_length=150)  # kept if the account goes
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    region_code = models.CharField(_("region code"), max_length=15, blank=True, db_index=True)
    changes = models.JSONField(_("changed fields"), default=dict, blank=True)
    # The chain: each record's hash covers its content and the hash of the record before it, so
    # that a record changed, removed or slipped in breaks every hash after it (audit_verify).
    previous_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("audit records are append-only")
        if not self.hash:
            raise ValueError("audit records join the chain: write them with audit_record(s)")
        super().save(*args, **kwargs)


class AuditChainHead(models.Model):
    """The end of the audit chain: the hash of the newest record. Writers lock this one row for
    their transaction, so records join the chain one transaction after another, never forked."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64, blank=True, default="")

    def __str__(self) -> str:
        return self.last_hash


class AuditArchive(models.Model):
    """Records older than the retention period, written to a file and removed from the table:
    the chain continues from `last_hash`, the hash of the newest archived record."""

    created_at = models.DateTimeField(default=timezone.now)
    path = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    records = models.PositiveIntegerField()
    up_to = models.DateTimeField()
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.records} records up to {self.up_to:%Y-%m-%d}"
