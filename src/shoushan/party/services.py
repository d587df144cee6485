"""Writes to party-building records. Each service checks the actor's role and scope, runs in one
transaction and audits what it changed; a unit or record outside the actor's scope is not found.
A unit is covered by one active party organisation at most, so that its coverage is one thing;
a service that changes what a unit's coverage is derived from stores the new one
(`coverage_store`) in its transaction."""

from datetime import date

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import PARTY_KEEPERS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.validators import InvalidNumber, normalise_mobile
from shoushan.organizations.models import CommercialBuilding, OrganizationStatus, SocialOrganization
from shoushan.organizations.validation import date_field
from shoushan.party import rules
from shoushan.party.models import (
    Alliance,
    Enterprise,
    Instructor,
    JointProject,
    ListItem,
    ListKind,
    PartyOrganization,
    Sector,
    StatusReport,
    Unit,
    Visit,
)
from shoushan.party.selectors import derived_coverage
from shoushan.party.validation import (
    check_enterprise,
    check_party_organization,
    count_field,
    flag_field,
    unit_keys,
)
from shoushan.regions.codes import significant_prefix
from shoushan.regions.models import Level, Region

NOT_KEEPER = gettext_lazy(
    "Party-building records are kept by the offices of the city, the districts and the streets."
)
NOT_FOUND = gettext_lazy("No such record in your scope.")


def _today() -> date:
    return timezone.localdate()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _in_sight(actor, region_code: str) -> None:
    if actor is not None and not in_scope(actor, region_code):
        raise NotFound(str(NOT_FOUND))


def _audit(actor, action: str, obj, region_code: str, **changes) -> None:
    audit_record(actor=actor, action=action, obj=obj, region_code=region_code, changes=changes)


def common_region(codes: list[str]) -> str:
    """The smallest region holding every code: a street for units of one street, and so on."""
    codes = [c for c in codes if c]
    for end in (12, 9, 6, 4, 2):
        if codes and all(c[:end] == codes[0][:end] for c in codes):
            return codes[0][:end].ljust(12, "0")
    return ""


def _street_in_sight(actor, errors: dict, region_code: str, field: str = "region_code") -> None:
    if not Region.objects.filter(code=region_code, level=Level.STREET).exists():
        errors[field] = _("Give the code of a street or town: %(value)s.") % {
            "value": region_code or "—"
        }
    elif actor is not None and not in_scope(actor, region_code):
        errors[field] = _("This street is outside your scope.")


# ---- units from their own apps -----------------------------------------------------------------


def coverage_store(units: QuerySet[Unit]) -> int:
    """Store the derived coverage of the units whose stored one differs; returns how many."""
    stale = units.annotate(derived=derived_coverage()).exclude(coverage=F("derived"))
    return Unit.objects.filter(pk__in=stale.values("pk")).update(coverage=derived_coverage())


def _organization_unit_values(organization: SocialOrganization) -> dict:
    return {
        "key": organization.credit_code or f"org-{organization.pk}",
        "name": organization.name[:200],
        "region_code": organization.region_code,
        "field": organization.field,
        "operating": organization.status == OrganizationStatus.REGISTERED,
        "is_generated": organization.is_generated,
    }


def _building_unit_values(building: CommercialBuilding) -> dict:
    return {
        "key": f"building-{building.pk}",
        "name": building.name[:200],
        "region_code": building.region_code,
        "field": "",
        "operating": True,
        "is_generated": building.is_generated,
    }


def organization_unit_sync(organization: SocialOrganization) -> Unit:
    """The organisation's unit, made or brought up to date (its name, place, operating or not)."""
    unit, _created = Unit.objects.update_or_create(
        organization=organization,
        defaults={"sector": Sector.ORGANIZATION, **_organization_unit_values(organization)},
    )
    return unit


def building_unit_sync(building: CommercialBuilding) -> Unit:
    unit, _created = Unit.objects.update_or_create(
        building=building, defaults={"sector": Sector.BUILDING, **_building_unit_values(building)}
    )
    return unit


SYNCED = ("key", "name", "region_code", "field", "operating", "is_generated")


def units_refresh(*, actor=None) -> int:
    """Make a unit for every street, community, social organisation and commercial building
    that has none, and bring the others up to date (a rename, a deregistration). The pages and
    saves of those apps keep their units current one by one; this catches bulk loads and
    imports (a periodic job, and the demo). Returns how many units it made or changed."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    wanted: list[tuple[dict, dict]] = []  # (how the unit is found, its values)
    for code, name, level in Region.objects.filter(
        level__in=(Level.STREET, Level.COMMUNITY)
    ).values_list("code", "name", "level"):
        sector = Sector.STREET if level == Level.STREET else Sector.COMMUNITY
        values = {"key": code, "name": name, "region_code": code, "field": "", "operating": True}
        wanted.append(({"key": code, "sector": sector}, {"sector": sector, **values}))
    for organization in SocialOrganization.objects.only(
        "pk", "credit_code", "name", "region_code", "field", "status", "is_generated"
    ).iterator(chunk_size=5000):
        wanted.append(
            (
                {"organization_id": organization.pk},
                {"sector": Sector.ORGANIZATION, **_organization_unit_values(organization)},
            )
        )
    for building in CommercialBuilding.objects.only("pk", "name", "region_code", "is_generated"):
        wanted.append(
            (
                {"building_id": building.pk},
                {"sector": Sector.BUILDING, **_building_unit_values(building)},
            )
        )
    have: dict[tuple[str, object], Unit] = {}
    for unit in Unit.objects.exclude(sector=Sector.ENTERPRISE).only(
        "pk", "sector", "organization_id", "building_id", *SYNCED
    ):
        if unit.organization_id:
            have[("organization_id", unit.organization_id)] = unit
        elif unit.building_id:
            have[("building_id", unit.building_id)] = unit
        else:
            have[("key", unit.key)] = unit
    new: list[Unit] = []
    changed: list[Unit] = []
    for finder, values in wanted:
        name, value = next((k, v) for k, v in finder.items() if k != "sector")
        found = have.get((name, value))
        if found is None:
            if "is_generated" not in values:
                values = {**values, "is_generated": False}
            new.append(Unit(**{**values, **{k: v for k, v in finder.items() if k != "key"}}))
        elif any(getattr(found, f) != values[f] for f in SYNCED if f in values):
            for f in SYNCED:
                if f in values:
                    setattr(found, f, values[f])
            changed.append(found)
    with transaction.atomic():
        Unit.objects.bulk_create(new, batch_size=2000)
        Unit.objects.bulk_update(changed, list(SYNCED[:-1]), batch_size=500)
        # and any unit whose stored coverage went astray (a bulk load, a change made in the
        # database by hand) is put right
        restored = coverage_store(Unit.objects.all())
    return len(new) + len(changed) + restored


# ---- the enterprise register -------------------------------------------------------------------


@transaction.atomic
def enterprise_register(*, actor, values: dict, is_generated: bool = False) -> Enterprise:
    """Register a non-public enterprise of a street, and with it its unit."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    cleaned, errors = check_enterprise(values)
    _street_in_sight(actor, errors, cleaned["region_code"])
    if (
        "credit_code" in cleaned
        and Enterprise.objects.filter(credit_code=cleaned["credit_code"]).exists()
    ):
        errors["credit_code"] = _("An enterprise with this code is registered already.")
    building = _building(values.get("building_id"), cleaned["region_code"], errors)
    if errors:
        raise InvalidInput.of_fields(errors)
    full_members = cleaned.pop("full_members")
    enterprise = Enterprise.objects.create(**cleaned, building=building, is_generated=is_generated)
    Unit.objects.create(
        sector=Sector.ENTERPRISE,
        key=enterprise.credit_code,
        name=enterprise.name,
        region_code=enterprise.region_code,
        operating=enterprise.operating,
        full_members=full_members,
        enterprise=enterprise,
        is_generated=is_generated,
    )
    _audit(
        actor,
        "party.enterprise_register",
        enterprise,
        enterprise.region_code,
        credit_code=enterprise.credit_code,
    )
    return enterprise


def _building(building_id, region_code: str, errors: dict) -> CommercialBuilding | None:
    if not building_id:
        return None
    building = CommercialBuilding.objects.filter(pk=building_id, region_code=region_code).first()
    if building is None:
        errors["building_id"] = _("No such commercial building in this street.")
    return building


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, values: dict) -> Enterprise:
    """Change whether it operates, its employees and its full party members (name and code
    stay: a new code is a new enterprise)."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, enterprise.region_code)
    cleaned: dict = {}
    errors: dict = {}
    flag_field(cleaned, errors, values, "operating", default=enterprise.operating)
    count_field(cleaned, errors, values, "employees", default=enterprise.employees)
    count_field(cleaned, errors, values, "full_members", default=enterprise.unit.full_members)
    if errors:
        raise InvalidInput.of_fields(errors)
    enterprise.operating, enterprise.employees = cleaned["operating"], cleaned["employees"]
    enterprise.save(update_fields=["operating", "employees"])
    Unit.objects.filter(enterprise=enterprise).update(
        operating=cleaned["operating"], full_members=cleaned["full_members"]
    )
    _audit(actor, "party.enterprise_update", enterprise, enterprise.region_code, **cleaned)
    return enterprise


@transaction.atomic
def unit_work_set(*, actor, unit: Unit, values: dict) -> Unit:
    """Record the unit's full party members and its trade-union and youth-league work."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, unit.region_code)
    cleaned: dict = {}
    errors: dict = {}
    count_field(cleaned, errors, values, "full_members", default=unit.full_members)
    flag_field(cleaned, errors, values, "union_work", default=unit.union_work)
    flag_field(cleaned, errors, values, "youth_league_work", default=unit.youth_league_work)
    if errors:
        raise InvalidInput.of_fields(errors)
    for name, value in cleaned.items():
        setattr(unit, name, value)
    unit.save(update_fields=list(cleaned))
    coverage_store(Unit.objects.filter(pk=unit.pk))
    _audit(actor, "party.unit_work", unit, unit.region_code, **cleaned)
    return unit


# ---- party organisations -----------------------------------------------------------------------


def units_by_keys(actor, keys: list[str]) -> tuple[list[Unit], list[str]]:
    """The units the keys name within the actor's sight, and the keys that name none."""
    found = {u.key: u for u in Unit.objects.filter(key__in=keys)}
    units, missing = [], []
    for key in keys:
        unit = found.get(key) or found.get(key.upper())
        if unit is None or (actor is not None and not in_scope(actor, unit.region_code)):
            missing.append(key)
        else:
            units.append(unit)
    return units, missing


def _units_check(
    actor, keys, kind: str | None, errors: dict, *, organization: PartyOrganization | None = None
) -> list[Unit]:
    keys = unit_keys(keys)
    units, missing = units_by_keys(actor, keys)
    if missing:
        errors["units"] = _("No such unit in your scope: %(keys)s.") % {"keys": ", ".join(missing)}
        return []
    units = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in units]))
    if kind:
        problem = rules.units_problem(kind, len(units))
        if problem:
            errors["units"] = _(problem[0]) % problem[1]
            return units
    closed = [u.name for u in units if not u.operating]
    if closed:
        errors["units"] = _("Not operating: %(names)s.") % {"names": "、".join(closed)}
        return units
    links = PartyOrganization.units.through.objects.filter(
        unit__in=units, partyorganization__dissolved_on=None
    )
    if organization is not None:
        links = links.exclude(partyorganization=organization)
    taken = links.values_list("unit__name", "partyorganization__name")
    if taken:
        errors["units"] = _("Covered already: %(pairs)s.") % {
            "pairs": "; ".join(f"{u} — {o}" for u, o in taken)
        }
    return units


@transaction.atomic
def party_organization_create(
    *, actor, values: dict, is_generated: bool = False
) -> PartyOrganization:
    """Record a party organisation over its unit(s): `values["units"]` holds their keys."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    cleaned, errors = check_party_organization(values)
    units = _units_check(actor, values.get("units"), cleaned.get("kind"), errors)
    if not errors and cleaned["established_on"] > _today():
        errors["established_on"] = _("The date is after today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    organization = PartyOrganization.objects.create(
        **cleaned,
        region_code=common_region([u.region_code for u in units]),
        is_generated=is_generated,
    )
    organization.units.set(units)
    coverage_store(Unit.objects.filter(pk__in=[u.pk for u in units]))
    _audit(
        actor,
        "party.organization_create",
        organization,
        organization.region_code,
        kind=organization.kind,
        units=[u.key for u in units],
        full_members=organization.full_members,
    )
    return organization


@transaction.atomic
def party_organization_update(
    *, actor, organization: PartyOrganization, values: dict
) -> PartyOrganization:
    """A new membership count, a new term (after an election), a new secretary, or for a joint
    branch a changed set of units. Values left out stay as they are."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, organization.region_code)
    if organization.dissolved_on:
        raise Conflict(_("This organisation was dissolved."))
    current = {
        f: getattr(organization, f)
        for f in (
            "name",
            "kind",
            "full_members",
            "probationary_members",
            "secretary_name",
            "secretary_phone",
            "established_on",
            "term_start",
            "term_end",
        )
    }
    merged = {**current, **{k: v for k, v in values.items() if k in current and v is not None}}
    cleaned, errors = check_party_organization(merged)
    keys = values.get("units")
    units = None
    if keys is not None:
        units = _units_check(actor, keys, cleaned.get("kind"), errors, organization=organization)
    elif "kind" in cleaned:
        problem = rules.units_problem(cleaned["kind"], organization.units.count())
        if problem:
            errors["kind"] = _(problem[0]) % problem[1]
    if errors:
        raise InvalidInput.of_fields(errors)
    changed = {k: str(v) for k, v in cleaned.items() if getattr(organization, k) != v}
    for name, value in cleaned.items():
        setattr(organization, name, value)
    touched = set(organization.units.values_list("pk", flat=True))
    if units is not None:
        organization.units.set(units)
        organization.region_code = common_region([u.region_code for u in units])
        changed["units"] = ", ".join(u.key for u in units)
        touched |= {u.pk for u in units}
    organization.save()
    coverage_store(Unit.objects.filter(pk__in=touched))  # a kind or a set of units changed
    changed.pop("secretary_name", None)
    changed.pop("secretary_phone", None)
    _audit(actor, "party.organization_update", organization, organization.region_code, **changed)
    return organization


@transaction.atomic
def party_organization_dissolve(
    *, actor, organization: PartyOrganization, on: date, reason: str
) -> PartyOrganization:
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, organization.region_code)
    if organization.dissolved_on:
        raise Conflict(_("This organisation was dissolved."))
    if on > _today() or on < organization.established_on:
        raise InvalidInput(_("The date must lie between its establishment and today."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason (and the decision's number)."))
    organization.dissolved_on = on
    organization.save(update_fields=["dissolved_on"])
    coverage_store(organization.units.all())
    _audit(
        actor,
        "party.organization_dissolve",
        organization,
        organization.region_code,
        on=on.isoformat(),
        reason=reason.strip()[:300],
    )
    return organization


# ---- three in step: what the registry reports --------------------------------------------------


def status_report_record(
    *,
    actor,
    organization: SocialOrganization,
    occasion: str,
    on: date,
    status: str,
    full_members: int,
    reference: str = "",
) -> StatusReport:
    """Keep the party-building status an organisation reported with its registration, annual
    inspection or rating application (三个同步); its members become its unit's count. Called by
    the registry's save, inside its transaction: one fails, both fail."""
    unit = organization_unit_sync(organization)
    report = StatusReport.objects.create(
        unit=unit,
        occasion=occasion,
        on=on,
        reference=reference[:40],
        status=status,
        full_members=full_members,
        recorded_by=_user(actor),
    )
    unit.full_members = full_members
    unit.save(update_fields=["full_members"])
    _audit(
        actor,
        "party.status_report",
        report,
        unit.region_code,
        organization=organization.pk,
        occasion=occasion,
        status=status,
        full_members=full_members,
    )
    return report


# ---- instructors -------------------------------------------------------------------------------


@transaction.atomic
def instructor_appoint(*, actor, values: dict, is_generated: bool = False) -> Instructor:
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    cleaned: dict = {}
    errors: dict = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the instructor's name.")
    cleaned["name"] = name[:50]
    phone = str(values.get("phone") or "").strip()
    try:
        cleaned["phone"] = normalise_mobile(phone) if phone else ""
    except InvalidNumber as e:
        errors["phone"] = _(str(e))
    cleaned["region_code"] = str(values.get("region_code") or "").strip()
    _street_in_sight(actor, errors, cleaned["region_code"])
    cleaned["sent_by"] = str(values.get("sent_by") or "").strip()[:100]
    date_field(cleaned, errors, values, "appointed_on", required=True)
    if cleaned.get("appointed_on") and cleaned["appointed_on"] > _today():
        errors["appointed_on"] = _("The date is after today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    instructor = Instructor.objects.create(**cleaned, is_generated=is_generated)
    _audit(actor, "party.instructor_appoint", instructor, instructor.region_code)
    return instructor


@transaction.atomic
def instructor_assign(*, actor, unit: Unit, instructor: Instructor | None) -> Unit:
    """Assign an instructor to a unit of their district (or take the unit's instructor away)."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, unit.region_code)
    if instructor is not None:
        _in_sight(actor, instructor.region_code)
        if instructor.ended_on:
            raise Conflict(_("This instructor's service has ended."))
        if unit.region_code[:6] != instructor.region_code[:6]:
            raise InvalidInput(_("An instructor serves units of their own district."))
    unit.instructor = instructor
    unit.save(update_fields=["instructor"])
    coverage_store(Unit.objects.filter(pk=unit.pk))
    _audit(
        actor,
        "party.instructor_assign",
        unit,
        unit.region_code,
        instructor=getattr(instructor, "pk", None),
    )
    return unit


@transaction.atomic
def instructor_end(*, actor, instructor: Instructor, on: date) -> Instructor:
    """End the instructor's service; their units have none until another is assigned."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, instructor.region_code)
    if instructor.ended_on:
        raise Conflict(_("This instructor's service has ended."))
    if on > _today() or on < instructor.appointed_on:
        raise InvalidInput(_("The date must lie between the appointment and today."))
    instructor.ended_on = on
    instructor.save(update_fields=["ended_on"])
    units = list(Unit.objects.filter(instructor=instructor).values_list("pk", flat=True))
    released = Unit.objects.filter(pk__in=units).update(instructor=None)
    coverage_store(Unit.objects.filter(pk__in=units))
    _audit(
        actor,
        "party.instructor_end",
        instructor,
        instructor.region_code,
        on=on.isoformat(),
        units_released=released,
    )
    return instructor


@transaction.atomic
def visit_record(*, actor, instructor: Instructor, unit: Unit, on: date, summary: str) -> Visit:
    """A visit of the instructor to one of the units assigned to them."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, instructor.region_code)
    if unit.instructor_id != instructor.pk:
        raise InvalidInput(_("The unit is not assigned to this instructor."))
    if on > _today() or on < instructor.appointed_on:
        raise InvalidInput(_("The date must lie between the appointment and today."))
    if not summary.strip():
        raise InvalidInput(_("Say what was done."))
    visit = Visit.objects.create(
        instructor=instructor,
        unit=unit,
        on=on,
        summary=summary.strip()[:300],
        recorded_by=_user(actor),
    )
    _audit(actor, "party.visit", visit, unit.region_code, unit=unit.key, on=on.isoformat())
    return visit


# ---- regional party building -------------------------------------------------------------------


@transaction.atomic
def alliance_create(*, actor, values: dict, is_generated: bool = False) -> Alliance:
    """An alliance of a street or a district (its member units are added one by one)."""
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    cleaned: dict = {}
    errors: dict = {}
    name = str(values.get("name") or "").strip()
    if not name:
        errors["name"] = _("Give the alliance's name.")
    cleaned["name"] = name[:200]
    code = str(values.get("region_code") or "").strip()
    if not Region.objects.filter(code=code, level__in=(Level.STREET, Level.DISTRICT)).exists():
        errors["region_code"] = _("Give the code of a street or a district: %(value)s.") % {
            "value": code or "—"
        }
    elif actor is not None and not in_scope(actor, code):
        errors["region_code"] = _("This region is outside your scope.")
    cleaned["region_code"] = code
    date_field(cleaned, errors, values, "established_on", required=True)
    if cleaned.get("established_on") and cleaned["established_on"] > _today():
        errors["established_on"] = _("The date is after today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    alliance = Alliance.objects.create(**cleaned, is_generated=is_generated)
    _audit(actor, "party.alliance_create", alliance, alliance.region_code)
    return alliance


def _alliance_check(actor, alliance: Alliance) -> None:
    require_role(actor, PARTY_KEEPERS, NOT_KEEPER)
    _in_sight(actor, alliance.region_code)


@transaction.atomic
def alliance_member_add(*, actor, alliance: Alliance, key: str) -> Unit:
    _alliance_check(actor, alliance)
    units, _missing = units_by_keys(actor, [key.strip()])
    prefix = significant_prefix(alliance.region_code)
    if not units or not units[0].region_code.startswith(prefix):
        raise InvalidInput(
            _("No unit with this key in the alliance's area: %(key)s.") % {"key": key or "—"}
        )
    unit = units[0]
    if alliance.members.filter(pk=unit.pk).exists():
        raise Conflict(_("The unit is a member already."))
    alliance.members.add(unit)
    _audit(actor, "party.alliance_member_add", alliance, alliance.region_code, unit=unit.key)
    return unit


def _member(alliance: Alliance, unit_id) -> Unit:
    unit = alliance.members.filter(pk=unit_id).first()
    if unit is None:
        raise InvalidInput(_("Choose one of the alliance's member units."))
    return unit


@transaction.atomic
def list_item_add(
    *, actor, alliance: Alliance, kind: str, unit_id: int, title: str, on: date
) -> ListItem:
    """A need or a resource a member unit puts on the alliance's lists."""
    _alliance_check(actor, alliance)
    if kind not in ListKind.values:
        raise InvalidInput(_("Unknown list: %(kind)s.") % {"kind": kind})
    unit = _member(alliance, unit_id)
    if not title.strip():
        raise InvalidInput(_("Say what is needed or offered."))
    if on > _today():
        raise InvalidInput(_("The date is after today."))
    item = ListItem.objects.create(
        alliance=alliance, kind=kind, unit=unit, title=title.strip()[:200], listed_on=on
    )
    _audit(actor, "party.list_item_add", item, alliance.region_code, kind=kind, unit=unit.key)
    return item


@transaction.atomic
def project_start(
    *,
    actor,
    alliance: Alliance,
    title: str,
    started_on: date,
    unit_ids: list[int],
    need_id: int | None = None,
    resource_ids: list[int] | None = None,
) -> JointProject:
    """A joint project of member units, meeting a listed need with listed resources."""
    _alliance_check(actor, alliance)
    if not title.strip():
        raise InvalidInput(_("Give the project's title."))
    if started_on > _today():
        raise InvalidInput(_("The date is after today."))
    units = [_member(alliance, pk) for pk in dict.fromkeys(unit_ids)]
    if len(units) < 2:
        raise InvalidInput(_("A joint project has two or more member units."))
    need = None
    if need_id:
        need = alliance.items.filter(pk=need_id, kind=ListKind.NEED).first()
        if need is None:
            raise InvalidInput(_("Choose a need from the alliance's needs list."))
    resources = list(alliance.items.filter(pk__in=resource_ids or [], kind=ListKind.RESOURCE))
    if len(resources) != len(set(resource_ids or [])):
        raise InvalidInput(_("Choose resources from the alliance's resources list."))
    project = JointProject.objects.create(
        alliance=alliance, title=title.strip()[:200], need=need, started_on=started_on
    )
    project.units.set(units)
    project.resources.set(resources)
    _audit(
        actor,
        "party.project_start",
        project,
        alliance.region_code,
        units=[u.key for u in units],
        need=need_id,
    )
    return project


@transaction.atomic
def project_finish(
    *, actor, project: JointProject, finished_on: date, result: str, beneficiaries
) -> JointProject:
    _alliance_check(actor, project.alliance)
    if project.finished_on:
        raise Conflict(_("The project is finished already."))
    if finished_on > _today() or finished_on < project.started_on:
        raise InvalidInput(_("The date must lie between the start and today."))
    if not result.strip():
        raise InvalidInput(_("Describe the result."))
    cleaned: dict = {}
    errors: dict = {}
    count_field(cleaned, errors, {"beneficiaries": beneficiaries}, "beneficiaries")
    if errors:
        raise InvalidInput.of_fields(errors)
    project.finished_on = finished_on
    project.result = result.strip()[:2000]
    project.beneficiaries = cleaned["beneficiaries"]
    project.save(update_fields=["finished_on", "result", "beneficiaries"])
    _audit(
        actor,
        "party.project_finish",
        project,
        project.alliance.region_code,
        finished_on=finished_on.isoformat(),
        beneficiaries=project.beneficiaries,
    )
    return project
