"""The demo city: generated community polygons and comprehensive grids on Beijing's real
divisions, and the demo grid worker on his grids. Everything here is marked generated; `shoushan
demo` calls it and it does nothing twice."""

import csv
import random
import tempfile
from datetime import timedelta
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from shapely.geometry import shape

from shoushan.audit.services import audit_record
from shoushan.core.versioned import version_bump
from shoushan.grid import geometry
from shoushan.grid.models import Grid, GridLayer, HotlineMessage, Unit, UnitKind
from shoushan.grid.registry import generate
from shoushan.grid.registry.grid_index import GRIDS_VERSION
from shoushan.grid.registry.selectors import unit_of_street
from shoushan.regions.models import Level, LocationSource, Region

TARGET_GRID_M2 = 150_000  # a comprehensive grid: a few hundred households in the city centre
MAX_GRIDS_PER_COMMUNITY = 8


def _community_sites(district: Region, communities: list[Region], streets: dict[str, Region]):
    """A point for every community: its published point, else one placed near its street's point
    (or the district's centroid), marked estimated."""
    sites = []
    for community in communities:
        if community.location_source == LocationSource.POINT:
            sites.append((community.longitude, community.latitude))
            continue
        anchor = streets.get(community.parent_id)
        lon, lat = (
            (anchor.longitude, anchor.latitude)
            if anchor is not None and anchor.longitude is not None
            else (district.longitude, district.latitude)
        )
        sites.append(generate.jitter(lon, lat, seed=int(community.code), radius_m=600))
    return sites


def demo_city_create(*, district_codes: list[str] | None = None) -> dict[str, int]:
    """Generate community polygons and comprehensive grids for Beijing's districts (or the ones
    named), unless generated grids exist already."""
    if Grid.objects.filter(layer=GridLayer.COMPREHENSIVE, is_generated=True).exists():
        return {"grids": 0, "communities": 0}
    counts = {"grids": 0, "communities": 0}
    districts = Region.objects.filter(level=Level.DISTRICT, code__startswith="11").exclude(
        boundary=None
    )
    if district_codes is not None:
        districts = districts.filter(code__in=district_codes)
    with transaction.atomic():
        for district in districts:
            prefix = district.code[:6]
            communities = list(
                Region.objects.filter(level=Level.COMMUNITY, code__startswith=prefix)
                .defer("boundary")
                .order_by("code")
            )
            if not communities:
                continue
            streets = Region.objects.defer("boundary").in_bulk({c.parent_id for c in communities})
            sites = _community_sites(district, communities, streets)
            cells = generate.voronoi_cells(sites, shape(district.boundary).buffer(0))
            grids = []
            for community, cell, site in zip(communities, cells, sites, strict=True):
                if cell.is_empty:
                    continue
                community.boundary = geometry.as_geojson(cell)
                community.boundary_generated = True
                if community.longitude is None:
                    community.longitude, community.latitude = round(site[0], 7), round(site[1], 7)
                    community.location_source = LocationSource.ESTIMATED
                pieces = generate.split_into_grids(
                    cell, target_m2=TARGET_GRID_M2, max_grids=MAX_GRIDS_PER_COMMUNITY
                )
                for sequence, index in enumerate(geometry.reading_order(pieces), start=1):
                    piece = pieces[index]
                    grids.append(
                        Grid(
                            code=f"{community.code}{sequence:03d}",
                            layer=GridLayer.COMPREHENSIVE,
                            community_id=community.code,
                            name=f"{community.name}第{sequence}网格",
                            boundary=geometry.as_geojson(piece),
                            area_m2=round(geometry.area_m2(piece), 1),
                            is_generated=True,
                        )
                    )
            Region.objects.bulk_update(
                communities,
                ["boundary", "boundary_generated", "longitude", "latitude", "location_source"],
                batch_size=500,
            )
            Grid.objects.bulk_create(grids, batch_size=1000)
            counts["grids"] += len(grids)
            counts["communities"] += len(communities)
        version_bump(GRIDS_VERSION)
        audit_record(
            actor=None,
            action="grid.demo_city",
            object_type="grid.grid",
            object_repr="demo city",
            region_code="110000000000",
            changes=counts,
        )
    return counts


def demo_people_assign() -> None:
    """The demo grid worker works the grids of 多福巷社区; the street staff sit in their street
    offices; the department handler acts for every department unit of 东城区."""
    from shoushan.accounts.models import User

    users = User.objects.in_bulk(
        ["grid_worker", "street_staff", "street_staff_2", "department_handler"],
        field_name="username",
    )
    if "grid_worker" in users:
        for grid in Grid.objects.filter(community_id="110101001001", layer=GridLayer.COMPREHENSIVE):
            grid.workers.add(users["grid_worker"])
    for username, street in (("street_staff", "110101001000"), ("street_staff_2", "110101002000")):
        unit = unit_of_street(street)
        if username in users and unit is not None:
            unit.members.add(users[username])
    if "department_handler" in users:  # one account for the district's departments: the demo
        # loop can then run to closure whatever the category and the routing rules say
        for department in Unit.objects.filter(region_id="110101000000", kind=UnitKind.DEPARTMENT):
            department.members.add(users["department_handler"])


TIPDM_MESSAGES = "complaints/tipdm2020c_attachment3_hotspot4326.csv"


def demo_messages_load() -> int:
    """The 4,326 web messages with their likes of the TipDM 2020 contest (a city's 12345 web
    messages, 2017–2020, places anonymised as A市), for the month's problems page; read from
    SHOUSHAN_SHARED_DATA when it is there, as they may not be shipped."""
    from django.conf import settings

    from shoushan.grid.intake.problems import messages_import

    path = settings.SHARED_DATA_DIR / TIPDM_MESSAGES
    if not path.is_file() or HotlineMessage.objects.filter(source="tipdm2020").exists():
        return 0
    return messages_import(
        actor=None, source="tipdm2020", name=path.name, content=path.read_bytes()
    )


DEMO_ORDER_PREFIX = "DEMO-12345-"
DEMO_ORDER_DISTRICTS = ("110101",)  # 东城区: where the demo accounts work
DEMO_MODEL_FILE = "演示模型·由案件目录生成的留言（非真实数据）.csv"


def demo_intake_create(*, orders: int = 300, per_domain: int = 400, seed: int = 3) -> dict:
    """Smart intake at work on any machine: a demo classifier trained on messages generated from
    the case catalogue's 12345 domains (`demo_text`; its training file's name says so, and the
    city's own model, trained on its work orders, replaces it), then a 12345 batch of `orders`
    generated requests of the last three days, each with only an address — 北京市 + district +
    street + community of a real community in 东城区 — which places it. The import
    classifies the batch and dispatches the confident orders without a person; the vague ones
    and those that mix two domains wait at /grid/triage/. Nothing when this was done before."""
    from django.utils import timezone

    from shoushan.grid.demo_text import SubClass, resident_message, vague_message
    from shoushan.grid.intake.hotline import hotline_orders_import
    from shoushan.grid.intake.services import intake_model_train
    from shoushan.grid.models import Case, CaseKind, Category, IntakeModel
    from shoushan.regions.selectors import address_region, region_addresses

    rng = random.Random(seed)
    requests = [
        SubClass(c.code, c.name, c.filing_standard, c.major_class.name)
        for c in Category.objects.filter(kind=CaseKind.REQUEST, major_class__isnull=False)
        .select_related("major_class")
        .order_by("code")
    ]
    if not requests:
        return {}
    counts = {"model": 0, "orders": 0, "dispatched": 0, "triage": 0}
    if not IntakeModel.objects.exists():
        domains: dict[str, list[SubClass]] = {}
        for sub in requests:
            domains.setdefault(sub.major, []).append(sub)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / DEMO_MODEL_FILE
            with path.open("w", encoding="utf-8", newline="") as target:
                writer = csv.writer(target)
                writer.writerow(["留言", "一级分类"])
                for domain, subs in sorted(domains.items()):
                    for _ in range(per_domain):
                        writer.writerow([resident_message(rng, rng.choice(subs)), domain])
            counts["model"] = intake_model_train(
                actor=None, path=path, text_column="留言", label_column="一级分类", folds=0
            ).version
    if Case.objects.filter(external_id__startswith=DEMO_ORDER_PREFIX).exists():
        return counts
    in_districts = reduce(or_, (Q(code__startswith=d) for d in DEMO_ORDER_DISTRICTS))
    sample = list(
        Region.objects.filter(in_districts, level=Level.COMMUNITY)
        .defer("boundary")
        .order_by("code")[::7]
    )
    addresses = region_addresses(sample)
    communities = [  # an address that could be two places is left out
        addresses[c.code] for c in sample if address_region(addresses[c.code]).code == c.code
    ]
    other = (
        Category.objects.filter(major_class__code="R10", is_active=True).order_by("code").first()
    )
    if not communities or other is None:
        return counts
    now = timezone.localtime()
    rows = []
    for i in range(orders):
        x = rng.random()
        if x < 0.06:  # names no problem at all
            text = vague_message(rng)
        elif x < 0.14:  # two problems of two domains in one call
            first, second = rng.sample(requests, 2)
            text = resident_message(rng, first) + resident_message(rng, second)
        else:
            text = resident_message(rng, rng.choice(requests))
        rows.append(
            (
                i + 2,
                {
                    "order_id": f"{DEMO_ORDER_PREFIX}{now:%Y%m%d}{i:04d}",
                    "received_at": (now - timedelta(minutes=13 * (orders - i))).strftime(
                        "%Y-%m-%d %H:%M"
                    ),
                    "category": other.code,
                    "description": text,
                    "address": communities[i % len(communities)],
                },
            )
        )
    result = hotline_orders_import(actor=None, rows=rows)
    Case.objects.filter(external_id__startswith=DEMO_ORDER_PREFIX).update(is_generated=True)
    counts.update(orders=result.created, dispatched=result.dispatched, triage=result.triage)
    return counts
