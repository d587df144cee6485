"""What each role may do. Roles are fixed; the permissions each grants are listed here once, and
an administrator can grant any account more through its own user permissions."""

from shoushan.accounts.models import Role

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
