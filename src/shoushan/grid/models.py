import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shoushan.grid.workflow import OPEN_STAGES, Stage
from shoushan.grid.working_calendar import LimitUnit


class GridLayer(models.TextChoices):
    UNIT = "unit", _("urban-management unit grid")
    SOCIAL_SERVICE = "social_service", _("social-service grid")
    PUBLIC_SECURITY = "public_security", _("public-security grid")
    COMPREHENSIVE = "comprehensive", _("comprehensive grid")


class Grid(models.Model):
    """A grid of one layer: the community's 12 digits plus a 3-digit sequence (north→south rows,
    west→east within a row)."""

    code = models.CharField(_("grid code"), max_length=15)
    layer = models.CharField(_("layer"), max_length=20, choices=GridLayer.choices)
    community = models.ForeignKey(
        "regions.Region", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"))
    area_m2 = models.FloatField(_("area (m²)"))
    owner = models.CharField(  # 属主: the unit that owns what lies in the grid
        _("owner"),
        max_length=100,
        blank=True,
        help_text=_("Empty: the locality (the street) answers for it (属地兜底)."),
    )
    workers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("grid workers"), blank=True, related_name="grids"
    )
    is_generated = models.BooleanField(_("generated (demo)"), default=False)

    class Meta:
        ordering = ["layer", "code"]
        constraints = [models.UniqueConstraint(fields=["layer", "code"], name="unique_grid_code")]
        verbose_name = _("grid")
        verbose_name_plural = _("grids")

    def __str__(self) -> str:
        return f"{self.code} ({self.get_layer_display()})"

    @property
    def region_code(self) -> str:
        return self.code


class UnitKind(models.TextChoices):
    STREET = "street", _("street office")
    DEPARTMENT = "department", _("functional department")
    COMMUNITY = "community", _("community committee")
    OWNER = "owner", _("owner (property unit)")


class Unit(models.Model):
    """A responsible unit that cases are dispatched to: a street office, a department, …"""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=UnitKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="units"
    )

    class Meta:
        ordering = ["region_id", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unique_unit_name")]
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")

    def __str__(self) -> str:
        return self.name

    @property
    def region_code(self) -> str:
        return self.region_id


LIMIT_UNIT_CHOICES = [
    (LimitUnit.HOURS.value, _("hours")),
    (LimitUnit.DAYS.value, _("days")),
    (LimitUnit.WORKING_HOURS.value, _("working hours")),
    (LimitUnit.WORKING_DAYS.value, _("working days")),
]


class CaseKind(models.TextChoices):
    EVENT = "event", _("event")  # 事件
    COMPONENT = "component", _("component")  # 部件
    REQUEST = "request", _("12345 request")  # 12345 诉求


class Category(models.Model):
    """The case catalogue: major classes with sub-classes. Rules are data: administrators edit
    standards, time limits and default departments here."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CaseKind.choices)
    major_class = models.ForeignKey(  # 大类 of a sub-class (小类); empty for a major class
        "self",
        verbose_name=_("major class"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sub_classes",
    )
    filing_standard = models.TextField(_("filing standard (立案标准)"), blank=True)
    # What an Open311 client is asked besides the description (GeoReport v2 attributes: code,
    # datatype, required, order, description, values), checked on every request.
    attributes = models.JSONField(_("Open311 attributes"), default=list, blank=True)
    closing_standard = models.TextField(_("closing standard (结案标准)"), blank=True)
    time_limit = models.FloatField(_("time limit"), default=7)
    time_limit_unit = models.CharField(
        _("time limit unit"),
        max_length=16,
        choices=LIMIT_UNIT_CHOICES,
        default=LimitUnit.WORKING_DAYS,
    )
    default_department = models.CharField(_("default department"), max_length=100, blank=True)
    duplicate_radius_m = models.FloatField(
        _("duplicate radius (m)"),
        default=100,
        db_default=100,
        help_text=_("Reports of this category this close, within 72 hours, may be duplicates."),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RoutingRule(models.Model):
    """(region, category) → responsible unit: overrides the locality and owner defaults for every
    case of that category inside the region (the most specific region wins)."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="routing_rules")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="unique_routing_rule")
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.region_id} × {self.category.code} → {self.unit}"


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday")
    WORKING_DAY = "working_day", _("adjusted working day")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a holiday on a weekday or a working weekend day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=CalendarDayKind.choices)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-calendar day")
        verbose_name_plural = _("working-calendar days")

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


STAGE_LABELS = {
    Stage.REPORTED: pgettext_lazy("case", "reported"),
    Stage.REGISTERED: pgettext_lazy("case", "registered"),
    Stage.REJECTED: pgettext_lazy("case", "not registered"),
    Stage.DISPATCHED: pgettext_lazy("case", "dispatched"),
    Stage.RETURNED: pgettext_lazy("case", "returned"),
    Stage.ACCEPTED: pgettext_lazy("case", "accepted"),
    Stage.HANDLED: pgettext_lazy("case", "handled"),
    Stage.VERIFIED: pgettext_lazy("case", "verified"),
    Stage.CLOSED: pgettext_lazy("case", "closed"),
    Stage.MERGED: pgettext_lazy("case", "merged"),
}

ACTION_LABELS = {
    "report": pgettext_lazy("case", "report"),
    "register": pgettext_lazy("case", "register"),
    "reject": pgettext_lazy("case", "do not register"),
    "dispatch": pgettext_lazy("case", "dispatch"),
    "redispatch": pgettext_lazy("case", "re-dispatch"),
    "return": pgettext_lazy("case", "return"),
    "accept": pgettext_lazy("case", "accept"),
    "extend": pgettext_lazy("case", "extend the deadline"),
    "handle": pgettext_lazy("case", "handle"),
    "verify": pgettext_lazy("case", "verify"),
    "rework": pgettext_lazy("case", "send back for rework"),
    "close": pgettext_lazy("case", "close"),
    "reopen": pgettext_lazy("case", "reopen"),
    "escalate": pgettext_lazy("case", "escalate"),
    "merge": pgettext_lazy("case", "merge"),
}


def _new_token() -> str:
    return uuid.uuid4().hex


class Channel(models.TextChoices):
    PATROL = "patrol", _("grid patrol")
    HOTLINE = "hotline", _("12345 hotline")
    RESIDENT = "resident", _("resident report")
    OPEN311 = "open311", _("Open311 client")


class Case(models.Model):
    """A case (案件 / 工单) from any channel, located to grid, community and street."""

    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    external_id = models.CharField(_("external id"), max_length=64, blank=True, db_index=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT)
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    longitude = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
    )
    community = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.ForeignKey(
        "regions.Region", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("region code"), max_length=15, db_index=True)
    stage = models.CharField(
        _("stage"),
        max_length=12,
        choices=[(s.value, STAGE_LABELS[s]) for s in Stage],
        default=Stage.REPORTED,
        db_index=True,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    reported_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("extended"), default=False)
    reworked = models.BooleanField(_("reworked"), default=False)
    escalated = models.BooleanField(_("escalated"), default=False)
    reporter_name = models.CharField(_("reporter"), max_length=60, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    token = models.CharField(max_length=32, unique=True, default=_new_token)  # Open311 token
    # smart intake (智能分拨): what the active intake model predicted when the case arrived
    # (database defaults: bulk imports that name their columns leave these out)
    intake_domain = models.CharField(
        _("predicted domain"), max_length=50, blank=True, default="", db_default=""
    )
    intake_department = models.CharField(
        _("predicted department"), max_length=100, blank=True, default="", db_default=""
    )
    intake_confidence = models.FloatField(_("prediction confidence"), null=True, blank=True)
    intake_model_version = models.PositiveIntegerField(
        _("intake model version"), null=True, blank=True
    )
    needs_triage = models.BooleanField(
        _("needs manual triage"),
        default=False,
        db_default=False,
        db_index=True,
        help_text=_("The prediction was below the model's confidence threshold."),
    )

    is_generated = models.BooleanField(
        _("generated (demo)"), default=False, db_default=False, help_text=_("A demo case.")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )

    PERSONAL_FIELDS = {"reporter_name": "name", "reporter_phone": "phone", "reporter_email": "text"}

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["street", "reported_at"])]
        verbose_name = _("case")
        verbose_name_plural = _("cases")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """案件编号: the local date it was reported and its id, e.g. 20261126-42."""
        return f"{timezone.localtime(self.reported_at):%Y%m%d}-{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class CaseEvent(models.Model):
    """One move of a case (who, when, from, to, note), written with the move."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12)  # an Action, or report / escalate
    from_stage = models.CharField(max_length=12, blank=True)
    to_stage = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action} {self.from_stage}→{self.to_stage}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL)
    image = models.FileField(upload_to="case-photos/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.image.name


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class CaseReporter(models.Model):
    """Another person who reported the same problem: the reporter of a duplicate merged into
    the case, with their contact, so that each of them gets a return visit. The case's own
    reporter stays on the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    merged_case = models.ForeignKey(
        Case, verbose_name=_("merged case"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    reported_at = models.DateTimeField(_("reported"))
    name = models.CharField(_("reporter"), max_length=60, blank=True)
    phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    email = models.EmailField(_("reporter's email"), blank=True)
    merged_at = models.DateTimeField(_("merged"), default=timezone.now)

    PERSONAL_FIELDS = {"name": "name", "phone": "phone", "email": "text"}

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.merged_case_id}"


class ReturnVisit(models.Model):
    """回访: did the resident get what they asked for, and are they satisfied? One per reporter:
    `reporter` is empty for the case's own reporter."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="return_visits")
    reporter = models.ForeignKey(
        CaseReporter,
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="return_visits",
    )
    resolved = models.BooleanField(_("resolved"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    note = models.TextField(_("note"), blank=True)
    visited_at = models.DateTimeField(default=timezone.now)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_reporter = models.BooleanField(
        _("rated by the reporter"),
        default=False,
        db_default=False,
        help_text=_("The reporter rated the result on the follow-up page, not on a call."),
    )

    def __str__(self) -> str:
        return f"{self.case_id} {self.satisfaction}"


class Open311Key(models.Model):
    """An `api_key` for an Open311 client. Only its SHA-256 is stored."""

    name = models.CharField(_("client"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class IntakeModel(models.Model):
    """One trained version of the intake classifier (智能分拨模型): the domain of a request, its
    department and a confidence. At most one version is active. `payload` is the classifier as
    arrays and plain metadata (`IntakeClassifier.to_bytes`), never a pickle."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    training_file = models.CharField(_("training file"), max_length=255)
    training_checksum = models.CharField(_("training file SHA-256"), max_length=64)
    training_rows = models.PositiveIntegerField(_("training messages"))
    classes = models.JSONField(_("domains"), default=list)
    departments = models.JSONField(
        _("department of each domain"), default=dict, help_text=_("Domain → department.")
    )
    report = models.JSONField(_("evaluation report"), default=dict)
    threshold = models.FloatField(
        _("confidence threshold"),
        default=0.6,
        help_text=_("Cases predicted with less confidence go to manual triage."),
    )
    is_active = models.BooleanField(_("active"), default=False)
    payload = models.BinaryField(_("model"))

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_intake_model",
            )
        ]
        verbose_name = _("intake model")
        verbose_name_plural = _("intake models")

    def __str__(self) -> str:
        return f"intake model v{self.version}"


class HotlineMessage(models.Model):
    """A message as a channel received it (a 12345 web or app message with the support it
    gathered), kept for finding the month's problems. It may become a case, or not: many messages
    are consultations and suggestions that no one dispatches."""

    source = models.CharField(_("source"), max_length=40)
    external_id = models.CharField(_("message number"), max_length=64)
    title = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("message"))
    received_at = models.DateTimeField(_("received"), db_index=True)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    region_code = models.CharField(_("region code"), max_length=15, blank=True, db_index=True)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="unique_message")
        ]
        verbose_name = _("hotline message")
        verbose_name_plural = _("hotline messages")

    def __str__(self) -> str:
        return self.title or self.text[:30]


class MonthlyTheme(models.Model):
    """每月一题: the problem the city takes on for a month, chosen from the month's problems, with
    a lead department and the tasks it hands out."""

    month = models.DateField(_("month"), unique=True)  # its first day
    title = models.CharField(_("title"), max_length=200)
    keywords = models.JSONField(_("keywords"), default=list)
    messages = models.PositiveIntegerField(_("messages"))
    likes = models.PositiveIntegerField(_("likes"), default=0)
    heat = models.FloatField(_("heat"))
    message_ids = models.JSONField(_("the problem's messages"), default=list)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead department"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly theme")
        verbose_name_plural = _("monthly themes")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.title}"


class ThemeTask(models.Model):
    """One task of a monthly theme, handed to a unit with a due date."""

    theme = models.ForeignKey(MonthlyTheme, on_delete=models.CASCADE, related_name="tasks")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("task"))
    due = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        ordering = ["theme", "due", "id"]
        verbose_name = _("theme task")
        verbose_name_plural = _("theme tasks")

    def __str__(self) -> str:
        return self.description[:40]
