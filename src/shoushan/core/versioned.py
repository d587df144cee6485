"""Data kept in a process's memory (an STRtree of the grids, the divisions' gazetteer, the active
classifier) and rebuilt when its source changes. The source is named by a version stamp that
every write of it raises (`version_bump`, inside the writing transaction); a reader asks for the
current stamp at most every `settings.VERSION_CHECK_SECONDS` and rebuilds when it changed. So a
change reaches every process and machine within that bound, and a rebuild replaces the value in
one assignment: readers never see half of one."""

import threading
import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings

from shoushan.core.models import VersionStamp

Value = TypeVar("Value")


def version_bump(name: str) -> None:
    """Say that the data named `name` changed (call it in the transaction that changed it)."""
    VersionStamp.objects.update_or_create(name=name, defaults={"stamp": uuid.uuid4().hex})


def version_of(name: str) -> str:
    return VersionStamp.objects.filter(name=name).values_list("stamp", flat=True).first() or ""


class VersionedCache(Generic[Value]):
    """`build()` kept in memory until the version stamp `name` moves."""

    def __init__(self, name: str, build: Callable[[], Value]) -> None:
        self.name = name
        self.build = build
        self.lock = threading.Lock()
        self.version: str | None = None
        self.checked = -1e9
        self.value: Value | None = None

    def get(self) -> Value:
        if not self._fresh():
            with self.lock:  # one thread checks and rebuilds; the others wait for its answer
                if not self._fresh():
                    version = version_of(self.name)
                    if version != self.version:
                        self.value = self.build()
                        self.version = version
                    self.checked = time.monotonic()
        return self.value  # type: ignore[return-value]

    def forget(self) -> None:
        """Ask again on the next read (this process wrote the data itself)."""
        with self.lock:
            self.checked = -1e9

    def _fresh(self) -> bool:
        return (
            self.version is not None
            and time.monotonic() - self.checked < settings.VERSION_CHECK_SECONDS
        )
