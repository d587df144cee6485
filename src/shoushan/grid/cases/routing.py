"""Who answers for a case (FixMyStreet's idea: the place decides the bodies, the category the
contact). Routing only looks up units that exist; it never makes one up."""

from shoushan.grid.models import Case, CaseKind, Category, Unit
from shoushan.grid.registry.grid_index import Location
from shoushan.grid.registry.selectors import department_unit, routing_rule_unit, unit_of_street


def case_route(*, category: Category, location: Location) -> Unit | None:
    """A routing rule's unit for the place and category (the most specific region wins); else
    events and 12345 requests go to the locality (the street office) and components to their
    owner (the grid's responsible party, else the category's default department in the
    district). None when that unit does not exist."""
    rule_unit = routing_rule_unit(category=category, region_code=location.region_code)
    if rule_unit is not None:
        return rule_unit
    owner = location.owner or category.default_department
    if category.kind != CaseKind.COMPONENT or not owner:
        return unit_of_street(location.street_code)
    return department_unit(district_code=location.street_code[:6] + "000000", department=owner)


def case_location(case: Case) -> Location:
    return Location(
        community_code=case.community_id or "",
        street_code=case.street_id,
        grid_id=case.grid_id,
        grid_code=case.grid.code if case.grid_id else None,
        owner=case.grid.owner if case.grid_id else "",
    )
