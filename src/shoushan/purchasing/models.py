"""Government purchase of social services (政府购买社会服务): the money from the year's fund down to
each payment, and the catalogue it may buy from.

fund → envelopes (one per kind of service) → calls (项目指南), each with budget lines on catalogue
items → awards to organisations → contracts with milestones → payments. Money is `Decimal` to the
fen. The sums never exceed their parent — envelopes ≤ fund, budget lines and awards ≤ envelope,
awards ≤ their line, payments ≤ contract and ≤ milestone — because every service that adds to a
sum locks the parent row first (`services`); the constraints here keep each amount positive."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shoushan.organizations.models import HubOrganization, SocialOrganization
from shoushan.organizations.models import ServiceGrade as Grade

MONEY = {"max_digits": 14, "decimal_places": 2}


def _positive(name: str, *, zero: bool = False) -> models.CheckConstraint:
    condition = Q(amount__gte=0) if zero else Q(amount__gt=0)
    return models.CheckConstraint(condition=condition, name=name)


class CatalogueItem(models.Model):
    """An entry of the guiding catalogue (北京市政府购买服务指导性目录, 京财综〔2022〕1537号):
    level 1 (A 公共服务), 2 (A10 社会治理服务) or 3 (A1003 社会工作服务). Only level 3 is bought."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    level = models.PositiveSmallIntegerField(_("level"))
    name = models.CharField(_("name"), max_length=100)
    parent_code = models.CharField(_("parent"), max_length=8, blank=True)
    excluded_reason = models.CharField(
        _("excluded because"),
        max_length=200,
        blank=True,
        help_text=_("Why the rules forbid buying it (财政部令第102号 art. 10); empty if allowed."),
    )

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Fund(models.Model):
    """A region's special fund for a year (社会建设专项资金)."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["-year", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "year"], name="purchasing_fund_year"),
            _positive("purchasing_fund_amount", zero=True),
        ]

    def __str__(self) -> str:
        return self.name


class EnvelopeKind(models.TextChoices):
    BASIC = "basic", _("basic public social services (社会基本公共服务)")
    WELFARE = "welfare", _("public-welfare social services (社会公益服务)")
    CONVENIENCE = "convenience", _("community convenience services (社区便民服务)")
    GOVERNANCE = "governance", _("social governance services (社会治理服务)")
    ADVICE = "advice", _("advice on social construction (社会建设决策咨询服务)")
    PROJECTS = "projects", _("management projects (管理项目)")
    POSTS = "posts", _("management posts (管理岗位)")


class Envelope(models.Model):
    """The part of a fund set aside for one kind of service."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="envelopes")
    kind = models.CharField(_("kind"), max_length=12, choices=EnvelopeKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("envelope")
        verbose_name_plural = _("envelopes")
        ordering = ["fund", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["fund", "kind"], name="purchasing_envelope_kind"),
            _positive("purchasing_envelope_amount", zero=True),
        ]

    def __str__(self) -> str:
        return f"{self.fund} · {self.get_kind_display()}"


class Call(models.Model):
    """A call for projects (项目指南) on an envelope, with its directions and budget lines."""

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("title"), max_length=200)
    directions = models.TextField(_("directions"), blank=True)
    opens_on = models.DateField(_("opens"))
    closes_on = models.DateField(_("closes"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="purchasing_call_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """What a call may spend on one catalogue item."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(CatalogueItem, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["call", "pk"]
        constraints = [_positive("purchasing_line_amount")]

    def __str__(self) -> str:
        return self.title


class Award(models.Model):
    """Money committed from a budget line to a supplier's project: a social organisation of the
    registry, or another supplier by name and credit code (a university or institute taking a
    research topic, an enterprise, a public institution: Miyun's 2024 budget names 53
    enterprises, 3 social organisations and 1 public institution as its suppliers)."""

    ACTIVE, CANCELLED = "active", "cancelled"

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="awards")
    organization = models.ForeignKey(
        SocialOrganization,
        on_delete=models.PROTECT,
        related_name="purchase_awards",
        null=True,
        blank=True,
    )
    supplier_name = models.CharField(_("supplier"), max_length=200, blank=True)
    supplier_code = models.CharField(_("supplier's credit code"), max_length=18, blank=True)
    title = models.CharField(_("project"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    decided_on = models.DateField(_("decided"))
    status = models.CharField(
        _("status"),
        max_length=10,
        default=ACTIVE,
        choices=[(ACTIVE, _("in force")), (CANCELLED, _("cancelled"))],
    )
    cancelled_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["-decided_on", "pk"]
        constraints = [
            _positive("purchasing_award_amount"),
            models.CheckConstraint(
                condition=Q(organization__isnull=False, supplier_name="")
                | Q(organization__isnull=True) & ~Q(supplier_name=""),
                name="purchasing_award_one_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def recipient(self) -> str:
        return self.organization.name if self.organization else self.supplier_name

    @property
    def recipient_code(self) -> str:
        return self.organization.credit_code if self.organization else self.supplier_code


class Contract(models.Model):
    """The written, published contract of an award (财政部令第102号 art. 22–24)."""

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="contract")
    number = models.CharField(_("contract number"), max_length=50, unique=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    signed_on = models.DateField(_("signed"))
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    stable = models.BooleanField(
        _("stable service with secure funding"),
        default=False,
        help_text=_("May then run up to 3 years instead of 1."),
    )
    published_at = models.URLField(_("published at"), blank=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "pk"]
        constraints = [
            _positive("purchasing_contract_amount"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="purchasing_contract_term"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Milestone(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["contract", "due_on", "pk"]
        constraints = [_positive("purchasing_milestone_amount")]

    def __str__(self) -> str:
        return self.name


class Payment(models.Model):
    """A payment made against a milestone of a contract."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField(_("paid"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    reference = models.CharField(_("voucher"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["paid_on", "pk"]
        constraints = [_positive("purchasing_payment_amount")]

    def __str__(self) -> str:
        return f"{self.contract} {self.amount}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted, awaiting its responsible unit")
    ENDORSED = "endorsed", _("endorsed by its responsible unit")
    PROPOSED = "proposed", _("proposed for award, in public notice")
    APPROVED = "approved", _("approved and awarded")
    REJECTED = "rejected", _("not approved")


class Application(models.Model):
    """An organisation's application to a call's budget line (申报), which its responsible unit
    (主责单位: a hub organisation it belongs to, or the district office of its domicile) endorses
    before it goes further."""

    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="applications")
    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.PROTECT, related_name="purchase_applications"
    )
    title = models.CharField(_("project"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    amount = models.DecimalField(_("amount asked (yuan)"), **MONEY)
    applied_on = models.DateField(_("applied"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    hub = models.ForeignKey(
        HubOrganization,
        verbose_name=_("responsible hub"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    office_code = models.CharField(_("responsible district office"), max_length=12, blank=True)
    endorsed_on = models.DateField(_("endorsed"), null=True, blank=True)
    endorsement = models.CharField(_("endorsement"), max_length=300, blank=True)
    notice = models.ForeignKey(
        "Notice", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    award = models.OneToOneField(
        Award, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["line", "pk"]
        constraints = [_positive("purchasing_application_amount")]

    def __str__(self) -> str:
        return self.title


class Notice(models.Model):
    """The public notice (公示) of a call's proposed awards: at least 5 working days."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="notices")
    starts_on = models.DateField(_("notice starts"))
    ends_on = models.DateField(_("notice ends"))
    approved_on = models.DateField(_("approved"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-starts_on", "pk"]

    def __str__(self) -> str:
        return f"{self.call} {self.starts_on}"


class Objection(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="objections"
    )
    raised_on = models.DateField(_("raised"))
    text = models.TextField(_("objection"))
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["raised_on", "pk"]

    def __str__(self) -> str:
        return f"{self.application} {self.raised_on}"


class ProgressReport(models.Model):
    """What the organisation reports while the contract runs (进展报告): the work done, how far
    the project has come and the people it served, and the problems met; the office reads them
    before the mid-term check and the final evaluation."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="reports")
    reported_on = models.DateField(_("reported"))
    done_percent = models.PositiveSmallIntegerField(_("done (%)"))
    people_served = models.PositiveIntegerField(_("people served so far"), null=True, blank=True)
    work_done = models.TextField(_("work done"))
    problems = models.TextField(_("problems and next steps"), blank=True)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["reported_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contract} {self.reported_on} {self.done_percent}%"


class Evaluation(models.Model):
    """The mid-term check or the final third-party evaluation of a contract."""

    MIDTERM, FINAL = "midterm", "final"

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="evaluations")
    stage = models.CharField(
        _("stage"),
        max_length=8,
        choices=[(MIDTERM, _("mid-term check")), (FINAL, _("final evaluation"))],
    )
    evaluator = models.CharField(_("evaluated by"), max_length=200)
    evaluated_on = models.DateField(_("evaluated"))
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    note = models.TextField(_("findings"), blank=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["evaluated_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "stage"], name="purchasing_one_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.stage} {self.grade}"
