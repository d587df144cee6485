"""The ten systems of social construction and how far each is built. The navigation and the home
page read this list, so what the site claims and what it has cannot drift apart."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class System:
    number: int
    name: Promise
    chinese: str
    summary: Promise
    built: Promise | None = None  # what exists now; None: not built yet
    url_name: str | None = None


SYSTEMS = [
    System(
        1,
        _("Work system"),
        "社会建设工作体系",
        _("City, district, street and community with official codes; scoped roles; the cockpit."),
        built=_(
            "Regions, accounts with scopes, audit trail; the cockpit of the ten systems with "
            "targets, colours, twelve months, drill-down to the records and alerts; key tasks "
            "handed down and supervised (督办) with evidence, deadline changes, reminders, review "
            "meetings and the quarterly report."
        ),
        url_name="cockpit:board",
    ),
    System(
        2,
        _("Social organisations"),
        "社会组织建设体系",
        _("Registry, hub organisations, incubation, building workstations."),
        built=_(
            "The registry with credit codes checked against kind and authority, dated status "
            "events, annual inspections, credit lists, ratings with rounds and recusal, live "
            "eligibility, hubs and members, incubation, building workstations, a public look-up, "
            "file imports and the API."
        ),
        url_name="organizations:registry",
    ),
    System(
        3,
        _("Community building"),
        "社区建设体系",
        _("Community profiles, 三有一化, the 1060 catalogue, the 15-minute service circle."),
        built=_(
            "Community profiles, 三有一化 compliance, a reference service catalogue with "
            "checklists, the facilities registry, the walking-distance engine and the service "
            "circle's coverage and suggested sites."
        ),
        url_name="community:list",
    ),
    System(
        4,
        _("Community workforce"),
        "社区队伍建设体系",
        _("Community workers: posts, qualifications, pay, transfers."),
        built=_(
            "Worker records, career events, statistics as of any date with their formulas, xlsx "
            "import and export."
        ),
        url_name="workforce:list",
    ),
    System(
        5,
        _("Volunteers"),
        "志愿服务体系",
        _("Volunteers, organisations, activities, hours, star ratings."),
        built=_(
            "Volunteers, organisations, activities with check-in codes, hours, star ratings "
            "with their public listing, verifiable certificates."
        ),
        url_name="volunteers:me",
    ),
    System(
        6,
        _("Grid work"),
        "网格化工作体系",
        _("Grids, the 12345 hotline and the case closed loop, the monthly ranking."),
        built=_(
            "Grids, the case closed loop with its pages and API, 12345 batch import, Open311, the "
            "monthly ranking, the catalogue, routing and calendar."
        ),
        url_name="grid:queue",
    ),
    System(
        7,
        _("Purchase of services"),
        "政府购买社会服务体系",
        _("Special fund, calls, applications, review, contracts, evaluation."),
        built=_(
            "The money, exact to the fen: funds, envelopes by kind of service, calls with budget "
            "lines on the guiding catalogue, awards to eligible organisations, contracts with "
            "milestones and payments, every sum within its bound; the ledger at every level; "
            "applications through the responsible unit, blind expert panels, the public notice "
            "with objections, approval, mid-term check and final evaluation; a dashboard, a "
            "360Giving export and the API."
        ),
        url_name="purchasing:funds",
    ),
    System(
        8,
        _("Think tanks"),
        "智库建设体系",
        _("Research bases and yearly research topics."),
        built=_(
            "Research institutions and bases with yearly scores, the topic guide, applications "
            "reviewed on the shared expert panels, approval paid through the purchasing "
            "ledger, opening, mid-term and final checks, results with files, the adoption "
            "ledger with written instructions, the blue book's contributors."
        ),
        url_name="thinktank:index",
    ),
    System(
        9,
        _("Party building"),
        "党建工作体系",
        _("Party organisations and their coverage."),
        built=_(
            "Units from every register (streets, communities, social organisations, buildings, "
            "a register of non-public enterprises), party organisations with their terms, the "
            "two coverages by region and sector with the uncovered units, warnings, instructors "
            "and visits, the status reported with registration, inspection and rating, regional "
            "alliances, file imports and the API."
        ),
        url_name="party:coverage",
    ),
    System(
        10,
        _("Comprehensive evaluation"),
        "综合评价体系",
        _("The composite index of the 31 provinces and of the city's districts; the blue book."),
        built=_(
            "The index engine (COINr parity), framework and pipeline editors, ranks, unit "
            "profiles, maps, rank uncertainty, the districts' index from platform data and the "
            "blue book."
        ),
        url_name="evaluation:datasets",
    ),
]
