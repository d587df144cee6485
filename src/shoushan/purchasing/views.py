"""Pages of the purchase of services. Views translate: they read the request, call one selector
or service, and render; a refused write comes back as a message on the same page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.core.errors import InvalidInput
from shoushan.core.exports import table_response
from shoushan.core.views import act
from shoushan.organizations.models import SocialOrganization
from shoushan.organizations.selectors import hub_get, organization_get, organizations_visible
from shoushan.organizations.validation import form_date
from shoushan.purchasing import giving, selectors, services
from shoushan.purchasing.models import ApplicationStatus, Award, EnvelopeKind, Evaluation, Grade
from shoushan.reviews import services as reviews

EVALUATION_FIELDS = ("stage", "grade", "evaluator", "evaluated_on", "note")
REPORT_FIELDS = ("reported_on", "done_percent", "people_served", "work_done", "problems")
LINE_ROWS = 5  # empty line rows a new call's form offers
MILESTONE_ROWS = 4


def _rows(request: HttpRequest, prefix: str, fields: tuple[str, ...], count: int) -> list[dict]:
    """The filled rows of a repeated group of fields (`line-1-item`, `line-1-amount` …)."""
    rows = []
    for n in range(1, count + 1):
        row = {f: request.POST.get(f"{prefix}-{n}-{f}", "").strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def funds(request: HttpRequest) -> HttpResponse:
    found = selectors.funds_visible(request.user)
    values: dict = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip() for k in ("name", "year", "region_code", "amount")
        }
        made = []

        def work() -> str:
            made.append(services.fund_create(actor=request.user, values=values))
            return _("Recorded.")

        if act(request, work):
            return redirect("purchasing:fund", made[0].pk)
    return render(
        request,
        "purchasing/funds.html",
        {
            "rows": [(f, selectors.allocated(f)) for f in found],
            "values": values,
            "regions": selectors.fund_regions(request.user),
        },
    )


def fund(request: HttpRequest, fund_id: int) -> HttpResponse:
    found = selectors.fund_get(request.user, fund_id)
    if request.GET.get("format") == "360giving":
        return table_response(
            f"360giving-{found.year}-{found.pk}",
            giving.COLUMNS,
            giving.grant_rows(found),
            xlsx=False,
        )
    if request.method == "POST":
        act(
            request,
            lambda: (
                services.envelope_set(
                    actor=request.user,
                    fund=found,
                    kind=request.POST.get("kind", ""),
                    amount_text=request.POST.get("amount", ""),
                )
                and _("Recorded.")
            ),
        )
        return redirect("purchasing:fund", found.pk)
    return render(
        request,
        "purchasing/fund.html",
        {
            "fund": found,
            "ledger": selectors.ledger(found),
            "allocated": selectors.allocated(found),
            "envelopes": sorted(
                found.envelopes.all(), key=lambda e: EnvelopeKind.values.index(e.kind)
            ),
            "kinds": EnvelopeKind.choices,
            "awards": selectors.awards_of(found)[:200],
        },
    )


def call_new(request: HttpRequest, envelope_id: int) -> HttpResponse:
    envelope = selectors.envelope_get(request.user, envelope_id)
    values: dict = {}
    lines: list[dict] = []
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("title", "directions", "opens_on", "closes_on")
        }
        lines = _rows(request, "line", ("item", "title", "amount"), LINE_ROWS)
        made = []

        def work() -> str:
            made.append(
                services.call_open(
                    actor=request.user, envelope=envelope, values=values, lines=lines
                )
            )
            return _("The call is open.")

        if act(request, work):
            return redirect("purchasing:call", made[0].pk)
    return render(
        request,
        "purchasing/call_new.html",
        {
            "envelope": envelope,
            "values": values,
            "lines": lines + [{}] * (LINE_ROWS - len(lines)),
            "items": selectors.catalogue(purchasable=True),
        },
    )


def call(request: HttpRequest, call_id: int) -> HttpResponse:
    """A call: its lines and awards, and the procedure — applications, the responsible unit's
    endorsement, the public notice with its objections, approval."""
    found = selectors.call_get(request.user, call_id)
    values: dict = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        values = {k: v.strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        handler = CALL_ACTIONS.get(action, _unknown)
        if act(request, lambda: handler(request, found, values)):
            return redirect("purchasing:call", found.pk)
    lines = found.lines.select_related("item").prefetch_related("awards__organization")
    notice = found.notices.prefetch_related("objections__application").first()
    applications = list(selectors.applications_of(found))
    return render(
        request,
        "purchasing/call.html",
        {
            "call": found,
            "lines": lines,
            "values": values,
            "fund": found.envelope.fund,
            "applications": applications,
            "submitted": [a for a in applications if a.status == ApplicationStatus.SUBMITTED],
            "notice": notice,
            "results": selectors.review_results(found),
            "today": timezone.localdate(),
        },
    )


def _line(call, values: dict):
    line = call.lines.filter(pk=values.get("line") or 0).first()
    if line is None:
        raise InvalidInput(_("Choose the budget line."))
    return line


def _apply(request: HttpRequest, call, values: dict) -> str:
    services.application_submit(
        actor=request.user,
        line=_line(call, values),
        organization=_organization(request, values.get("organization", "")),
        values=values,
    )
    return _("The application is recorded.")


def _endorse(request: HttpRequest, call, values: dict) -> str:
    application = selectors.application_get(request.user, int(values.get("application") or 0))
    hub_id = values.get("hub", "")
    services.application_endorse(
        actor=request.user,
        application=application,
        hub=hub_get(request.user, int(hub_id)) if hub_id.isdigit() else None,
        on=form_date(values.get("endorsed_on", "")),
        note=values.get("note", ""),
    )
    return _("Endorsed.")


def _notice(request: HttpRequest, call, values: dict) -> str:
    chosen = request.POST.getlist("proposed")
    services.notice_start(
        actor=request.user,
        call=call,
        applications=[selectors.application_get(request.user, int(pk)) for pk in chosen],
        starts_on=form_date(values.get("starts_on", "")),
        ends_on=form_date(values["ends_on"]) if values.get("ends_on") else None,
    )
    return _("The notice is published.")


def _object(request: HttpRequest, call, values: dict) -> str:
    notice = selectors.notice_get(request.user, int(values.get("notice") or 0))
    services.objection_raise(
        actor=request.user,
        notice=notice,
        application=selectors.application_get(request.user, int(values.get("application") or 0)),
        on=form_date(values.get("raised_on", "")),
        text=values.get("text", ""),
    )
    return _("The objection is recorded.")


def _answer(request: HttpRequest, call, values: dict) -> str:
    services.objection_answer(
        actor=request.user,
        objection=selectors.objection_get(request.user, int(values.get("objection") or 0)),
        on=form_date(values.get("answered_on", "")),
        answer=values.get("answer", ""),
        upheld=values.get("upheld") == "1",
    )
    return _("Answered.")


def _approve(request: HttpRequest, call, values: dict) -> str:
    notice = selectors.notice_get(request.user, int(values.get("notice") or 0))
    awards = services.notice_approve(
        actor=request.user, notice=notice, on=form_date(values.get("approved_on", ""))
    )
    return _("Approved: %(n)s projects awarded.") % {"n": len(awards)}


def _award_directly(request: HttpRequest, call, values: dict) -> str:
    services.award_make(
        actor=request.user,
        line=_line(call, values),
        organization=_organization(request, values.get("organization", "")),
        values=values,
    )
    return _("Awarded.")


def _unknown(request: HttpRequest, call, values: dict) -> str:
    raise InvalidInput(_("Check the form's values."))


def _review(request: HttpRequest, call, values: dict) -> str:
    text = values.get("size", "")
    drawn = services.applications_review(
        actor=request.user,
        call=call,
        size=int(text) if text.isdigit() else 0,
        on=form_date(values.get("on", "")),
    )
    if drawn.short:
        return _("Panels drawn; %(n)s could not be filled from the pool.") % {"n": len(drawn.short)}
    return _("Panels drawn.")


CALL_ACTIONS = {
    "apply": _apply,
    "endorse": _endorse,
    "notice": _notice,
    "object": _object,
    "answer": _answer,
    "approve": _approve,
    "award": _award_directly,
    "review": _review,
}


def _organization(request: HttpRequest, text: str) -> SocialOrganization:
    """An organisation in the viewer's sight by its credit code or its number."""
    text = text.strip().upper()
    if text.isdigit():
        return organization_get(request.user, int(text))
    found = organizations_visible(request.user).filter(credit_code=text).first()
    if found is None:
        raise InvalidInput(
            _("No organisation with this credit code in your scope: %(code)s.") % {"code": text}
        )
    return found


def award(request: HttpRequest, award_id: int) -> HttpResponse:
    found = selectors.award_get(request.user, award_id)
    contract = found.contract if hasattr(found, "contract") else None
    values: dict = {}
    stages: list[dict] = []
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            act(
                request,
                lambda: (
                    services.award_cancel(
                        actor=request.user, award=found, reason=request.POST.get("reason", "")
                    )
                    and _("Cancelled.")
                ),
            )
            return redirect("purchasing:award", found.pk)
        if action == "evaluate" and contract is not None:
            values = {k: request.POST.get(k, "").strip() for k in EVALUATION_FIELDS}
            act(
                request,
                lambda: (
                    services.evaluation_record(actor=request.user, contract=contract, values=values)
                    and _("The evaluation is recorded.")
                ),
            )
            return redirect("purchasing:award", found.pk)
        if action == "report" and contract is not None:
            values = {k: request.POST.get(k, "").strip() for k in REPORT_FIELDS}
            act(
                request,
                lambda: (
                    services.progress_report(actor=request.user, contract=contract, values=values)
                    and _("The progress report is recorded.")
                ),
            )
            return redirect("purchasing:award", found.pk)
        if action == "pay" and contract is not None:

            def pay() -> str:
                milestone = contract.milestones.filter(
                    pk=request.POST.get("milestone") or 0
                ).first()
                if milestone is None:
                    raise InvalidInput(_("Choose the milestone."))
                services.payment_record(
                    actor=request.user,
                    contract=contract,
                    milestone=milestone,
                    values={k: request.POST.get(k, "") for k in ("amount", "paid_on", "reference")},
                )
                return _("Payment recorded.")

            act(request, pay)
            return redirect("purchasing:award", found.pk)
        values = {
            k: request.POST.get(k, "").strip()
            for k in (
                "number",
                "amount",
                "signed_on",
                "starts_on",
                "ends_on",
                "stable",
                "published_at",
            )
        }
        stages = _rows(request, "milestone", ("name", "due_on", "amount"), MILESTONE_ROWS)
        if act(
            request,
            lambda: (
                services.contract_sign(
                    actor=request.user, award=found, values=values, milestones=stages
                )
                and _("The contract is recorded.")
            ),
        ):
            return redirect("purchasing:award", found.pk)
    payments = list(contract.payments.select_related("milestone")) if contract else []
    evaluations = list(contract.evaluations.all()) if contract else []
    milestones = []
    if contract:
        for m in contract.milestones.all():
            paid = sum((p.amount for p in payments if p.milestone_id == m.pk), selectors.ZERO)
            milestones.append((m, paid))
    return render(
        request,
        "purchasing/award.html",
        {
            "award": found,
            "contract": contract,
            "milestones": milestones,
            "payments": payments,
            "paid": sum((p.amount for p in payments), selectors.ZERO),
            "values": values,
            "stages": stages + [{}] * (MILESTONE_ROWS - len(stages)),
            "active": found.status == Award.ACTIVE,
            "evaluations": evaluations,
            "finished": any(e.stage == Evaluation.FINAL for e in evaluations),
            "reports": contract.reports.all() if contract else [],
            "grades": Grade.choices,
        },
    )


def catalogue(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    return render(
        request,
        "purchasing/catalogue.html",
        {"items": selectors.catalogue(q=q), "q": q},
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    """The year's money by kind, by district and by month, and the organisations' delivery."""
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year
    found = selectors.dashboard(request.user, year)
    widest = max(
        [r["amount"] for r in found.by_kind] + [r["committed"] for r in found.by_district] or [1]
    )
    return render(
        request,
        "purchasing/dashboard.html",
        {
            "d": found,
            "widest": widest or 1,
            "grades": dict(Grade.choices),
            "places": selectors.project_places(request.user, year),
            "outline": getattr(request.user, "region_code", "") or "110000000000",
            "tile_url": settings.MAP_TILE_URL,
        },
    )


def panel(request: HttpRequest, panel_id: int) -> HttpResponse:
    """An application's blind review: its label and project, never the applicant's name; the
    experts' marks on the rubric, entered from their score sheets."""
    found, application = selectors.panel_get(request.user, panel_id)
    if request.method == "POST":
        seat = found.seats.filter(pk=request.POST.get("seat") or 0).first()

        def score() -> str:
            if seat is None:
                raise InvalidInput(_("Choose the expert."))
            reviews.score_record(
                actor=request.user,
                seat=seat,
                marks={
                    c: request.POST.get(f"mark-{n}", "") for n, (c, _m) in enumerate(found.rubric)
                },
                on=form_date(request.POST.get("scored_on", "")),
            )
            return _("Marks recorded.")

        if act(request, score):
            return redirect("purchasing:panel", found.pk)
    return render(
        request,
        "purchasing/panel.html",
        {
            "panel": found,
            "application": application,
            "seats": found.seats.select_related("expert").order_by("pk"),
            "rubric": list(enumerate(found.rubric)),
        },
    )
