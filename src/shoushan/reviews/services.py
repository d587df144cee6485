"""Writes to the expert pool: each checks the actor's role and is audited."""

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.roles import ADMINISTRATORS, require_role
from shoushan.accounts.scope import in_scope
from shoushan.audit.services import audit_record
from shoushan.core.errors import InvalidInput, NotFound
from shoushan.core.validators import InvalidNumber, normalise_credit_code
from shoushan.reviews.models import DeclaredTie, Employment, Expert


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
