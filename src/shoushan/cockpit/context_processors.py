from django.http import HttpRequest

from shoushan.accounts.models import Role
from shoushan.cockpit.systems import SYSTEMS
from shoushan.grid.cases import PATROL_ROLES

# people who work cases; residents and researchers report and read, they do not
CASE_WORKERS = set(Role) - {Role.RESIDENT, Role.RESEARCHER}


def navigation(request: HttpRequest) -> dict:
    """The ten systems, and which of the sidebar's case links the person can use."""
    user = request.user
    superuser = getattr(user, "is_superuser", False)
    role = getattr(user, "role", None)
    return {
        "systems": SYSTEMS,
        "works_cases": superuser or role in CASE_WORKERS,
        "patrols": superuser or role in PATROL_ROLES,
    }
