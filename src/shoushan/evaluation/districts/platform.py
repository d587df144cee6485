"""The districts' platform indicators for a year, from the records the other systems keep.

Each provider returns {district code: {iCode: value}} for the year; a system that is not built or
holds no records for the year returns nothing, and the framework drops its indicators. Years
are local (Asia/Shanghai) calendar years."""

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time

from django.utils import timezone

from shoushan.community.models import CommunityProfile
from shoushan.community.selectors import compliance_of
from shoushan.grid.cases.assessment import case_counts, rates_from_counts
from shoushan.regions.models import Level, Region
from shoushan.workforce.selectors import statistics_as_of

Values = dict[str, dict[str, float]]

# iCode → the grid rate it reads (definitions in grid/assessment.py and docs/assessment.md).
GRID_RATES = {
    "ResponseRate": "response_rate",
    "ResolutionRate": "resolution_rate",
    "SatisfactionRate": "satisfaction_rate",
    "OnTimeClosure": "on_time_closure_rate",
}


def year_bounds(year: int) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min))
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    return start, end


def grid_values(year: int) -> Values:
    """The closed-loop rates of each district's cases reported in the year: its streets' counts
    summed, then the same formulas as the monthly assessment of streets."""
    by_district: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for street, counts in case_counts(*year_bounds(year)).items():
        for key, value in counts.items():
            by_district[street[:6] + "000000"][key] += value
    out: Values = {}
    for district, counts in by_district.items():
        rates, _composite = rates_from_counts(defaultdict(int, counts), {})
        out[district] = {
            icode: 100 * rates[rate]
            for icode, rate in GRID_RATES.items()
            if rates[rate] is not None
        }
    return out


def community_values(year: int) -> Values:
    """The share of each district's communities meeting 三有一化, for districts whose
    communities have profiles (the profiles hold today's state: the same for every year)."""
    profiled = {
        code[:6] + "000000" for code in CommunityProfile.objects.values_list("region_id", flat=True)
    }
    by_district: dict[str, list[bool]] = defaultdict(list)
    communities = Region.objects.filter(level=Level.COMMUNITY, code__startswith="11")
    for result in compliance_of(communities):
        by_district[result.code[:6] + "000000"].append(result.compliant)
    return {
        district: {"StandardsShare": 100 * sum(flags) / len(flags)}
        for district, flags in by_district.items()
        if district in profiled
    }


def workforce_values(year: int) -> Values:
    """Community workers in post on 31 December of the year (today, for the current year) per
    1,000 households of the communities that record their households."""
    day = min(date(year, 12, 31), timezone.localdate())
    out: Values = {}
    districts = Region.objects.filter(level=Level.DISTRICT, code__startswith="11")
    for district in districts.defer("boundary"):
        figures = statistics_as_of(district, day)["figures"]
        if figures.covered_head_count and figures.staff_per_1000_households is not None:
            out[district.code] = {"WorkersPerHousehold": figures.staff_per_1000_households}
    return out


PROVIDERS: list[Callable[[int], Values]] = [grid_values, community_values, workforce_values]


def platform_values(year: int) -> Values:
    """Every provider's figures for the year, merged by district."""
    out: Values = defaultdict(dict)
    for provider in PROVIDERS:
        for district, values in provider(year).items():
            out[district].update(values)
    return dict(out)
