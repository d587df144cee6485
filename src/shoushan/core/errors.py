"""Domain errors: services raise them with a message a clerk can act on; the API and the pages
map each to one HTTP status in one place (config/api.py, core/middleware.py). `details` names
what is wrong where: a list of {row, column, reason} or {index, field, reason}, or
{field: reason}."""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(DomainError):
    status_code = 422

    @classmethod
    def of_fields(cls, errors: dict) -> "InvalidInput":
        """Every field's reason in `details`, the first as the message."""
        first = next(iter(errors.values()))
        return cls(str(first), details={k: str(v) for k, v in errors.items()})


class AmbiguousPlace(InvalidInput):
    """An address that could be several places; `details`: [{code, address}] of the candidates,
    each `address` naming its place without doubt, for the person to choose from."""


class NotFound(DomainError):
    """Also raised for records outside the viewer's scope: they must not be revealed."""

    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """An illegal state change."""

    status_code = 409
