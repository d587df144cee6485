"""The sidebar: each section's links with who may open them, from the role sets the services
check (`accounts.roles`), so a person is offered only the pages they can open. A test signs in
as every role and opens every link it is offered."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shoushan.accounts.models import Role
from shoushan.accounts.roles import (
    CASE_WORKERS,
    CITY_ADMINISTRATORS,
    COCKPIT_READERS,
    DISPATCHERS,
    EVALUATORS,
    PARTY_KEEPERS,
    PATROLLERS,
    PURCHASERS,
    REGION_STAFF,
    REGISTRARS,
    THINK_TANK_READERS,
    VIEW_AUDIT,
    VIEW_USERS,
    has_role,
)
from shoushan.cockpit.systems import SYSTEMS

EVERYONE: frozenset[str] = frozenset(Role)
# API tokens serve programs: offices, departments and researchers write them, not residents or
# the grid worker on the street.
API_USERS = EVERYONE - {Role.RESIDENT, Role.GRID_WORKER}
# The grid map of one's own area: everyone who works in a region.
MAPPED = CASE_WORKERS


@dataclass(frozen=True)
class Link:
    label: Promise
    url_name: str
    roles: frozenset[str] = EVERYONE
    permission: str = ""  # a permission instead of roles (administrators may grant it)
    own_region: bool = False  # the url takes the person's region code


@dataclass(frozen=True)
class Section:
    title: Promise
    links: tuple[Link, ...]


SECTIONS = (
    Section(
        _("Work system"),
        (
            Link(_("Cockpit of the ten systems"), "cockpit:board", COCKPIT_READERS),
            Link(_("Key tasks"), "cockpit:tasks", COCKPIT_READERS),
            Link(_("Region browser"), "regions:index"),
            Link(_("District map"), "regions:map"),
            Link(_("Accounts"), "accounts:users", permission=VIEW_USERS),
            Link(_("Audit trail"), "audit:list", permission=VIEW_AUDIT),
            Link(_("API tokens"), "accounts:tokens", API_USERS),
            Link(_("API documentation"), "api:openapi-view", API_USERS),
        ),
    ),
    Section(
        _("Grid work"),
        (
            Link(_("Cases"), "grid:queue", CASE_WORKERS),
            Link(_("Report a case"), "grid:patrol_report", PATROLLERS),
            Link(_("Grid map"), "grid:map", MAPPED, own_region=True),
            Link(_("Monthly ranking"), "grid:ranking"),
            Link(_("The month's problems"), "grid:month_problems", DISPATCHERS),
            Link(_("Manual triage"), "grid:triage", DISPATCHERS),
            Link(_("Grid layers"), "grid:layers", CASE_WORKERS),
            Link(_("Catalogue, routing and calendar"), "grid:rules", CASE_WORKERS),
            Link(_("Residents' report form"), "resident_report"),
            Link(_("Open311 keys"), "grid:open311_keys", CITY_ADMINISTRATORS),
            Link(_("Import 12345 work orders"), "grid:hotline_import", DISPATCHERS),
        ),
    ),
    Section(
        _("Social organisations"),
        (
            Link(_("Registry of social organisations"), "organizations:registry", REGION_STAFF),
            Link(_("Overdue reports and flags"), "organizations:overdue", REGION_STAFF),
            Link(_("Credit lists"), "organizations:lists", REGION_STAFF),
            Link(_("Rating rounds"), "organizations:rounds", REGION_STAFF),
            Link(_("Hub organisations"), "organizations:hubs", REGION_STAFF),
            Link(_("Incubation"), "organizations:incubators", REGION_STAFF),
            Link(_("Building workstations"), "organizations:buildings", REGION_STAFF),
            Link(_("Import into the registry"), "organizations:import", REGISTRARS),
            Link(_("Look up a social organisation"), "organizations:lookup"),
        ),
    ),
    Section(
        _("Purchase of services"),
        (
            Link(_("Funds and their ledger"), "purchasing:funds", PURCHASERS),
            Link(_("Purchase dashboard"), "purchasing:dashboard", PURCHASERS),
            Link(_("Guiding catalogue"), "purchasing:catalogue", REGION_STAFF),
        ),
    ),
    Section(
        _("Think tanks"),
        (
            Link(_("Research bases and topics"), "thinktank:index", THINK_TANK_READERS),
            Link(_("Research institutions"), "thinktank:institutions", THINK_TANK_READERS),
            Link(_("Adoption ledger"), "thinktank:adoptions", THINK_TANK_READERS),
        ),
    ),
    Section(
        _("Party building"),
        (
            Link(_("Party-building coverage"), "party:coverage", REGION_STAFF),
            Link(_("Units and their coverage"), "party:units", REGION_STAFF),
            Link(_("Party organisations"), "party:organizations", REGION_STAFF),
            Link(_("Non-public enterprises"), "party:enterprises", REGION_STAFF),
            Link(_("Party-building instructors"), "party:instructors", REGION_STAFF),
            Link(_("Party-building warnings"), "party:warnings", REGION_STAFF),
            Link(_("Regional party-building alliances"), "party:alliances", REGION_STAFF),
            Link(_("Import party-building records"), "party:import", PARTY_KEEPERS),
        ),
    ),
    Section(
        _("Community building"),
        (
            Link(_("Community profiles"), "community:list", REGION_STAFF),
            Link(_("三有一化 compliance"), "community:standards", REGION_STAFF),
            Link(_("Service catalogue"), "community:catalogue", REGION_STAFF),
            Link(_("Facilities"), "community:facilities", REGION_STAFF),
            Link(_("15-minute service circle"), "community:service_circle", REGION_STAFF),
        ),
    ),
    Section(
        _("Community workforce"),
        (
            Link(_("Community workers"), "workforce:list", REGION_STAFF),
            Link(_("Workforce statistics"), "workforce:statistics", REGION_STAFF),
        ),
    ),
    Section(
        _("Volunteers"),
        (
            Link(_("My volunteer service"), "volunteers:me"),
            Link(_("Volunteer organisations and activities"), "volunteers:manage", REGION_STAFF),
            Link(_("Star ratings: public listing"), "volunteers:ratings"),
            Link(_("Verify a certificate"), "volunteers:verify"),
        ),
    ),
    Section(
        _("Comprehensive evaluation"),
        (Link(_("Data sets and indices"), "evaluation:datasets", EVALUATORS),),
    ),
)
# Each built system's page, under the same rule as the link to it.
SYSTEM_LINKS = {link.url_name: link for section in SECTIONS for link in section.links}


def may_open(user, link: Link) -> bool:
    if link.own_region and not getattr(user, "region_code", ""):
        return False
    if link.permission:
        return user.has_perm(link.permission)
    return has_role(user, link.roles)


def _href(user, link: Link) -> str:
    return reverse(link.url_name, args=[user.region_code] if link.own_region else [])


def sidebar(user) -> dict:
    """{systems: [(system, href or "")], sections: [(title, [(label, href)])]} for the person:
    a system's name links to its page only when they may open it; empty sections are left out."""
    systems = []
    for system in SYSTEMS:
        link = SYSTEM_LINKS.get(system.url_name or "")
        usable = system.url_name and (link is None or may_open(user, link))
        systems.append((system, reverse(system.url_name) if usable else ""))
    sections = []
    for section in SECTIONS:
        links = [(link.label, _href(user, link)) for link in section.links if may_open(user, link)]
        if links:
            sections.append((section.title, links))
    return {"systems": systems, "sections": sections}
