"""Shared helpers of the community tests (the access engine's tests need none of these)."""

from io import BytesIO

from openpyxl import Workbook

DUOFU = "110101001001"  # 多福巷社区, 东华门街道 (street_staff's street; community_staff's own)
DONGHUAMEN = "110101001000"
DONGCHENG = "110101000000"


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xicheng_community() -> str:
    from shoushan.regions.models import Region

    return (
        Region.objects.filter(level="community", code__startswith="110102")
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


def community_data_clear() -> None:
    """Start a test from no community data, whether or not the session's demo made some (the
    test's transaction puts it back afterwards)."""
    from shoushan.community.models import (
        CatalogueVersion,
        ChecklistEntry,
        CommunityProfile,
        Facility,
        StandardsRule,
    )

    ChecklistEntry.objects.all().delete()
    Facility.objects.all().delete()
    CatalogueVersion.objects.all().delete()
    CommunityProfile.objects.all().delete()
    StandardsRule.objects.all().delete()
