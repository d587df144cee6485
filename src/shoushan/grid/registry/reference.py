"""Reference data that production needs too: the case catalogue and the working calendar, loaded
from the data files once (and again only when a file changes), and the responsible units they
imply — a street office for every street, and in every district the departments the catalogue
names. Administrators edit them after."""

import hashlib
import json
from datetime import date
from pathlib import Path

from django.db import transaction

from shoushan.audit.services import audit_record
from shoushan.core.versioned import version_bump
from shoushan.grid.models import CalendarDay, CalendarDayKind, Category, Unit, UnitKind
from shoushan.grid.registry.selectors import CATEGORIES_VERSION, department_name
from shoushan.regions.models import DatasetLoad, Level, Region

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


def _load_once(name: str, path: Path, load, model) -> bool:
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    if DatasetLoad.objects.filter(name=name, checksum=checksum).exists() and model.objects.exists():
        return False
    with transaction.atomic():
        summary = load(json.loads(path.read_text(encoding="utf-8")))
        DatasetLoad.objects.update_or_create(
            name=name, defaults={"checksum": checksum, "summary": summary}
        )
        audit_record(
            actor=None,
            action=f"{name}.load",
            object_type="regions.datasetload",
            object_repr=name,
            region_code="",
            changes=summary,
        )
    return True


def categories_load() -> bool:
    """Add the categories of the data file that are missing; existing ones keep their edits (and
    gain the file's Open311 attributes when they have none)."""

    def load(data: dict) -> dict:
        created = 0
        for major in data["categories"]:
            major_class, new = Category.objects.get_or_create(
                code=major["code"], defaults={"name": major["name"], "kind": major["kind"]}
            )
            created += new
            for sub in major["subclasses"]:
                category, new = Category.objects.get_or_create(
                    code=sub["code"],
                    defaults={
                        "name": sub["name"],
                        "kind": major["kind"],
                        "major_class": major_class,
                        "filing_standard": sub.get("filing_standard", ""),
                        "closing_standard": sub.get("closing_standard", ""),
                        "time_limit": sub["time_limit"],
                        "time_limit_unit": sub["time_limit_unit"],
                        "default_department": sub.get("default_department", ""),
                        "attributes": sub.get("attributes", []),
                    },
                )
                created += new
                if not new and not category.attributes and sub.get("attributes"):
                    # attributes added to the file later: given to a category that has none
                    Category.objects.filter(pk=category.pk).update(attributes=sub["attributes"])
        version_bump(CATEGORIES_VERSION)
        return {"created": created}

    return _load_once("grid.categories", DATA_DIR / "categories.json", load, Category)


def working_calendar_load() -> bool:
    def load(data: dict) -> dict:
        days = {}
        for kind, key in (
            (CalendarDayKind.HOLIDAY, "holidays"),
            (CalendarDayKind.WORKING_DAY, "adjusted_working_days"),
        ):
            for values in data[key].values():
                for value in values:
                    days[date.fromisoformat(value)] = kind
        existing = set(CalendarDay.objects.values_list("date", flat=True))
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, kind=k) for d, k in sorted(days.items()) if d not in existing]
        )
        return {"days": len(days)}

    return _load_once(
        "grid.working_calendar", DATA_DIR / "working_calendar.json", load, CalendarDay
    )


def units_load() -> int:
    """The responsible units cases are routed to by default, where missing: a street office for
    every street (the locality answers for events) and, in every district, a unit for each
    department the catalogue names (区城市管理委员会 → 东城区城市管理委员会). Routing never makes a
    unit up: a case whose unit does not exist waits for the dispatcher. Returns how many were
    created; audited as one record."""
    have = set(Unit.objects.values_list("region_id", "name"))
    wanted = [
        Unit(name=f"{street.name}办事处"[:100], kind=UnitKind.STREET, region_id=street.code)
        for street in Region.objects.filter(level=Level.STREET).only("code", "name")
    ]
    departments = sorted(
        set(
            Category.objects.exclude(default_department="").values_list(
                "default_department", flat=True
            )
        )
    )
    for district in Region.objects.filter(level=Level.DISTRICT).only("code", "name"):
        wanted += [
            Unit(
                name=department_name(d, district.name)[:100],
                kind=UnitKind.DEPARTMENT,
                region_id=district.code,
            )
            for d in departments
        ]
    new = [u for u in wanted if (u.region_id, u.name) not in have]
    if new:
        with transaction.atomic():
            Unit.objects.bulk_create(new, batch_size=500)
            audit_record(
                actor=None,
                action="grid.units_load",
                object_type="grid.unit",
                object_repr=f"{len(new)} units",
                region_code="",
                changes={"created": len(new)},
            )
    return len(new)
