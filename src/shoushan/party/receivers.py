"""The party app keeps its units in step with the registers they come from: a social
organisation's or a commercial building's save updates its unit at once (bulk loads are caught by
`units_refresh`), and the status the registry reports is kept (三个同步)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from shoushan.organizations.models import CommercialBuilding, SocialOrganization
from shoushan.organizations.party_report import party_building_reported
from shoushan.party import services


@receiver(post_save, sender=SocialOrganization, dispatch_uid="party.organization_saved")
def organization_saved(sender, instance: SocialOrganization, raw: bool = False, **kwargs) -> None:
    if not raw:
        services.organization_unit_sync(instance)


@receiver(post_save, sender=CommercialBuilding, dispatch_uid="party.building_saved")
def building_saved(sender, instance: CommercialBuilding, raw: bool = False, **kwargs) -> None:
    if not raw:
        services.building_unit_sync(instance)


@receiver(party_building_reported, dispatch_uid="party.status_reported")
def status_reported(
    sender, *, organization, occasion, on, status, full_members, reference, actor, **kwargs
) -> None:
    services.status_report_record(
        actor=actor,
        organization=organization,
        occasion=occasion,
        on=on,
        status=status,
        full_members=full_members,
        reference=reference,
    )
