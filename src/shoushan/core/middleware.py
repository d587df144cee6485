from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation

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
