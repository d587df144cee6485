from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.roles import VIEW_AUDIT
from shoushan.accounts.scope import scope_filter, scoped_get
from shoushan.audit.models import AuditRecord
from shoushan.core.errors import Forbidden


def _require_view_audit(viewer) -> None:
    if not viewer.has_perm(VIEW_AUDIT):
        raise Forbidden(_("Your role cannot see the audit trail."))


def audit_record_list(
    viewer,
    *,
    action: str = "",
    actor: str = "",
    region_code: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditRecord]:
    """The audit records inside the viewer's scope, newest first."""
    _require_view_audit(viewer)
    records = scope_filter(AuditRecord.objects.all(), viewer)
    if action:
        records = records.filter(action__startswith=action)
    if actor:
        records = records.filter(actor_name__icontains=actor)
    if region_code:
        records = records.filter(region_code__startswith=region_code)
    if since:
        records = records.filter(at__gte=since)
    if until:
        records = records.filter(at__lt=until)
    return records.order_by("-at", "-id")


def audit_record_get(viewer, record_id: int) -> AuditRecord:
    _require_view_audit(viewer)
    return scoped_get(AuditRecord.objects.all(), viewer, pk=record_id)


def audit_actions(viewer) -> list[str]:
    """The actions that occur in the viewer's scope, for the filter."""
    records = scope_filter(AuditRecord.objects.all(), viewer)
    return list(records.order_by("action").values_list("action", flat=True).distinct())
