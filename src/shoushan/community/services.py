"""Writes of the community system. Each runs in one transaction and audits what it changed."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import CITY_ADMINISTRATORS, REGION_STAFF, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_entry, audit_record, audit_records, field_changes
from shoushan.community import sheets
from shoushan.community.models import (
    DEFAULT_STANDARDISATION_ITEMS,
    CatalogueCategory,
    CatalogueItem,
    CatalogueSubItem,
    CatalogueVersion,
    ChecklistEntry,
    ChecklistStatus,
    CommunityProfile,
    StandardsRule,
)
from shoushan.community.selectors import standards_rule
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.uploads import JPEG, PDF, PNG, upload_kind
from shoushan.regions.models import Level, Region

REFERENCE_CATALOGUE = Path(__file__).parent / "data" / "reference_catalogue.yaml"


def require_editor(actor) -> None:
    require_role(actor, REGION_STAFF, _("Your role cannot change community records."))


def require_city_admin(actor) -> None:
    require_role(
        actor,
        CITY_ADMINISTRATORS,
        _("Only city administrators change the catalogue and thresholds."),
    )


# ---- 三有一化 rule ---------------------------------------------------------------------------


RULE_FIELDS = [
    "min_staff",
    "min_premises_m2",
    "newer_since",
    "newer_min_premises_m2",
    "min_funds",
    "standardisation_items",
]


@transaction.atomic
def standards_rule_update(*, actor, **values) -> StandardsRule:
    require_city_admin(actor)
    StandardsRule.objects.get_or_create(
        pk=1, defaults={"standardisation_items": DEFAULT_STANDARDISATION_ITEMS}
    )
    rule = StandardsRule.objects.select_for_update().get(pk=1)
    before = {f: getattr(rule, f) for f in RULE_FIELDS}
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    items = values.get("standardisation_items", rule.standardisation_items)
    codes = [i.get("code") for i in items if isinstance(i, dict)]
    if len(codes) != len(items) or not all(codes) or len(set(codes)) != len(codes):
        raise InvalidInput(_("Each standardisation item needs a code of its own and a label."))
    for key in ("min_premises_m2", "newer_min_premises_m2", "min_funds"):
        if key in values and (values[key] is None or Decimal(values[key]) < 0):
            raise InvalidInput(_("Thresholds must be numbers of zero or more."))
    for key, value in values.items():
        setattr(rule, key, value)
    rule.save()
    after = {f: getattr(rule, f) for f in RULE_FIELDS}
    audit_record(
        actor=actor,
        action="community.standards_rule_update",
        obj=rule,
        changes=field_changes(before, after, RULE_FIELDS),
    )
    return rule


def standardisation_codes(rule: StandardsRule) -> dict[str, str]:
    """Each item's code and label → its code (a sheet may use either)."""
    out = {}
    for item in rule.standardisation_items:
        out[item["code"]] = item["code"]
        if item.get("label"):
            out[item["label"]] = item["code"]
    return out


# ---- profiles --------------------------------------------------------------------------------


def _check_community(actor, community: Region) -> None:
    if community.level != Level.COMMUNITY:
        raise InvalidInput(_("%(name)s is not a community or village.") % {"name": community})
    if actor is not None and not in_scope(actor, community.code):
        raise NotFound(_("No such record in your scope."))


def _profile_state(profile: CommunityProfile) -> dict:
    return {f: getattr(profile, f) for f in sheets.EDITABLE}


@transaction.atomic
def profile_update(*, actor, community: Region, values: dict[str, str]) -> CommunityProfile:
    """Change a community's profile from form text (only the keys given change). Every changed
    field is audited with its old and new value (the secretary's name masked)."""
    require_editor(actor)
    _check_community(actor, community)
    rule = standards_rule()
    cleaned, errors = sheets.clean_profile_values(values, standardisation_codes(rule))
    if errors:
        raise InvalidInput(
            _("Some values are not valid; nothing was saved."),
            details=[
                {"column": sheets.label_of(k), "field": k, "message": m} for k, m in errors.items()
            ],
        )
    found = CommunityProfile.objects.select_for_update().filter(region=community).first()
    created = found is None
    profile = CommunityProfile(region=community) if found is None else found
    before = _profile_state(profile) if not created else {}
    for key, value in cleaned.items():
        setattr(profile, key, value)
    changes = field_changes(before, _profile_state(profile), sheets.EDITABLE)
    if not changes and not created:
        return profile
    profile.generated = False if changes else profile.generated
    profile.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    profile.save()
    audit_record(
        actor=actor,
        action="community.profile_create" if created else "community.profile_update",
        obj=profile,
        object_id=community.code,
        region_code=community.code,
        changes=changes,
        personal_fields=CommunityProfile.PERSONAL_FIELDS,
    )
    return profile


@dataclass
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int


def profiles_import(*, actor, name: str, content: bytes) -> ImportResult:
    """Import profiles from an xlsx or CSV file. Every row is checked first; if any has a
    problem, nothing is imported and InvalidInput lists every problem by row and column."""
    require_editor(actor)
    rows = sheets.read_rows(name, content)
    if not rows:
        raise InvalidInput(_("The file has no rows to import."))
    rule = standards_rule()
    item_codes = standardisation_codes(rule)
    codes = [values.get("code", "") for _n, values in rows]
    communities = Region.objects.defer("boundary").in_bulk(
        [c for c in codes if c], field_name="code"
    )
    problems: list[dict] = []
    seen: dict[str, int] = {}
    parsed: list[tuple[Region, dict]] = []
    code_label = sheets.label_of("code")
    for number, values in rows:
        code = values.get("code", "")
        region = communities.get(code)
        if not code:
            problems.append(_problem(number, code_label, _("The community code is empty.")))
            continue
        if region is None or region.level != Level.COMMUNITY:
            problems.append(
                _problem(
                    number, code_label, _("%(code)s is not a community code.") % {"code": code}
                )
            )
            continue
        if actor is not None and not in_scope(actor, code):
            problems.append(
                _problem(number, code_label, _("%(code)s is outside your scope.") % {"code": code})
            )
            continue
        if code in seen:
            problems.append(
                _problem(
                    number,
                    code_label,
                    _("%(code)s appears again (first on row %(row)s).")
                    % {"code": code, "row": seen[code]},
                )
            )
            continue
        seen[code] = number
        editable = {k: v for k, v in values.items() if k in sheets.EDITABLE}
        editable.pop("secretary_name", None)  # the export masks it: never read it back
        cleaned, errors = sheets.clean_profile_values(editable, item_codes)
        for key, message in errors.items():
            problems.append(_problem(number, sheets.label_of(key), message))
        parsed.append((region, cleaned))
    if problems:
        raise InvalidInput(
            _("%(n)s problems found; nothing was imported.") % {"n": len(problems)},
            details=problems,
        )
    return _profiles_apply(actor, parsed)


def _problem(row: int, column: str, message: str) -> dict:
    return {"row": row, "column": column, "message": message}


@transaction.atomic
def _profiles_apply(actor, parsed: list[tuple[Region, dict]]) -> ImportResult:
    existing = CommunityProfile.objects.select_for_update().in_bulk(
        [r.code for r, _v in parsed], field_name="region_id"
    )
    to_create: list[CommunityProfile] = []
    to_update: list[CommunityProfile] = []
    audits = []
    user = actor if getattr(actor, "is_authenticated", False) else None
    for region, cleaned in parsed:
        found = existing.get(region.code)
        created = found is None
        profile = CommunityProfile(region=region) if found is None else found
        before = {} if created else _profile_state(profile)
        for key, value in cleaned.items():
            setattr(profile, key, value)
        changes = field_changes(before, _profile_state(profile), sheets.EDITABLE)
        if not created and not changes:
            continue
        profile.generated = False
        profile.updated_by = user
        (to_create if created else to_update).append(profile)
        audits.append(
            audit_entry(
                actor=actor,
                action="community.profile_import",
                obj=profile,
                object_id=region.code,
                region_code=region.code,
                changes=changes,
                personal_fields=CommunityProfile.PERSONAL_FIELDS,
            )
        )
    CommunityProfile.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        CommunityProfile.objects.bulk_update(
            to_update, [*sheets.EDITABLE, "generated", "updated_by"], batch_size=1000
        )
        CommunityProfile.objects.filter(pk__in=[p.pk for p in to_update]).update(
            updated_at=timezone.now()
        )
    audit_records(audits)
    return ImportResult(
        rows=len(parsed),
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(parsed) - len(to_create) - len(to_update),
    )


# ---- the service catalogue --------------------------------------------------------------------


@transaction.atomic
def catalogue_load(*, actor=None, path: Path = REFERENCE_CATALOGUE, publish: bool = True):
    """Load a catalogue file (YAML) as a version named by the file. Idempotent: a version of
    that name that exists already is returned unchanged. The first version loaded is published
    when no other is."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    existing = CatalogueVersion.objects.filter(name=data["name"]).first()
    if existing is not None:
        return existing, False
    version = CatalogueVersion.objects.create(
        name=data["name"],
        note=data.get("note", ""),
        is_reference=path == REFERENCE_CATALOGUE or bool(data.get("reference")),
        published=publish and not CatalogueVersion.objects.filter(published=True).exists(),
    )
    _catalogue_fill(version, data["categories"])
    audit_record(
        actor=actor,
        action="community.catalogue_load",
        obj=version,
        changes={"items": CatalogueItem.objects.filter(category__version=version).count()},
    )
    return version, True


def _catalogue_fill(version: CatalogueVersion, categories: list[dict]) -> None:
    for c_order, c in enumerate(categories):
        category = CatalogueCategory.objects.create(
            version=version, code=str(c["code"]), name=c["name"], order=c_order
        )
        for i_order, i in enumerate(c["items"]):
            item = CatalogueItem.objects.create(
                category=category,
                code=str(i["code"]),
                name=i["name"],
                life_circle=i.get("life_circle"),
                facility_category=i.get("facility", ""),
                order=i_order,
            )
            CatalogueSubItem.objects.bulk_create(
                [
                    CatalogueSubItem(item=item, code=f"{item.code}.{n + 1}", name=s, order=n)
                    for n, s in enumerate(i.get("subs", []))
                ]
            )


def catalogue_as_data(version: CatalogueVersion) -> list[dict]:
    return [
        {
            "code": c.code,
            "name": c.name,
            "items": [
                {
                    "code": i.code,
                    "name": i.name,
                    "life_circle": i.life_circle,
                    "facility": i.facility_category,
                    "subs": [s.name for s in i.sub_items.all()],
                }
                for i in c.items.all()
            ],
        }
        for c in version.categories.prefetch_related("items__sub_items")
    ]


@transaction.atomic
def catalogue_version_copy(*, actor, source: CatalogueVersion, name: str, note: str = ""):
    """A draft copy of a version, to edit."""
    require_city_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the new version a name."))
    if CatalogueVersion.objects.filter(name=name).exists():
        raise InvalidInput(_("A version named %(name)s exists already.") % {"name": name})
    version = CatalogueVersion.objects.create(
        name=name[:100], note=note, is_reference=source.is_reference, published=False
    )
    _catalogue_fill(version, catalogue_as_data(source))
    audit_record(
        actor=actor,
        action="community.catalogue_copy",
        obj=version,
        changes={"source": source.name},
    )
    return version


@transaction.atomic
def catalogue_version_publish(*, actor, version: CatalogueVersion) -> CatalogueVersion:
    """Publish a version; the one published before is withdrawn (checklists keep their rows)."""
    require_city_admin(actor)
    previous = list(
        CatalogueVersion.objects.filter(published=True)
        .exclude(pk=version.pk)
        .values_list("name", flat=True)
    )
    carried = _checklists_carry_over(version)
    CatalogueVersion.objects.filter(published=True).update(published=False)
    version.published = True
    version.save(update_fields=["published"])
    audit_record(
        actor=actor,
        action="community.catalogue_publish",
        obj=version,
        changes={"published": [previous, version.name], "checklist_entries_carried": carried},
    )
    return version


def _checklists_carry_over(version: CatalogueVersion) -> int:
    """Checklist entries of the version published so far move along to the items of the new
    version with the same code, so that publishing a revision does not empty every checklist."""
    new_items = dict(
        CatalogueItem.objects.filter(category__version=version).values_list("code", "pk")
    )
    old = ChecklistEntry.objects.filter(item__category__version__published=True).exclude(
        item__category__version=version
    )
    entries = [
        ChecklistEntry(
            community_id=e.community_id,
            item_id=new_items[e.item.code],
            status=e.status,
            evidence=e.evidence,
            evidence_url=e.evidence_url,
            generated=e.generated,
        )
        for e in old.select_related("item").iterator(chunk_size=5000)
        if e.item.code in new_items
    ]
    ChecklistEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    return len(entries)


@transaction.atomic
def catalogue_item_save(
    *,
    actor,
    version: CatalogueVersion,
    category_code: str,
    code: str,
    name: str,
    life_circle: int | None = None,
    facility_category: str = "",
    sub_items: list[str] | None = None,
) -> CatalogueItem:
    """Add an item to a draft version, or change one (by code)."""
    require_city_admin(actor)
    if version.published:
        raise Conflict(_("A published version cannot change; copy it into a draft first."))
    code, name = code.strip(), name.strip()
    if not code or not name:
        raise InvalidInput(_("An item needs a code and a name."))
    if life_circle not in (None, 5, 10, 15):
        raise InvalidInput(_("The life circle is 5, 10 or 15 minutes."))
    category = version.categories.filter(code=category_code).first()
    if category is None:
        raise InvalidInput(_("There is no category %(code)s.") % {"code": category_code})
    item = CatalogueItem.objects.filter(category__version=version, code=code).first()
    before = {}
    if item is None:
        item = CatalogueItem(category=category, code=code, order=category.items.count())
    else:
        before = {
            "name": item.name,
            "category": item.category.code,
            "life_circle": item.life_circle,
            "facility_category": item.facility_category,
            "sub_items": [s.name for s in item.sub_items.all()],
        }
    item.category = category
    item.name = name[:200]
    item.life_circle = life_circle
    item.facility_category = facility_category.strip()[:40]
    item.save()
    if sub_items is not None:
        item.sub_items.all().delete()
        CatalogueSubItem.objects.bulk_create(
            [
                CatalogueSubItem(item=item, code=f"{code}.{n + 1}", name=s.strip()[:200], order=n)
                for n, s in enumerate(s for s in sub_items if s.strip())
            ]
        )
    after = {
        "name": item.name,
        "category": category.code,
        "life_circle": item.life_circle,
        "facility_category": item.facility_category,
        "sub_items": [s.name for s in item.sub_items.all()],
    }
    audit_record(
        actor=actor,
        action="community.catalogue_item_save",
        obj=item,
        object_repr=f"{version.name} {item}",
        changes=field_changes(before, after, list(after)),
    )
    return item


# ---- checklists -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistChange:
    item_id: int
    status: str
    evidence: str = ""
    evidence_url: str = ""
    evidence_file: Any = None  # an uploaded file (PDF, JPEG or PNG), or None to keep the old one


EVIDENCE_KINDS = (PDF, JPEG, PNG)
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


@transaction.atomic
def checklist_update(*, actor, community: Region, changes: list[ChecklistChange]) -> int:
    """Record for a community whether it provides each item (of the published version). Every
    change is audited; an unchanged entry is left alone. Returns the number changed."""
    require_editor(actor)
    _check_community(actor, community)
    item_ids = {c.item_id for c in changes}
    items = CatalogueItem.objects.filter(
        pk__in=item_ids, category__version__published=True
    ).in_bulk()
    problems = []
    for c in changes:
        if c.item_id not in items:
            problems.append({"item": c.item_id, "message": _("Not an item of the catalogue.")})
        elif c.evidence_file is not None and upload_kind(c.evidence_file, EVIDENCE_KINDS) is None:
            problems.append(
                {
                    "item": items[c.item_id].code,
                    "message": _("“%(name)s” is not a PDF, JPEG or PNG file.")
                    % {"name": c.evidence_file.name[:60]},
                }
            )
        elif c.evidence_file is not None and c.evidence_file.size > MAX_EVIDENCE_BYTES:
            problems.append(
                {
                    "item": items[c.item_id].code,
                    "message": _("“%(name)s” is larger than 10 MB.")
                    % {"name": c.evidence_file.name[:60]},
                }
            )
        elif c.status not in ChecklistStatus.values:
            problems.append(
                {
                    "item": items[c.item_id].code,
                    "message": _("Unknown status %(s)s.") % {"s": c.status},
                }
            )
    if problems:
        raise InvalidInput(_("Some entries are not valid; nothing was saved."), details=problems)
    existing = {
        e.item_id: e
        for e in ChecklistEntry.objects.select_for_update().filter(
            community=community, item_id__in=item_ids
        )
    }
    changed = 0
    audits = []
    for c in changes:
        entry = existing.get(c.item_id)
        before = (
            {}
            if entry is None
            else {
                "status": entry.status,
                "evidence": entry.evidence,
                "evidence_url": entry.evidence_url,
            }
        )
        after = {
            "status": c.status,
            "evidence": c.evidence.strip(),
            "evidence_url": c.evidence_url.strip()[:300],
        }
        diff = field_changes(before, after, list(after))
        if c.evidence_file is not None:
            diff["evidence_file"] = [
                entry.evidence_file.name if entry is not None and entry.evidence_file else "",
                c.evidence_file.name[:100],
            ]
        if not diff:
            continue
        if entry is None:
            entry = ChecklistEntry(community=community, item=items[c.item_id])
        entry.status, entry.evidence, entry.evidence_url = (
            after["status"],
            after["evidence"],
            after["evidence_url"],
        )
        if c.evidence_file is not None:
            extension = upload_kind(c.evidence_file, EVIDENCE_KINDS)
            c.evidence_file.name = f"{community.code}-{items[c.item_id].code}.{extension}"
            entry.evidence_file = c.evidence_file
        entry.generated = False
        entry.save()
        changed += 1
        audits.append(
            audit_entry(
                actor=actor,
                action="community.checklist_update",
                obj=entry,
                object_repr=f"{community.name} {items[c.item_id]}",
                region_code=community.code,
                changes=diff,
            )
        )
    audit_records(audits)
    return changed
