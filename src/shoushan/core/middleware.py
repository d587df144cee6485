from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control

from shoushan.core.errors import DomainError


class DomainErrorMiddleware:
    """Turns a domain error raised under a page into an error page with its status and message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        return render(
            request, "error.html", {"message": exception.message}, status=exception.status_code
        )


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Simplified Chinese unless the reader chose another language (a cookie set by
    the language switch); the browser's Accept-Language does not override the default. The API
    also honours Accept-Language, for machine clients that keep no cookie."""

    def process_request(self, request: HttpRequest) -> None:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if not language or not translation.check_for_language(language):
            if request.path_info.startswith("/api/"):
                language = translation.get_language_from_request(request)
            else:
                language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RejectNulMiddleware:
    """Refuses requests whose parameters or path contain a NUL character. No legitimate input has
    one, PostgreSQL cannot store one, and letting it through would turn bad input into a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            nul = "\x00" in request.path or any(
                "\x00" in key or any("\x00" in v for v in values)
                for source in (request.GET, request.POST)
                for key, values in source.lists()
            )
        except RequestDataTooBig:
            message = translation.gettext("The request is larger than the server accepts.")
            return _refusal(request, message, status=413)
        if nul:
            message = translation.gettext("The request contains a NUL character.")
            return _refusal(request, message, status=400)
        return self.get_response(request)


def _refusal(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """A refusal in the client's language of answers: JSON for the API and Open311 (as a list of
    errors, the GeoReport way), plain text for pages."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    if request.path_info.startswith("/open311/"):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    response = HttpResponseBadRequest(message)
    response.status_code = status
    return response


class NoStoreMiddleware:
    """Pages and API answers for a signed-in person hold scoped records and personal information:
    no browser or proxy may keep a copy (shared office computers)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class SecurityHeadersMiddleware:
    """The browser's own defences on every answer: a Content-Security-Policy that allows scripts
    only from this site's files (no inline script, no eval; pages wire behaviour in static files)
    and images also from the city's tile server when one is configured; a Permissions-Policy that
    lends a page only the device location (the report form's pin); and no server banner."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = _origin(settings.MAP_TILE_URL)
        self.policy = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",  # style attributes; never script
                f"img-src 'self' data: blob:{' ' + tiles if tiles else ''}",
                "font-src 'self' data:",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.policy)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response["Server"] = "-"  # a value of our own instead of the server's name and version
        return response


PERMISSIONS_POLICY = (
    "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)


def _origin(url: str) -> str:
    """scheme://host[:port] of a tile URL template (http://tiles.intranet/{z}/{x}/{y}.png)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
