"""Writes to the think tanks. Each checks the actor's role (`THINK_TANK_KEEPERS`: the city's
social-construction office), runs in one transaction and audits what it changed. A topic's money
goes through the purchasing ledger: approval is an award on the topic's budget line to the lead
researcher's institution, within the line's and the envelope's bounds."""

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shoushan.accounts.roles import THINK_TANK_KEEPERS, require_role
from shoushan.audit.services import audit_record
from shoushan.core.errors import Conflict, InvalidInput
from shoushan.core.uploads import PDF, upload_kind
from shoushan.core.validators import InvalidNumber, normalise_credit_code
from shoushan.organizations.validation import text_field as _text
from shoushan.purchasing import rules as money_rules
from shoushan.purchasing import services as purchasing
from shoushan.purchasing.models import BudgetLine, EnvelopeKind, Payment
from shoushan.reviews import services as reviews
from shoushan.reviews.models import Expert, Panel, Seat
from shoushan.thinktank import rules
from shoushan.thinktank.models import (
    Adoption,
    AdoptionLevel,
    Extension,
    FinalResult,
    Institution,
    InstitutionKind,
    Output,
    OutputKind,
    Project,
    ProjectStatus,
    Reminder,
    ReminderKind,
    ResearchBase,
    Topic,
    TopicKind,
)

NOT_KEEPER = gettext_lazy(
    "The think tanks' topics are run by the city's social-construction office."
)
RUBRIC = [
    ["选题价值", 20],
    ["研究设计", 30],
    ["研究基础", 20],
    ["预期成果与应用", 20],
    ["经费合理性", 10],
]
DOCX = (b"PK\x03\x04", "docx")  # a Word document is a zip archive
FILE_KINDS = (PDF, DOCX)


def _today() -> date:
    return timezone.localdate()


def _keeper(actor) -> None:
    require_role(actor, THINK_TANK_KEEPERS, NOT_KEEPER)


def _audit(actor, action: str, obj, **changes) -> None:
    audit_record(actor=actor, action=action, obj=obj, region_code=rules.CITY, changes=changes)


def _not_after_today(errors: dict, field: str, day: date) -> None:
    if day > _today():
        errors[field] = _("The date is after today.")


def _code(errors: dict, text: str, field: str = "credit_code") -> str:
    if not text.strip():
        return ""
    try:
        return normalise_credit_code(text)
    except InvalidNumber as e:
        errors[field] = _(str(e))
        return ""


# ---- institutions and bases ---------------------------------------------------------------------


@transaction.atomic
def institution_create(*, actor, values: dict, is_generated: bool = False) -> Institution:
    _keeper(actor)
    errors: dict = {}
    name = _text(errors, values, "name")
    kind = str(values.get("kind") or "")
    if kind not in InstitutionKind.values:
        errors["kind"] = _("Choose the kind of institution.")
    code = _code(errors, str(values.get("credit_code") or ""))
    if name and Institution.objects.filter(name=name).exists():
        errors["name"] = _("An institution of this name is recorded already.")
    if errors:
        raise InvalidInput.of_fields(errors)
    institution = Institution.objects.create(
        name=name,
        kind=kind,
        credit_code=code,
        source=str(values.get("source") or "")[:200],
        is_generated=is_generated,
    )
    _audit(actor, "thinktank.institution_create", institution, name=name)
    return institution


@transaction.atomic
def institution_code_set(*, actor, institution: Institution, credit_code: str) -> Institution:
    """Record an institution's unified social credit code (the published lists give names only;
    a topic's money is paid to the code)."""
    _keeper(actor)
    errors: dict = {}
    code = _code(errors, credit_code)
    if not code and not errors:
        errors["credit_code"] = _("This field is required.")
    if errors:
        raise InvalidInput.of_fields(errors)
    institution.credit_code = code
    institution.save(update_fields=["credit_code"])
    _audit(actor, "thinktank.institution_code", institution, credit_code=code)
    return institution


@transaction.atomic
def institutions_load(*, actor, rows: list[dict[str, str]], kind: str, source: str) -> int:
    """The institutions of a published list (its 名称 column), those not recorded yet; all or
    nothing."""
    _keeper(actor)
    if kind not in InstitutionKind.values:
        raise InvalidInput(_("Choose the kind of institution."))
    if rows and "名称" not in rows[0]:
        raise InvalidInput(_("The list needs a 名称 column."))
    names = {" ".join(r["名称"].split()) for r in rows if r.get("名称", "").strip()}
    known = set(Institution.objects.filter(name__in=names).values_list("name", flat=True))
    made = Institution.objects.bulk_create(
        Institution(name=n[:200], kind=kind, source=source[:200]) for n in sorted(names - known)
    )
    audit_record(
        actor=actor,
        action="thinktank.institutions_load",
        region_code=rules.CITY,
        changes={"source": source, "new": len(made)},
    )
    return len(made)


@transaction.atomic
def base_create(
    *, actor, values: dict, partners: Sequence[Institution] = (), is_generated: bool = False
) -> ResearchBase:
    """A research base recognised for a period, hosted by an institution with its partners."""
    _keeper(actor)
    errors: dict = {}
    name = _text(errors, values, "name")
    field = _text(errors, values, "field", limit=100)
    director = _text(errors, values, "director", limit=50)
    host = values.get("host")
    if not isinstance(host, Institution):
        errors["host"] = _("Choose the host institution.")
    recognised_on, valid_until = values.get("recognised_on"), values.get("valid_until")
    if not isinstance(recognised_on, date) or not isinstance(valid_until, date):
        errors["valid_until"] = _("Give the period of recognition.")
    elif valid_until <= recognised_on:
        errors["valid_until"] = _("The recognition ends before it starts.")
    if name and ResearchBase.objects.filter(name=name).exists():
        errors["name"] = _("A base of this name is recorded already.")
    if errors:
        raise InvalidInput.of_fields(errors)
    host = cast(Institution, host)
    base = ResearchBase.objects.create(
        name=name,
        host=host,
        field=field,
        director=director,
        recognised_on=cast(date, recognised_on),
        valid_until=cast(date, valid_until),
        is_generated=is_generated,
    )
    base.partners.set([p for p in partners if p != host])
    _audit(actor, "thinktank.base_create", base, name=name, host=host.pk)
    return base


# ---- the topic guide and the call ---------------------------------------------------------------


@transaction.atomic
def topic_create(*, actor, values: dict) -> Topic:
    """An entry of the year's guide: a title, a direction, applied or basic research, the
    indicator it is meant to move (if any) and the most a project may cost."""
    _keeper(actor)
    errors: dict = {}
    title = _text(errors, values, "title")
    direction = _text(errors, values, "direction", limit=5000, required=False)
    indicator = _text(errors, values, "indicator", required=False)
    kind = str(values.get("kind") or "")
    if kind not in TopicKind.values:
        errors["kind"] = _("Choose applied or basic research.")
    year = str(values.get("year") or "")
    if not (year.isdigit() and 2000 <= int(year) <= 2100):
        errors["year"] = _("Give the year.")
    try:
        cap = money_rules.amount_parse(values.get("budget_cap", ""))
    except InvalidNumber as e:
        errors["budget_cap"] = _(str(e))
    if errors:
        raise InvalidInput.of_fields(errors)
    topic = Topic.objects.create(
        year=int(year),
        title=title,
        direction=direction,
        kind=kind,
        indicator=indicator,
        budget_cap=cap,
    )
    _audit(actor, "thinktank.topic_create", topic, title=title, year=int(year))
    return topic


@transaction.atomic
def topics_draft(
    *, actor, year: int, indicators: list[tuple[str, str]], budget_cap: str
) -> list[Topic]:
    """Draft a topic for each indicator shown in red ((indicator, why it is red)): the city edits
    or calls them; one already drafted for the year and indicator is not drafted again."""
    _keeper(actor)
    drafted = []
    for name, why in indicators:
        if Topic.objects.filter(year=year, indicator=name).exists():
            continue
        drafted.append(
            topic_create(
                actor=actor,
                values={
                    "year": str(year),
                    "title": f"{name}的成因与改进路径研究"[:200],
                    "direction": why,
                    "kind": TopicKind.APPLIED,
                    "indicator": name,
                    "budget_cap": budget_cap,
                },
            )
        )
    return drafted


@transaction.atomic
def topic_call(*, actor, topic: Topic, line: BudgetLine, opens_on: date, closes_on: date) -> Topic:
    """Call the topic for applications, paid from a budget line of the decision-consulting
    envelope (社会建设决策咨询服务): a research project is a purchase of that service."""
    _keeper(actor)
    if topic.called:
        raise Conflict(_("The topic has been called already."))
    errors: dict = {}
    if line.call.envelope.kind != EnvelopeKind.ADVICE or not line.item.code.startswith(
        rules.RESEARCH_SERVICE
    ):
        errors["line"] = _(
            "A research topic is paid from a line of the decision-consulting envelope on the "
            "catalogue's research service (%(code)s)."
        ) % {"code": rules.RESEARCH_SERVICE}
    if topic.budget_cap > line.amount:
        errors["line"] = _("The line (¥%(line)s) is smaller than the topic's budget.") % {
            "line": f"{line.amount:,.2f}"
        }
    if closes_on < opens_on:
        errors["closes_on"] = _("The call closes before it opens.")
    if errors:
        raise InvalidInput.of_fields(errors)
    topic.line, topic.opens_on, topic.closes_on = line, opens_on, closes_on
    topic.save(update_fields=["line", "opens_on", "closes_on"])
    _audit(actor, "thinktank.topic_call", topic, line=line.pk, opens_on=opens_on.isoformat())
    return topic


# ---- applications and review ---------------------------------------------------------------------


@transaction.atomic
def project_apply(*, actor, topic: Topic, base: ResearchBase, values: dict) -> Project:
    """A base's application while the call is open, for at most the topic's budget."""
    _keeper(actor)
    errors: dict = {}
    lead = _text(errors, values, "lead", limit=50)
    plan = _text(errors, values, "plan", limit=10000)
    applied_on = values.get("applied_on")
    institution = values.get("institution") or base.host
    try:
        amount = money_rules.amount_parse(values.get("amount", ""))
    except InvalidNumber as e:
        errors["amount"] = _(str(e))
        amount = None
    if amount is not None and amount > topic.budget_cap:
        errors["amount"] = _("The topic's budget is at most ¥%(cap)s.") % {
            "cap": f"{topic.budget_cap:,.2f}"
        }
    if not isinstance(applied_on, date):
        errors["applied_on"] = _("This field is required.")
    elif (
        topic.opens_on is None
        or topic.closes_on is None
        or not topic.opens_on <= applied_on <= topic.closes_on
    ):
        errors["applied_on"] = _("The topic takes applications only while its call is open.")
    elif applied_on > base.valid_until or applied_on < base.recognised_on:
        errors["base"] = _("The base is not recognised on that day.")
    if errors:
        raise InvalidInput.of_fields(errors)
    if Project.objects.filter(topic=topic, base=base).exists():
        raise Conflict(_("This base has applied for this topic already."))
    amount, applied_on = cast(Any, amount), cast(date, applied_on)
    project = Project.objects.create(
        topic=topic,
        base=base,
        lead=lead,
        institution=institution,
        plan=plan,
        amount=amount,
        applied_on=applied_on,
    )
    _audit(actor, "thinktank.project_apply", project, base=base.pk, amount=str(amount))
    return project


def _undecided(project: Project) -> Project:
    project = Project.objects.select_related("institution", "base").get(pk=project.pk)
    if project.status != ProjectStatus.APPLIED:
        raise Conflict(_("This application has been decided already."))
    return project


def _panel(actor, project: Project) -> Panel:
    [panel] = reviews.panels_open(
        actor=actor,
        subjects=[
            {
                "subject_type": rules.PROJECT_PANEL,
                "subject_id": project.pk,
                "region_code": rules.CITY,
                "field": project.base.field,
                # the applicant's institution is not a conflict: one of its experts may sit
                # (rules.SAME_INSTITUTION_QUOTA); declared ties to it are checked here
                "bodies": [],
                "label": _("Topic %(topic)s, application %(n)s")
                % {"topic": project.topic_id, "n": project.pk},
                "rubric": RUBRIC,
            }
        ],
    )
    return panel


def _panel_problem(project: Project, expert: Expert, seated: list[Expert]) -> str | None:
    code = project.institution.credit_code
    if not code:
        return None
    if expert.ties.filter(credit_code=code).exists():
        return _("%(name)s declared an interest in %(institution)s.") % {
            "name": expert.name,
            "institution": project.institution.name,
        }
    if expert.employments.filter(credit_code=code, ended_on__isnull=True).exists():
        same = [
            e
            for e in seated
            if e.employments.filter(credit_code=code, ended_on__isnull=True).exists()
        ]
        if len(same) >= rules.SAME_INSTITUTION_QUOTA:
            return _(
                "At most %(n)s expert from the applicant's institution (%(institution)s) may "
                "sit on the panel."
            ) % {"n": rules.SAME_INSTITUTION_QUOTA, "institution": project.institution.name}
    return None


@transaction.atomic
def project_expert_assign(*, actor, project: Project, expert: Expert) -> Seat:
    _keeper(actor)
    project = _undecided(project)
    panel = _panel(actor, project)
    seated = [s.expert for s in panel.seats.select_related("expert")]
    if len(seated) >= max(rules.PANEL_SIZES):
        raise Conflict(_("A panel has at most %(n)s experts.") % {"n": max(rules.PANEL_SIZES)})
    problem = _panel_problem(project, expert, seated)
    if problem:
        raise Conflict(problem)
    return reviews.seat_assign(actor=actor, panel=panel, expert=expert, on=_today())


@transaction.atomic
def project_experts_draw(*, actor, project: Project, size: int, seed: int | None = None):
    """Draw the panel from the pools (stratified by field, one expert per institution at most —
    which keeps the quota of the applicant's institution); a drawn expert with a declared
    interest in the applicant's institution is taken off again."""
    _keeper(actor)
    if size not in rules.PANEL_SIZES:
        raise InvalidInput(_("A topic's panel has 3 to 7 experts."))
    project = _undecided(project)
    panel = _panel(actor, project)
    reviews.panels_draw(actor=actor, panels=[panel], size=size, on=_today(), seed=seed)
    code = project.institution.credit_code
    if code:
        Seat.objects.filter(
            panel=panel, scored_on__isnull=True, expert__ties__credit_code=code
        ).delete()
    return panel


@transaction.atomic
def project_score(*, actor, seat: Seat, marks: dict) -> Seat:
    _keeper(actor)
    project = Project.objects.get(pk=seat.panel.subject_id)
    if seat.panel.subject_type != rules.PROJECT_PANEL or project.status != ProjectStatus.APPLIED:
        raise Conflict(_("This application has been decided already."))
    return reviews.score_record(actor=actor, seat=seat, marks=marks, on=_today())


@transaction.atomic
def project_decide(
    *,
    actor,
    project: Project,
    approve: bool,
    on: date,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> Project:
    """Approve (with its term) or turn down an application once at least 3 experts scored it. An
    approval is an award on the topic's budget line to the lead researcher's institution."""
    _keeper(actor)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != ProjectStatus.APPLIED:
        raise Conflict(_("This application has been decided already."))
    errors: dict = {}
    _not_after_today(errors, "decided_on", on)
    scored = Seat.objects.filter(
        panel__subject_type=rules.PROJECT_PANEL, panel__subject_id=project.pk, total__isnull=False
    ).count()
    if scored < min(rules.PANEL_SIZES):
        raise Conflict(_("At least 3 experts must have scored the application."))
    if not approve:
        if errors:
            raise InvalidInput.of_fields(errors)
        project.status = ProjectStatus.REJECTED
        project.save(update_fields=["status"])
        _audit(actor, "thinktank.project_reject", project)
        return project
    if not isinstance(starts_on, date) or not isinstance(ends_on, date) or ends_on <= starts_on:
        errors["ends_on"] = _("Give the project's term: it ends after it starts.")
    if not project.institution.credit_code:
        errors["institution"] = _(
            "Record the credit code of %(institution)s first: the money is paid to it."
        ) % {"institution": project.institution.name}
    if project.topic.line is None:
        errors["topic"] = _("The topic has no budget line.")
    if errors:
        raise InvalidInput.of_fields(errors)
    if project.topic.projects.filter(
        status__in=(ProjectStatus.APPROVED, ProjectStatus.FINISHED)
    ).exists():
        raise Conflict(_("Another base's application to this topic was approved already."))
    award = purchasing.award_to_supplier(
        actor=actor,
        line=cast(BudgetLine, project.topic.line),
        name=project.institution.name,
        credit_code=project.institution.credit_code,
        values={
            "title": f"{project.topic.title}（{project.base.name}）"[:200],
            "amount": str(project.amount),
            "decided_on": on.isoformat(),
        },
    )
    project.status, project.approved_on, project.award = ProjectStatus.APPROVED, on, award
    project.starts_on, project.ends_on = starts_on, ends_on
    project.save(update_fields=["status", "approved_on", "award", "starts_on", "ends_on"])
    _audit(actor, "thinktank.project_approve", project, award=award.pk, amount=str(award.amount))
    return project


# ---- the project's checks -----------------------------------------------------------------------


def _under_way(project: Project) -> Project:
    """The project as stored, locked for the change: a page's copy may be stale."""
    project = Project.objects.select_for_update().select_related("topic").get(pk=project.pk)
    if project.status != ProjectStatus.APPROVED:
        raise Conflict(_("The project is not under way."))
    return project


def _check_day(project: Project, on: date) -> None:
    errors: dict = {}
    _not_after_today(errors, "on", on)
    if project.starts_on and on < project.starts_on:
        errors["on"] = _("The date is before the project starts.")
    if errors:
        raise InvalidInput.of_fields(errors)


def _met(project: Project, kind: str, on: date) -> None:
    Reminder.objects.filter(project=project, kind=kind, met_on__isnull=True).update(met_on=on)


@transaction.atomic
def opening_record(*, actor, project: Project, on: date) -> Project:
    """The opening report (开题报告) was held."""
    _keeper(actor)
    project = _under_way(project)
    _check_day(project, on)
    if project.opening_on:
        raise Conflict(_("The opening report is recorded already."))
    project.opening_on = on
    project.save(update_fields=["opening_on"])
    _met(project, ReminderKind.OPENING, on)
    _audit(actor, "thinktank.opening_record", project, on=on.isoformat())
    return project


@transaction.atomic
def midterm_record(*, actor, project: Project, on: date, passed: bool, note: str = "") -> Project:
    """The one mid-term check, after the opening report."""
    _keeper(actor)
    project = _under_way(project)
    _check_day(project, on)
    if not project.opening_on:
        raise Conflict(_("The mid-term check comes after the opening report."))
    if project.midterm_on:
        raise Conflict(_("The project has had its mid-term check."))
    project.midterm_on, project.midterm_passed, project.midterm_note = on, passed, note[:5000]
    project.save(update_fields=["midterm_on", "midterm_passed", "midterm_note"])
    _met(project, ReminderKind.MIDTERM, on)
    _audit(actor, "thinktank.midterm_record", project, on=on.isoformat(), passed=passed)
    return project


@transaction.atomic
def final_report_record(*, actor, project: Project, on: date) -> Project:
    """The final report, once the mid-term check was passed; due within 20 days of the end
    (a late one is recorded, and counts as late in the base's score)."""
    _keeper(actor)
    project = _under_way(project)
    _check_day(project, on)
    if not project.midterm_passed:
        raise Conflict(_("A final report comes after the mid-term check was passed."))
    if project.final_report_on:
        raise Conflict(_("The final report is recorded already."))
    project.final_report_on = on
    project.save(update_fields=["final_report_on"])
    _met(project, ReminderKind.FINAL, on)
    _audit(actor, "thinktank.final_report", project, on=on.isoformat())
    return project


def adopted_at_provincial_level(project: Project) -> bool:
    return Adoption.objects.filter(
        output__project=project, level__in=rules.PROVINCIAL_LEVELS
    ).exists()


@transaction.atomic
def final_review_record(*, actor, project: Project, on: date, passed: bool) -> Project:
    """The final review of the report: passed or failed, or waived when a provincial-level body
    (or higher) adopted a result. The project is finished either way, failed ones marked so."""
    _keeper(actor)
    project = _under_way(project)
    _check_day(project, on)
    if not project.final_report_on:
        raise Conflict(_("The final review needs the final report."))
    if adopted_at_provincial_level(project):
        result = FinalResult.WAIVED
    else:
        result = FinalResult.PASSED if passed else FinalResult.FAILED
    project.final_result, project.final_on = result, on
    project.status = ProjectStatus.FINISHED
    project.save(update_fields=["final_result", "final_on", "status"])
    _audit(actor, "thinktank.final_review", project, result=result)
    return project


@transaction.atomic
def extension_grant(
    *, actor, project: Project, asked_on: date, new_end: date, reason: str
) -> Extension:
    """Extend the end date once, asked at least 2 months before it, by at most 1 year for
    applied research (2 for basic)."""
    _keeper(actor)
    project = _under_way(project)
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), details={"reason": _("Give the reason.")})
    ends_on = cast(date, project.ends_on)  # an approved project has its term
    problem = rules.extension_problem(
        kind=project.topic.kind,
        ends_on=ends_on,
        asked_on=asked_on,
        new_end=new_end,
        extended_before=project.extensions.exists(),
    )
    if problem:
        raise InvalidInput(_(problem), details={"new_end": _(problem)})
    extension = Extension.objects.create(
        project=project,
        asked_on=asked_on,
        old_end=ends_on,
        new_end=new_end,
        reason=reason.strip()[:300],
    )
    project.ends_on = new_end
    project.save(update_fields=["ends_on"])
    Reminder.objects.filter(project=project, met_on__isnull=True).delete()  # due dates moved
    _audit(actor, "thinktank.extension", project, new_end=new_end.isoformat())
    return extension


@transaction.atomic
def project_terminate(*, actor, project: Project, on: date, reason: str) -> Project:
    """End a project for poor quality (or another stated reason); with nothing paid yet its
    award is cancelled and the money returns to the budget line."""
    _keeper(actor)
    project = _under_way(project)
    _check_day(project, on)
    if not reason.strip():
        raise InvalidInput(_("Give the reason."), details={"reason": _("Give the reason.")})
    project.status, project.ended_on = ProjectStatus.TERMINATED, on
    project.termination_reason = reason.strip()[:300]
    project.save(update_fields=["status", "ended_on", "termination_reason"])
    if project.award and not Payment.objects.filter(contract__award=project.award).exists():
        purchasing.award_cancel(
            actor=actor, award=project.award, reason=_("research project terminated")
        )
    _audit(actor, "thinktank.terminate", project, reason=project.termination_reason)
    return project


# ---- outputs and adoptions ----------------------------------------------------------------------


def _file_check(upload) -> None:
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    kind = upload_kind(upload, FILE_KINDS)
    if kind is None or kind != extension:
        raise InvalidInput(
            _("“%(name)s” is not the PDF or Word (.docx) document its name says.")
            % {"name": upload.name[:60]},
            details={"file": _("Not a PDF or .docx file.")},
        )
    if upload.size > rules.MAX_FILE_BYTES:
        raise InvalidInput(
            _("“%(name)s” is larger than 20 MB.") % {"name": upload.name[:60]},
            details={"file": _("Larger than 20 MB.")},
        )


@transaction.atomic
def output_add(*, actor, project: Project, values: dict, upload=None) -> Output:
    """A result of an approved project, with its file (PDF or .docx, at most 20 MB, its content
    what its name says)."""
    _keeper(actor)
    project = Project.objects.get(pk=project.pk)  # as stored: a page's copy may be stale
    if project.status not in (ProjectStatus.APPROVED, ProjectStatus.FINISHED):
        raise Conflict(_("Only an approved project has results."))
    errors: dict = {}
    title = _text(errors, values, "title")
    authors = _text(errors, values, "authors", limit=300)
    kind = str(values.get("kind") or "")
    if kind not in OutputKind.values:
        errors["kind"] = _("Choose the kind of result.")
    year = str(values.get("blue_book_year") or "").strip()
    if kind == OutputKind.CHAPTER and not (year.isdigit() and 2000 <= int(year) <= 2100):
        errors["blue_book_year"] = _("Give the year of the blue book the chapter is in.")
    submitted_on = values.get("submitted_on")
    if not isinstance(submitted_on, date):
        errors["submitted_on"] = _("This field is required.")
    else:
        _not_after_today(errors, "submitted_on", submitted_on)
    if errors:
        raise InvalidInput.of_fields(errors)
    if upload is not None:
        _file_check(upload)
    output = Output.objects.create(
        project=project,
        kind=kind,
        title=title,
        authors=authors,
        blue_book_year=int(year) if kind == OutputKind.CHAPTER else None,
        submitted_on=cast(date, submitted_on),
    )
    if upload is not None:
        output.file.save(f"output-{output.pk}.{upload_kind(upload, FILE_KINDS)}", upload)
    _audit(actor, "thinktank.output_add", output, title=title, kind=kind)
    return output


@transaction.atomic
def adoption_record(*, actor, output: Output | None, values: dict) -> Adoption:
    """That a result was taken up: by whom, at what level, when, under what reference, the
    written instruction (批示) if any, the policy and the indicator it fed."""
    _keeper(actor)
    if output is None:
        raise InvalidInput(
            _("An adoption is of a result: record the output first."),
            details={"output": _("Choose the result adopted.")},
        )
    errors: dict = {}
    adopted_by = _text(errors, values, "adopted_by")
    level = str(values.get("level") or "")
    if level not in AdoptionLevel.values:
        errors["level"] = _("Choose the level.")
    adopted_on = values.get("adopted_on")
    if not isinstance(adopted_on, date):
        errors["adopted_on"] = _("This field is required.")
    else:
        _not_after_today(errors, "adopted_on", adopted_on)
        if adopted_on < output.submitted_on:
            errors["adopted_on"] = _("A result is adopted after it was submitted.")
    fields = {
        "reference": _text(errors, values, "reference", limit=100, required=False),
        "instruction": _text(errors, values, "instruction", limit=5000, required=False),
        "instructed_by": _text(errors, values, "instructed_by", limit=100, required=False),
        "policy": _text(errors, values, "policy", required=False),
        "indicator": _text(errors, values, "indicator", required=False)
        or output.project.topic.indicator,
    }
    if errors:
        raise InvalidInput.of_fields(errors)
    adoption = Adoption.objects.create(
        output=output,
        adopted_by=adopted_by,
        level=level,
        adopted_on=cast(date, adopted_on),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _audit(actor, "thinktank.adoption", adoption, level=level, output=output.pk)
    return adoption


# ---- the periodic job ---------------------------------------------------------------------------


def reminders_flag(today: date | None = None) -> int:
    """Flag the milestones of projects under way that are past due and not met (the opening
    report, the mid-term check, the final report); returns how many were flagged."""
    today = today or _today()
    flagged = 0
    for project in Project.objects.filter(status=ProjectStatus.APPROVED, starts_on__isnull=False):
        starts_on, ends_on = cast(date, project.starts_on), cast(date, project.ends_on)
        due = {
            ReminderKind.OPENING: (rules.opening_due(starts_on), project.opening_on),
            ReminderKind.MIDTERM: (rules.midterm_due(starts_on, ends_on), project.midterm_on),
            ReminderKind.FINAL: (rules.final_report_due(ends_on), project.final_report_on),
        }
        for kind, (due_on, met) in due.items():
            if met is None and due_on < today:
                _made, created = Reminder.objects.get_or_create(
                    project=project, kind=kind, defaults={"due_on": due_on, "flagged_on": today}
                )
                flagged += created
    return flagged
