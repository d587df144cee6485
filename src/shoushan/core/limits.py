"""Limits shared by every process and machine (sign-in attempts, public reports): a counter per
key in the database, counted with conditional UPDATEs, so that concurrent requests cannot both
slip under a limit — each hit either takes one of the allowed places or is refused. A window
starts with its first hit and lasts `seconds`; hits after it has lapsed start a new one."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from shoushan.core.models import RateCounter


def limit_take(key: str, *, limit: int, seconds: float) -> bool:
    """Count one hit on `key`; False (and nothing counted) when the window already holds
    `limit` hits."""
    now = timezone.now()
    lapsed = now - timedelta(seconds=seconds)
    counter = RateCounter.objects.filter(key=key)
    if counter.filter(started_at__gt=lapsed, count__lt=limit).update(count=F("count") + 1):
        return True
    if counter.filter(started_at__lte=lapsed).update(started_at=now, count=1):
        return True
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, started_at=now, count=1)
    except IntegrityError:  # another request created it just now: take a place in it, if any
        return bool(
            counter.filter(started_at__gt=lapsed, count__lt=limit).update(count=F("count") + 1)
        )
    return True


def limit_reached_until(key: str, *, limit: int, seconds: float) -> datetime | None:
    """When the window of a key that reached its limit lapses; None when it has not."""
    row = RateCounter.objects.filter(key=key).values_list("started_at", "count").first()
    if row is None:
        return None
    ends = row[0] + timedelta(seconds=seconds)
    return ends if row[1] >= limit and ends > timezone.now() else None


def limit_clear(key: str) -> None:
    RateCounter.objects.filter(key=key).delete()
