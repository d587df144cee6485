"""Duplicate candidates for an arriving report (pure; no Django import).

Another report is a candidate when it lies within the radius of the new one (per category,
default 100 m), arrived within the time window (default 72 h, either side) and its text is
similar: the cosine of the two texts' character-bigram counts (whitespace and punctuation
removed) is at least `min_similarity` (default 0.3). Reports without a point are compared when
they are in the same community. Candidates are ranked by similarity, then distance.

This is the first half of the issue's "Duplicates": merging (keeping every reporter, contact and
return visit) is not built yet.
"""

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
EARTH_RADIUS_M = 6_371_008.8
DEFAULT_RADIUS_M = 100.0
DEFAULT_WINDOW_HOURS = 72.0
DEFAULT_MIN_SIMILARITY = 0.3


@dataclass(frozen=True)
class Report:
    id: int
    text: str
    at: datetime
    category: str = ""
    lon: float | None = None
    lat: float | None = None
    community: str = ""


@dataclass(frozen=True)
class Candidate:
    id: int
    similarity: float
    distance_m: float | None
    hours_apart: float


def bigrams(text: str) -> Counter:
    text = _DROP.sub("", text or "")
    return Counter(map(str.__add__, text, text[1:])) if len(text) > 1 else Counter(text)


def text_similarity(a: str, b: str) -> float:
    """Cosine of the character-bigram counts: 1 for the same text, 0 for nothing in common."""
    return _cosine(bigrams(a), bigrams(b))


def _cosine(x: Counter, y: Counter) -> float:
    if not x or not y:
        return 0.0
    if len(x) > len(y):
        x, y = y, x
    dot = sum(count * y.get(term, 0) for term, count in x.items())
    norm = math.sqrt(sum(c * c for c in x.values()) * sum(c * c for c in y.values()))
    return dot / norm


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def duplicate_candidates(
    new: Report,
    others: Iterable[Report],
    *,
    radius_m: Mapping[str, float] | float = DEFAULT_RADIUS_M,
    window_hours: float = DEFAULT_WINDOW_HOURS,
    min_similarity: float = DEFAULT_MIN_SIMILARITY,
) -> list[Candidate]:
    """The reports among `others` that may report the same problem as `new`, best first."""
    radius = (
        radius_m.get(new.category, DEFAULT_RADIUS_M)
        if isinstance(radius_m, Mapping)
        else float(radius_m)
    )
    words = bigrams(new.text)
    found = []
    for other in others:
        if other.id == new.id:
            continue
        hours = abs((other.at - new.at).total_seconds()) / 3600
        if hours > window_hours:
            continue
        distance: float | None
        if (
            new.lon is not None
            and new.lat is not None
            and other.lon is not None
            and other.lat is not None
        ):
            distance = distance_m(new.lon, new.lat, other.lon, other.lat)
            if distance > radius:
                continue
        elif new.community and new.community == other.community:
            distance = None
        else:
            continue
        similarity = _cosine(words, bigrams(other.text))
        if similarity >= min_similarity:
            found.append(Candidate(other.id, round(similarity, 4), distance, round(hours, 2)))
    found.sort(key=lambda c: (-c.similarity, c.distance_m if c.distance_m is not None else 0))
    return found
