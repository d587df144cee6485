"""Social organisations (社会组织建设体系): the registry with its dated status events, annual
inspections, administrative penalties, credit lists and ratings; hub organisations and their
members; incubation; commercial-building workstations.

Every record that belongs somewhere carries the region code of its place (`region_code`), so the
one scope helper decides who sees it. An organisation's current status is kept on its row for
listing, but it changes only with a `StatusEvent`, and the registry of a past day is read from the
events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("social group (社会团体)")
    SOCIAL_SERVICE = (
        "social_service",
        _("social service institution (社会服务机构 / 民办非企业单位)"),
    )
    FOUNDATION = "foundation", _("foundation (基金会)")


class OrganizationStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    SUSPENDED = "suspended", _("suspended")
    DEREGISTERED = "deregistered", _("deregistered")
    REVOKED = "revoked", _("registration revoked")


class Field(models.TextChoices):
    """The civil-affairs statistics' fields of activity (社会组织行业分类)."""

    SCIENCE = "science", _("science and research")
    ENVIRONMENT = "environment", _("ecology and environment")
    EDUCATION = "education", _("education sector")
    HEALTH = "health", _("health")
    SOCIAL_SERVICE = "social_service", _("social services")
    CULTURE = "culture", _("culture")
    SPORTS = "sports", _("sports")
    LAW = "law", _("law")
    BUSINESS = "business", _("industry and commerce services")
    RELIGION = "religion", _("religion")
    RURAL = "rural", _("agriculture and rural development")
    PROFESSIONAL = "professional", _("occupational and professional")
    INTERNATIONAL = "international", _("international and foreign-related")
    OTHER = "other", _("other")


class SocialOrganization(models.Model):
    """社会组织: a body registered by a civil-affairs bureau (登记管理机关)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        help_text=_("Empty only for a published list entry that gave no code."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    authority_code = models.CharField(
        _("registration authority"),
        max_length=12,
        help_text=_("The region of the civil-affairs bureau that registered it: city or district."),
    )
    region_code = models.CharField(_("domicile"), max_length=12, db_index=True)
    field = models.CharField(
        _("field of activity"), max_length=16, choices=Field.choices, default=Field.OTHER
    )
    business_scope = models.TextField(_("business scope"), blank=True)
    registered_on = models.DateField(_("registration date"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrganizationStatus.choices,
        default=OrganizationStatus.REGISTERED,
        db_index=True,
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("Where the record came from.")
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    PERSONAL_FIELDS = {
        "legal_representative": "name",
        "contact_name": "name",
        "contact_phone": "phone",
    }

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organization_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def level(self) -> str:
        """城市级 or 区级: which level's civil-affairs bureau registered it."""
        return "city" if self.authority_code[4:6] == "00" else "district"


class StatusEventKind(models.TextChoices):
    REGISTER = "register", _("registered")
    SUSPEND = "suspend", _("suspended")
    RESUME = "resume", _("suspension lifted")
    DEREGISTER = "deregister", _("deregistered")
    REVOKE = "revoke", _("registration revoked")


class StatusEvent(models.Model):
    """A dated change of an organisation's status; the registry of a past day is read from these."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="status_events"
    )
    kind = models.CharField(_("event"), max_length=12, choices=StatusEventKind.choices)
    on = models.DateField(_("date"))
    status = models.CharField(_("status after"), max_length=16, choices=OrganizationStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "pk"]
        indexes = [models.Index(fields=["organization", "on"])]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("passed (合格)")
    BASICALLY_PASSED = "basically_passed", _("basically passed (基本合格)")
    FAILED = "failed", _("failed (不合格)")


class RectificationOutcome(models.TextChoices):
    RECTIFIED = "rectified", _("rectified")
    NOT_RECTIFIED = "not_rectified", _("not rectified")


class AnnualInspection(models.Model):
    """年检 / 年报 of one year: submitted, decided, and for a result other than 合格 the
    rectification due three months after the decision and its outcome."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="inspections"
    )
    year = models.PositiveSmallIntegerField(_("year reported on"))
    due_on = models.DateField(_("due"))
    submitted_on = models.DateField(_("submitted"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=InspectionResult.choices, blank=True
    )
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    rectification_due = models.DateField(_("rectification due"), null=True, blank=True)
    rectification_outcome = models.CharField(
        _("rectification outcome"), max_length=16, choices=RectificationOutcome.choices, blank=True
    )
    rectified_on = models.DateField(_("rectification checked"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="inspection_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.year}"


class Penalty(models.Model):
    """An administrative penalty (行政处罚) decided against the organisation."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="penalties"
    )
    decided_on = models.DateField(_("decided"))
    kind = models.CharField(_("penalty"), max_length=100)
    reference = models.CharField(_("decision number"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-decided_on"]

    def __str__(self) -> str:
        return f"{self.decided_on} {self.kind}"


class ServiceGrade(models.TextChoices):
    """The grades of a purchased service's evaluation (优 / 良 / 合格 / 不合格)."""

    EXCELLENT = "excellent", _("excellent (优)")
    GOOD = "good", _("good (良)")
    PASS = "pass", _("pass (合格)")
    FAIL = "fail", _("fail (不合格)")


class ServiceRecord(models.Model):
    """A government-purchased service the organisation delivered and the grade of its final
    third-party evaluation: written here by the purchase of services, so that the registry, the
    next buyer and the raters see the organisation's record of delivery."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="service_records"
    )
    project = models.CharField(_("project"), max_length=200)
    buyer = models.CharField(_("bought by"), max_length=200)
    reference = models.CharField(_("contract number"), max_length=50)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=10, choices=ServiceGrade.choices)
    evaluated_on = models.DateField(_("evaluated"))
    evaluator = models.CharField(_("evaluated by"), max_length=200)

    class Meta:
        verbose_name = _("service delivered")
        ordering = ["-evaluated_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"], name="organizations_one_record_per_contract"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.grade}"


class CreditList(models.TextChoices):
    ABNORMAL = "abnormal", _("abnormal activity list (活动异常名录)")
    DISHONEST = "dishonest", _("seriously dishonest list (严重违法失信名单)")


class CreditListEntry(models.Model):
    """A stay on a credit list: entered with a reason, left (or not yet) with a reason."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="list_entries"
    )
    list = models.CharField(_("list"), max_length=10, choices=CreditList.choices)
    entered_on = models.DateField(
        _("entered"),
        null=True,
        blank=True,
        help_text=_("Empty only where the published list gave no date."),
    )
    entry_reason = models.CharField(_("reason of entry"), max_length=300)
    exited_on = models.DateField(_("taken off the list"), null=True, blank=True)
    exit_reason = models.CharField(_("reason of exit"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-entered_on", "pk"]
        indexes = [models.Index(fields=["list", "exited_on"])]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.list}"


class RatingEnd(models.TextChoices):
    SUPERSEDED = "superseded", _("replaced by a new grade")
    DOWNGRADED = "downgraded", _("downgraded")
    LOST = "lost", _("grade withdrawn")


class Rating(models.Model):
    """评估等级 1A–5A, valid five years from the decision; shown as none once expired or ended."""

    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="ratings"
    )
    grade = models.PositiveSmallIntegerField(_("grade (A)"))
    # Empty only for a grade from a published list that gave no dates: shown as published,
    # its validity unknown.
    awarded_on = models.DateField(_("awarded"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    application = models.OneToOneField(
        "RatingApplication", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authority = models.CharField(_("rated by"), max_length=100, blank=True)
    ended_on = models.DateField(_("ended"), null=True, blank=True)
    end = models.CharField(_("how it ended"), max_length=12, choices=RatingEnd.choices, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=5), name="rating_grade_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grade}A"


class RoundStatus(models.TextChoices):
    OPEN = "open", _("taking applications")
    ASSESSING = "assessing", _("assessing")
    NOTICE = "notice", _("public notice")
    CLOSED = "closed", _("closed: grades in force")


class RatingRound(models.Model):
    """A rating round run by a city or district civil-affairs bureau."""

    name = models.CharField(_("name"), max_length=200)
    authority_code = models.CharField(_("run by"), max_length=12)
    region_code = models.CharField(max_length=12, db_index=True)
    opens_on = models.DateField(_("applications open"))
    closes_on = models.DateField(_("applications close"))
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    notice_starts_on = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    DECIDED = "decided", _("decided by the committee")
    RATED = "rated", _("grade in force")


class RatingApplication(models.Model):
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="applications")
    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="rating_applications"
    )
    applied_on = models.DateField(_("applied"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    decided_grade = models.PositiveSmallIntegerField(
        _("committee's grade"), null=True, blank=True, help_text=_("0: no grade.")
    )
    decision_note = models.CharField(_("committee's note"), max_length=300, blank=True)

    class Meta:
        ordering = ["organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organization"], name="one_application_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.organization_id}"


class RatingObjection(models.Model):
    """An objection raised during the public notice, and the committee's answer."""

    application = models.ForeignKey(
        RatingApplication, on_delete=models.CASCADE, related_name="objections"
    )
    raised_on = models.DateField(_("raised"))
    text = models.TextField(_("objection"))
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application_id} {self.raised_on}"


class HubLevel(models.TextChoices):
    CITY = "city", _("city-level")
    DISTRICT = "district", _("district-level")


class HubOrganization(models.Model):
    """枢纽型社会组织: a recognised hub leading the organisations of its field."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=HubLevel.choices)
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    field = models.CharField(_("field of activity"), max_length=100)
    batch = models.PositiveSmallIntegerField(_("batch recognised in"), null=True, blank=True)
    recognised_on = models.DateField(_("recognised"), null=True, blank=True)
    organization = models.ForeignKey(
        SocialOrganization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["level", "batch", "name"]

    def __str__(self) -> str:
        return self.name


class HubMembership(models.Model):
    hub = models.ForeignKey(HubOrganization, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        SocialOrganization, on_delete=models.CASCADE, related_name="hub_memberships"
    )
    joined_on = models.DateField(_("joined"))
    left_on = models.DateField(_("left the hub"), null=True, blank=True)

    class Meta:
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.hub_id}/{self.organization_id}"


class IncubatorKind(models.TextChoices):
    CENTRE = "centre", _("incubation centre (孵化中心)")
    BASE = "base", _("incubation base (孵化基地)")


class Incubator(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=8, choices=IncubatorKind.choices)
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    operator = models.CharField(_("run by"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class IncubationOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("in incubation")
    REGISTERED = "registered", _("registered")
    LEFT = "left", _("left")
    FAILED = "failed", _("failed")


class Incubation(models.Model):
    """A group's stay in an incubator; a group that registers is linked to its registry record."""

    incubator = models.ForeignKey(Incubator, on_delete=models.CASCADE, related_name="incubations")
    name = models.CharField(_("group"), max_length=200)
    field = models.CharField(_("field of activity"), max_length=16, choices=Field.choices)
    entered_on = models.DateField(_("admitted"))
    exited_on = models.DateField(_("left the incubator"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=12,
        choices=IncubationOutcome.choices,
        default=IncubationOutcome.IN_PROGRESS,
    )
    organization = models.ForeignKey(
        SocialOrganization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        ordering = ["-entered_on"]

    def __str__(self) -> str:
        return self.name


class CommercialBuilding(models.Model):
    """A commercial office building (商务楼宇) of a street."""

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=200, blank=True)
    region_code = models.CharField(_("street"), max_length=12, db_index=True)
    longitude = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    point_estimated = models.BooleanField(
        _("point estimated"), default=False, help_text=_("Placed near its street's point.")
    )
    enterprise_count = models.PositiveIntegerField(_("enterprises inside"), default=0)
    organization_count = models.PositiveIntegerField(_("social organisations inside"), default=0)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


class BuildingWorkstation(models.Model):
    """商务楼宇工作站: the social-work station serving a building's firms and staff."""

    building = models.OneToOneField(
        CommercialBuilding, on_delete=models.CASCADE, related_name="workstation"
    )
    name = models.CharField(_("name"), max_length=200)
    opened_on = models.DateField(_("opened"))
    staff_count = models.PositiveSmallIntegerField(_("staff"), default=0)

    def __str__(self) -> str:
        return self.name


class TenantKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    ORGANIZATION = "organization", _("social organisation")


class BuildingTenant(models.Model):
    """A named enterprise or organisation inside a building (where it is known)."""

    building = models.ForeignKey(
        CommercialBuilding, on_delete=models.CASCADE, related_name="tenants"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=TenantKind.choices)
    organization = models.ForeignKey(
        SocialOrganization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class WorkstationService(models.Model):
    """A service the workstation gave: a policy briefing, a job fair, a volunteer activity …"""

    workstation = models.ForeignKey(
        BuildingWorkstation, on_delete=models.CASCADE, related_name="services"
    )
    on = models.DateField(_("date"))
    title = models.CharField(_("service"), max_length=200)
    participants = models.PositiveIntegerField(_("participants"), default=0)

    class Meta:
        ordering = ["-on"]

    def __str__(self) -> str:
        return self.title
