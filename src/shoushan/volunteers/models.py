from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    LARGE_EVENT = "large_event", _("large-event volunteer organisation")
    DAILY = "daily", _("daily volunteer organisation")
    PROFESSIONAL = "professional", _("professional volunteer organisation")


class VolunteerOrganization(models.Model):
    """志愿服务组织: under a region, optionally under a hub organisation (枢纽型社会组织)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganizationKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    hub_name = models.CharField(
        _("hub organisation"),
        max_length=100,
        blank=True,
        help_text=_("The hub-type social organisation it belongs to, if any."),
    )
    leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_volunteer_organizations"
    )
    # the organisation's seal (PNG or JPEG), printed on the certificates it issues
    seal = models.FileField(_("seal image"), upload_to="volunteer-seals/", blank=True)
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    class Meta:
        ordering = ["region_code", "name"]
        verbose_name = _("volunteer organisation")
        verbose_name_plural = _("volunteer organisations")

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    """A registered volunteer (real name; ID number validated and masked)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
    )
    number = models.CharField(_("volunteer number"), max_length=20, unique=True)
    name = models.CharField(_("full name"), max_length=60)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    gender = models.CharField(_("gender"), max_length=8)
    birth_date = models.DateField(_("birth date"))
    phone = models.CharField(_("mobile number"), max_length=11, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    service_areas = models.CharField(_("service areas"), max_length=200, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    organizations = models.ManyToManyField(
        VolunteerOrganization, blank=True, related_name="volunteers"
    )
    registered_on = models.DateField(_("registered on"))
    is_generated = models.BooleanField(_("generated demo record"), default=False)

    PERSONAL_FIELDS = {"id_number": "id_number", "phone": "phone"}

    class Meta:
        ordering = ["number"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class Activity(models.Model):
    """志愿活动: organiser, time, place (on the map), quota, required skills and the check code
    the leader shows for check-in and check-out."""

    organization = models.ForeignKey(
        VolunteerOrganization, on_delete=models.PROTECT, related_name="activities"
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200)
    longitude = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    quota = models.PositiveIntegerField(_("quota"))
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="led_activities",
    )
    check_code = models.CharField(_("check code"), max_length=6)
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sign_ups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="sign_ups")
    signed_up_at = models.DateTimeField(auto_now_add=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "volunteer"], name="unique_sign_up")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.activity_id}"


class HoursSource(models.TextChoices):
    CHECK_OUT = "check_out", _("check-in and check-out")
    LEADER = "leader", _("recorded by the leader")
    SELF = "self", _("self-reported")


class HoursStatus(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    FALSIFIED = "falsified", _("found falsified")


class ServiceRecord(models.Model):
    """Hours of service (服务时长) of one volunteer in one activity."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="records")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="records"
    )
    served_on = models.DateField(_("date of service"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    content = models.CharField(_("content of service"), max_length=200)
    source = models.CharField(_("source"), max_length=12, choices=HoursSource.choices)
    status = models.CharField(_("status"), max_length=12, choices=HoursStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-served_on", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.served_on} {self.hours} h"


class RatingStatus(models.TextChoices):
    LISTED = "listed", _("publicly listed")
    EFFECTIVE = "effective", _("effective")
    REVOKED = "revoked", _("revoked")


class StarRating(models.Model):
    """星级: listed publicly for at least 5 working days before it takes effect."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="ratings")
    stars = models.PositiveSmallIntegerField(_("stars"))
    hours_at_listing = models.DecimalField(_("hours when listed"), max_digits=8, decimal_places=2)
    listed_on = models.DateField(_("listed on"))
    effective_on = models.DateField(_("takes effect on"))
    status = models.CharField(_("status"), max_length=12, choices=RatingStatus.choices)
    revoked_reason = models.CharField(_("reason revoked"), max_length=200, blank=True)

    class Meta:
        ordering = ["-listed_on", "-stars"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "stars"], name="unique_star_per_volunteer")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} ★{self.stars} {self.status}"


class Certificate(models.Model):
    """志愿服务证明: the fields of the national record rules, verifiable by number."""

    number = models.CharField(_("certificate number"), max_length=24, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    hours = models.DecimalField(_("hours"), max_digits=8, decimal_places=2)
    content = models.TextField(_("content of service"))
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    issuer = models.CharField(_("issuer"), max_length=100)
    issuer_organization = models.ForeignKey(
        VolunteerOrganization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-issued_on"]

    def __str__(self) -> str:
        return self.number
