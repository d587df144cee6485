"""Merging duplicates (合并工单): a case that reports the same problem as another is merged into
it. Nobody who reported the problem is lost: the duplicate's reporter, with their channel, order
number and contact, becomes one of the kept case's reporters (as do the reporters merged into the
duplicate before), each gets their own return visit, and both cases' histories say what
happened. The duplicate stops in stage `merged`, pointing at the kept case; it is answered
through it."""

from django.db import transaction
from django.utils.translation import gettext as _

from shoushan.accounts.personal import personal_values
from shoushan.accounts.scope import in_scope
from shoushan.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shoushan.core.masking import mask
from shoushan.grid.cases import DISPATCHER_ROLES, _event
from shoushan.grid.models import Case, CaseReporter, ReturnVisit
from shoushan.grid.workflow import OPEN_STAGES, TRANSITIONS, Action, Stage


def case_may_merge(actor, duplicate: Case, kept: Case) -> bool:
    """Whether the actor may merge `duplicate` into `kept` now (for offering the button)."""
    return (
        (actor.is_superuser or actor.role in DISPATCHER_ROLES)
        and duplicate.pk != kept.pk
        and (Stage(duplicate.stage), Action.MERGE) in TRANSITIONS
        and kept.stage in OPEN_STAGES
    )


def case_merge(*, actor, case_id: int, into_id: int, note: str = "") -> Case:
    """Merge case `case_id` (the duplicate) into case `into_id` (kept); returns the kept case.
    Both must lie in the actor's scope (else NotFound); the duplicate must not be handled yet
    and the kept case must be open (else Conflict). Nothing changes on refusal."""
    if case_id == into_id:
        raise InvalidInput(_("A case cannot be merged into itself."))
    if not (actor.is_superuser or actor.role in DISPATCHER_ROLES):
        raise PermissionDenied(_("Duplicates are merged by the dispatching staff."))
    with transaction.atomic():
        # both rows locked, in id order so that two merges of the same pair cannot deadlock
        locked = {
            pk: Case.objects.select_for_update().filter(pk=pk).first()
            for pk in sorted((case_id, into_id))
        }
        duplicate, kept = locked.get(case_id), locked.get(into_id)
        for case in (duplicate, kept):
            if case is None or not in_scope(actor, case.region_code):
                raise NotFound(_("No such case in your scope."))
        if (Stage(duplicate.stage), Action.MERGE) not in TRANSITIONS:
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
        _event(
            duplicate,
            actor=actor,
            action=Action.MERGE,
            from_stage=from_stage,
            to_stage=Stage.MERGED,
            note=note,
            data={"into": kept.number},
        )
        _event(
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


def case_reporters(viewer, case: Case, *, reveal: bool = False) -> list[dict]:
    """Everyone who reported the case's problem, the case's own reporter first, then those merged
    in: {reporter (a CaseReporter, None for the case's own), channel, external_id, reported_at,
    case (where they reported), name, phone, email, visits (their return visits)}. Contacts are
    masked unless `reveal` and the viewer holds the permission (then each read is audited)."""
    visits: dict[int | None, list[ReturnVisit]] = {}
    for visit in case.return_visits.order_by("visited_at"):
        visits.setdefault(visit.reporter_id, []).append(visit)
    merged = list(case.reporters.select_related("merged_case"))
    show = personal_values if reveal else _masked
    own = show(viewer, [case], Case.PERSONAL_FIELDS, purpose="page")[0]
    others = show(
        viewer,
        merged,
        CaseReporter.PERSONAL_FIELDS,
        purpose="page",
        region_code_of=lambda _reporter: case.region_code,
    )
    rows = [
        {
            "reporter": None,
            "channel": case.get_channel_display(),
            "external_id": case.external_id,
            "reported_at": case.reported_at,
            "case": case,
            "name": own["reporter_name"],
            "phone": own["reporter_phone"],
            "email": own["reporter_email"],
            "visits": visits.get(None, []),
        }
    ]
    for reporter, contact in zip(merged, others, strict=True):
        rows.append(
            {
                "reporter": reporter,
                "channel": reporter.get_channel_display(),
                "external_id": reporter.external_id,
                "reported_at": reporter.reported_at,
                "case": reporter.merged_case,
                **contact,
                "visits": visits.get(reporter.pk, []),
            }
        )
    return rows


def _masked(_viewer, records, fields, *, purpose, region_code_of=None) -> list[dict[str, str]]:
    return [{f: mask(getattr(r, f), kind) for f, kind in fields.items()} for r in records]
