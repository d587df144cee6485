"""The awards of a fund in the 360Giving Data Standard's terms, so that what a city buys can be
read by the tools made for grant data (GrantNav and others): one grant per award in force, with
its recipient, funder, dates, programme (the call) and location.

Identifiers follow the standard's pattern: the grant `360G-<prefix>-<award id>`, organisations by
their unified social credit code as `CN-USCC-<code>`. The prefix is `SHOUSHAN_360G_PREFIX`; a city
that publishes to 360Giving registers its own and checks the organisation scheme with
org-id.guide first."""

from collections.abc import Iterator

from django.conf import settings

from shoushan.purchasing.models import Award, Fund
from shoushan.regions.models import Region

# The standard's spreadsheet columns, in its order (the flattened JSON field titles).
COLUMNS = (
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Planned Dates:Start Date",
    "Planned Dates:End Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Title",
    "Beneficiary Location:Name",
    "Beneficiary Location:Geographic Code",
    "Last Modified",
)


def _org_id(award: Award) -> str:
    if award.recipient_code:
        return f"CN-USCC-{award.recipient_code}"
    return f"360G-{settings.GIVING_PREFIX}-org-{award.organization_id}"


def grants(fund: Fund) -> Iterator[dict]:
    """The fund's awards in force as 360Giving grants (the standard's JSON field names)."""
    funder = Region.objects.filter(code=fund.region_code).first()
    funder_name = f"{funder.name if funder else fund.region_code} · {fund.name}"
    awards = list(
        Award.objects.filter(line__call__envelope__fund=fund, status=Award.ACTIVE)
        .select_related("organization", "line__call", "line__item", "contract")
        .order_by("pk")
    )

    def place_of(award: Award) -> str:  # a supplier outside the registry: the fund's region
        return award.organization.region_code if award.organization else fund.region_code

    codes = {place_of(a) for a in awards}
    places = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for award in awards:
        contract = award.contract if hasattr(award, "contract") else None  # none signed yet
        place = place_of(award)
        grant = {
            "id": f"360G-{settings.GIVING_PREFIX}-{award.pk}",
            "title": award.title,
            "description": f"{award.line.item.code} {award.line.item.name}：{award.line.title}",
            "currency": "CNY",
            "amountAwarded": str(award.amount),
            "awardDate": award.decided_on.isoformat(),
            "recipientOrganization": [{"id": _org_id(award), "name": award.recipient}],
            "fundingOrganization": [
                {"id": f"360G-{settings.GIVING_PREFIX}-fund-{fund.pk}", "name": funder_name}
            ],
            "grantProgramme": [{"title": award.line.call.title}],
            "beneficiaryLocation": [{"name": places.get(place, place), "geoCode": place}],
            "lastModified": award.decided_on.isoformat() + "T00:00:00+08:00",
        }
        if contract is not None:
            grant["plannedDates"] = [
                {
                    "startDate": contract.starts_on.isoformat(),
                    "endDate": contract.ends_on.isoformat(),
                }
            ]
        yield grant


def grant_rows(fund: Fund) -> Iterator[list[str]]:
    """The grants as rows under COLUMNS."""
    for g in grants(fund):
        dates = (g.get("plannedDates") or [{}])[0]
        yield [
            g["id"],
            g["title"],
            g["description"],
            g["currency"],
            g["amountAwarded"],
            g["awardDate"],
            dates.get("startDate", ""),
            dates.get("endDate", ""),
            g["recipientOrganization"][0]["id"],
            g["recipientOrganization"][0]["name"],
            g["fundingOrganization"][0]["id"],
            g["fundingOrganization"][0]["name"],
            g["grantProgramme"][0]["title"],
            g["beneficiaryLocation"][0]["name"],
            g["beneficiaryLocation"][0]["geoCode"],
            g["lastModified"],
        ]
