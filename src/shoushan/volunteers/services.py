"""Writes of the volunteer system, each in one transaction with its audit row."""

import secrets
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import REGION_STAFF, has_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.core.uploads import JPEG, PNG, upload_kind
from shoushan.core.validators import InvalidNumber, birth_date_from_id_number, normalise_id_number
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Region
from shoushan.volunteers import rules
from shoushan.volunteers.models import (
    Activity,
    Certificate,
    HoursSource,
    HoursStatus,
    OrganizationKind,
    RatingStatus,
    ServiceRecord,
    SignUp,
    StarRating,
    Volunteer,
    VolunteerOrganization,
)


def _is_staff_for(actor, region_code: str) -> bool:
    return has_role(actor, REGION_STAFF) and in_scope(actor, region_code)


def activity_may_lead(actor, activity: Activity) -> bool:
    actor_pk = getattr(actor, "pk", None)
    leads = actor_pk is not None and (
        activity.leader_id == actor_pk or activity.organization.leaders.filter(pk=actor_pk).exists()
    )
    return leads or _is_staff_for(actor, activity.region_code)


def _region(code: str) -> Region:
    region = Region.objects.filter(code=(code or "").strip()).first()
    if region is None:
        raise InvalidInput(_("No such region: %(code)s.") % {"code": code})
    return region


@transaction.atomic
def volunteer_register(
    *,
    actor,
    name: str,
    id_number: str,
    region_code: str,
    phone: str = "",
    skills: list[str] | None = None,
    service_areas: str = "",
    gender: str = "",
    birth_date: date | None = None,
    for_self: bool = False,
) -> Volunteer:
    """Register a volunteer under real name: a person registers themself (for_self) or staff
    register one in their scope. Gender and birth date come from the ID number and, if given,
    must agree with it."""
    region = _region(region_code)
    if not for_self and not _is_staff_for(actor, region.code):
        raise Forbidden(_("Only staff of this region may register volunteers here."))
    if for_self and Volunteer.objects.filter(user=actor).exists():
        raise Conflict(_("You are registered as a volunteer already."))
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Enter the full name."), details={"name": _("Enter the full name.")})
    try:
        number = normalise_id_number(id_number, today=timezone.localdate())
    except InvalidNumber as e:
        raise InvalidInput(_(str(e)), details={"id_number": _(str(e))}) from None
    derived_gender = "male" if int(number[16]) % 2 else "female"
    derived_birth = birth_date_from_id_number(number)
    if gender and gender != derived_gender:
        raise InvalidInput(
            _("The gender entered does not match the ID number."),
            details={"gender": _("The gender entered does not match the ID number.")},
        )
    if birth_date and birth_date != derived_birth:
        raise InvalidInput(
            _("The birth date entered does not match the ID number."),
            details={"birth_date": _("The birth date entered does not match the ID number.")},
        )
    if Volunteer.objects.filter(id_number=number).exists():
        raise Conflict(_("A volunteer with this ID number is registered already."))
    prefix = region.code[:6]
    last = (
        Volunteer.objects.filter(number__startswith=f"V{prefix}")
        .aggregate(n=Max("number"))
        .get("n")
    )
    sequence = int(last[7:]) + 1 if last else 1
    volunteer = Volunteer.objects.create(
        user=actor if for_self else None,
        number=f"V{prefix}{sequence:07d}",
        name=name[:60],
        id_number=number,
        gender=derived_gender,
        birth_date=derived_birth,
        phone=phone.strip()[:11],
        skills=sorted({s.strip() for s in (skills or []) if s.strip()}),
        service_areas=service_areas.strip()[:200],
        region=region,
        region_code=region.code,
        registered_on=timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action="volunteer.register",
        obj=volunteer,
        region_code=region.code,
        changes={"id_number": [None, number], "number": [None, volunteer.number]},
        personal_fields={"id_number": "id_number"},
    )
    return volunteer


@transaction.atomic
def organization_create(
    *, actor, name: str, kind: str, region_code: str, hub_name: str = ""
) -> VolunteerOrganization:
    region = _region(region_code)
    if not _is_staff_for(actor, region.code):
        raise NotFound(_("No such region in your scope."))
    if kind not in OrganizationKind.values:
        raise InvalidInput(_("Choose the kind: large-event, daily or professional."))
    organization = VolunteerOrganization.objects.create(
        name=name.strip()[:100],
        kind=kind,
        region=region,
        region_code=region.code,
        hub_name=hub_name.strip()[:100],
    )
    organization.leaders.add(actor)
    audit_record(
        actor=actor,
        action="volunteer_organization.create",
        obj=organization,
        region_code=region.code,
        changes={"kind": kind},
    )
    return organization


SEAL_KINDS = (PNG, JPEG)
MAX_SEAL_BYTES = 2 * 1024 * 1024


@transaction.atomic
def organization_seal_set(*, actor, organization_id: int, upload) -> VolunteerOrganization:
    """The organisation's seal image (PNG or JPEG, up to 2 MB), set by its leader or the staff
    of its region; printed on the certificates it issues from then on."""
    organization = VolunteerOrganization.objects.filter(pk=organization_id).first()
    if organization is None or not (
        organization.leaders.filter(pk=getattr(actor, "pk", 0) or 0).exists()
        or _is_staff_for(actor, organization.region_code)
    ):
        raise NotFound(_("No such organisation in your scope."))
    extension = upload_kind(upload, SEAL_KINDS)
    if extension is None:
        raise InvalidInput(_("The seal is a PNG or JPEG image."))
    if upload.size > MAX_SEAL_BYTES:
        raise InvalidInput(_("The seal image is larger than 2 MB."))
    upload.name = f"seal-{organization.pk}.{extension}"
    organization.seal = upload
    organization.save(update_fields=["seal"])
    audit_record(
        actor=actor,
        action="volunteer_organization.seal",
        obj=organization,
        region_code=organization.region_code,
        changes={"seal": organization.seal.name},
    )
    return organization


@transaction.atomic
def activity_create(
    *,
    actor,
    organization_id: int,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    quota: int,
    longitude: float | None = None,
    latitude: float | None = None,
    required_skills: list[str] | None = None,
    description: str = "",
) -> Activity:
    organization = VolunteerOrganization.objects.filter(pk=organization_id).first()
    if organization is None or not (
        organization.leaders.filter(pk=actor.pk).exists()
        or _is_staff_for(actor, organization.region_code)
    ):
        raise NotFound(_("No such volunteer organisation in your scope."))
    if ends_at <= starts_at:
        raise InvalidInput(_("An activity ends after it starts."))
    if quota < 1:
        raise InvalidInput(_("The quota is at least 1."))
    activity = Activity.objects.create(
        organization=organization,
        title=title.strip()[:120],
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        longitude=longitude,
        latitude=latitude,
        quota=quota,
        required_skills=sorted({s.strip() for s in (required_skills or []) if s.strip()}),
        leader=actor,
        check_code=f"{secrets.randbelow(10**6):06d}",
        region_code=organization.region_code,
    )
    audit_record(
        actor=actor,
        action="activity.create",
        obj=activity,
        region_code=activity.region_code,
        changes={"quota": quota},
    )
    return activity


def _volunteer_of(actor) -> Volunteer:
    user_id = getattr(actor, "pk", None)
    volunteer = Volunteer.objects.filter(user_id=user_id).first() if user_id else None
    if volunteer is None:
        raise Forbidden(_("Register as a volunteer first."))
    return volunteer


@transaction.atomic
def activity_sign_up(*, actor, activity_id: int) -> SignUp:
    volunteer = _volunteer_of(actor)
    activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(_("No such activity."))
    if timezone.now() >= activity.ends_at:
        raise Conflict(_("This activity is over."))
    if SignUp.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise Conflict(_("You have signed up already."))
    if activity.sign_ups.count() >= activity.quota:
        raise Conflict(_("The activity is full."))
    missing = set(activity.required_skills) - set(volunteer.skills)
    if missing:
        raise Conflict(
            _("This activity needs skills you have not recorded: %(s)s.")
            % {"s": "、".join(sorted(missing))}
        )
    sign_up = SignUp.objects.create(activity=activity, volunteer=volunteer)
    audit_record(
        actor=actor,
        action="activity.sign_up",
        obj=activity,
        region_code=activity.region_code,
        changes={"volunteer": volunteer.number},
    )
    return sign_up


def _sign_up_for(actor, activity_id: int, code: str) -> SignUp:
    volunteer = _volunteer_of(actor)
    sign_up = (
        SignUp.objects.select_for_update()
        .select_related("activity")
        .filter(activity_id=activity_id, volunteer=volunteer)
        .first()
    )
    if sign_up is None:
        raise NotFound(_("You have not signed up for this activity."))
    if not secrets.compare_digest((code or "").strip(), sign_up.activity.check_code):
        raise InvalidInput(_("The code is wrong: ask the activity's leader for it."))
    return sign_up


@transaction.atomic
def activity_check_in(*, actor, activity_id: int, code: str) -> SignUp:
    sign_up = _sign_up_for(actor, activity_id, code)
    if sign_up.checked_in_at:
        raise Conflict(_("You have checked in already."))
    now = timezone.now()
    if now >= sign_up.activity.ends_at:
        raise Conflict(_("This activity is over."))
    sign_up.checked_in_at = now
    sign_up.save(update_fields=["checked_in_at"])
    audit_record(
        actor=actor,
        action="activity.check_in",
        obj=sign_up.activity,
        region_code=sign_up.activity.region_code,
    )
    return sign_up


@transaction.atomic
def activity_check_out(*, actor, activity_id: int, code: str) -> ServiceRecord:
    """Check out: the hours from check-in (not before the start) to now (not after the end),
    to the quarter hour, are recorded as confirmed (the code came from the leader)."""
    sign_up = _sign_up_for(actor, activity_id, code)
    if not sign_up.checked_in_at:
        raise Conflict(_("Check in first."))
    if sign_up.checked_out_at:
        raise Conflict(_("You have checked out already."))
    activity = sign_up.activity
    if ServiceRecord.objects.filter(volunteer=sign_up.volunteer, activity=activity).exists():
        raise Conflict(_("Your hours for this activity are recorded already."))
    now = timezone.now()
    hours = rules.hours_between(
        max(sign_up.checked_in_at, activity.starts_at), min(now, activity.ends_at)
    )
    if hours <= 0:  # a record of no service would stand beside the real one
        raise Conflict(
            _("Less than a quarter of an hour counts since you checked in: check out as you leave.")
        )
    sign_up.checked_out_at = now
    sign_up.save(update_fields=["checked_out_at"])
    record = ServiceRecord.objects.create(
        volunteer=sign_up.volunteer,
        activity=activity,
        served_on=timezone.localdate(),
        hours=hours,
        content=activity.title,
        source=HoursSource.CHECK_OUT,
        status=HoursStatus.CONFIRMED,
        recorded_by=actor,
        region_code=activity.region_code,
    )
    audit_record(
        actor=actor,
        action="service_hours.check_out",
        obj=record,
        region_code=activity.region_code,
        changes={"hours": str(hours)},
    )
    return record


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise InvalidInput(_("Hours are a number, such as 2.5.")) from None
    if not Decimal(0) < hours <= rules.MAX_HOURS_PER_DAY:
        raise InvalidInput(_("Hours are more than 0 and at most 24 for one record."))
    return hours


def _activity_led_by(actor, activity_id: int) -> Activity:
    activity = Activity.objects.select_related("organization").filter(pk=activity_id).first()
    if activity is None or not activity_may_lead(actor, activity):
        raise NotFound(_("No such activity that you lead."))
    return activity


@transaction.atomic
def service_hours_record(
    *, actor, activity_id: int, volunteer_id: int, hours, content: str = ""
) -> ServiceRecord:
    """The leader records a volunteer's hours (confirmed)."""
    activity = _activity_led_by(actor, activity_id)
    if not activity.sign_ups.filter(volunteer_id=volunteer_id).exists():
        raise InvalidInput(_("This volunteer did not sign up for the activity."))
    record = ServiceRecord.objects.create(
        volunteer_id=volunteer_id,
        activity=activity,
        served_on=timezone.localtime(activity.starts_at).date(),
        hours=_hours(hours),
        content=(content or activity.title)[:200],
        source=HoursSource.LEADER,
        status=HoursStatus.CONFIRMED,
        recorded_by=actor,
        confirmed_by=actor,
        region_code=activity.region_code,
    )
    audit_record(
        actor=actor,
        action="service_hours.record",
        obj=record,
        region_code=activity.region_code,
        changes={"hours": str(record.hours)},
    )
    return record


@transaction.atomic
def service_hours_self_report(
    *, actor, activity_id: int, hours, content: str = ""
) -> ServiceRecord:
    """A volunteer reports their own hours; they count once the leader confirms them."""
    volunteer = _volunteer_of(actor)
    activity = Activity.objects.filter(pk=activity_id, sign_ups__volunteer=volunteer).first()
    if activity is None:
        raise NotFound(_("You have not signed up for this activity."))
    record = ServiceRecord.objects.create(
        volunteer=volunteer,
        activity=activity,
        served_on=timezone.localtime(activity.starts_at).date(),
        hours=_hours(hours),
        content=(content or activity.title)[:200],
        source=HoursSource.SELF,
        status=HoursStatus.PENDING,
        recorded_by=actor,
        region_code=activity.region_code,
    )
    audit_record(
        actor=actor,
        action="service_hours.self_report",
        obj=record,
        region_code=activity.region_code,
        changes={"hours": str(record.hours)},
    )
    return record


@transaction.atomic
def service_hours_confirm(*, actor, record_id: int, confirm: bool) -> ServiceRecord:
    record = ServiceRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None or record.activity_id is None:
        raise NotFound(_("No such service record."))
    _activity_led_by(actor, record.activity_id)
    if record.status != HoursStatus.PENDING:
        raise Conflict(_("Only hours awaiting confirmation can be confirmed or rejected."))
    record.status = HoursStatus.CONFIRMED if confirm else HoursStatus.REJECTED
    record.confirmed_by = actor
    record.save(update_fields=["status", "confirmed_by"])
    audit_record(
        actor=actor,
        action=f"service_hours.{'confirm' if confirm else 'reject'}",
        obj=record,
        region_code=record.region_code,
    )
    return record


@transaction.atomic
def service_hours_correct(*, actor, record_id: int, hours, reason: str) -> ServiceRecord:
    """A correction by the leader, audited with the old and new hours and the reason; ratings
    the volunteer no longer reaches are revoked."""
    record = ServiceRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None or record.activity_id is None:
        raise NotFound(_("No such service record."))
    _activity_led_by(actor, record.activity_id)
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the correction."))
    old = record.hours
    record.hours = _hours(hours)
    record.save(update_fields=["hours"])
    audit_record(
        actor=actor,
        action="service_hours.correct",
        obj=record,
        region_code=record.region_code,
        changes={"hours": [str(old), str(record.hours)], "reason": reason.strip()},
    )
    _revoke_unsupported(record.volunteer, reason=_("hours corrected"))
    return record


@transaction.atomic
def service_hours_mark_falsified(*, actor, record_id: int, reason: str) -> ServiceRecord:
    """Falsified hours stop counting, and any star rating they supported is revoked."""
    record = ServiceRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None or record.activity_id is None:
        raise NotFound(_("No such service record."))
    _activity_led_by(actor, record.activity_id)
    record.status = HoursStatus.FALSIFIED
    record.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="service_hours.falsified",
        obj=record,
        region_code=record.region_code,
        changes={"reason": reason.strip()},
    )
    _revoke_unsupported(record.volunteer, reason=_("falsified hours: %(r)s") % {"r": reason})
    return record


def confirmed_hours(volunteer: Volunteer) -> Decimal:
    total = volunteer.records.filter(status=HoursStatus.CONFIRMED).aggregate(h=Sum("hours"))["h"]
    return total or Decimal(0)


def _revoke_unsupported(volunteer: Volunteer, *, reason: str) -> None:
    reached = rules.stars_for(confirmed_hours(volunteer))
    for rating in volunteer.ratings.exclude(status=RatingStatus.REVOKED).filter(stars__gt=reached):
        rating.status = RatingStatus.REVOKED
        rating.revoked_reason = str(reason)[:200]
        rating.save(update_fields=["status", "revoked_reason"])
        audit_record(
            actor=None,
            action="star_rating.revoke",
            obj=rating,
            region_code=volunteer.region_code,
            changes={"reason": rating.revoked_reason},
        )


@transaction.atomic
def star_ratings_list(*, actor, region_code: str) -> list[StarRating]:
    """List publicly every volunteer of the region who reached a new star; each takes effect
    after 5 working days of listing."""
    from shoushan.grid.registry.selectors import working_calendar

    if not _is_staff_for(actor, region_code):
        raise NotFound(_("No such region in your scope."))
    today = timezone.localdate()
    calendar = working_calendar()
    listed = []
    for volunteer in Volunteer.objects.filter(
        region_code__startswith=significant_prefix(region_code)
    ):
        reached = rules.stars_for(confirmed_hours(volunteer))
        held = (
            volunteer.ratings.exclude(status=RatingStatus.REVOKED).aggregate(s=Max("stars"))["s"]
            or 0
        )
        if reached > held:
            rating, _created = StarRating.objects.update_or_create(
                volunteer=volunteer,
                stars=reached,
                defaults={
                    "hours_at_listing": confirmed_hours(volunteer),
                    "listed_on": today,
                    "effective_on": rules.effective_on(today, calendar),
                    "status": RatingStatus.LISTED,
                    "revoked_reason": "",
                },
            )
            listed.append(rating)
            audit_record(
                actor=actor,
                action="star_rating.list",
                obj=rating,
                region_code=volunteer.region_code,
                changes={"stars": reached},
            )
    return listed


@transaction.atomic
def star_ratings_take_effect() -> int:
    """Listed ratings whose listing period is over take effect (unless revoked meanwhile)."""
    due = StarRating.objects.filter(
        status=RatingStatus.LISTED, effective_on__lte=timezone.localdate()
    )
    count = 0
    for rating in due.select_related("volunteer"):
        if rules.stars_for(confirmed_hours(rating.volunteer)) >= rating.stars:
            rating.status = RatingStatus.EFFECTIVE
            rating.save(update_fields=["status"])
            audit_record(
                actor=None,
                action="star_rating.effective",
                obj=rating,
                region_code=rating.volunteer.region_code,
            )
            count += 1
    return count


@transaction.atomic
def _issuer_of(records) -> VolunteerOrganization | None:
    """The volunteer organisation with which most of the hours were served (it vouches for them;
    the first by id on a tie), or None."""
    hours: dict[VolunteerOrganization, Decimal] = {}
    for r in records:
        if r.activity_id is not None:
            organization = r.activity.organization
            hours[organization] = hours.get(organization, Decimal(0)) + r.hours
    return max(sorted(hours, key=lambda o: o.pk), key=lambda o: hours[o], default=None)


def certificate_issue(*, actor, volunteer_id: int, issuer: str) -> Certificate:
    """A service certificate of the volunteer's confirmed hours (their sum is the total), issued
    in the name of the organisation they served with most, unless `issuer` names another."""
    volunteer = Volunteer.objects.filter(pk=volunteer_id).first()
    if volunteer is None or not (
        volunteer.user_id == getattr(actor, "pk", None)
        or _is_staff_for(actor, volunteer.region_code)
    ):
        raise NotFound(_("No such volunteer in your scope."))
    records = list(
        volunteer.records.filter(status=HoursStatus.CONFIRMED)
        .select_related("activity__organization")
        .order_by("served_on", "id")
    )
    if not records:
        raise Conflict(_("There are no confirmed hours to certify."))
    today = timezone.localdate()
    organization = _issuer_of(records)
    sequence = Certificate.objects.filter(number__startswith=f"ZM{today:%Y}").count() + 1
    certificate = Certificate.objects.create(
        number=f"ZM{today:%Y}{secrets.randbelow(10**4):04d}{sequence:06d}",
        volunteer=volunteer,
        hours=sum((r.hours for r in records), Decimal(0)),
        content="；".join(dict.fromkeys(r.content for r in records))[:2000],
        period_from=records[0].served_on,
        period_to=records[-1].served_on,
        issuer=issuer.strip()[:100]
        or (organization.name if organization else _("Shoushan volunteer service platform")),
        issuer_organization=None if issuer.strip() else organization,
        issued_on=today,
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="certificate.issue",
        obj=certificate,
        region_code=volunteer.region_code,
        changes={"hours": str(certificate.hours)},
    )
    return certificate
