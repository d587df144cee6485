"""The expert pool (专家库) and the review panels shared by the systems that have work assessed:
organisations' ratings, the purchase of services and research topics. An expert's work history
and declared ties decide where they must stand aside (回避); the rule is
`conflicts.conflict_reason`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Expert(models.Model):
    name = models.CharField(_("full name"), max_length=50)
    field = models.CharField(_("field"), max_length=100)
    affiliation = models.CharField(_("current institution"), max_length=200, blank=True)
    region_code = models.CharField(_("pool of"), max_length=12, db_index=True)
    is_active = models.BooleanField(_("in the pool"), default=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("expert")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Employment(models.Model):
    """Where the expert worked (or works: no end date), by the employer's credit code."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="employments")
    credit_code = models.CharField(_("employer's credit code"), max_length=18, db_index=True)
    employer = models.CharField(_("employer"), max_length=200)
    started_on = models.DateField(_("from"), null=True, blank=True)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    def __str__(self) -> str:
        return self.employer


class DeclaredTie(models.Model):
    """An interest the expert declared in a body (a relative works there, a contract, …)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="ties")
    credit_code = models.CharField(_("body's credit code"), max_length=18, db_index=True)
    description = models.CharField(_("declared interest"), max_length=300)

    def __str__(self) -> str:
        return self.description


class Panel(models.Model):
    """The experts reviewing one piece of work (an application, a topic …), named by its system
    (`subject_type`, `subject_id`). The bodies it stands for (`bodies`: the applicant's credit
    code, its hub's …) decide who must stand aside; `label` is what the experts see instead of the
    applicant's name (blind review); `rubric` lists the criteria and their maximum marks."""

    subject_type = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    region_code = models.CharField(max_length=12, db_index=True)
    field = models.CharField(_("field"), max_length=100)
    bodies = models.JSONField(default=list)
    label = models.CharField(_("blind label"), max_length=100)
    rubric = models.JSONField(default=list)  # [[criterion, maximum], …]
    # how long a former employer stays a conflict after the expert left: the reviewing system's
    # rule (3 years for purchases and topics, 2 for organisations' ratings)
    cooling_off_years = models.PositiveSmallIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review panel")
        constraints = [
            models.UniqueConstraint(fields=["subject_type", "subject_id"], name="reviews_one_panel")
        ]

    def __str__(self) -> str:
        return self.label


class Seat(models.Model):
    """An expert on a panel, drawn or assigned by hand, and the marks they gave."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="seats")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="seats")
    drawn = models.BooleanField(_("drawn at random"), default=True)
    marks = models.JSONField(default=dict)  # criterion → mark
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=2, null=True)
    scored_on = models.DateField(_("scored"), null=True, blank=True)

    class Meta:
        verbose_name = _("panel seat")
        constraints = [models.UniqueConstraint(fields=["panel", "expert"], name="reviews_one_seat")]

    def __str__(self) -> str:
        return f"{self.panel} · {self.expert}"
