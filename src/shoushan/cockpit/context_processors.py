from django.http import HttpRequest

from shoushan.cockpit.systems import SYSTEMS


def navigation(request: HttpRequest) -> dict:
    return {"systems": SYSTEMS}
