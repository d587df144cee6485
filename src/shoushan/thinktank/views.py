"""Pages of the think tanks. Views translate: they read the request, call selectors or one
service, and render; a refused write comes back as a message on the same page."""

from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shoushan.accounts.roles import THINK_TANK_KEEPERS, has_role
from shoushan.core.errors import InvalidInput
from shoushan.core.views import act
from shoushan.organizations.validation import form_date
from shoushan.reviews.selectors import experts_visible
from shoushan.thinktank import rules, selectors, services
from shoushan.thinktank.models import (
    AdoptionLevel,
    InstitutionKind,
    OutputKind,
    TopicKind,
)
from shoushan.thinktank.services import RUBRIC


def _year(request: HttpRequest) -> int:
    text = request.GET.get("year", "")
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


def _post(request: HttpRequest, *fields: str) -> dict:
    return {f: request.POST.get(f, "").strip() for f in fields}


def _date(request: HttpRequest, field: str):
    return form_date(request.POST.get(field, ""))


def _keeper_context(request: HttpRequest) -> dict:
    return {"keeper": has_role(request.user, THINK_TANK_KEEPERS)}


def index(request: HttpRequest) -> HttpResponse:
    """The year's think tanks: the city's adoption rate, the bases with their score, the topic
    guide and the overdue milestones."""
    year = _year(request)
    bases = list(selectors.bases(request.user))
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "topic":
            values = _post(request, "title", "direction", "kind", "indicator", "budget_cap")
            act(
                request,
                lambda: (
                    services.topic_create(actor=request.user, values={**values, "year": year})
                    and _("The topic is in the guide.")
                ),
            )
        elif action == "base":

            def work() -> str:
                host = selectors.institution_get(request.user, request.POST.get("host", ""))
                services.base_create(
                    actor=request.user,
                    values={
                        **_post(request, "name", "field", "director"),
                        "host": host,
                        "recognised_on": _date(request, "recognised_on"),
                        "valid_until": _date(request, "valid_until"),
                    },
                )
                return _("The base is recorded.")

            act(request, work)
        return redirect(f"{request.path}?year={year}")
    return render(
        request,
        "thinktank/index.html",
        {
            "year": year,
            "city": selectors.city_year(request.user, year),
            "bases": [(b, selectors.base_year(b, year)) for b in bases],
            "topics": selectors.topics(request.user, year),
            "reminders": selectors.reminders_open(request.user),
            "institutions": selectors.institutions(request.user),
            "kinds": TopicKind.choices,
            **_keeper_context(request),
        },
    )


def institutions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        values = _post(request, "name", "kind", "credit_code")
        if request.POST.get("action") == "code":

            def work() -> str:
                services.institution_code_set(
                    actor=request.user,
                    institution=selectors.institution_get(
                        request.user, request.POST.get("institution", "")
                    ),
                    credit_code=values["credit_code"],
                )
                return _("The credit code is recorded.")

        else:

            def work() -> str:
                services.institution_create(actor=request.user, values=values)
                return _("The institution is recorded.")

        act(request, work)
        return redirect("thinktank:institutions")
    return render(
        request,
        "thinktank/institutions.html",
        {
            "institutions": selectors.institutions(request.user),
            "kinds": InstitutionKind.choices,
            **_keeper_context(request),
        },
    )


def base(request: HttpRequest, base_id: int) -> HttpResponse:
    found = selectors.base_get(request.user, base_id)
    year = _year(request)
    return render(
        request,
        "thinktank/base.html",
        {
            "base": found,
            "years": [(y, selectors.base_year(found, y)) for y in range(year - 2, year + 1)],
            "projects": selectors.projects_of(found),
            "reminders": selectors.reminders_of(found),
        },
    )


def topic(request: HttpRequest, topic_id: int) -> HttpResponse:
    found = selectors.topic_get(request.user, topic_id)
    if request.method == "POST":
        action = request.POST.get("action")

        def call() -> str:
            line = selectors.research_line_get(request.user, request.POST.get("line", ""))
            services.topic_call(
                actor=request.user,
                topic=found,
                line=line,
                opens_on=_date(request, "opens_on"),
                closes_on=_date(request, "closes_on"),
            )
            return _("The topic is called for applications.")

        def apply() -> str:
            services.project_apply(
                actor=request.user,
                topic=found,
                base=selectors.base_get(request.user, int(request.POST.get("base") or 0)),
                values={
                    **_post(request, "lead", "plan", "amount"),
                    "applied_on": _date(request, "applied_on"),
                },
            )
            return _("The application is recorded.")

        works: dict[str, Callable[[], str]] = {"call": call, "apply": apply}
        if action in works:
            act(request, works[action])
        return redirect("thinktank:topic", found.pk)
    results = selectors.rankings(found)
    return render(
        request,
        "thinktank/topic.html",
        {
            "topic": found,
            "projects": [(p, results.get(p.pk)) for p in selectors.projects_of(found)],
            "lines": selectors.research_lines(request.user),
            "bases": selectors.bases(request.user),
            **_keeper_context(request),
        },
    )


def project(request: HttpRequest, project_id: int) -> HttpResponse:
    found = selectors.project_get(request.user, project_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        works = _project_works(request, found)
        if action in works:
            act(request, works[action])
        return redirect("thinktank:project", found.pk)
    seats, result = selectors.panel_of(found)
    return render(
        request,
        "thinktank/project.html",
        {
            "project": found,
            "seats": seats,
            "result": result,
            "rubric": list(enumerate(RUBRIC, start=1)),
            "experts": experts_visible(request.user),
            "milestones": selectors.milestones(found),
            "extensions": found.extensions.all(),
            "outputs": found.outputs.prefetch_related("adoptions"),
            "output_kinds": OutputKind.choices,
            "levels": AdoptionLevel.choices,
            "sizes": list(rules.PANEL_SIZES),
            "provincial": services.adopted_at_provincial_level(found),
            **_keeper_context(request),
        },
    )


def _project_works(request: HttpRequest, found) -> dict[str, Callable[[], str]]:
    """The writes a project's page offers, by the form's `action`."""
    actor, post = request.user, request.POST

    def assign() -> str:
        expert = experts_visible(actor).filter(pk=int(post.get("expert") or 0)).first()
        if expert is None:
            raise InvalidInput(_("Choose the expert."))
        services.project_expert_assign(actor=actor, project=found, expert=expert)
        return _("The expert is on the panel.")

    def draw() -> str:
        size = post.get("size", "")
        services.project_experts_draw(
            actor=actor, project=found, size=int(size) if size.isdigit() else 0
        )
        return _("The panel is drawn.")

    def score() -> str:
        seat = selectors.seat_of(found, int(post.get("seat") or 0))
        marks = {c[0]: post.get(f"mark-{n}", "") for n, c in enumerate(RUBRIC, start=1)}
        services.project_score(actor=actor, seat=seat, marks=marks)
        return _("The marks are recorded.")

    def decide() -> str:
        approve = post.get("decision") == "approve"
        services.project_decide(
            actor=actor,
            project=found,
            approve=approve,
            on=_date(request, "decided_on"),
            starts_on=_date(request, "starts_on") if approve else None,
            ends_on=_date(request, "ends_on") if approve else None,
        )
        return _("The decision is recorded.")

    def opening() -> str:
        services.opening_record(actor=actor, project=found, on=_date(request, "on"))
        return _("The opening report is recorded.")

    def midterm() -> str:
        services.midterm_record(
            actor=actor,
            project=found,
            on=_date(request, "on"),
            passed=post.get("passed") == "1",
            note=post.get("note", ""),
        )
        return _("The mid-term check is recorded.")

    def final_report() -> str:
        services.final_report_record(actor=actor, project=found, on=_date(request, "on"))
        return _("The final report is recorded.")

    def final_review() -> str:
        services.final_review_record(
            actor=actor, project=found, on=_date(request, "on"), passed=post.get("passed") == "1"
        )
        return _("The final review is recorded.")

    def extend() -> str:
        services.extension_grant(
            actor=actor,
            project=found,
            asked_on=_date(request, "asked_on"),
            new_end=_date(request, "new_end"),
            reason=post.get("reason", ""),
        )
        return _("The project is extended.")

    def terminate() -> str:
        services.project_terminate(
            actor=actor, project=found, on=_date(request, "on"), reason=post.get("reason", "")
        )
        return _("The project is terminated.")

    def output() -> str:
        services.output_add(
            actor=actor,
            project=found,
            values={
                **_post(request, "kind", "title", "authors", "blue_book_year"),
                "submitted_on": _date(request, "submitted_on"),
            },
            upload=request.FILES.get("file"),
        )
        return _("The result is recorded.")

    def adoption() -> str:
        chosen = found.outputs.filter(pk=int(post.get("output") or 0)).first()
        services.adoption_record(
            actor=actor,
            output=chosen,
            values={
                **_post(
                    request,
                    "adopted_by",
                    "level",
                    "reference",
                    "instruction",
                    "instructed_by",
                    "policy",
                    "indicator",
                ),
                "adopted_on": _date(request, "adopted_on"),
            },
        )
        return _("The adoption is recorded.")

    return {
        "assign": assign,
        "draw": draw,
        "score": score,
        "decide": decide,
        "opening": opening,
        "midterm": midterm,
        "final_report": final_report,
        "final_review": final_review,
        "extend": extend,
        "terminate": terminate,
        "output": output,
        "adoption": adoption,
    }


def output_file(request: HttpRequest, output_id: int) -> FileResponse:
    """An output's file, to readers only (like case photos: never a public address)."""
    found = selectors.output_get(request.user, output_id)
    if not found.file:
        raise Http404
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=Path(found.file.name).name
    )


def adoptions(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        "thinktank/adoptions.html",
        {"year": year, "adoptions": selectors.adoptions(request.user, year=year)},
    )


def contributors(request: HttpRequest, year: int) -> HttpResponse:
    """The blue book's contributors: each chapter of the year's book with its authors."""
    selectors.reader_check(request.user)
    return render(
        request,
        "thinktank/contributors.html",
        {"year": year, "chapters": selectors.blue_book_chapters(year)},
    )
