"""What each role may do. Roles are fixed; the permissions each grants are listed here once, and
an administrator can grant any account more through its own user permissions."""

from django.utils.functional import Promise

from shoushan.accounts.models import Role
from shoushan.core.errors import Forbidden

VIEW_PERSONAL_INFORMATION = "accounts.view_personal_information"
VIEW_USERS = "accounts.view_user"
VIEW_AUDIT = "audit.view_auditrecord"

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: frozenset({VIEW_PERSONAL_INFORMATION, VIEW_USERS, VIEW_AUDIT}),
    Role.DISTRICT_ADMIN: frozenset({VIEW_PERSONAL_INFORMATION, VIEW_USERS, VIEW_AUDIT}),
    Role.STREET_STAFF: frozenset({VIEW_USERS, VIEW_AUDIT}),
    Role.COMMUNITY_STAFF: frozenset({VIEW_USERS, VIEW_AUDIT}),
    Role.GRID_WORKER: frozenset(),
    Role.DEPARTMENT_HANDLER: frozenset(),
    Role.RESEARCHER: frozenset(),
    Role.RESIDENT: frozenset(),
}

# Roles that work inside a region and so need at least one scope.
SCOPED_ROLES = frozenset(
    {
        Role.CITY_ADMIN,
        Role.DISTRICT_ADMIN,
        Role.STREET_STAFF,
        Role.COMMUNITY_STAFF,
        Role.GRID_WORKER,
        Role.DEPARTMENT_HANDLER,
    }
)

# ---- who does what ------------------------------------------------------------------------------
# Every role set of the platform, named for what its holders do. A service checks its own
# permission with `require_role`; a page or API handler asks `has_role` only to decide what to
# show, never instead of the service's check. A superuser holds every role.

# The offices of a region: community profiles, workers, volunteer organisations, grid workers.
REGION_STAFF = frozenset(
    {Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.COMMUNITY_STAFF}
)
# The dispatching offices (city, district, street): register, dispatch, close, return visits,
# manual triage, merging duplicates, 12345 imports, the month's problems.
DISPATCHERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF})
# Who reports from patrol and verifies on the spot what a unit handled.
PATROLLERS = DISPATCHERS | {Role.COMMUNITY_STAFF, Role.GRID_WORKER}
# People who work cases at all (residents and researchers report and read).
CASE_WORKERS = frozenset(Role) - {Role.RESIDENT, Role.RESEARCHER}
# City and district administrators: grid layers, the city-wide view of the month's problems.
ADMINISTRATORS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
# The city administrator alone: the rules (catalogue, routing, calendar), Open311 keys, the
# month's theme, the intake model, standards and the city's average wage.
CITY_ADMINISTRATORS = frozenset({Role.CITY_ADMIN})
# The civil-affairs offices of city and district: the social-organisation registry, annual
# inspections, penalties, credit lists, ratings, hub organisations and incubators.
REGISTRARS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
# Who keeps the commercial-building workstations: the region offices down to the street.
WORKSTATION_KEEPERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF})
# Who keeps party-building records (organisations, enterprises, instructors, alliances): the
# region offices down to the street, where the street's party working committee sits.
PARTY_KEEPERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.STREET_STAFF})
# Who keeps the purchase of social services (funds, calls, awards, contracts, payments): the
# city's and the districts' social-construction offices.
PURCHASERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN})
# Who runs the think tanks' topics (bases, the guide, review, approval, checks, adoptions): the
# city's social-construction office; who reads them: the offices and the researchers.
THINK_TANK_KEEPERS = frozenset({Role.CITY_ADMIN})
THINK_TANK_READERS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.RESEARCHER})
# The cockpit and the key tasks (督办): the region offices read the figures of their region and act
# on the key tasks for their own office; the city and district administrators set the yearly key
# measures; the city administrator alone sets the tiles' targets (CITY_ADMINISTRATORS).
COCKPIT_READERS = REGION_STAFF
MEASURE_SETTERS = ADMINISTRATORS
# Who builds and reads composite indices.
EVALUATORS = frozenset({Role.CITY_ADMIN, Role.DISTRICT_ADMIN, Role.RESEARCHER})


def has_role(user, roles: frozenset[str]) -> bool:
    """Whether a signed-in person holds one of the roles (a superuser holds all)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user.role in roles


def require_role(actor, roles: frozenset[str], message: str | Promise) -> None:
    """Raise Forbidden with the message unless the actor holds one of the roles. `None` is the
    platform itself (a management command, a periodic job), which may do anything; a visitor
    who is not signed in holds no role."""
    if actor is not None and not has_role(actor, roles):
        raise Forbidden(str(message))  # a lazy message is translated as it is raised
