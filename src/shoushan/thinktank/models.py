"""Think tanks (智库建设体系): the research institutions, the city's research bases, the yearly
topics from the guide to the adopted result, and the ledger of adoptions (成果采纳) that shows
whether research changed anything."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("university")
    INSTITUTE = "institute", _("research institute")
    PRIVATE = "private", _("private research institute (民办社科研究机构)")
    SOCIETY = "society", _("social-science society (社科类社会团体)")
    OTHER = "other", _("other")


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=InstitutionKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("research institution")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ResearchBase(models.Model):
    """A social-construction research base (研究基地) recognised by the city for a period."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    host = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="bases", verbose_name=_("host")
    )
    partners = models.ManyToManyField(
        Institution, blank=True, related_name="partner_bases", verbose_name=_("partners")
    )
    field = models.CharField(_("field"), max_length=100)
    director = models.CharField(_("director"), max_length=50)
    recognised_on = models.DateField(_("recognised"))
    valid_until = models.DateField(_("recognised until"))
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("research base")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicKind(models.TextChoices):
    APPLIED = "applied", _("applied research")
    BASIC = "basic", _("basic research")


class Topic(models.Model):
    """An entry of the year's topic guide (课题指南), drafted by the city — from an indicator shown
    in red, or freely — and called for applications."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    direction = models.TextField(_("direction"), blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=TopicKind.choices)
    indicator = models.CharField(_("indicator it is meant to move"), max_length=200, blank=True)
    budget_cap = models.DecimalField(_("budget up to (yuan)"), **MONEY)
    opens_on = models.DateField(_("applications open"), null=True, blank=True)
    closes_on = models.DateField(_("applications close"), null=True, blank=True)
    line = models.ForeignKey(
        "purchasing.BudgetLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("budget line"),
    )

    class Meta:
        verbose_name = _("research topic")
        ordering = ["-year", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def called(self) -> bool:
        return self.opens_on is not None


class ProjectStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    APPROVED = "approved", _("approved, under way")
    REJECTED = "rejected", _("not approved")
    FINISHED = "finished", _("research finished")
    TERMINATED = "terminated", _("terminated")


class FinalResult(models.TextChoices):
    PASSED = "passed", _("passed the final review")
    FAILED = "failed", _("failed the final review")
    WAIVED = "waived", _("final review waived: adopted at provincial level or above")


class Project(models.Model):
    """A base's application to a topic and, once approved, the research project (课题) through its
    opening report, mid-term check, final report and final review."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="projects")
    base = models.ForeignKey(ResearchBase, on_delete=models.PROTECT, related_name="projects")
    lead = models.CharField(_("lead researcher"), max_length=50)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead researcher's institution"),
    )
    plan = models.TextField(_("research plan"))
    amount = models.DecimalField(_("amount asked (yuan)"), **MONEY)
    applied_on = models.DateField(_("applied"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProjectStatus.choices,
        default=ProjectStatus.APPLIED,
        db_index=True,
    )
    approved_on = models.DateField(_("approved"), null=True, blank=True)
    award = models.OneToOneField(
        "purchasing.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="research_project",
    )
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    opening_on = models.DateField(_("opening report"), null=True, blank=True)
    midterm_on = models.DateField(_("mid-term check"), null=True, blank=True)
    midterm_passed = models.BooleanField(_("mid-term passed"), null=True, blank=True)
    midterm_note = models.TextField(_("mid-term findings"), blank=True)
    final_report_on = models.DateField(_("final report"), null=True, blank=True)
    final_result = models.CharField(
        _("final review"), max_length=8, choices=FinalResult.choices, blank=True
    )
    final_on = models.DateField(_("final review on"), null=True, blank=True)
    ended_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for terminating"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("research project")
        ordering = ["-applied_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "base"], name="thinktank_one_bid_per_base")
        ]

    def __str__(self) -> str:
        return f"{self.topic} · {self.base}"


class Extension(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extensions")
    asked_on = models.DateField(_("asked"))
    old_end = models.DateField(_("was to end"))
    new_end = models.DateField(_("now ends"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["asked_on", "pk"]

    def __str__(self) -> str:
        return f"{self.project} → {self.new_end}"


class OutputKind(models.TextChoices):
    REPORT = "report", _("research report")
    PAPER = "paper", _("paper")
    PROPOSAL = "proposal", _("policy proposal")
    CHAPTER = "chapter", _("blue-book chapter")


class Output(models.Model):
    """A result of a project, with its file (kept like case photos: served only to readers)."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="outputs")
    kind = models.CharField(_("kind"), max_length=10, choices=OutputKind.choices)
    title = models.CharField(_("title"), max_length=200)
    authors = models.CharField(_("authors"), max_length=300)
    blue_book_year = models.PositiveSmallIntegerField(
        _("blue book of the year"), null=True, blank=True
    )
    file = models.FileField(upload_to="thinktank/%Y/%m/", blank=True)
    submitted_on = models.DateField(_("submitted"))

    class Meta:
        verbose_name = _("research output")
        ordering = ["submitted_on", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def author_list(self) -> list[str]:
        return [a for a in self.authors.replace(",", "、").replace("，", "、").split("、") if a]


class AdoptionLevel(models.TextChoices):
    DISTRICT = "district", _("district")
    CITY = "city", _("city")
    PROVINCIAL = "provincial", _("provincial or ministerial (省部级)")
    NATIONAL = "national", _("national")


class Adoption(models.Model):
    """A record that a result was taken up (成果采纳): by whom, at what level, when, under what
    reference, the written instruction (批示) if any, and the policy and indicator it fed."""

    output = models.ForeignKey(Output, on_delete=models.PROTECT, related_name="adoptions")
    adopted_by = models.CharField(_("adopted by"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=AdoptionLevel.choices)
    adopted_on = models.DateField(_("adopted"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    instruction = models.TextField(_("written instruction (批示)"), blank=True)
    instructed_by = models.CharField(_("instruction by"), max_length=100, blank=True)
    policy = models.CharField(_("policy it fed"), max_length=200, blank=True)
    indicator = models.CharField(_("indicator it is meant to move"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("adoption")
        ordering = ["-adopted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.output} · {self.adopted_by}"


class ReminderKind(models.TextChoices):
    OPENING = "opening", _("opening report overdue")
    MIDTERM = "midterm", _("mid-term check overdue")
    FINAL = "final", _("final report overdue")


class Reminder(models.Model):
    """An overdue milestone the periodic job flagged, listed for the base until it is met."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("milestone"), max_length=8, choices=ReminderKind.choices)
    due_on = models.DateField(_("due"))
    flagged_on = models.DateField(_("flagged"))
    met_on = models.DateField(_("met"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="thinktank_one_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.kind} {self.due_on}"
