"""Reading the expert pool."""

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from shoushan.accounts.scope import scope_filter
from shoushan.reviews.conflicts import Job, conflict_reason
from shoushan.reviews.models import Expert


def experts_visible(viewer) -> QuerySet[Expert]:
    return scope_filter(Expert.objects.filter(is_active=True), viewer).prefetch_related(
        "employments", "ties"
    )


def expert_conflict(expert: Expert, *, credit_code: str, on: date, years: int) -> str | None:
    """Why the expert must stand aside from the body with this code, in the reader's language."""
    found = conflict_reason(
        credit_code=credit_code,
        jobs=[
            Job(e.credit_code, e.employer, e.started_on, e.ended_on)
            for e in expert.employments.all()
        ],
        declared=[(t.credit_code, t.description) for t in expert.ties.all()],
        on=on,
        cooling_off_years=years,
    )
    if found is None:
        return None
    message, values = found
    return _(message) % values
