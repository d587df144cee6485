"""The rules of party building's primary-level organisations, as pure functions (no Django).

The Party Constitution (art. 30) and the Regulations on the work of branches (2018): a unit with
three or more full members sets up an organisation of its own; where a unit has fewer, several
units join in one (a joint branch, here of at most five units). The kind follows the membership:
3–49 full members a branch, 50–99 a general branch, 100 or more a primary committee. A primary
committee serves a term of 3 to 5 years, a general branch or a branch 3 years."""

from datetime import date

from shoushan.core.validators import gettext_noop

JOINT_MAX_UNITS = 5
OWN_ORGANIZATION_MIN = 3  # full members from which a unit should have an organisation of its own
GENERAL_BRANCH_MIN = 50
COMMITTEE_MIN = 100
INSTRUCTOR_VISIT_DAYS = 90

# kind → the longest term in years
TERM_YEARS = {"committee": 5, "general_branch": 3, "branch": 3, "joint_branch": 3}

# What a unit's coverage is, best first.
OWN, JOINT, WORK, NONE = "own", "joint", "work", "none"
COVERAGES = (OWN, JOINT, WORK, NONE)


def years_later(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def kind_for_members(full_members: int) -> str | None:
    """The kind the full membership calls for; None below three (only a joint branch then)."""
    if full_members >= COMMITTEE_MIN:
        return "committee"
    if full_members >= GENERAL_BRANCH_MIN:
        return "general_branch"
    if full_members >= OWN_ORGANIZATION_MIN:
        return "branch"
    return None


def kind_mismatch(kind: str, full_members: int) -> tuple[str, dict] | None:
    """Why the membership calls for another kind (a message id and its values), or None.
    A joint branch is judged as a branch: past 50 members it too should become larger."""
    expected = kind_for_members(full_members)
    judged = "branch" if kind == "joint_branch" else kind
    if expected is None:
        if kind == "joint_branch":
            return None
        return gettext_noop(
            "%(n)s full members: fewer than 3 cannot form an organisation of their own; join "
            "other units in a joint branch."
        ), {"n": full_members}
    if expected != judged:
        return gettext_noop("%(n)s full members call for a %(expected)s."), {
            "n": full_members,
            "expected": expected,
        }
    return None


def term_problem(kind: str, start: date, end: date) -> tuple[str, dict] | None:
    """Why a term cannot stand (a message id and its values), or None."""
    if end <= start:
        return gettext_noop("The term must end after it starts."), {}
    years = TERM_YEARS[kind]
    if end > years_later(start, years):
        return gettext_noop(
            "A term of this kind lasts at most %(years)s years: it must end by %(latest)s."
        ), {"years": years, "latest": years_later(start, years).isoformat()}
    return None


def units_problem(kind: str, count: int) -> tuple[str, dict] | None:
    """How many units an organisation of a kind may cover: one of its own, or 2 to 5 for a joint
    branch."""
    if kind == "joint_branch":
        if count < 2:
            return gettext_noop("A joint branch covers two or more units."), {}
        if count > JOINT_MAX_UNITS:
            return gettext_noop("A joint branch covers at most %(max)s units; %(n)s were given."), {
                "max": JOINT_MAX_UNITS,
                "n": count,
            }
        return None
    if count != 1:
        return gettext_noop(
            "An organisation of this kind covers exactly one unit (its own); %(n)s were given."
        ), {"n": count}
    return None


def coverage_of(*, own: bool, joint: bool, work: bool) -> str:
    """The unit's coverage: its own organisation, a joint one, work coverage only, or none."""
    if own:
        return OWN
    if joint:
        return JOINT
    return WORK if work else NONE


def rate(numerator: int, denominator: int) -> float | None:
    """A share in [0, 1], or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None
