"""The address of the person at the other end. Behind a reverse proxy every request comes from
the proxy, so a limit per address would put a whole city in one bucket: the proxy's own address
is listed in SHOUSHAN_TRUSTED_PROXIES, and for requests from it the client's address is taken
from X-Forwarded-For — the right-most entry that is not itself a trusted proxy (the entries to
its left are whatever the client chose to send)."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = set(settings.TRUSTED_PROXIES)
    if remote not in trusted:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if address not in trusted:
            return address[:45]
    return remote
