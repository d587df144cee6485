from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
