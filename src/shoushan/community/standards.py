"""三有一化 (community_standards) arithmetic, pure (no Django import).

A community meets the standards when it has staff (有人: at least `min_staff`), premises (有房:
at least `min_premises_m2`, or `newer_min_premises_m2` for a community established on or after
`newer_since`), funds (有钱: more than zero and at least `min_funds`) and standard work (一化:
every required standardisation item met). A missing figure does not pass its criterion: the gap
is then "no data", which is kept apart from a figure below the threshold, in the shares too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

CRITERIA = ("staff", "premises", "funds", "standardisation")


@dataclass(frozen=True)
class Rule:
    min_staff: int = 1
    min_premises_m2: Decimal = Decimal(350)
    newer_since: date | None = None
    newer_min_premises_m2: Decimal = Decimal(500)
    min_funds: Decimal = Decimal(0)
    standardisation_items: tuple[str, ...] = ()

    def premises_threshold(self, built_on: date | None) -> Decimal:
        if self.newer_since is not None and built_on is not None and built_on >= self.newer_since:
            return self.newer_min_premises_m2
        return self.min_premises_m2


@dataclass(frozen=True)
class Facts:
    code: str
    staff_count: int | None = None
    premises_m2: Decimal | None = None
    annual_funds: Decimal | None = None
    built_on: date | None = None
    standardisation_items: tuple[str, ...] = ()
    has_profile: bool = True


@dataclass(frozen=True)
class Compliance:
    code: str
    passed: dict[str, bool]
    gaps: dict[str, str]  # criterion → "no_data" | "below"
    premises_threshold: Decimal
    missing_items: tuple[str, ...] = ()

    @property
    def compliant(self) -> bool:
        return all(self.passed.values())

    @property
    def failing(self) -> bool:
        """Below a threshold on some criterion (a known gap, not only missing data)."""
        return "below" in self.gaps.values()


def check(facts: Facts, rule: Rule) -> Compliance:
    threshold = rule.premises_threshold(facts.built_on)
    gaps: dict[str, str] = {}
    if facts.staff_count is None:
        gaps["staff"] = "no_data"
    elif facts.staff_count < max(rule.min_staff, 1):
        gaps["staff"] = "below"
    if facts.premises_m2 is None:
        gaps["premises"] = "no_data"
    elif Decimal(facts.premises_m2) < threshold:
        gaps["premises"] = "below"
    if facts.annual_funds is None:
        gaps["funds"] = "no_data"
    elif Decimal(facts.annual_funds) <= 0 or Decimal(facts.annual_funds) < rule.min_funds:
        gaps["funds"] = "below"
    met = set(facts.standardisation_items)
    missing = tuple(code for code in rule.standardisation_items if code not in met)
    if not facts.has_profile:
        gaps["standardisation"] = "no_data"
    elif missing:
        gaps["standardisation"] = "below"
    return Compliance(
        code=facts.code,
        passed={c: c not in gaps for c in CRITERIA},
        gaps=gaps,
        premises_threshold=threshold,
        missing_items=missing,
    )


@dataclass
class Summary:
    """Counts and shares of one group of communities (a street, a district, the city).

    A community lacking a figure is neither compliant nor failing on it: shares are taken over
    the communities whose outcome is known, so "no data" never reads as 0 % or as a gap."""

    code: str
    communities: int = 0
    compliant: int = 0
    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERIA, 0))
    measured: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CRITERIA, 0))
    no_data: int = 0  # communities with at least one criterion lacking data
    failing: int = 0  # communities below a threshold on at least one criterion

    def add(self, result: Compliance) -> None:
        self.communities += 1
        self.compliant += result.compliant
        for criterion, ok in result.passed.items():
            self.passed[criterion] += ok
            self.measured[criterion] += result.gaps.get(criterion) != "no_data"
        self.no_data += any(v == "no_data" for v in result.gaps.values())
        self.failing += result.failing

    @property
    def assessed(self) -> int:
        """Communities whose compliance is known: met all four, or below on at least one."""
        return self.compliant + self.failing

    @property
    def unknown(self) -> int:
        """Communities that cannot be judged: no threshold missed, but a figure lacking."""
        return self.communities - self.assessed

    @property
    def compliant_share(self) -> float | None:
        return self.compliant / self.assessed if self.assessed else None

    def share(self, criterion: str) -> float | None:
        measured = self.measured[criterion]
        return self.passed[criterion] / measured if measured else None

    @property
    def shares(self) -> dict[str, float | None]:
        return {c: self.share(c) for c in CRITERIA}


def summarise(results: Iterable[Compliance], group_of) -> dict[str, Summary]:
    """Summaries keyed by `group_of(code)` (e.g. the street's code), in key order."""
    groups: dict[str, Summary] = {}
    for result in results:
        key = group_of(result.code)
        groups.setdefault(key, Summary(code=key)).add(result)
    return dict(sorted(groups.items()))


def street_of(code: str) -> str:
    return code[:9] + "000"


def district_of(code: str) -> str:
    return code[:6] + "000000"


def city_of(code: str) -> str:
    return code[:2] + "0000000000"
