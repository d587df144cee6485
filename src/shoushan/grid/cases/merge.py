"""Merging duplicates (合并工单): a case that reports the same problem as another is merged into
it. Nobody who reported the problem is lost: the duplicate's reporter, with their channel, order
number and contact, becomes one of the kept case's reporters (as do the reporters merged into the
duplicate before), each gets their own return visit, and both cases' histories say what
happened. The duplicate stops in stage `merged`, pointing at the kept case; it is answered
through it."""

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.roles import DISPATCHERS, has_role, require_role
from shoushan.accounts.scope import in_scope
from shoushan.core.errors import Conflict, InvalidInput, NotFound
from shoushan.core.masking import mask
from shoushan.grid.cases.services import case_event_record
from shoushan.grid.models import Case, CaseReporter, ReturnVisit
from shoushan.grid.workflow import MOVES, OPEN_STAGES, Action, Stage


def case_may_merge(actor, duplicate: Case, kept: Case) -> bool:
    """Whether the actor may merge `duplicate` into `kept` now (for offering the button)."""
    return (
        has_role(actor, DISPATCHERS)
        and duplicate.pk != kept.pk
        and (Stage(duplicate.stage), Action.MERGE) in MOVES
        and kept.stage in OPEN_STAGES
    )


def case_merge(*, actor, case_id: int, into_id: int, note: str = "") -> Case:
    """Merge case `case_id` (the duplicate) into case `into_id` (kept); returns the kept case.
    Both must lie in the actor's scope (else NotFound); the duplicate must not be handled yet
    and the kept case must be open (else Conflict). Nothing changes on refusal."""
    if case_id == into_id:
        raise InvalidInput(_("A case cannot be merged into itself."))
    require_role(actor, DISPATCHERS, _("Duplicates are merged by the dispatching staff."))
    with transaction.atomic():
        # both rows locked, in id order so that two merges of the same pair cannot deadlock
        locked = {
            pk: Case.objects.select_for_update().filter(pk=pk).first()
            for pk in sorted((case_id, into_id))
        }
        duplicate, kept = locked.get(case_id), locked.get(into_id)
        if (
            duplicate is None
            or not in_scope(actor, duplicate.region_code)
            or kept is None
            or not in_scope(actor, kept.region_code)
        ):
            raise NotFound(_("No such case in your scope."))
        if (Stage(duplicate.stage), Action.MERGE) not in MOVES:
            raise Conflict(
                _("Case %(number)s is %(stage)s: only a case not yet handled can be merged.")
                % {"number": duplicate.number, "stage": duplicate.get_stage_display()}
            )
        if kept.stage not in OPEN_STAGES:
            raise Conflict(
                _("Case %(number)s is %(stage)s: merge into a case that is still open.")
                % {"number": kept.number, "stage": kept.get_stage_display()}
            )
        reporter = CaseReporter.objects.create(
            case=kept,
            merged_case=duplicate,
            channel=duplicate.channel,
            external_id=duplicate.external_id,
            reported_at=duplicate.reported_at,
            name=duplicate.reporter_name,
            phone=duplicate.reporter_phone,
            email=duplicate.reporter_email,
        )
        earlier = list(CaseReporter.objects.filter(case=duplicate).values_list("pk", flat=True))
        CaseReporter.objects.filter(pk__in=earlier).update(case=kept)
        # return visits already made (a duplicate reopened after closure) go with their reporter
        ReturnVisit.objects.filter(case=duplicate, reporter__isnull=True).update(
            case=kept, reporter=reporter
        )
        ReturnVisit.objects.filter(case=duplicate).update(case=kept)
        from_stage = duplicate.stage
        duplicate.stage, duplicate.merged_into = Stage.MERGED, kept
        duplicate.save(update_fields=["stage", "merged_into"])
        case_event_record(
            duplicate,
            actor=actor,
            action=Action.MERGE,
            from_stage=from_stage,
            to_stage=Stage.MERGED,
            note=note,
            data={"into": kept.number},
        )
        case_event_record(
            kept,
            actor=actor,
            action=Action.MERGE,
            from_stage=kept.stage,
            to_stage=kept.stage,
            note=note,
            data={
                "merged": duplicate.number,
                "channel": duplicate.channel,
                # who, masked: the name, else the phone (a history is read by many)
                "reporter": mask(duplicate.reporter_name, "name")
                or mask(duplicate.reporter_phone, "phone"),
                "reporters_added": 1 + len(earlier),
            },
        )
    return kept
