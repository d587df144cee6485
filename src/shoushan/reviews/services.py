"""Writes to the expert pool: each checks the actor's role and is audited."""

import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.roles import ADMINISTRATORS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.validators import InvalidNumber, normalise_credit_code
from shoushan.reviews.conflicts import Job, conflict_codes
from shoushan.reviews.draw import Candidate, Drawn, Subject, draw
from shoushan.reviews.models import DeclaredTie, Employment, Expert, Panel, Seat
from shoushan.reviews.selectors import expert_conflict


@transaction.atomic
def expert_create(
    *,
    actor,
    name: str,
    field: str,
    region_code: str,
    affiliation: str = "",
    employments: Sequence[tuple[str, str, date | None, date | None]] = (),
    ties: Sequence[tuple[str, str]] = (),
    is_generated: bool = False,
) -> Expert:
    """Add an expert to a region's pool with their work history (credit code, employer, from,
    until) and declared interests (credit code, description)."""
    require_role(actor, ADMINISTRATORS, _("Only city and district offices keep the expert pool."))
    if actor is not None and not in_scope(actor, region_code):
        raise NotFound(_("No such region in your scope."))
    if not name.strip() or not field.strip():
        raise InvalidInput(_("An expert needs a name and a field."))
    try:
        codes = [normalise_credit_code(c) for c, *_rest in employments] + [
            normalise_credit_code(c) for c, _d in ties
        ]
    except InvalidNumber as e:
        raise InvalidInput(_(str(e))) from e
    expert = Expert.objects.create(
        name=name.strip(),
        field=field.strip(),
        region_code=region_code,
        affiliation=affiliation,
        is_generated=is_generated,
    )
    Employment.objects.bulk_create(
        Employment(expert=expert, credit_code=c, employer=e, started_on=s, ended_on=u)
        for c, e, s, u in employments
    )
    DeclaredTie.objects.bulk_create(
        DeclaredTie(expert=expert, credit_code=c, description=d) for c, d in ties
    )
    audit_record(
        actor=actor,
        action="expert.create",
        obj=expert,
        region_code=region_code,
        changes={"field": field, "codes": codes},
    )
    return expert


# ---- panels: drawing, assigning, scoring -------------------------------------------------------


def panels_open(*, actor, subjects: Sequence[dict]) -> list[Panel]:
    """A panel for each subject ({subject_type, subject_id, region_code, field, bodies, label,
    rubric} and optionally cooling_off_years), or the one it has already."""
    require_role(actor, ADMINISTRATORS, _("Only city and district offices run reviews."))
    panels = []
    for subject in subjects:
        panel, _made = Panel.objects.get_or_create(
            subject_type=subject["subject_type"],
            subject_id=subject["subject_id"],
            defaults={
                k: subject[k]
                for k in ("region_code", "field", "bodies", "label", "rubric", "cooling_off_years")
                if k in subject
            },
        )
        panels.append(panel)
    return panels


def _candidates(region_code: str, on: date, cooling_off_years: int) -> list[Candidate]:
    """The active experts of the pools above the region (the city's and the district's)."""
    pools = {region_code[:2].ljust(12, "0"), region_code[:6].ljust(12, "0")}
    experts = Expert.objects.filter(is_active=True, region_code__in=pools).prefetch_related(
        "employments", "ties"
    )
    found = []
    for expert in experts:
        jobs = [
            Job(e.credit_code, e.employer, e.started_on, e.ended_on)
            for e in expert.employments.all()
        ]
        current = next((j.credit_code for j in jobs if j.ended_on is None), "")
        found.append(
            Candidate(
                id=expert.pk,
                field=expert.field,
                institution=current,
                conflicts=conflict_codes(
                    jobs=jobs,
                    declared=[(t.credit_code, t.description) for t in expert.ties.all()],
                    on=on,
                    cooling_off_years=cooling_off_years,
                ),
            )
        )
    return found


@transaction.atomic
def panels_draw(
    *, actor, panels: Sequence[Panel], size: int, on: date, seed: int | None = None
) -> Drawn:
    """Draw the empty seats of each panel from the pools (reviews.draw: stratified by field,
    conflicts excluded, load spread). The seed is recorded, so a draw can be shown to be the one
    the rule gives."""
    require_role(actor, ADMINISTRATORS, _("Only city and district offices run reviews."))
    if not 3 <= size <= 9:
        raise InvalidInput(_("A panel has 3 to 9 experts."))
    for panel in panels:
        if actor is not None and not in_scope(actor, panel.region_code):
            raise NotFound(_("No such record in your scope."))
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    by_region: dict[tuple[str, int], list[Panel]] = {}  # the pools and the conflict rule
    for panel in panels:
        by_region.setdefault((panel.region_code[:6], panel.cooling_off_years), []).append(panel)
    taken: dict[int, set[int]] = {}
    for panel_id, expert_id in Seat.objects.filter(panel__in=panels).values_list(
        "panel_id", "expert_id"
    ):
        taken.setdefault(panel_id, set()).add(expert_id)
    result = Drawn()
    rng = random.Random(seed)
    for group in by_region.values():
        drawn = draw(
            [
                Subject(
                    key=p.pk,
                    field=p.field,
                    bodies=frozenset(p.bodies),
                    taken=frozenset(taken.get(p.pk, ())),
                )
                for p in group
            ],
            _candidates(group[0].region_code, on, group[0].cooling_off_years),
            size=size,
            rng=rng,
        )
        result.seats.update(drawn.seats)
        result.short += drawn.short
    Seat.objects.bulk_create(
        Seat(panel_id=panel_id, expert_id=expert_id)
        for panel_id, experts in result.seats.items()
        for expert_id in experts
    )
    audit_record(
        actor=actor,
        action="review.draw",
        region_code=panels[0].region_code if panels else "",
        changes={"panels": len(panels), "size": size, "seed": seed, "short": len(result.short)},
    )
    return result


@transaction.atomic
def seat_assign(*, actor, panel: Panel, expert: Expert, on: date) -> Seat:
    """Seat an expert by hand; refused when the expert must stand aside from a body of the panel."""
    require_role(actor, ADMINISTRATORS, _("Only city and district offices run reviews."))
    if actor is not None and not in_scope(actor, panel.region_code):
        raise NotFound(_("No such record in your scope."))
    for code in panel.bodies:
        reason = expert_conflict(expert, credit_code=code, on=on, years=panel.cooling_off_years)
        if reason:
            raise Conflict(
                _("%(name)s must stand aside: %(reason)s.")
                % {"name": expert.name, "reason": reason}
            )
    if Seat.objects.filter(panel=panel, expert=expert).exists():
        raise Conflict(_("This expert is on the panel already."))
    seat = Seat.objects.create(panel=panel, expert=expert, drawn=False)
    audit_record(actor=actor, action="review.assign", obj=seat, region_code=panel.region_code)
    return seat


@transaction.atomic
def score_record(*, actor, seat: Seat, marks: dict, on: date) -> Seat:
    """An expert's marks on the panel's rubric, each from 0 to the criterion's maximum."""
    require_role(actor, ADMINISTRATORS, _("Only city and district offices run reviews."))
    panel = seat.panel
    if actor is not None and not in_scope(actor, panel.region_code):
        raise NotFound(_("No such record in your scope."))
    errors: dict[str, str] = {}
    cleaned: dict[str, str] = {}
    for criterion, maximum in panel.rubric:
        text = str(marks.get(criterion, "")).strip()
        try:
            mark = Decimal(text)
            if (
                not mark.is_finite()
                or mark != mark.quantize(Decimal("0.1"))
                or not (0 <= mark <= Decimal(str(maximum)))
            ):
                raise InvalidOperation
        except InvalidOperation:
            errors[criterion] = _("%(criterion)s: a mark from 0 to %(max)s (one decimal).") % {
                "criterion": criterion,
                "max": maximum,
            }
            continue
        cleaned[criterion] = str(mark)
    if errors:
        raise InvalidInput(next(iter(errors.values())), details=errors)
    seat.marks = cleaned
    seat.total = sum((Decimal(v) for v in cleaned.values()), Decimal("0"))
    seat.scored_on = on
    seat.save(update_fields=["marks", "total", "scored_on"])
    audit_record(
        actor=actor,
        action="review.score",
        obj=seat,
        region_code=panel.region_code,
        changes={"total": str(seat.total)},
    )
    return seat
