"""Reads of intake: what was imported already, the cases waiting for manual triage, the active
model's row, and the months that have messages or cases."""

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import CITY_ADMINISTRATORS, DISPATCHERS, require_role
from shoushan.core.errors import NotFound
from shoushan.grid.cases.selectors import case_list_visible
from shoushan.grid.intake.classify import curve_at, weakest_domain_at
from shoushan.grid.models import (
    Case,
    Channel,
    HotlineMessage,
    IntakeModel,
    MonthlyTheme,
    Open311Key,
)
from shoushan.grid.workflow import Stage


def cases_already_imported(channel: str, external_ids: Iterable[str]) -> set[str]:
    """Which of these numbers a case of the channel already carries."""
    ids = [i for i in external_ids if i]
    found: set[str] = set()
    for start in range(0, len(ids), 5000):
        found |= set(
            Case.objects.filter(
                channel=channel, external_id__in=ids[start : start + 5000]
            ).values_list("external_id", flat=True)
        )
    return found


def cases_stages(case_ids: list[int]) -> dict[int, str]:
    """The stage of each case (in chunks: no huge IN list)."""
    stages: dict[int, str] = {}
    for start in range(0, len(case_ids), 5000):
        stages.update(
            Case.objects.filter(pk__in=case_ids[start : start + 5000]).values_list("pk", "stage")
        )
    return stages


def triage_cases(viewer, *, everything: bool) -> QuerySet[Case]:
    """New cases in the viewer's scope that wait for a person: predicted below the threshold, or
    (`everything`) every new case with its prediction; least confident first. For the
    dispatching staff."""
    require_role(viewer, DISPATCHERS, _("Manual triage is done by the dispatching staff."))
    cases = case_list_visible(viewer).filter(
        stage=Stage.REPORTED, intake_model_version__isnull=False
    )
    if not everything:
        cases = cases.filter(needs_triage=True)
    return cases.order_by("intake_confidence", "-reported_at", "pk")  # a total order: stable pages


def intake_model_row() -> IntakeModel | None:
    """The active model's record (its version, threshold and evaluation), without the model."""
    return IntakeModel.objects.filter(is_active=True).defer("payload").first()


def intake_model_summary(viewer) -> dict:
    """The active model for the dispatching staff (see `model_summary`); not found when none."""
    require_role(viewer, DISPATCHERS, _("Manual triage is done by the dispatching staff."))
    model = intake_model_row()
    if model is None:
        raise NotFound(_("No intake model is trained yet: run `shoushan intake train`."))
    return model_summary(model)


def model_summary(model: IntakeModel) -> dict:
    """A model's version, threshold, training file, classes and departments, and what its
    cross-validation (grouped by near-duplicates: messages unlike those it learnt from) says:
    grouped and plain macro-F1, and at its threshold the share of requests dispatched without a
    person (`auto_coverage`) and the share of those sent to the right domain
    (`auto_precision`), and the domain whose department receives the least right there
    (`weakest_domain`, `weakest_precision`); None where it was not evaluated."""
    report = model.report or {}
    found = curve_at(report.get("dispatch") or [], model.threshold)
    weakest = weakest_domain_at(report.get("dispatch_by_domain"), model.threshold)
    return {
        "version": model.version,
        "threshold": model.threshold,
        "training_file": model.training_file,
        "training_rows": model.training_rows,
        "classes": model.classes,
        "departments": model.departments,
        "grouped_macro_f1": (report.get("grouped") or {}).get("macro_f1"),
        "plain_macro_f1": (report.get("plain") or {}).get("macro_f1"),
        "target_precision": report.get("target_precision"),
        # False: too few distinct messages to keep near-duplicates apart (random folds)
        "grouped": report.get("grouped_by_near_duplicates", True),
        "auto_precision": found[0] if found else None,
        "auto_coverage": found[1] if found else None,
        "weakest_domain": weakest[0] if weakest else None,
        "weakest_precision": weakest[1] if weakest else None,
    }


def message_months() -> list[date]:
    """The months that have messages or cases, newest first."""
    months = set()
    for model, field in ((HotlineMessage, "received_at"), (Case, "reported_at")):
        for moment in model.objects.datetimes(field, "month"):  # months in local time
            months.add(timezone.localtime(moment).date().replace(day=1))
    return sorted(months, reverse=True)


def monthly_theme(month: date) -> MonthlyTheme | None:
    return MonthlyTheme.objects.filter(month=month).select_related("lead_unit").first()


def open311_keys(viewer) -> QuerySet[Open311Key]:
    """The Open311 clients' keys (their names and prefixes; keys themselves are not kept)."""
    require_role(viewer, CITY_ADMINISTRATORS, _("Only city administrators manage Open311 keys."))
    return Open311Key.objects.order_by("-created_at")


def open311_cases() -> QuerySet[Case]:
    """The requests Open311 clients submitted (only those: cases of the other channels name the
    people who reported them), with what a request's answer shows."""
    return (
        Case.objects.filter(channel=Channel.OPEN311)
        .select_related("category", "unit", "grid", "community", "street", "merged_into")
        .defer("grid__boundary", "community__boundary", "street__boundary")
    )
