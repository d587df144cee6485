"""三个同步: when a social organisation registers, takes its annual inspection or applies for a
rating, the registry asks for its party-building status and sends it on with
`party_building_reported`; the party-building app keeps it (this app does not know that app: the
layers let it only send)."""

from datetime import date

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.core.errors import InvalidInput

# organization, occasion ("registration", "inspection" or "rating"), on, status, full_members,
# reference, actor — sent inside the registry's transaction, so a receiver's failure undoes both.
party_building_reported = Signal()


class PartyBuildingStatus(models.TextChoices):
    OWN = "own", gettext_lazy("a party organisation of its own")
    JOINT = "joint", gettext_lazy("in a joint party organisation")
    WORK = "work", gettext_lazy("work coverage only (instructor, union or youth league)")
    NONE = "none", gettext_lazy("not covered")


def party_report_check(values: dict) -> dict | None:
    """The report in the values (`party_status`, `party_members`), or None when none was given;
    InvalidInput when it is half given or wrong."""
    status = str(values.get("party_status") or "").strip()
    members = str("" if values.get("party_members") is None else values["party_members"]).strip()
    if not status and not members:
        return None
    if status not in PartyBuildingStatus.values:
        raise InvalidInput(
            _("Choose the party-building status."), details={"party_status": _("Choose one.")}
        )
    if not members.isdigit():
        message = _("Give the number of full party members (0 or more).")
        raise InvalidInput(message, details={"party_members": message})
    return {"status": status, "full_members": int(members)}


def party_report_send(
    *, actor, organization, occasion: str, on: date, report: dict | None, reference: str = ""
) -> None:
    if report is not None:
        party_building_reported.send(
            sender=organization.__class__,
            organization=organization,
            occasion=occasion,
            on=on,
            reference=reference,
            actor=actor,
            **report,
        )
