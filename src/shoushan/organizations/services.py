"""Writes to the social-organisation registry. Each service checks the actor's role and scope, runs
in one transaction and audits what it changed. An organisation's record is changed only by the
civil-affairs bureau that registered it (`REGISTRARS` whose scope holds the authority); an
organisation outside the actor's scope is not found."""

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import PURCHASERS, REGISTRARS, WORKSTATION_KEEPERS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shoushan.organizations import rules
from shoushan.organizations.models import (
    AnnualInspection,
    ApplicationStatus,
    BuildingTenant,
    BuildingWorkstation,
    CommercialBuilding,
    CreditListEntry,
    HubMembership,
    HubOrganization,
    Incubation,
    IncubationOutcome,
    Incubator,
    InspectionResult,
    OrganizationStatus,
    Penalty,
    Rating,
    RatingApplication,
    RatingEnd,
    RatingObjection,
    RatingRound,
    RoundStatus,
    ServiceGrade,
    ServiceRecord,
    SocialOrganization,
    StatusEvent,
    StatusEventKind,
    WorkstationService,
)
from shoushan.organizations.party_report import party_report_check, party_report_send
from shoushan.organizations.selectors import rating_in_force
from shoushan.organizations.validation import (
    check_inspection,
    check_list_entry,
    check_organization,
    places_load,
)
from shoushan.reviews import services as reviews
from shoushan.reviews.models import Expert, Panel, Seat

NOT_REGISTRAR = _("Only the civil-affairs offices of the city and the districts keep the registry.")


def _today() -> date:
    return timezone.localdate()


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def registrar_check(actor, organization: SocialOrganization) -> None:
    """The actor may change this organisation's record: a registrar whose scope holds its
    registration authority. Out of the actor's sight it is not found."""
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    if actor is None:
        return
    if not in_scope(actor, organization.region_code):
        raise NotFound(_("No such record in your scope."))
    if not in_scope(actor, organization.authority_code):
        raise Forbidden(_("Only the bureau that registered this organisation changes its record."))


def _audit(actor, action: str, obj, organization: SocialOrganization, **changes) -> None:
    audit_record(
        actor=actor, action=action, obj=obj, region_code=organization.region_code, changes=changes
    )


# ---- the registry -------------------------------------------------------------------------------


@transaction.atomic
def organization_register(*, actor, values: dict, is_generated: bool = False) -> SocialOrganization:
    """Record a registered organisation. Its code must agree with its kind and authority. Its
    party-building status (`party_status`, `party_members`) goes with it where given."""
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    party = party_report_check(values)
    cleaned, errors = check_organization(values, places=places_load(), today=_today())
    if not errors and actor is not None and not in_scope(actor, cleaned["authority_code"]):
        errors["authority"] = _("You do not act for this registration authority.")
    if (
        not errors
        and SocialOrganization.objects.filter(credit_code=cleaned["credit_code"]).exists()
    ):
        errors["credit_code"] = _("An organisation with this code is already registered.")
    if errors:
        raise InvalidInput.of_fields(errors)
    organization = SocialOrganization.objects.create(**cleaned, is_generated=is_generated)
    StatusEvent.objects.create(
        organization=organization,
        kind=StatusEventKind.REGISTER,
        on=cleaned["registered_on"],
        status=OrganizationStatus.REGISTERED,
        actor=_actor(actor),
    )
    _audit(
        actor,
        "organization.register",
        organization,
        organization,
        credit_code=organization.credit_code,
        kind=organization.kind,
    )
    party_report_send(
        actor=actor,
        organization=organization,
        occasion="registration",
        on=organization.registered_on or _today(),
        report=party,
    )
    return organization


# event → (statuses it may follow, status after)
STATUS_MOVES = {
    StatusEventKind.SUSPEND: ({OrganizationStatus.REGISTERED}, OrganizationStatus.SUSPENDED),
    StatusEventKind.RESUME: ({OrganizationStatus.SUSPENDED}, OrganizationStatus.REGISTERED),
    StatusEventKind.DEREGISTER: (
        {OrganizationStatus.REGISTERED, OrganizationStatus.SUSPENDED},
        OrganizationStatus.DEREGISTERED,
    ),
    StatusEventKind.REVOKE: (
        {OrganizationStatus.REGISTERED, OrganizationStatus.SUSPENDED},
        OrganizationStatus.REVOKED,
    ),
}


@transaction.atomic
def organization_status_change(
    *, actor, organization: SocialOrganization, kind: str, on: date, reason: str
) -> StatusEvent:
    """Suspend, resume, deregister or revoke, as of a date no earlier than the last change."""
    registrar_check(actor, organization)
    organization = SocialOrganization.objects.select_for_update().get(pk=organization.pk)
    if kind not in STATUS_MOVES:
        raise InvalidInput(_("Unknown status change: %(kind)s.") % {"kind": kind})
    allowed, after = STATUS_MOVES[StatusEventKind(kind)]
    if organization.status not in allowed:
        raise Conflict(
            _("“%(event)s” cannot follow the status “%(status)s”.")
            % {
                "status": organization.get_status_display(),
                "event": StatusEventKind(kind).label,
            }
        )
    last = organization.status_events.order_by("-on", "-pk").first()
    if on > _today():
        raise InvalidInput(_("The date is after today."))
    if last and on < last.on:
        raise InvalidInput(
            _("The last change is dated %(date)s; a new one cannot be earlier.")
            % {"date": last.on.isoformat()}
        )
    if not reason.strip():
        raise InvalidInput(_("Give the reason (and the decision's number)."))
    event = StatusEvent.objects.create(
        organization=organization,
        kind=kind,
        on=on,
        status=after,
        reason=reason.strip()[:300],
        actor=_actor(actor),
    )
    organization.status = after
    organization.save(update_fields=["status"])
    _audit(
        actor,
        f"organization.{kind}",
        organization,
        organization,
        on=on.isoformat(),
        reason=event.reason,
    )
    return event


# ---- annual inspections, penalties, credit lists ------------------------------------------------


def _rectification_due(result: str, decided_on: date | None) -> date | None:
    if result in (InspectionResult.BASICALLY_PASSED, InspectionResult.FAILED) and decided_on:
        return rules.months_later(decided_on, rules.RECTIFICATION_MONTHS)
    return None


@transaction.atomic
def inspection_record(*, actor, organization: SocialOrganization, values: dict) -> AnnualInspection:
    """Record (or complete) the annual inspection of a year: the report's submission, the
    result, and for a result other than 合格 the rectification and its outcome; and the
    party-building status reported with it, where given."""
    registrar_check(actor, organization)
    party = party_report_check(values)
    cleaned, errors = check_inspection(
        values, registered_on=organization.registered_on, today=_today()
    )
    if errors:
        raise InvalidInput.of_fields(errors)
    year = cleaned.pop("year")
    inspection, created = AnnualInspection.objects.update_or_create(
        organization=organization,
        year=year,
        defaults={
            **cleaned,
            "due_on": rules.report_due(organization.kind, year),
            "rectification_due": _rectification_due(cleaned["result"], cleaned["decided_on"]),
        },
    )
    _audit(
        actor,
        "organization.inspection_record",
        inspection,
        organization,
        year=year,
        result=inspection.result,
        created=created,
    )
    party_report_send(
        actor=actor,
        organization=organization,
        occasion="inspection",
        on=inspection.decided_on or inspection.submitted_on or _today(),
        report=party,
        reference=str(year),
    )
    return inspection


@transaction.atomic
def penalty_record(
    *,
    actor,
    organization: SocialOrganization,
    decided_on: date,
    kind: str,
    reference: str = "",
    reason: str = "",
) -> Penalty:
    registrar_check(actor, organization)
    if decided_on > _today():
        raise InvalidInput(_("The date is after today."))
    if not kind.strip():
        raise InvalidInput(_("Name the penalty."))
    penalty = Penalty.objects.create(
        organization=organization,
        decided_on=decided_on,
        kind=kind.strip()[:100],
        reference=reference.strip()[:100],
        reason=reason.strip()[:300],
    )
    _audit(actor, "organization.penalty_record", penalty, organization, kind=penalty.kind)
    return penalty


@transaction.atomic
def service_record_write(*, actor, organization: SocialOrganization, values: dict) -> ServiceRecord:
    """The final evaluation of a service the organisation delivered under a purchase contract,
    written to its record by the office that bought it (one record per contract)."""
    require_role(
        actor, PURCHASERS, _("Only the offices that buy services record their evaluation.")
    )
    if values.get("grade") not in ServiceGrade.values:
        raise InvalidInput(_("Choose a grade."))
    record, created = ServiceRecord.objects.get_or_create(
        organization=organization,
        reference=values["reference"],
        defaults={k: values[k] for k in ("project", "buyer", "amount", "grade", "evaluated_on",
                                         "evaluator")},
    )  # fmt: skip
    if not created:
        raise Conflict(_("This contract's evaluation is on the record already."))
    _audit(
        actor,
        "organization.service_record",
        record,
        organization,
        reference=record.reference,
        grade=record.grade,
    )
    return record


@transaction.atomic
def list_entry_add(*, actor, organization: SocialOrganization, values: dict) -> CreditListEntry:
    """Enter the organisation on a credit list with the date and reason."""
    registrar_check(actor, organization)
    cleaned, errors = check_list_entry(values, today=_today())
    if errors:
        raise InvalidInput.of_fields(errors)
    if organization.list_entries.filter(list=cleaned["list"], exited_on=None).exists():
        raise Conflict(_("The organisation is on this list already."))
    entry = CreditListEntry.objects.create(organization=organization, **cleaned)
    _audit(
        actor,
        "organization.list_enter",
        entry,
        organization,
        list=entry.list,
        on=entry.entered_on.isoformat() if entry.entered_on else None,
        reason=entry.entry_reason,
    )
    return entry


@transaction.atomic
def list_entry_exit(*, actor, entry: CreditListEntry, on: date, reason: str) -> CreditListEntry:
    organization = entry.organization
    registrar_check(actor, organization)
    entry = CreditListEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.exited_on:
        raise Conflict(
            _("The organisation left this list on %(date)s.") % {"date": entry.exited_on}
        )
    if entry.entered_on and on < entry.entered_on:
        raise InvalidInput(
            _("The exit (%(exit)s) is before the entry (%(entry)s).")
            % {"exit": on.isoformat(), "entry": entry.entered_on.isoformat()}
        )
    if on > _today():
        raise InvalidInput(_("The date is after today."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason of the exit."))
    entry.exited_on, entry.exit_reason = on, reason.strip()[:300]
    entry.save(update_fields=["exited_on", "exit_reason"])
    _audit(actor, "organization.list_exit", entry, organization, on=on.isoformat(), reason=reason)
    return entry


# ---- ratings ------------------------------------------------------------------------------------


def _round_check(actor, rating_round: RatingRound) -> None:
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    if actor is not None and not in_scope(actor, rating_round.authority_code):
        raise NotFound(_("No such record in your scope."))


@transaction.atomic
def rating_round_open(
    *, actor, name: str, authority_code: str, opens_on: date, closes_on: date
) -> RatingRound:
    require_role(actor, REGISTRARS, NOT_REGISTRAR)
    places = places_load()
    if authority_code != places.city and authority_code not in places.districts:
        raise InvalidInput(
            _("Unknown registration authority: %(value)s.") % {"value": authority_code}
        )
    if actor is not None and not in_scope(actor, authority_code):
        raise NotFound(_("No such region in your scope."))
    if closes_on < opens_on:
        raise InvalidInput(_("Applications close before they open."))
    if not name.strip():
        raise InvalidInput(_("Name the round."))
    rating_round = RatingRound.objects.create(
        name=name.strip()[:200],
        authority_code=authority_code,
        region_code=authority_code,
        opens_on=opens_on,
        closes_on=closes_on,
    )
    audit_record(
        actor=actor,
        action="rating_round.open",
        obj=rating_round,
        region_code=authority_code,
        changes={"opens_on": opens_on.isoformat(), "closes_on": closes_on.isoformat()},
    )
    return rating_round


# how an earlier grade ended → the years before the organisation may apply again
REAPPLICATION_BARS: dict[str, int] = {
    RatingEnd.DOWNGRADED: rules.BAR_AFTER_DOWNGRADE_YEARS,
    RatingEnd.LOST: rules.BAR_AFTER_LOSS_YEARS,
}


def rating_bar(organization: SocialOrganization, on: date) -> str | None:
    """Why the organisation may not apply for a grade on this day, or None."""
    if organization.status != OrganizationStatus.REGISTERED:
        return _("Only a registered organisation that is not suspended may apply.")
    if not organization.registered_on or on < rules.years_later(
        organization.registered_on, rules.YEARS_BEFORE_APPLYING
    ):
        return _("An organisation may apply two full years after its registration.")
    for rating in organization.ratings.exclude(ended_on=None):
        bar = REAPPLICATION_BARS.get(rating.end)
        if bar and rating.ended_on and on < rules.years_later(rating.ended_on, bar):
            return _("Its grade was %(how)s on %(date)s; it may apply again from %(again)s.") % {
                "how": rating.get_end_display(),
                "date": rating.ended_on.isoformat(),
                "again": rules.years_later(rating.ended_on, bar).isoformat(),
            }
    return None


@transaction.atomic
def rating_apply(
    *,
    actor,
    rating_round: RatingRound,
    organization: SocialOrganization,
    on: date,
    party: dict | None = None,
) -> RatingApplication:
    """The organisation applies (recorded by the bureau running the round), with its
    party-building status where given (`party_status`, `party_members`)."""
    _round_check(actor, rating_round)
    report = party_report_check(party or {})
    if actor is not None and not in_scope(actor, organization.region_code):
        raise NotFound(_("No such record in your scope."))
    if rating_round.status != RoundStatus.OPEN or not (
        rating_round.opens_on <= on <= rating_round.closes_on
    ):
        raise Conflict(
            _("The round takes applications from %(start)s to %(end)s.")
            % {"start": rating_round.opens_on, "end": rating_round.closes_on}
        )
    if organization.authority_code != rating_round.authority_code:
        raise InvalidInput(_("This round rates the organisations its own bureau registered."))
    bar = rating_bar(organization, on)
    if bar:
        raise InvalidInput(bar)
    try:
        with transaction.atomic():
            application = RatingApplication.objects.create(
                round=rating_round, organization=organization, applied_on=on
            )
    except IntegrityError:
        raise Conflict(_("The organisation has applied in this round already.")) from None
    _audit(actor, "rating.apply", application, organization, round=rating_round.pk)
    party_report_send(
        actor=actor,
        organization=organization,
        occasion="rating",
        on=on,
        report=report,
        reference=rating_round.name[:40],
    )
    return application


def _rating_panel(actor, application: RatingApplication) -> Panel:
    organization = application.organization
    [panel] = reviews.panels_open(
        actor=actor,
        subjects=[
            {
                "subject_type": rules.RATING_PANEL,
                "subject_id": application.pk,
                "region_code": application.round.authority_code,
                "field": organization.field,
                "bodies": [organization.credit_code] if organization.credit_code else [],
                "label": organization.name,  # a rating is not blind
                "rubric": rules.RATING_RUBRIC,
                "cooling_off_years": rules.RECUSAL_YEARS,
            }
        ],
    )
    return panel


@transaction.atomic
def rating_assessor_assign(*, actor, application: RatingApplication, expert: Expert) -> Seat:
    """Seat an assessor on the application's panel (the shared review mechanism), unless they
    must stand aside: a declared interest in the organisation, or work there now or within the
    last two years."""
    _round_check(actor, application.round)
    if application.status != ApplicationStatus.APPLIED:
        raise Conflict(_("The committee has decided this application already."))
    return reviews.seat_assign(
        actor=actor, panel=_rating_panel(actor, application), expert=expert, on=_today()
    )


def rating_application_of(seat: Seat) -> RatingApplication:
    if seat.panel.subject_type != rules.RATING_PANEL:
        raise NotFound(_("No such record in your scope."))
    return RatingApplication.objects.select_related("round", "organization").get(
        pk=seat.panel.subject_id
    )


@transaction.atomic
def rating_score(*, actor, seat: Seat, score: str | Decimal) -> Seat:
    """An assessor's score out of 1000, to one decimal, on the scoring standard's total."""
    application = rating_application_of(seat)
    _round_check(actor, application.round)
    if application.status != ApplicationStatus.APPLIED:
        raise Conflict(_("The committee has decided this application already."))
    return reviews.score_record(
        actor=actor, seat=seat, marks={rules.RATING_RUBRIC[0][0]: str(score)}, on=_today()
    )


@transaction.atomic
def rating_decide(
    *, actor, application: RatingApplication, grade: int, note: str = ""
) -> RatingApplication:
    """The committee's decision: a grade 1–5 or 0 for none, once at least two assessors have
    scored and none is missing."""
    _round_check(actor, application.round)
    if application.round.status not in (RoundStatus.OPEN, RoundStatus.ASSESSING):
        raise Conflict(_("The round is past its decisions."))
    scores = list(
        Seat.objects.filter(
            panel__subject_type=rules.RATING_PANEL, panel__subject_id=application.pk
        ).values_list("total", flat=True)
    )
    if len(scores) < 2 or any(s is None for s in scores):
        raise Conflict(_("At least two assessors must be assigned, and each must have scored."))
    if grade not in range(6):
        raise InvalidInput(_("A grade is 1A to 5A, or none."))
    application.decided_grade, application.decision_note = grade, note.strip()[:300]
    application.status = ApplicationStatus.DECIDED
    application.save(update_fields=["decided_grade", "decision_note", "status"])
    _audit(actor, "rating.decide", application, application.organization, grade=grade)
    return application


@transaction.atomic
def rating_notice_start(*, actor, rating_round: RatingRound, starts_on: date) -> RatingRound:
    """Publish the decisions; the notice lasts five working days of the working calendar."""
    from shoushan.grid.registry.selectors import working_calendar

    _round_check(actor, rating_round)
    if rating_round.status not in (RoundStatus.OPEN, RoundStatus.ASSESSING):
        raise Conflict(_("The notice has been published already."))
    if rating_round.applications.filter(status=ApplicationStatus.APPLIED).exists():
        raise Conflict(_("The committee has not decided every application yet."))
    day = working_calendar().last_of_working_days(starts_on, rules.NOTICE_WORKING_DAYS)
    rating_round.status = RoundStatus.NOTICE
    rating_round.notice_starts_on, rating_round.notice_ends_on = starts_on, day
    rating_round.save(update_fields=["status", "notice_starts_on", "notice_ends_on"])
    audit_record(
        actor=actor,
        action="rating_round.notice",
        obj=rating_round,
        region_code=rating_round.region_code,
        changes={"from": starts_on.isoformat(), "until": day.isoformat()},
    )
    return rating_round


@transaction.atomic
def rating_objection_raise(
    *, actor, application: RatingApplication, on: date, text: str
) -> RatingObjection:
    _round_check(actor, application.round)
    rating_round = application.round
    if rating_round.status != RoundStatus.NOTICE or not (
        rating_round.notice_starts_on <= on <= rating_round.notice_ends_on  # type: ignore[operator]
    ):
        raise Conflict(_("Objections are taken during the public notice only."))
    if not text.strip():
        raise InvalidInput(_("Write the objection."))
    objection = RatingObjection.objects.create(application=application, raised_on=on, text=text)
    _audit(actor, "rating.objection_raise", objection, application.organization)
    return objection


@transaction.atomic
def rating_objection_answer(
    *, actor, objection: RatingObjection, on: date, answer: str, upheld: bool, grade: int | None
) -> RatingObjection:
    """Answer an objection; an upheld one may change the committee's grade."""
    application = objection.application
    _round_check(actor, application.round)
    if objection.answered_on:
        raise Conflict(_("This objection has been answered."))
    if not answer.strip():
        raise InvalidInput(_("Write the answer."))
    if on < objection.raised_on:
        raise InvalidInput(_("The answer is dated before the objection."))
    objection.answered_on, objection.answer, objection.upheld = on, answer.strip(), upheld
    objection.save(update_fields=["answered_on", "answer", "upheld"])
    if upheld and grade is not None:
        if grade not in range(6):
            raise InvalidInput(_("A grade is 1A to 5A, or none."))
        application.decided_grade = grade
        application.save(update_fields=["decided_grade"])
    _audit(
        actor,
        "rating.objection_answer",
        objection,
        application.organization,
        upheld=upheld,
        grade=application.decided_grade,
    )
    return objection


@transaction.atomic
def rating_round_close(*, actor, rating_round: RatingRound, on: date) -> list[Rating]:
    """After the notice, with every objection answered, the decided grades take effect: a new
    grade replaces the one held (a lower one counts as a downgrade), none where one was held
    counts as losing it."""
    _round_check(actor, rating_round)
    if rating_round.status != RoundStatus.NOTICE:
        raise Conflict(_("Publish the notice first."))
    if on <= rating_round.notice_ends_on:  # type: ignore[operator]
        raise Conflict(_("The notice runs until %(date)s.") % {"date": rating_round.notice_ends_on})
    if RatingObjection.objects.filter(application__round=rating_round, answered_on=None).exists():
        raise Conflict(_("Answer every objection first."))
    made = []
    for application in rating_round.applications.select_related("organization"):
        held = rating_in_force(application.organization, on)
        grade = application.decided_grade or 0
        if held:
            held.ended_on = on
            held.end = (
                RatingEnd.LOST
                if grade == 0
                else RatingEnd.DOWNGRADED
                if grade < held.grade
                else RatingEnd.SUPERSEDED
            )
            held.save(update_fields=["ended_on", "end"])
        if grade:
            made.append(
                Rating.objects.create(
                    organization=application.organization,
                    grade=grade,
                    awarded_on=on,
                    valid_until=rules.rating_valid_until(on),
                    application=application,
                    authority=rating_round.name[:100],
                )
            )
        application.status = ApplicationStatus.RATED
        application.save(update_fields=["status"])
    rating_round.status = RoundStatus.CLOSED
    rating_round.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="rating_round.close",
        obj=rating_round,
        region_code=rating_round.region_code,
        changes={"on": on.isoformat(), "ratings": len(made)},
    )
    return made


@transaction.atomic
def rating_withdraw(*, actor, rating: Rating, on: date, reason: str) -> Rating:
    """Withdraw a grade (e.g. after a serious breach): the organisation loses it."""
    registrar_check(actor, rating.organization)
    if rating.ended_on:
        raise Conflict(_("This grade ended on %(date)s.") % {"date": rating.ended_on})
    if not reason.strip():
        raise InvalidInput(_("Give the reason (and the decision's number)."))
    rating.ended_on, rating.end = on, RatingEnd.LOST
    rating.save(update_fields=["ended_on", "end"])
    _audit(actor, "rating.withdraw", rating, rating.organization, reason=reason)
    return rating


# ---- hubs, incubators, building workstations ----------------------------------------------------


def _place_check(actor, roles, region_code: str) -> None:
    require_role(actor, roles, NOT_REGISTRAR)
    if actor is not None and not in_scope(actor, region_code):
        raise NotFound(_("No such region in your scope."))


@transaction.atomic
def hub_member_add(
    *, actor, hub: HubOrganization, organization: SocialOrganization, joined_on: date
) -> HubMembership:
    _place_check(actor, REGISTRARS, hub.region_code)
    if actor is not None and not in_scope(actor, organization.region_code):
        raise NotFound(_("No such record in your scope."))
    if hub.memberships.filter(organization=organization, left_on=None).exists():
        raise Conflict(_("The organisation is a member already."))
    membership = HubMembership.objects.create(
        hub=hub, organization=organization, joined_on=joined_on
    )
    _audit(actor, "hub.member_add", membership, organization, hub=hub.pk)
    return membership


@transaction.atomic
def hub_member_leave(*, actor, membership: HubMembership, on: date) -> HubMembership:
    _place_check(actor, REGISTRARS, membership.hub.region_code)
    if membership.left_on:
        raise Conflict(_("The organisation left on %(date)s.") % {"date": membership.left_on})
    if on < membership.joined_on:
        raise InvalidInput(_("It left before it joined."))
    membership.left_on = on
    membership.save(update_fields=["left_on"])
    _audit(actor, "hub.member_leave", membership, membership.organization, on=on.isoformat())
    return membership


@transaction.atomic
def incubation_enter(
    *, actor, incubator: Incubator, name: str, field: str, entered_on: date
) -> Incubation:
    _place_check(actor, REGISTRARS, incubator.region_code)
    if not name.strip():
        raise InvalidInput(_("Name the group."))
    incubation = Incubation.objects.create(
        incubator=incubator, name=name.strip()[:200], field=field, entered_on=entered_on
    )
    audit_record(
        actor=actor,
        action="incubation.enter",
        obj=incubation,
        region_code=incubator.region_code,
        changes={"name": incubation.name},
    )
    return incubation


@transaction.atomic
def incubation_exit(
    *,
    actor,
    incubation: Incubation,
    on: date,
    outcome: str,
    organization: SocialOrganization | None = None,
) -> Incubation:
    """A group leaves its incubator: registered (linked to its registry record), left or failed."""
    _place_check(actor, REGISTRARS, incubation.incubator.region_code)
    if incubation.outcome != IncubationOutcome.IN_PROGRESS:
        raise Conflict(_("The group left its incubator already."))
    if outcome not in (
        IncubationOutcome.REGISTERED,
        IncubationOutcome.LEFT,
        IncubationOutcome.FAILED,
    ):
        raise InvalidInput(_("Unknown outcome: %(value)s.") % {"value": outcome})
    if outcome == IncubationOutcome.REGISTERED and organization is None:
        raise InvalidInput(_("Name the registered organisation it became."))
    if on < incubation.entered_on:
        raise InvalidInput(_("It left before it entered."))
    incubation.exited_on, incubation.outcome = on, outcome
    incubation.organization = organization if outcome == IncubationOutcome.REGISTERED else None
    incubation.save(update_fields=["exited_on", "outcome", "organization"])
    audit_record(
        actor=actor,
        action="incubation.exit",
        obj=incubation,
        region_code=incubation.incubator.region_code,
        changes={"outcome": outcome, "organization": getattr(organization, "pk", None)},
    )
    return incubation


@transaction.atomic
def workstation_open(
    *, actor, building: CommercialBuilding, name: str, opened_on: date, staff_count: int = 0
) -> BuildingWorkstation:
    _place_check(actor, WORKSTATION_KEEPERS, building.region_code)
    if hasattr(building, "workstation"):
        raise Conflict(_("This building has a workstation already."))
    if not name.strip():
        raise InvalidInput(_("Name the workstation."))
    station = BuildingWorkstation.objects.create(
        building=building, name=name.strip()[:200], opened_on=opened_on, staff_count=staff_count
    )
    audit_record(
        actor=actor,
        action="workstation.open",
        obj=station,
        region_code=building.region_code,
        changes={"building": building.pk},
    )
    return station


@transaction.atomic
def workstation_service_record(
    *, actor, workstation: BuildingWorkstation, on: date, title: str, participants: int
) -> WorkstationService:
    _place_check(actor, WORKSTATION_KEEPERS, workstation.building.region_code)
    if not title.strip():
        raise InvalidInput(_("Name the service."))
    if participants < 0:
        raise InvalidInput(_("Participants cannot be negative."))
    if on < workstation.opened_on or on > _today():
        raise InvalidInput(_("The date lies outside the workstation's life."))
    service = WorkstationService.objects.create(
        workstation=workstation, on=on, title=title.strip()[:200], participants=participants
    )
    audit_record(
        actor=actor,
        action="workstation.service_record",
        obj=service,
        region_code=workstation.building.region_code,
        changes={"title": service.title, "participants": participants},
    )
    return service


@transaction.atomic
def building_tenant_add(
    *,
    actor,
    building: CommercialBuilding,
    name: str,
    kind: str,
    organization: SocialOrganization | None = None,
) -> BuildingTenant:
    _place_check(actor, WORKSTATION_KEEPERS, building.region_code)
    if not name.strip():
        raise InvalidInput(_("Name the tenant."))
    tenant = BuildingTenant.objects.create(
        building=building, name=name.strip()[:200], kind=kind, organization=organization
    )
    audit_record(
        actor=actor,
        action="building.tenant_add",
        obj=tenant,
        region_code=building.region_code,
        changes={"name": tenant.name, "kind": kind},
    )
    return tenant
