from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shoushan.cockpit.navigation import sidebar


def navigation(request: HttpRequest) -> dict:
    """The sidebar for the person: only the pages they may open (worked out when a page shows
    it, not for a JSON answer)."""
    return {"navigation": SimpleLazyObject(lambda: sidebar(request.user))}
