"""Automatic dispatch (智能分拨): the new requests the intake model placed with confidence are
registered and dispatched without a person, along the closed loop's own moves; a dispatcher at
manual triage may accept a prediction the same way."""

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.roles import DISPATCHERS, require_role
from shoushan.core.errors import InvalidInput
from shoushan.grid.cases.routing import case_location
from shoushan.grid.cases.selectors import case_get
from shoushan.grid.cases.services import case_move
from shoushan.grid.models import Case, CaseKind, Channel, Unit
from shoushan.grid.registry.selectors import department_unit, routing_rule_unit
from shoushan.grid.workflow import Action, Stage

AUTO_DISPATCH_CHANNELS = (Channel.HOTLINE, Channel.RESIDENT, Channel.OPEN311)


def cases_auto_dispatch(*, limit: int = 1000) -> int:
    """Register and dispatch, without a person, the new requests the intake model placed with
    confidence (at or above its threshold), with the deadline of the working calendar: each to
    the unit of a routing rule for its place and category if there is one (the city's own
    decision wins), else, for a 12345 request, to the department the model predicts in the
    case's district, else as the closed loop routes it (an event to the street office, a
    component to its owner). Both moves are case events by "system" that name the model. A
    case with no unit to go to, or only one with nobody to act, goes to manual triage, where
    the dispatcher sees why. Returns how many were
    dispatched. Run every minute by the periodic jobs and after a 12345 import."""
    pending = Case.objects.filter(
        stage=Stage.REPORTED,
        channel__in=AUTO_DISPATCH_CHANNELS,
        intake_model_version__isnull=False,
        needs_triage=False,
    ).values_list("pk", flat=True)[:limit]
    dispatched = 0
    for case_id in list(pending):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("category", "grid")
                .filter(pk=case_id, stage=Stage.REPORTED)
                .first()
            )
            if case is None:  # a dispatcher or another run took it meanwhile
                continue
            by = {
                "by": f"intake model v{case.intake_model_version}",
                "confidence": case.intake_confidence,
            }
            unit = _predicted_unit(case)
            try:
                with transaction.atomic():  # both moves, or neither
                    case_move(actor=None, case_id=case.pk, action=Action.REGISTER, data=by)
                    case_move(
                        actor=None,
                        case_id=case.pk,
                        action=Action.DISPATCH,
                        unit_id=unit.pk if unit else None,
                        data=by,
                    )
            except InvalidInput:  # no unit here, or nobody in it: a dispatcher decides
                Case.objects.filter(pk=case.pk).update(needs_triage=True)
                continue
            dispatched += 1
    return dispatched


def case_dispatch_as_predicted(*, actor, case_id: int) -> Case:
    """A dispatcher at manual triage accepts the prediction: the new case is registered and
    dispatched, by them, where automatic dispatch would have sent it (a routing rule, the
    predicted department for a 12345 request, else the closed loop's route)."""
    require_role(actor, DISPATCHERS, _("Manual triage is done by the dispatching staff."))
    case = case_get(actor, case_id)
    if case.intake_model_version is None:
        raise InvalidInput(_("This case has no prediction to accept."))
    unit = _predicted_unit(case)
    with transaction.atomic():  # both moves, or neither
        case_move(actor=actor, case_id=case_id, action=Action.REGISTER, note=_("as predicted"))
        return case_move(
            actor=actor,
            case_id=case_id,
            action=Action.DISPATCH,
            unit_id=unit.pk if unit else None,
        )


def _predicted_unit(case: Case) -> Unit | None:
    """A routing rule's unit for the case, else, for a 12345 request (whose domains the model
    predicts), the unit of the department the model named in the case's district; None leaves it
    to the closed loop's route (an event or component the reporter chose goes where its category
    says)."""
    rule_unit = routing_rule_unit(
        category=case.category, region_code=case_location(case).region_code
    )
    if rule_unit is not None or not case.intake_department:
        return rule_unit
    if case.category.kind != CaseKind.REQUEST:
        return None
    return department_unit(
        district_code=case.street_id[:6] + "000000", department=case.intake_department
    )
