"""Writes to the purchase of services. Each service checks the actor's role and scope, runs in one
transaction and audits what it changed.

The sums hold under concurrency because a service that adds to a sum first locks the row that
bounds it (`select_for_update`: the fund for its envelopes, the envelope for its lines and awards,
the contract for its payments) and only then adds up what is there: two approvals racing for one
envelope are served one after the other, and the second sees the first. On SQLite every write
transaction starts IMMEDIATE, which serialises them the same way. A sum that would pass its bound
is refused with 409 and the amounts involved; nothing is changed."""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import CITY_ADMINISTRATORS, PURCHASERS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.validators import InvalidNumber, normalise_credit_code
from shoushan.organizations import services as registry
from shoushan.organizations.models import HubMembership, HubOrganization, SocialOrganization
from shoushan.organizations.selectors import eligibility_of
from shoushan.organizations.validation import date_field
from shoushan.organizations.validation import text_field as _text
from shoushan.purchasing import rules
from shoushan.purchasing.models import (
    Application,
    ApplicationStatus,
    Award,
    BudgetLine,
    Call,
    CatalogueItem,
    Contract,
    Envelope,
    EnvelopeKind,
    Evaluation,
    Fund,
    Grade,
    Milestone,
    Notice,
    Objection,
    Payment,
    ProgressReport,
)
from shoushan.regions.models import Level, Region
from shoushan.reviews import services as reviews

NOT_PURCHASER = gettext_lazy(
    "The purchase of services is kept by the social-construction offices of the city and the "
    "districts."
)
NOT_FOUND = gettext_lazy("No such record in your scope.")


def _today() -> date:
    return timezone.localdate()


def _in_sight(actor, region_code: str) -> None:
    if actor is not None and not in_scope(actor, region_code):
        raise NotFound(str(NOT_FOUND))


def _audit(actor, action: str, obj, region_code: str, **changes) -> None:
    audit_record(actor=actor, action=action, obj=obj, region_code=region_code, changes=changes)


def _amount(errors: dict, values: dict, field: str = "amount", *, zero: bool = False):
    try:
        return rules.amount_parse(values.get(field, ""), zero=zero)
    except InvalidNumber as e:
        errors[field] = _(str(e))
        return None


def _total(queryset, field: str = "amount") -> Decimal:
    total = queryset.aggregate(total=Sum(field))["total"] or Decimal("0.00")
    return total.quantize(rules.FEN)  # SQLite sums with more places than the column has


def _over(what: str, bound: Decimal, used: Decimal, asked: Decimal) -> Conflict:
    return Conflict(
        _(
            "Over the %(what)s: ¥%(bound)s in all, ¥%(used)s committed, ¥%(left)s left; "
            "¥%(asked)s asked."
        )
        % {
            "what": what,
            "bound": f"{bound:,.2f}",
            "used": f"{used:,.2f}",
            "left": f"{bound - used:,.2f}",
            "asked": f"{asked:,.2f}",
        }
    )


# ---- fund and envelopes ----------------------------------------------------------------------


@transaction.atomic
def fund_create(*, actor, values: dict, is_generated: bool = False) -> Fund:
    """A region's fund for a year (the city's or a district's)."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    errors: dict = {}
    name = _text(errors, values, "name")
    amount = _amount(errors, values, zero=True)
    region_code = str(values.get("region_code") or "").strip()
    region = Region.objects.filter(code=region_code).first()
    if region is None or region.level not in (Level.CITY, Level.DISTRICT):
        errors["region_code"] = _("Give the code of the city or of a district.")
    elif actor is not None and not in_scope(actor, region_code):
        errors["region_code"] = _("This region is outside your scope.")
    try:
        year = int(str(values.get("year") or ""))
        if not 2000 <= year <= _today().year + 1:
            raise ValueError
    except ValueError:
        errors["year"] = _("Give a year from 2000 to next year.")
        year = 0
    if not errors and Fund.objects.filter(region_code=region_code, year=year).exists():
        errors["year"] = _("This region has a fund for that year already.")
    if errors:
        raise InvalidInput.of_fields(errors)
    fund = Fund.objects.create(
        name=name, year=year, region_code=region_code, amount=amount, is_generated=is_generated
    )
    _audit(actor, "purchasing.fund_create", fund, region_code, year=year, amount=str(amount))
    return fund


@transaction.atomic
def envelope_set(*, actor, fund: Fund, kind: str, amount_text) -> Envelope:
    """Set aside (or change) the fund's envelope for a kind of service. The envelopes together
    stay within the fund, and an envelope never drops below what its calls have planned."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    _in_sight(actor, fund.region_code)
    errors: dict = {}
    if kind not in EnvelopeKind.values:
        errors["kind"] = _("Unknown kind.")
    amount = _amount(errors, {"amount": amount_text}, zero=True)
    if errors:
        raise InvalidInput.of_fields(errors)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    envelope = Envelope.objects.filter(fund=fund, kind=kind).first()
    others = _total(Envelope.objects.filter(fund=fund).exclude(kind=kind))
    if others + amount > fund.amount:
        raise _over(_("fund"), fund.amount, others, amount)
    if envelope is not None:
        planned = _total(BudgetLine.objects.filter(call__envelope=envelope))
        if amount < planned:
            raise Conflict(
                _("The calls of this envelope plan ¥%(planned)s already: it cannot be less.")
                % {"planned": f"{planned:,.2f}"}
            )
        before = envelope.amount
        envelope.amount = amount
        envelope.save(update_fields=["amount"])
    else:
        before = None
        envelope = Envelope.objects.create(fund=fund, kind=kind, amount=amount)
    _audit(
        actor,
        "purchasing.envelope_set",
        envelope,
        fund.region_code,
        kind=kind,
        amount=str(amount),
        before=str(before) if before is not None else "",
    )
    return envelope


# ---- calls and their budget lines ----------------------------------------------------------------


@transaction.atomic
def call_open(*, actor, envelope: Envelope, values: dict, lines: list[dict]) -> Call:
    """A call for projects with its budget lines, each on a level-3 catalogue item the rules
    allow; no call without a line, and the envelope's lines together within the envelope."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    _in_sight(actor, envelope.fund.region_code)
    errors: dict = {}
    title = _text(errors, values, "title")
    directions = _text(errors, values, "directions", limit=5000, required=False)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "opens_on", required=True)
    date_field(cleaned, errors, values, "closes_on", required=True)
    if not errors and cleaned["closes_on"] < cleaned["opens_on"]:
        errors["closes_on"] = _("The call closes before it opens.")
    if not lines:
        errors["lines"] = _("A call needs at least one budget line.")
    planned: list[tuple[CatalogueItem, str, Decimal]] = []
    for index, line in enumerate(lines, start=1):
        line_errors: dict = {}
        line_title = _text(line_errors, line, "title")
        amount = _amount(line_errors, line)
        item = CatalogueItem.objects.filter(code=str(line.get("item") or "").strip()).first()
        if item is None or item.level != 3:
            line_errors["item"] = _("Choose a level-3 item of the catalogue.")
        elif item.excluded_reason:
            line_errors["item"] = _("The rules exclude %(item)s: %(reason)s.") % {
                "item": item.code,
                "reason": _(item.excluded_reason),
            }
        elif reason := rules.excluded_reason(line_title):
            line_errors["title"] = _(reason)
        for field, message in line_errors.items():
            errors[f"lines.{index}.{field}"] = _("Line %(n)s: %(message)s") % {
                "n": index,
                "message": message,
            }
        if not line_errors and item is not None and amount is not None:
            planned.append((item, line_title, amount))
    if errors:
        raise InvalidInput.of_fields(errors)
    envelope = Envelope.objects.select_for_update().get(pk=envelope.pk)
    used = _total(BudgetLine.objects.filter(call__envelope=envelope))
    asked = sum((amount for _i, _t, amount in planned), Decimal("0.00"))
    if used + asked > envelope.amount:
        raise _over(_("envelope"), envelope.amount, used, asked)
    call = Call.objects.create(
        envelope=envelope,
        title=title,
        directions=directions,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **cleaned,
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(call=call, item=item, title=line_title, amount=amount)
        for item, line_title, amount in planned
    )
    _audit(
        actor,
        "purchasing.call_open",
        call,
        envelope.fund.region_code,
        title=title,
        lines=[f"{item.code} {amount}" for item, _t, amount in planned],
    )
    return call


# ---- awards --------------------------------------------------------------------------------------


def _award_values(values: dict) -> tuple[str, Decimal, date]:
    errors: dict = {}
    title = _text(errors, values, "title")
    amount = _amount(errors, values)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "decided_on", required=True)
    if not errors and cleaned["decided_on"] > _today():
        errors["decided_on"] = _("The date is after today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    return title, amount, cleaned["decided_on"]


def _award_within_bounds(line: BudgetLine, amount: Decimal, **fields) -> Award:
    """Create the award once the line's and the envelope's awards leave room for it. The
    envelope's row is the lock that concurrent awards queue on."""
    envelope = Envelope.objects.select_for_update().get(pk=line.call.envelope_id)
    active = Award.objects.filter(status=Award.ACTIVE)
    on_line = _total(active.filter(line=line))
    if on_line + amount > line.amount:
        raise _over(_("budget line"), line.amount, on_line, amount)
    in_envelope = _total(active.filter(line__call__envelope=envelope))
    if in_envelope + amount > envelope.amount:
        raise _over(_("envelope"), envelope.amount, in_envelope, amount)
    return Award.objects.create(line=line, amount=amount, **fields)


@transaction.atomic
def award_make(*, actor, line: BudgetLine, organization: SocialOrganization, values: dict) -> Award:
    """Commit money from a budget line to an organisation's project: the organisation must be
    eligible that day; the line's awards stay within the line, the envelope's within the
    envelope."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    envelope = line.call.envelope
    _in_sight(actor, envelope.fund.region_code)
    title, amount, decided_on = _award_values(values)
    eligibility = eligibility_of(organization, decided_on)
    if not eligibility.eligible:
        raise InvalidInput(
            _("%(name)s may not receive public money now: %(reasons)s")
            % {"name": organization.name, "reasons": "; ".join(eligibility.reasons)},
            details={"organization": "; ".join(eligibility.reasons)},
        )
    award = _award_within_bounds(
        line, amount, organization=organization, title=title, decided_on=decided_on
    )
    _audit(
        actor,
        "purchasing.award_make",
        award,
        envelope.fund.region_code,
        organization=organization.credit_code or organization.pk,
        amount=str(amount),
    )
    return award


@transaction.atomic
def award_to_supplier(
    *, actor, line: BudgetLine, name: str, credit_code: str, values: dict
) -> Award:
    """Commit money to a supplier outside the social-organisation registry (a university or
    institute, an enterprise, a public institution), named with its unified social credit code;
    the same bounds hold. The registry's eligibility checks are for social organisations."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    envelope = line.call.envelope
    _in_sight(actor, envelope.fund.region_code)
    title, amount, decided_on = _award_values(values)
    try:
        code = normalise_credit_code(credit_code)
    except InvalidNumber as e:
        raise InvalidInput(_(str(e)), details={"credit_code": _(str(e))}) from e
    if not name.strip():
        raise InvalidInput(_("Name the supplier."), details={"name": _("Name the supplier.")})
    award = _award_within_bounds(
        line,
        amount,
        supplier_name=name.strip()[:200],
        supplier_code=code,
        title=title,
        decided_on=decided_on,
    )
    _audit(
        actor,
        "purchasing.award_make",
        award,
        envelope.fund.region_code,
        supplier=code,
        amount=str(amount),
    )
    return award


@transaction.atomic
def award_cancel(*, actor, award: Award, reason: str) -> Award:
    """Cancel an award that nothing was paid on; its money returns to the line."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = award.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status == Award.CANCELLED:
        raise Conflict(_("This award was cancelled already."))
    if Payment.objects.filter(contract__award=award).exists():
        raise Conflict(_("Payments were made on this award: it cannot be cancelled."))
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), details={"reason": _("Give the reason.")})
    award.status = Award.CANCELLED
    award.cancelled_reason = reason.strip()[:300]
    award.save(update_fields=["status", "cancelled_reason"])
    _audit(actor, "purchasing.award_cancel", award, region_code, reason=award.cancelled_reason)
    return award


# ---- contracts, milestones, payments -------------------------------------------------------------


@transaction.atomic
def contract_sign(*, actor, award: Award, values: dict, milestones: list[dict]) -> Contract:
    """The award's written contract: at most the award's amount, a term of at most 1 year (3 for
    a stable, funded service), and milestones that share out its amount exactly."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = award.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    award = Award.objects.select_for_update().get(pk=award.pk)  # one contract per award
    if award.status != Award.ACTIVE:
        raise Conflict(_("This award was cancelled."))
    if Contract.objects.filter(award=award).exists():
        raise Conflict(_("This award has its contract already."))
    errors: dict = {}
    number = _text(errors, values, "number", limit=50)
    amount = _amount(errors, values)
    cleaned: dict = {}
    for field in ("signed_on", "starts_on", "ends_on"):
        date_field(cleaned, errors, values, field, required=True, years_ahead=4)
    stable = str(values.get("stable") or "").strip().lower() in ("1", "true", "yes", "是", "on")
    published_at = _text(errors, values, "published_at", limit=200, required=False)
    if not errors:
        problem = rules.term_problem(cleaned["starts_on"], cleaned["ends_on"], stable=stable)
        if problem:
            errors["ends_on"] = _(problem)
    if amount is not None and amount > award.amount:
        errors["amount"] = _("The contract is for at most the award: ¥%(award)s.") % {
            "award": f"{award.amount:,.2f}"
        }
    if number and Contract.objects.filter(number=number).exists():
        errors["number"] = _("A contract with this number exists already.")
    stages: list[tuple[str, date, Decimal]] = []
    for index, stage in enumerate(milestones, start=1):
        stage_errors: dict = {}
        name = _text(stage_errors, stage, "name")
        stage_amount = _amount(stage_errors, stage)
        stage_dates: dict = {}
        date_field(stage_dates, stage_errors, stage, "due_on", required=True, years_ahead=4)
        for field, message in stage_errors.items():
            errors[f"milestones.{index}.{field}"] = _("Milestone %(n)s: %(message)s") % {
                "n": index,
                "message": message,
            }
        if not stage_errors and stage_amount is not None:
            stages.append((name, stage_dates["due_on"], stage_amount))
    if not milestones:
        errors["milestones"] = _("A contract needs at least one milestone to pay against.")
    elif amount is not None and len(stages) == len(milestones):
        shared = sum((a for _n, _d, a in stages), Decimal("0.00"))
        if shared != amount:
            errors["milestones"] = _(
                "The milestones share out ¥%(shared)s; the contract is for ¥%(amount)s."
            ) % {"shared": f"{shared:,.2f}", "amount": f"{amount:,.2f}"}
    if errors:
        raise InvalidInput.of_fields(errors)
    contract = Contract.objects.create(
        award=award,
        number=number,
        amount=amount,
        stable=stable,
        published_at=published_at,
        **cleaned,
    )
    Milestone.objects.bulk_create(
        Milestone(contract=contract, name=name, due_on=due_on, amount=stage_amount)
        for name, due_on, stage_amount in stages
    )
    _audit(
        actor,
        "purchasing.contract_sign",
        contract,
        region_code,
        number=number,
        amount=str(amount),
        term=f"{cleaned['starts_on']}..{cleaned['ends_on']}",
    )
    return contract


@transaction.atomic
def payment_record(*, actor, contract: Contract, milestone: Milestone, values: dict) -> Payment:
    """A payment against a milestone: the contract's payments stay within the contract and the
    milestone's within the milestone. The contract's row is the lock payments queue on."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = contract.award.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    if milestone.contract_id != contract.pk:
        raise NotFound(str(NOT_FOUND))
    errors: dict = {}
    amount = _amount(errors, values)
    reference = _text(errors, values, "reference", limit=100, required=False)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "paid_on", required=True)
    if not errors and cleaned["paid_on"] > _today():
        errors["paid_on"] = _("The date is after today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.award.status != Award.ACTIVE:
        raise Conflict(_("This award was cancelled."))
    paid = _total(Payment.objects.filter(contract=contract))
    if paid + amount > contract.amount:
        raise _over(_("contract"), contract.amount, paid, amount)
    on_milestone = _total(Payment.objects.filter(milestone=milestone))
    if on_milestone + amount > milestone.amount:
        raise _over(_("milestone"), milestone.amount, on_milestone, amount)
    payment = Payment.objects.create(
        contract=contract, milestone=milestone, amount=amount, reference=reference, **cleaned
    )
    _audit(
        actor,
        "purchasing.payment_record",
        payment,
        region_code,
        contract=contract.number,
        milestone=milestone.name,
        amount=str(amount),
    )
    return payment


# ---- the catalogue -----------------------------------------------------------------------------

CATALOGUE_COLUMNS = ("代码", "一级目录", "二级目录", "三级目录", "备注")


def catalogue_load(*, actor, rows: list[dict[str, str]]) -> dict[str, int]:
    """Load the guiding catalogue from rows with the published columns (代码, 一级目录, 二级目录,
    三级目录, 备注), all or nothing: codes A, A01, A0101 name levels 1–3, each under its parent.
    Items the rules exclude are kept, marked with the reason, and refused in budget lines."""
    require_role(actor, CITY_ADMINISTRATORS, _("The catalogue is the city's."))
    errors: dict = {}
    items: dict[str, CatalogueItem] = {}
    for number, row in enumerate(rows, start=2):
        code = (row.get("代码") or "").strip().upper()
        names = [(row.get(c) or "").strip() for c in CATALOGUE_COLUMNS[1:4]]
        level = {1: 1, 3: 2, 5: 3}.get(len(code))
        if not code and not any(names):
            continue
        if level is None or not code[0].isalpha() or not (code[1:].isdigit() or level == 1):
            errors[f"row {number}"] = _("Row %(n)s: the code %(code)s is not A, A01 or A0101.") % {
                "n": number,
                "code": code or "—",
            }
            continue
        name = names[level - 1]
        if not name or any(n for i, n in enumerate(names) if i != level - 1):
            errors[f"row {number}"] = _(
                "Row %(n)s: a level-%(level)s code names its item in the level-%(level)s "
                "column only."
            ) % {"n": number, "level": level}
            continue
        parent = {1: "", 2: code[:1], 3: code[:3]}[level]
        if parent and parent not in items:
            errors[f"row {number}"] = _("Row %(n)s: its parent %(parent)s comes before it.") % {
                "n": number,
                "parent": parent,
            }
            continue
        if code in items:
            errors[f"row {number}"] = _("Row %(n)s: the code %(code)s is there twice.") % {
                "n": number,
                "code": code,
            }
            continue
        items[code] = CatalogueItem(
            code=code,
            level=level,
            name=name,
            parent_code=parent,
            excluded_reason=(rules.excluded_reason(name) or "") if level == 3 else "",
        )
    if not items and not errors:
        errors["file"] = _("No catalogue items in the file.")
    if errors:
        raise InvalidInput.of_fields(errors)
    with transaction.atomic():
        known = {i.code: i for i in CatalogueItem.objects.select_for_update()}
        made = [i for code, i in items.items() if code not in known]
        changed = []
        for code, item in items.items():
            old = known.get(code)
            if old is not None and (old.name, old.excluded_reason, old.level) != (
                item.name,
                item.excluded_reason,
                item.level,
            ):
                old.name, old.excluded_reason, old.level = (
                    item.name,
                    item.excluded_reason,
                    item.level,
                )
                old.parent_code = item.parent_code
                changed.append(old)
        CatalogueItem.objects.bulk_create(made)
        CatalogueItem.objects.bulk_update(
            changed, ["name", "excluded_reason", "level", "parent_code"]
        )
        counts = {
            "items": len(items),
            "new": len(made),
            "changed": len(changed),
            "excluded": sum(1 for i in items.values() if i.excluded_reason),
        }
        _audit(actor, "purchasing.catalogue_load", None, "", **counts)
    return counts


# ---- applications, the public notice, approval ------------------------------------------------


def _bar_reason(organization: SocialOrganization, on: date) -> str | None:
    """Why the organisation may not apply that day for its past delivery, or None."""
    failed = (
        Evaluation.objects.filter(
            contract__award__organization=organization, stage=Evaluation.FINAL, grade=Grade.FAIL
        )
        .order_by("-evaluated_on")
        .first()
    )
    if failed and on <= rules.barred_until(failed.evaluated_on):
        return _("Its project %(number)s was graded fail on %(day)s: barred until %(until)s.") % {
            "number": failed.contract.number,
            "day": failed.evaluated_on.isoformat(),
            "until": rules.barred_until(failed.evaluated_on).isoformat(),
        }
    return None


@transaction.atomic
def application_submit(
    *, actor, line: BudgetLine, organization: SocialOrganization, values: dict
) -> Application:
    """An organisation's application to a budget line of an open call: eligible that day, not
    barred, at most two a year, for no more than the line."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    call = line.call
    _in_sight(actor, call.envelope.fund.region_code)
    errors: dict = {}
    title = _text(errors, values, "title")
    summary = _text(errors, values, "summary", limit=5000, required=False)
    amount = _amount(errors, values)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "applied_on", required=True)
    if errors:
        raise InvalidInput.of_fields(errors)
    applied_on = cleaned["applied_on"]
    if not call.opens_on <= applied_on <= call.closes_on:
        errors["applied_on"] = _("The call takes applications from %(opens)s to %(closes)s.") % {
            "opens": call.opens_on.isoformat(),
            "closes": call.closes_on.isoformat(),
        }
    if amount is not None and amount > line.amount:
        errors["amount"] = _("More than the budget line: ¥%(line)s.") % {
            "line": f"{line.amount:,.2f}"
        }
    if errors:
        raise InvalidInput.of_fields(errors)
    # the organisation's row is the lock that two applications of one organisation queue on
    SocialOrganization.objects.select_for_update().get(pk=organization.pk)
    eligibility = eligibility_of(organization, applied_on)
    reasons = list(eligibility.reasons) if not eligibility.eligible else []
    if bar := _bar_reason(organization, applied_on):
        reasons.append(bar)
    made = Application.objects.filter(
        organization=organization, applied_on__year=applied_on.year
    ).count()
    if made >= rules.APPLICATIONS_PER_YEAR:
        reasons.append(
            _("It has made %(n)s applications in %(year)s already: at most %(max)s a year.")
            % {"n": made, "year": applied_on.year, "max": rules.APPLICATIONS_PER_YEAR}
        )
    if reasons:
        raise InvalidInput(
            _("%(name)s may not apply: %(reasons)s")
            % {"name": organization.name, "reasons": "; ".join(reasons)},
            details={"organization": "; ".join(reasons)},
        )
    application = Application.objects.create(
        line=line,
        organization=organization,
        title=title,
        summary=summary,
        amount=amount,
        applied_on=applied_on,
    )
    _audit(
        actor,
        "purchasing.application_submit",
        application,
        call.envelope.fund.region_code,
        organization=organization.credit_code or organization.pk,
        amount=str(amount),
    )
    return application


@transaction.atomic
def application_endorse(
    *, actor, application: Application, hub: HubOrganization | None, on: date, note: str = ""
) -> Application:
    """The responsible unit endorses: a hub the organisation belongs to that day, or (no hub) the
    district office of the organisation's domicile."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = application.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(_("This application was endorsed already."))
    if on < application.applied_on or on > _today():
        raise InvalidInput(_("The date must lie between the application and today."))
    organization = application.organization
    if hub is not None:
        member = HubMembership.objects.filter(
            hub=hub, organization=organization, joined_on__lte=on
        ).filter(Q(left_on=None) | Q(left_on__gte=on))
        if not member.exists():
            raise InvalidInput(
                _("%(name)s is not a member of %(hub)s: its responsible unit is another.")
                % {"name": organization.name, "hub": hub.name}
            )
        application.hub = hub
    else:
        application.office_code = organization.region_code[:6].ljust(12, "0")
    application.status = ApplicationStatus.ENDORSED
    application.endorsed_on = on
    application.endorsement = note.strip()[:300]
    application.save(update_fields=["hub", "office_code", "status", "endorsed_on", "endorsement"])
    _audit(
        actor,
        "purchasing.application_endorse",
        application,
        region_code,
        hub=hub.name if hub else "",
        office=application.office_code,
    )
    return application


@transaction.atomic
def notice_start(
    *, actor, call: Call, applications: list[Application], starts_on: date, ends_on: date | None
) -> Notice:
    """Publish the proposed awards of a call for at least 5 working days (the working calendar);
    without an end day, the notice runs exactly 5."""
    from shoushan.grid.registry.selectors import working_calendar

    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = call.envelope.fund.region_code
    _in_sight(actor, region_code)
    if call.notices.filter(approved_on=None).exists():
        raise Conflict(_("A notice of this call is running already."))
    if not applications:
        raise InvalidInput(_("Choose the applications proposed for award."))
    for application in applications:
        if application.line.call_id != call.pk:
            raise NotFound(str(NOT_FOUND))
        if application.status != ApplicationStatus.ENDORSED:
            raise Conflict(
                _("%(title)s is not endorsed by its responsible unit.")
                % {"title": application.title}
            )
    shortest = working_calendar().last_of_working_days(starts_on, rules.NOTICE_WORKING_DAYS)
    if ends_on is None:
        ends_on = shortest
    elif ends_on < shortest:
        raise InvalidInput(
            _("A notice runs at least 5 working days: from %(start)s, until %(end)s or later.")
            % {"start": starts_on.isoformat(), "end": shortest.isoformat()},
            details={"ends_on": shortest.isoformat()},
        )
    notice = Notice.objects.create(call=call, starts_on=starts_on, ends_on=ends_on)
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        status=ApplicationStatus.PROPOSED, notice=notice
    )
    _audit(
        actor,
        "purchasing.notice_start",
        notice,
        region_code,
        applications=[a.pk for a in applications],
        until=ends_on.isoformat(),
    )
    return notice


@transaction.atomic
def objection_raise(*, actor, notice: Notice, application: Application, on: date, text: str):
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    _in_sight(actor, notice.call.envelope.fund.region_code)
    if application.notice_id != notice.pk:
        raise NotFound(str(NOT_FOUND))
    if notice.approved_on or not notice.starts_on <= on <= notice.ends_on:
        raise Conflict(_("Objections are taken while the notice runs."))
    if not text.strip():
        raise InvalidInput(_("Write the objection."), details={"text": _("Write the objection.")})
    objection = Objection.objects.create(
        notice=notice, application=application, raised_on=on, text=text.strip()[:5000]
    )
    _audit(actor, "purchasing.objection_raise", objection, notice.call.envelope.fund.region_code)
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, on: date, answer: str, upheld: bool):
    """Answer an objection; an upheld one takes its application out of the award."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    _in_sight(actor, objection.notice.call.envelope.fund.region_code)
    if objection.answered_on:
        raise Conflict(_("This objection was answered already."))
    if not answer.strip():
        raise InvalidInput(_("Write the answer."), details={"answer": _("Write the answer.")})
    if on < objection.raised_on or on > _today():
        raise InvalidInput(_("The date must lie between the objection and today."))
    objection.answered_on, objection.answer, objection.upheld = on, answer.strip()[:5000], upheld
    objection.save(update_fields=["answered_on", "answer", "upheld"])
    _audit(
        actor,
        "purchasing.objection_answer",
        objection,
        objection.notice.call.envelope.fund.region_code,
        upheld=upheld,
    )
    return objection


@transaction.atomic
def notice_approve(*, actor, notice: Notice, on: date) -> list[Award]:
    """After the notice ends, with every objection answered: each proposed application not
    struck out by an upheld objection is awarded (eligibility and the budget checked again);
    the call's other endorsed applications are not approved."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    _in_sight(actor, notice.call.envelope.fund.region_code)
    if notice.approved_on:
        raise Conflict(_("This notice was approved already."))
    if on <= notice.ends_on or on > _today():
        raise InvalidInput(
            _("Approval comes after the notice ends (%(end)s), and not after today.")
            % {"end": notice.ends_on.isoformat()}
        )
    if notice.objections.filter(answered_on=None).exists():
        raise Conflict(_("Every objection must be answered first."))
    struck = set(notice.objections.filter(upheld=True).values_list("application_id", flat=True))
    awards = []
    for application in notice.applications.select_related("line", "organization").order_by("pk"):
        if application.pk in struck:
            application.status = ApplicationStatus.REJECTED
            application.save(update_fields=["status"])
            continue
        award = award_make(
            actor=actor,
            line=application.line,
            organization=application.organization,
            values={
                "title": application.title,
                "amount": str(application.amount),
                "decided_on": on.isoformat(),
            },
        )
        application.status, application.award = ApplicationStatus.APPROVED, award
        application.save(update_fields=["status", "award"])
        awards.append(award)
    Application.objects.filter(
        line__call=notice.call, status__in=(ApplicationStatus.SUBMITTED, ApplicationStatus.ENDORSED)
    ).update(status=ApplicationStatus.REJECTED)
    notice.approved_on = on
    notice.save(update_fields=["approved_on"])
    _audit(
        actor,
        "purchasing.notice_approve",
        notice,
        notice.call.envelope.fund.region_code,
        awards=[a.pk for a in awards],
    )
    return awards


# ---- progress reports and evaluation -----------------------------------------------------------


def _whole_number(errors: dict, values: dict, field: str, *, top: int | None, required: bool):
    text = str(values.get(field) if values.get(field) is not None else "").strip()
    if not text:
        if required:
            errors[field] = _("This field is required.")
        return None
    if not text.isdigit() or (top is not None and int(text) > top):
        errors[field] = (
            _("A whole number from 0 to %(top)s.") % {"top": top}
            if top is not None
            else _("A whole number, 0 or more.")
        )
        return None
    return int(text)


@transaction.atomic
def progress_report(*, actor, contract: Contract, values: dict) -> ProgressReport:
    """A progress report received while the contract runs: dated between the term's start and
    today, never showing less done than an earlier report, and none after the final evaluation."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = contract.award.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    errors: dict = {}
    done = _whole_number(errors, values, "done_percent", top=100, required=True)
    people = _whole_number(errors, values, "people_served", top=None, required=False)
    work_done = _text(errors, values, "work_done", limit=5000)
    problems = _text(errors, values, "problems", limit=5000, required=False)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "reported_on", required=True)
    if "reported_on" in cleaned and not contract.starts_on <= cleaned["reported_on"] <= _today():
        errors["reported_on"] = _("The date must lie between the term's start and today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.award.status != Award.ACTIVE:
        raise Conflict(_("This award was cancelled."))
    if contract.evaluations.filter(stage=Evaluation.FINAL).exists():
        raise Conflict(_("The contract has had its final evaluation; it takes no more reports."))
    earlier = (
        contract.reports.filter(reported_on__lte=cleaned["reported_on"])
        .order_by("-reported_on", "-pk")
        .first()
    )
    if earlier is not None and done is not None and done < earlier.done_percent:
        raise Conflict(
            _("The report of %(date)s showed %(done)s%% done already; progress does not go back.")
            % {"date": earlier.reported_on.isoformat(), "done": earlier.done_percent}
        )
    later = (
        contract.reports.filter(reported_on__gt=cleaned["reported_on"])
        .order_by("reported_on", "pk")
        .first()
    )
    if later is not None and done is not None and done > later.done_percent:
        raise Conflict(
            _("The report of %(date)s showed only %(done)s%% done; progress does not go back.")
            % {"date": later.reported_on.isoformat(), "done": later.done_percent}
        )
    report = ProgressReport.objects.create(
        contract=contract,
        done_percent=done,
        people_served=people,
        work_done=work_done,
        problems=problems,
        **cleaned,
    )
    _audit(
        actor,
        "purchasing.progress_report",
        report,
        region_code,
        contract=contract.number,
        done_percent=done,
    )
    return report


@transaction.atomic
def evaluation_record(*, actor, contract: Contract, values: dict) -> Evaluation:
    """The mid-term check or the final third-party evaluation, graded 优 / 良 / 合格 / 不合格; a
    final 不合格 bars the organisation's applications (rules.barred_until). The final grade is
    written to the organisation's record in the registry."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = contract.award.line.call.envelope.fund.region_code
    _in_sight(actor, region_code)
    errors: dict = {}
    stage = str(values.get("stage") or "")
    if stage not in (Evaluation.MIDTERM, Evaluation.FINAL):
        errors["stage"] = _("Choose the mid-term check or the final evaluation.")
    grade = str(values.get("grade") or "")
    if grade not in Grade.values:
        errors["grade"] = _("Choose a grade.")
    evaluator = _text(errors, values, "evaluator")
    note = _text(errors, values, "note", limit=5000, required=False)
    cleaned: dict = {}
    date_field(cleaned, errors, values, "evaluated_on", required=True)
    if not errors and not contract.starts_on <= cleaned["evaluated_on"] <= _today():
        errors["evaluated_on"] = _("The date must lie between the term's start and today.")
    if errors:
        raise InvalidInput.of_fields(errors)
    if Evaluation.objects.filter(contract=contract, stage=stage).exists():
        raise Conflict(_("This contract has that evaluation already."))
    if (
        stage == Evaluation.FINAL
        and not Evaluation.objects.filter(contract=contract, stage=Evaluation.MIDTERM).exists()
    ):
        raise Conflict(_("The final evaluation comes after the mid-term check."))
    evaluation = Evaluation.objects.create(
        contract=contract,
        stage=stage,
        grade=grade,
        evaluator=evaluator,
        note=note,
        evaluated_on=cleaned["evaluated_on"],
    )
    if stage == Evaluation.FINAL and contract.award.organization is not None:
        fund = contract.award.line.call.envelope.fund
        registry.service_record_write(
            actor=actor,
            organization=contract.award.organization,
            values={
                "project": contract.award.title,
                "buyer": fund.name,
                "reference": contract.number,
                "amount": contract.amount,
                "grade": grade,
                "evaluated_on": cleaned["evaluated_on"],
                "evaluator": evaluator,
            },
        )
    _audit(
        actor,
        "purchasing.evaluation_record",
        evaluation,
        region_code,
        contract=contract.number,
        stage=stage,
        grade=grade,
    )
    return evaluation


# ---- expert review of applications (the shared panels of `reviews`) ----------------------------

RUBRIC = [
    ["需求与目标", 20],
    ["服务方案", 30],
    ["承接能力", 20],
    ["预算合理性", 15],
    ["绩效目标", 15],
]
APPLICATION = "purchasing.application"


def _field(application: Application) -> str:
    """The level-2 catalogue entry of the application's line: the field its experts know."""
    parent = CatalogueItem.objects.filter(code=application.line.item.parent_code).first()
    return parent.name if parent else application.line.item.name


@transaction.atomic
def applications_review(*, actor, call: Call, size: int, on: date, seed: int | None = None):
    """Open a blind panel for each endorsed application of the call and draw its experts: none
    related to the applicant or its hub, stratified by field (reviews.draw)."""
    require_role(actor, PURCHASERS, NOT_PURCHASER)
    region_code = call.envelope.fund.region_code
    _in_sight(actor, region_code)
    applications = list(
        Application.objects.filter(line__call=call, status=ApplicationStatus.ENDORSED)
        .select_related("organization", "hub__organization", "line__item")
        .order_by("pk")
    )
    if not applications:
        raise InvalidInput(_("No endorsed applications to review."))
    subjects = []
    for number, application in enumerate(applications, start=1):
        bodies = [application.organization.credit_code]
        if application.hub and application.hub.organization:
            bodies.append(application.hub.organization.credit_code)
        subjects.append(
            {
                "subject_type": APPLICATION,
                "subject_id": application.pk,
                "region_code": region_code,
                "field": _field(application),
                "bodies": [b for b in bodies if b],
                "label": _("Application %(n)s of %(call)s") % {"n": number, "call": call.title},
                "rubric": RUBRIC,
            }
        )
    panels = reviews.panels_open(actor=actor, subjects=subjects)
    return reviews.panels_draw(actor=actor, panels=panels, size=size, on=on, seed=seed)
