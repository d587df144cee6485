"""Reading the purchase of services within the viewer's scope, and the ledger: at every level
(fund, envelope, call, budget line) what is set aside, committed by awards in force, contracted,
paid and left, each a sum in the database to the fen."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils.translation import gettext as _

from shoushan.accounts.roles import PURCHASERS, require_role
from shoushan.accounts.scope import in_scope, scope_filter, scoped_get
from shoushan.purchasing.models import (
    Application,
    Award,
    BudgetLine,
    Call,
    CatalogueItem,
    Contract,
    Envelope,
    EnvelopeKind,
    Evaluation,
    Fund,
    Notice,
    Objection,
    Payment,
)
from shoushan.regions.models import Level, Region
from shoushan.reviews.models import Panel
from shoushan.reviews.selectors import Result, panel_results

ZERO = Decimal("0.00")


def purchasing_reader_check(viewer) -> None:
    require_role(
        viewer, PURCHASERS, _("The purchase of services is kept by the city and district offices.")
    )


def funds_visible(viewer) -> QuerySet[Fund]:
    purchasing_reader_check(viewer)
    return scope_filter(Fund.objects.all(), viewer)


def fund_regions(viewer) -> list[Region]:
    """The city and districts in the viewer's scope: where they may keep a fund."""
    regions = Region.objects.filter(level__in=(Level.CITY, Level.DISTRICT)).order_by("code")
    return [r for r in regions if in_scope(viewer, r.code)]


def fund_get(viewer, pk: int) -> Fund:
    purchasing_reader_check(viewer)
    return scoped_get(Fund.objects.all(), viewer, pk=pk)


@dataclass
class Row:
    """One level of the ledger. `amount`: what is set aside here (the fund, an envelope, a
    line; a call's is the sum of its lines)."""

    label: str
    amount: Decimal = ZERO
    planned: Decimal = ZERO  # budget lines (envelopes and the fund)
    committed: Decimal = ZERO  # awards in force
    contracted: Decimal = ZERO
    paid: Decimal = ZERO
    key: str = ""
    pk: int | None = None  # of the fund, envelope, call or line the row stands for
    children: list["Row"] = field(default_factory=list)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.committed

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "amount": self.amount,
            "planned": self.planned,
            "committed": self.committed,
            "contracted": self.contracted,
            "paid": self.paid,
            "remaining": self.remaining,
            "children": [c.as_dict() for c in self.children],
        }


def _by_line(queryset, path: str) -> dict[int, Decimal]:
    """Σ amount per budget line, the line reached from the row by `path`."""
    return {
        # SQLite sums decimals with more places than the column has: back to the fen
        row[path]: row["total"].quantize(ZERO)
        for row in queryset.values(path).annotate(total=Sum("amount")).order_by()
    }


def ledger(fund: Fund) -> Row:
    """The fund → envelopes → calls → lines, each with its sums. Every figure of a level is the
    sum of the figures below it (the fund's amount and unallocated part apart)."""
    in_force = Award.objects.filter(status=Award.ACTIVE, line__call__envelope__fund=fund)
    committed = _by_line(in_force, "line_id")
    contracted = _by_line(
        Contract.objects.filter(award__in=in_force.values("pk")), "award__line_id"
    )
    paid = _by_line(
        Payment.objects.filter(contract__award__line__call__envelope__fund=fund),
        "contract__award__line_id",
    )
    lines = (
        BudgetLine.objects.filter(call__envelope__fund=fund)
        .select_related("call", "item")
        .order_by("call__envelope_id", "call_id", "pk")
    )
    calls: dict[int, Row] = {}
    call_envelope: dict[int, int] = {}
    for line in lines:
        call = calls.setdefault(
            line.call_id, Row(label=line.call.title, key=f"call-{line.call_id}", pk=line.call_id)
        )
        call_envelope[line.call_id] = line.call.envelope_id
        call.children.append(
            Row(
                label=f"{line.item.code} {line.title}",
                key=f"line-{line.pk}",
                pk=line.pk,
                amount=line.amount,
                planned=line.amount,
                committed=committed.get(line.pk, ZERO),
                contracted=contracted.get(line.pk, ZERO),
                paid=paid.get(line.pk, ZERO),
            )
        )
    total = Row(label=fund.name, key=f"fund-{fund.pk}", pk=fund.pk, amount=fund.amount)
    order = {kind: n for n, kind in enumerate(EnvelopeKind.values)}
    for envelope in sorted(Envelope.objects.filter(fund=fund), key=lambda e: order[e.kind]):
        row = Row(
            label=str(envelope.get_kind_display()),
            key=f"envelope-{envelope.pk}",
            pk=envelope.pk,
            amount=envelope.amount,
        )
        row.children = [c for pk, c in calls.items() if call_envelope[pk] == envelope.pk]
        for call in row.children:
            for attribute in ("amount", "planned", "committed", "contracted", "paid"):
                setattr(call, attribute, sum((getattr(x, attribute) for x in call.children), ZERO))
        for attribute in ("planned", "committed", "contracted", "paid"):
            setattr(row, attribute, sum((getattr(c, attribute) for c in row.children), ZERO))
        total.children.append(row)
    for attribute in ("planned", "committed", "contracted", "paid"):
        setattr(total, attribute, sum((getattr(e, attribute) for e in total.children), ZERO))
    return total


def allocated(fund: Fund) -> Decimal:
    """What the envelopes set aside of the fund."""
    total = Envelope.objects.filter(fund=fund).aggregate(total=Sum("amount"))["total"]
    return (total or ZERO).quantize(ZERO)


FUND_REGION = {
    Envelope: "fund__region_code",
    Call: "envelope__fund__region_code",
    BudgetLine: "call__envelope__fund__region_code",
    Award: "line__call__envelope__fund__region_code",
    Contract: "award__line__call__envelope__fund__region_code",
    Application: "line__call__envelope__fund__region_code",
    Notice: "call__envelope__fund__region_code",
    Objection: "notice__call__envelope__fund__region_code",
}


def _scoped(viewer, model, pk: int):
    """A record of a fund in the viewer's scope, or NotFound."""
    purchasing_reader_check(viewer)
    return scoped_get(model.objects.all(), viewer, FUND_REGION[model], pk=pk)


def envelope_get(viewer, pk: int) -> Envelope:
    return _scoped(viewer, Envelope, pk)


def call_get(viewer, pk: int) -> Call:
    return _scoped(viewer, Call, pk)


def line_get(viewer, pk: int) -> BudgetLine:
    return _scoped(viewer, BudgetLine, pk)


def award_get(viewer, pk: int) -> Award:
    return _scoped(viewer, Award, pk)


def contract_get(viewer, pk: int) -> Contract:
    return _scoped(viewer, Contract, pk)


def application_get(viewer, pk: int) -> Application:
    return _scoped(viewer, Application, pk)


def notice_get(viewer, pk: int) -> Notice:
    return _scoped(viewer, Notice, pk)


def objection_get(viewer, pk: int) -> Objection:
    return _scoped(viewer, Objection, pk)


def applications_of(call: Call) -> QuerySet[Application]:
    return (
        Application.objects.filter(line__call=call)
        .select_related("organization", "line__item", "hub", "notice")
        .order_by("line_id", "pk")
    )


def catalogue(*, q: str = "", purchasable: bool = False) -> QuerySet[CatalogueItem]:
    """The guiding catalogue (public: it is a published document), by code or name fragment;
    `purchasable`: level-3 items the rules allow."""
    items = CatalogueItem.objects.all()
    if q.strip():
        items = items.filter(Q(code__startswith=q.strip().upper()) | Q(name__contains=q.strip()))
    if purchasable:
        items = items.filter(level=3, excluded_reason="")
    return items


def calls_of(fund: Fund) -> QuerySet[Call]:
    return Call.objects.filter(envelope__fund=fund).select_related("envelope")


def awards_of(fund: Fund) -> QuerySet[Award]:
    return (
        Award.objects.filter(line__call__envelope__fund=fund)
        .select_related("organization", "line__item", "contract")
        .order_by("-decided_on", "pk")
    )


@dataclass
class Dashboard:
    year: int
    funds: list[Fund]
    by_kind: list[dict]  # kind, label, amount, committed, paid
    by_district: list[dict]  # code, name, awards, committed, paid
    by_month: list[dict]  # month (YYYY-MM), committed, paid
    delivery: list[dict]  # organisation, awards, committed, paid, grades


def dashboard(viewer, year: int) -> Dashboard:
    """The year's funds in the viewer's scope: money by kind of service, by the district of the
    organisations that deliver, by month (awards decided, payments made), and each organisation's
    record of delivery with its evaluations."""
    funds = list(funds_visible(viewer).filter(year=year))
    awards = Award.objects.filter(line__call__envelope__fund__in=funds, status=Award.ACTIVE)
    payments = Payment.objects.filter(contract__award__in=awards.values("pk"))
    labels = dict(EnvelopeKind.choices)
    set_aside = {
        r["kind"]: r["total"]
        for r in Envelope.objects.filter(fund__in=funds)
        .values("kind")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    committed_by_kind = _sum_by(awards, "line__call__envelope__kind")
    paid_by_kind = _sum_by(payments, "contract__award__line__call__envelope__kind")
    by_kind = [
        {
            "kind": kind,
            "label": str(labels[kind]),
            "amount": set_aside.get(kind, ZERO).quantize(ZERO),
            "committed": committed_by_kind.get(kind, ZERO),
            "paid": paid_by_kind.get(kind, ZERO),
        }
        for kind in EnvelopeKind.values
        if kind in set_aside
    ]
    # a supplier outside the registry has no domicile here: its row is the empty code
    district = Coalesce(Substr("organization__region_code", 1, 6), Value(""))
    committed_by_district = {
        r["d"]: (r["n"], r["total"].quantize(ZERO))
        for r in awards.annotate(d=district)
        .values("d")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    }
    paid_by_district = _sum_by(
        payments.annotate(
            d=Coalesce(Substr("contract__award__organization__region_code", 1, 6), Value(""))
        ),
        "d",
    )
    names = dict(
        Region.objects.filter(
            code__in=[d.ljust(12, "0") for d in committed_by_district if d]
        ).values_list("code", "name")
    )
    names[""] = _("suppliers outside the registry")
    by_district = sorted(
        (
            {
                "code": d.ljust(12, "0") if d else "",
                "name": names.get(d.ljust(12, "0") if d else "", d),
                "awards": n,
                "committed": total,
                "paid": paid_by_district.get(d, ZERO),
            }
            for d, (n, total) in committed_by_district.items()
        ),
        key=lambda r: (not r["code"], r["code"]),
    )
    committed_by_month = _sum_by(awards.annotate(m=TruncMonth("decided_on")), "m")
    paid_by_month = _sum_by(payments.annotate(m=TruncMonth("paid_on")), "m")
    months = sorted(set(committed_by_month) | set(paid_by_month))
    by_month = [
        {
            "month": m.strftime("%Y-%m"),
            "committed": committed_by_month.get(m, ZERO),
            "paid": paid_by_month.get(m, ZERO),
        }
        for m in months
    ]
    # a recipient: an organisation of the registry, or a supplier by its credit code
    grades: dict[tuple, list[str]] = {}
    for organization_id, supplier, grade in Evaluation.objects.filter(
        contract__award__in=awards.values("pk"), stage=Evaluation.FINAL
    ).values_list("contract__award__organization_id", "contract__award__supplier_code", "grade"):
        grades.setdefault((organization_id, supplier), []).append(grade)
    paid_by_recipient = {
        (r["contract__award__organization_id"], r["contract__award__supplier_code"]): r[
            "total"
        ].quantize(ZERO)
        for r in payments.values(
            "contract__award__organization_id", "contract__award__supplier_code"
        )
        .annotate(total=Sum("amount"))
        .order_by()
    }
    delivery = [
        {
            "organization_id": r["organization_id"],
            "name": r["organization__name"] or r["supplier_name"],
            "awards": r["n"],
            "committed": r["total"].quantize(ZERO),
            "paid": paid_by_recipient.get((r["organization_id"], r["supplier_code"]), ZERO),
            "grades": grades.get((r["organization_id"], r["supplier_code"]), []),
        }
        for r in awards.values(
            "organization_id", "organization__name", "supplier_code", "supplier_name"
        )
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by("-total", "organization__name", "supplier_name")[:200]
    ]
    return Dashboard(year, funds, by_kind, by_district, by_month, delivery)


def _sum_by(queryset, key: str) -> dict:
    """Σ amount by a key (to the fen)."""
    return {
        r[key]: r["total"].quantize(ZERO)
        for r in queryset.values(key).annotate(total=Sum("amount")).order_by()
    }


def review_results(call: Call) -> dict[int, Result]:
    """The expert review of the call's applications: application id → its panel's result."""
    panels = Panel.objects.filter(
        subject_type="purchasing.application",
        subject_id__in=Application.objects.filter(line__call=call).values("pk"),
    )
    return {r.panel.subject_id: r for r in panel_results(list(panels))}


def panel_get(viewer, pk: int) -> tuple[Panel, Application]:
    """An application's review panel in the viewer's scope, and its application."""
    purchasing_reader_check(viewer)
    panel = scoped_get(Panel.objects.filter(subject_type="purchasing.application"), viewer, pk=pk)
    return panel, Application.objects.select_related("line__item").get(pk=panel.subject_id)


def project_places(viewer, year: int) -> list[dict]:
    """The year's projects in force on a map. A project is placed where the organisation that
    delivers it is domiciled, at the point of that community, or else of its street or district
    (the first of them with a point; `place` names it): organisations carry no coordinates of
    their own. Projects at one point share a marker."""
    awards = (
        Award.objects.filter(
            line__call__envelope__fund__in=funds_visible(viewer).filter(year=year),
            status=Award.ACTIVE,
            organization__isnull=False,  # suppliers outside the registry have no domicile here
        )
        .values("pk", "title", "amount", "organization__name", "organization__region_code")
        .order_by("-amount", "pk")
    )
    rows = list(awards)
    ladders = {
        code: [code, code[:9].ljust(12, "0"), code[:6].ljust(12, "0")]
        for code in {r["organization__region_code"] for r in rows}
    }
    points = {
        code: (name, latitude, longitude)
        for code, name, latitude, longitude in Region.objects.filter(
            code__in={c for ladder in ladders.values() for c in ladder}, latitude__isnull=False
        ).values_list("code", "name", "latitude", "longitude")
    }
    places: dict[str, dict] = {}
    for row in rows:
        at = next((c for c in ladders[row["organization__region_code"]] if c in points), None)
        if at is None:
            continue  # a domicile with no point anywhere up to its district: not on the map
        name, latitude, longitude = points[at]
        place = places.setdefault(
            at,
            {"code": at, "place": name, "lat": latitude, "lon": longitude, "projects": []},
        )
        place["projects"].append(
            {
                "award_id": row["pk"],
                "title": row["title"],
                "organization": row["organization__name"],
                "amount": str(row["amount"]),
            }
        )
    return sorted(places.values(), key=lambda p: p["code"])
