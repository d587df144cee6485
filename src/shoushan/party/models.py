"""Party-building coverage (党建工作体系): the units party building must reach, the party
organisations that cover them, instructors and their visits, the status each social organisation
reports with its registration, inspection or rating (三个同步), and regional alliances.

A unit (`Unit`) is the party app's record of a street, a community, a social organisation, a
commercial building or a non-public enterprise: it names the source record and keeps what party
building needs of it (members working there, union and youth-league work, the instructor). Its
coverage is derived by `selectors.derived_coverage` from the organisations covering it and stored
with it by the service that changed any of them, in the same transaction. No party member's
personal data is kept, only counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shoushan.organizations.models import CommercialBuilding, Field, SocialOrganization
from shoushan.party.rules import JOINT, NONE, OWN, WORK


class Sector(models.TextChoices):
    STREET = "street", _("street / town")
    COMMUNITY = "community", _("community / village")
    ORGANIZATION = "organization", _("social organisation")
    ENTERPRISE = "enterprise", _("non-public enterprise")
    BUILDING = "building", _("commercial building")


COVERAGE_CHOICES = [
    (OWN, _("own organisation")),
    (JOINT, _("joint organisation")),
    (WORK, _("work coverage only")),
    (NONE, _("none")),
]


class Enterprise(models.Model):
    """非公有制企业: a non-public enterprise of a street, registered here for party building."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    region_code = models.CharField(_("street"), max_length=12, db_index=True)
    operating = models.BooleanField(_("operating"), default=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    building = models.ForeignKey(
        CommercialBuilding,
        verbose_name=_("commercial building"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("non-public enterprise")
        verbose_name_plural = _("non-public enterprises")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit party building must reach. `key` names it in files: the region code of a street or
    community, the credit code of an organisation or enterprise, `building-<id>` of a building."""

    sector = models.CharField(_("sector"), max_length=12, choices=Sector.choices)
    key = models.CharField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("region"), max_length=12, db_index=True)
    field = models.CharField(
        _("field of activity"), max_length=16, choices=Field.choices, blank=True
    )
    operating = models.BooleanField(
        _("operating"), default=True, help_text=_("Only operating units count in a rate.")
    )
    full_members = models.PositiveIntegerField(_("full party members working here"), default=0)
    union_work = models.BooleanField(_("trade-union work"), default=False)
    youth_league_work = models.BooleanField(_("youth-league work"), default=False)
    instructor = models.ForeignKey(
        "Instructor",
        verbose_name=_("party-building instructor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    organization = models.OneToOneField(
        SocialOrganization, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    building = models.OneToOneField(
        CommercialBuilding, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enterprise = models.OneToOneField(
        Enterprise, null=True, blank=True, on_delete=models.CASCADE, related_name="unit"
    )
    # Derived from the organisations covering the unit, its instructor and its union and
    # youth-league work (selectors.derived_coverage), and stored by every service that changes one
    # of them: a city's rates then come from one grouped scan, not a subquery per unit.
    coverage = models.CharField(
        _("coverage"), max_length=8, choices=COVERAGE_CHOICES, default=NONE, editable=False
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["region_code", "sector", "name"]
        indexes = [
            # all that the rates group by: the city's count reads the index alone
            models.Index(fields=["operating", "region_code", "sector", "field", "coverage"]),
            models.Index(fields=["operating", "coverage", "region_code"]),
        ]

    def __str__(self) -> str:
        return self.name


class PartyKind(models.TextChoices):
    COMMITTEE = "committee", _("primary party committee (基层党委)")
    GENERAL_BRANCH = "general_branch", _("general party branch (党总支)")
    BRANCH = "branch", _("party branch (党支部)")
    JOINT_BRANCH = "joint_branch", _("joint party branch (联合党支部)")


class PartyOrganization(models.Model):
    """A primary-level party organisation and the unit(s) it covers: one of its own, or up to
    five for a joint branch. Members are counted, never named."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices)
    region_code = models.CharField(_("street"), max_length=12, db_index=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("units covered"), related_name="party_organizations"
    )
    full_members = models.PositiveIntegerField(_("full members"))
    probationary_members = models.PositiveIntegerField(_("probationary members"), default=0)
    secretary_name = models.CharField(_("secretary"), max_length=50, blank=True)
    secretary_phone = models.CharField(_("secretary's phone"), max_length=20, blank=True)
    established_on = models.DateField(_("established"))
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    dissolved_on = models.DateField(_("dissolved"), null=True, blank=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    PERSONAL_FIELDS = {"secretary_name": "name", "secretary_phone": "phone"}

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["region_code", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")), name="party_term_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Instructor(models.Model):
    """党建指导员: sent to units without an organisation of their own to bring party work there."""

    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    region_code = models.CharField(_("street"), max_length=12, db_index=True)
    sent_by = models.CharField(_("sent by"), max_length=100, blank=True)
    appointed_on = models.DateField(_("appointed"))
    ended_on = models.DateField(_("service ended"), null=True, blank=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    PERSONAL_FIELDS = {"name": "name", "phone": "phone"}

    class Meta:
        verbose_name = _("party-building instructor")
        verbose_name_plural = _("party-building instructors")
        ordering = ["region_code", "pk"]

    def __str__(self) -> str:
        return f"#{self.pk}"


class Visit(models.Model):
    instructor = models.ForeignKey(Instructor, on_delete=models.CASCADE, related_name="visits")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="visits")
    on = models.DateField(_("date"))
    summary = models.CharField(_("what was done"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["instructor", "on"])]

    def __str__(self) -> str:
        return f"{self.on}: {self.summary}"


class Occasion(models.TextChoices):
    REGISTRATION = "registration", _("registration")
    INSPECTION = "inspection", _("annual inspection")
    RATING = "rating", _("rating application")


class StatusReport(models.Model):
    """三个同步: the party-building status a social organisation reported with its registration,
    an annual inspection or a rating application, as the registry recorded it."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="status_reports")
    occasion = models.CharField(_("occasion"), max_length=12, choices=Occasion.choices)
    on = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    status = models.CharField(_("reported status"), max_length=12)
    full_members = models.PositiveIntegerField(_("full party members"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_occasion_display()} {self.on}"


class Alliance(models.Model):
    """区域化党建: units of a street or district joined to meet each other's needs."""

    name = models.CharField(_("name"), max_length=200)
    region_code = models.CharField(_("street or district"), max_length=12, db_index=True)
    established_on = models.DateField(_("established"))
    members = models.ManyToManyField(Unit, verbose_name=_("member units"), related_name="alliances")
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        verbose_name = _("regional party-building alliance")
        verbose_name_plural = _("regional party-building alliances")
        ordering = ["region_code", "name"]

    def __str__(self) -> str:
        return self.name


class ListKind(models.TextChoices):
    NEED = "need", _("needs list (需求清单)")
    RESOURCE = "resource", _("resources list (资源清单)")


class ListItem(models.Model):
    """A line of an alliance's needs or resources list, from one of its member units."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("list"), max_length=8, choices=ListKind.choices)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE)
    title = models.CharField(_("item"), max_length=200)
    listed_on = models.DateField(_("listed"))

    class Meta:
        ordering = ["kind", "-listed_on", "pk"]

    def __str__(self) -> str:
        return self.title


class JointProject(models.Model):
    """A line of the projects list (项目清单): a need met with members' resources; its result."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="projects")
    title = models.CharField(_("project"), max_length=200)
    need = models.ForeignKey(
        ListItem,
        verbose_name=_("need met"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resources = models.ManyToManyField(
        ListItem, verbose_name=_("resources used"), blank=True, related_name="projects"
    )
    units = models.ManyToManyField(Unit, verbose_name=_("units taking part"), related_name="+")
    started_on = models.DateField(_("started"))
    finished_on = models.DateField(_("finished"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    beneficiaries = models.PositiveIntegerField(_("people served"), default=0)

    class Meta:
        ordering = ["-started_on", "pk"]

    def __str__(self) -> str:
        return self.title
