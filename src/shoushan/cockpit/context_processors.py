from django.http import HttpRequest

from shoushan.accounts.roles import CASE_WORKERS, PATROLLERS, has_role
from shoushan.cockpit.systems import SYSTEMS


def navigation(request: HttpRequest) -> dict:
    """The ten systems, and which of the sidebar's case links the person can use."""
    return {
        "systems": SYSTEMS,
        "works_cases": has_role(request.user, CASE_WORKERS),
        "patrols": has_role(request.user, PATROLLERS),
    }
