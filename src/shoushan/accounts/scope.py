"""The one scope helper. Every query of scoped records goes through `scope_filter`, so that no
page, API handler or export can forget it; out-of-scope ids are reported as not found."""

from typing import TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext

from shoushan.core.errors import NotFound
from shoushan.regions.codes import significant_prefix

M = TypeVar("M", bound=Model)


def scope_prefixes(user) -> list[str] | None:
    """The significant prefixes of the user's scopes; None means everything (superuser)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return None
    if not hasattr(user, "_scope_prefixes"):
        codes = user.scopes.values_list("region_id", flat=True)
        user._scope_prefixes = sorted({significant_prefix(c) for c in codes})
    return user._scope_prefixes


def sees_unplaced_records(user) -> bool:
    """Records tied to no region (a sign-in by a resident, a lock-out of an unknown name, a
    national load) belong to the top level: a province- or city-wide scope sees them."""
    prefixes = scope_prefixes(user)
    return prefixes is None or any(len(p) <= 2 for p in prefixes)


def scope_filter(queryset: QuerySet[M], user, field: str = "region_code") -> QuerySet[M]:
    """Only the records whose `field` (a region code) lies inside one of the user's scopes."""
    prefixes = scope_prefixes(user)
    if prefixes is None:
        return queryset
    if not prefixes:
        return queryset.none()
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__startswith": prefix})
    if sees_unplaced_records(user):
        condition |= Q(**{field: ""})
    return queryset.filter(condition)


def in_scope(user, code: str) -> bool:
    prefixes = scope_prefixes(user)
    return prefixes is None or any(code.startswith(p) for p in prefixes)


def scoped_get(queryset: QuerySet[M], user, field: str = "region_code", **lookup) -> M:
    """One record inside the user's scope, or NotFound (never a hint that it exists elsewhere)."""
    try:
        return scope_filter(queryset, user, field).distinct().get(**lookup)
    except queryset.model.DoesNotExist:
        raise NotFound(gettext("No such record in your scope.")) from None
