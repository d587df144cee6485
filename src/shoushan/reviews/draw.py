"""Drawing review panels from the expert pool — pure, so every system that has work reviewed
(purchased services, research topics, ratings) draws the same way and it can be tested without a
database.

Each panel gets `size` experts at random, stratified by field: half of the seats (rounded up) go to
experts of the panel's own field, the rest to experts of other fields, so that a panel is neither
blind to the subject nor closed within one specialism; a stratum short of experts gives its seats
to the other. An expert with a conflict with any body of the panel (applicant, its hub …) is never
drawn, nor anyone from an institution that already fills its quota on the panel. Among the
eligible, the least loaded are drawn first (ties at random), so that work spreads over the pool."""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Candidate:
    id: int
    field: str
    institution: str  # current employer's credit code ("" if none)
    conflicts: frozenset[str]  # credit codes the expert must stand aside from


@dataclass(frozen=True)
class Seatless:
    """A panel the pool could not fill: how many seats were found of how many wanted."""

    panel: object
    found: int
    wanted: int


@dataclass
class Drawn:
    seats: dict[object, list[int]] = field(default_factory=dict)  # panel key → expert ids
    short: list[Seatless] = field(default_factory=list)


@dataclass(frozen=True)
class Subject:
    key: object  # the panel's key (its id)
    field: str
    bodies: frozenset[str]  # credit codes of the applicant and those it stands with
    taken: frozenset[int] = frozenset()  # experts seated already (by hand)


def draw(
    subjects: Iterable[Subject],
    pool: Iterable[Candidate],
    *,
    size: int,
    rng: random.Random,
    per_institution: int = 1,
) -> Drawn:
    """Seats for each subject (see the module's docstring). Deterministic for a given `rng`."""
    candidates = list(pool)
    load = dict.fromkeys((c.id for c in candidates), 0)
    order = {c.id: rng.random() for c in candidates}  # the random tiebreak, fixed per draw
    drawn = Drawn()
    for subject in subjects:
        free = [
            c
            for c in candidates
            if c.id not in subject.taken and not (c.conflicts & subject.bodies)
        ]
        own = [c for c in free if c.field == subject.field]
        other = [c for c in free if c.field != subject.field]
        seats: list[Candidate] = []
        wanted = size - len(subject.taken)
        rank = lambda c: (load[c.id], order[c.id])  # noqa: E731 - the least loaded first
        _take(seats, sorted(own, key=rank), (wanted + 1) // 2, per_institution)
        _take(seats, sorted(other, key=rank), wanted - len(seats), per_institution)
        # the other fields were short: more of its own
        _take(seats, sorted(own, key=rank), wanted - len(seats), per_institution)
        for c in seats:
            load[c.id] += 1
        drawn.seats[subject.key] = [c.id for c in seats]
        if len(seats) < wanted:
            drawn.short.append(Seatless(subject.key, len(seats), wanted))
    return drawn


def _take(seats: list[Candidate], ranked: list[Candidate], wanted: int, per_institution: int):
    """Seat up to `wanted` more of the ranked candidates, at most `per_institution` from one."""
    for c in ranked:
        if wanted <= 0:
            return
        if c in seats:
            continue
        if c.institution and sum(1 for s in seats if s.institution == c.institution) >= (
            per_institution
        ):
            continue
        seats.append(c)
        wanted -= 1
