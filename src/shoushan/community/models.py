"""Community building (社区建设体系): profiles, 三有一化 rules, the service catalogue and its
checklists, and the facilities registry. Every scoped record is reached through a region code."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shoushan.regions.models import Region

DEFAULT_STANDARDISATION_ITEMS = [
    {"code": "signage", "label": "统一标识标牌"},
    {"code": "open_affairs", "label": "居务公开栏"},
    {"code": "service_hall", "label": "一站式服务大厅"},
    {"code": "rules", "label": "工作制度上墙"},
    {"code": "records", "label": "台账规范"},
]


class CommunityProfile(models.Model):
    """The facts of one community or village (社区/村): its kind and urban-rural class come from
    the region; the rest is kept here. Created on the first edit or import."""

    region = models.OneToOneField(
        Region,
        verbose_name=_("community"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="community_profile",
        limit_choices_to={"level": "community"},
    )
    households = models.PositiveIntegerField(_("households"), null=True, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    premises_m2 = models.DecimalField(
        _("premises area (m²)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    annual_funds = models.DecimalField(
        _("annual funds (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    built_on = models.DateField(_("established on"), null=True, blank=True)
    standardisation_items = models.JSONField(
        _("standardisation items met"), default=list, blank=True
    )
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Made up for the demo, not real figures.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    PERSONAL_FIELDS = {"secretary_name": "name"}

    class Meta:
        verbose_name = _("community profile")
        verbose_name_plural = _("community profiles")

    def __str__(self) -> str:
        return str(self.region)

    @property
    def region_code(self) -> str:
        return self.region_id


class StandardsRule(models.Model):
    """The thresholds of 三有一化 (community_standards), as data the city administrator edits.
    One row (pk=1) is in force."""

    min_staff = models.PositiveIntegerField(_("minimum staff"), default=1)
    min_premises_m2 = models.DecimalField(
        _("minimum premises (m²)"), max_digits=9, decimal_places=1, default=350
    )
    newer_since = models.DateField(
        _("stricter premises rule for communities established from"), null=True, blank=True
    )
    newer_min_premises_m2 = models.DecimalField(
        _("minimum premises for those (m²)"), max_digits=9, decimal_places=1, default=500
    )
    min_funds = models.DecimalField(
        _("minimum annual funds (yuan)"), max_digits=14, decimal_places=2, default=0
    )
    standardisation_items = models.JSONField(_("standardisation items"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("community standards rule")
        verbose_name_plural = _("community standards rules")

    def __str__(self) -> str:
        return f"≥{self.min_staff} / ≥{self.min_premises_m2} m² / >{self.min_funds}"


class CatalogueVersion(models.Model):
    """One version of the service catalogue (1060 工程 / 社区基本公共服务指导目录). A published
    version is frozen; edits go into a draft copied from it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    published = models.BooleanField(_("published"), default=False)
    is_reference = models.BooleanField(
        _("reference catalogue"),
        default=False,
        help_text=_("Compiled from public guidance; not the official 1060 list."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-published", "-created_at", "-id"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        return self.name


class CatalogueCategory(models.Model):
    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        unique_together = [("version", "code")]
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LifeCircle(models.IntegerChoices):
    """生活圈 (GB 50180-2018): the walk within which a service should be reached."""

    FIVE = 5, _("5-minute life circle")
    TEN = 10, _("10-minute life circle")
    FIFTEEN = 15, _("15-minute life circle")


class CatalogueItem(models.Model):
    category = models.ForeignKey(CatalogueCategory, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    life_circle = models.PositiveSmallIntegerField(
        _("life circle"), choices=LifeCircle.choices, null=True, blank=True
    )
    facility_category = models.CharField(
        _("facility category"),
        max_length=40,
        blank=True,
        help_text=_("The facility category (service circle) that provides this item, if any."),
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        unique_together = [("category", "code")]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogueSubItem(models.Model):
    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="sub_items")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        unique_together = [("item", "code")]
        verbose_name = _("catalogue sub-item")
        verbose_name_plural = _("catalogue sub-items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ChecklistStatus(models.TextChoices):
    PROVIDED = "provided", _("provided")
    NEARBY = "nearby", _("provided nearby")
    NOT_PROVIDED = "not_provided", _("not provided")


class ChecklistEntry(models.Model):
    """Whether one community provides one catalogue item, with the evidence."""

    community = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="checklist_entries"
    )
    item = models.ForeignKey(CatalogueItem, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(_("status"), max_length=16, choices=ChecklistStatus.choices)
    evidence = models.TextField(_("evidence"), blank=True)
    evidence_url = models.CharField(_("evidence link or file name"), max_length=300, blank=True)
    # a scan or photo of the evidence (PDF, JPEG or PNG), served only inside the viewer's scope
    evidence_file = models.FileField(
        _("evidence file"), upload_to="checklist-evidence/%Y/", blank=True, max_length=200
    )
    generated = models.BooleanField(_("generated"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        unique_together = [("community", "item")]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")

    def __str__(self) -> str:
        return f"{self.community_id} {self.item.code} {self.status}"


class FacilitySource(models.TextChoices):
    CSV = "csv", _("CSV file")
    GEOJSON = "geojson", _("GeoJSON file")
    OSM = "osm", _("OpenStreetMap")
    MANUAL = "manual", _("entered by hand")
    GENERATED = "generated", _("generated for the demo")


class Facility(models.Model):
    """A community service facility (社区服务设施) with its location in WGS84."""

    external_id = models.CharField(_("source id"), max_length=64, blank=True, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=40, db_index=True)
    item = models.ForeignKey(
        CatalogueItem,
        verbose_name=_("catalogue item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    longitude = models.FloatField(_("longitude (WGS84)"))
    latitude = models.FloatField(_("latitude (WGS84)"))
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    community = models.ForeignKey(
        Region,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilities",
    )
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=12, choices=FacilitySource.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["region_code", "category", "name", "id"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")

    def __str__(self) -> str:
        return self.name

    @property
    def generated(self) -> bool:
        return self.source == FacilitySource.GENERATED
