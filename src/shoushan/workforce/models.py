from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Education(models.TextChoices):
    """Highest education; 大专 and above count as "college or more"."""

    JUNIOR_HIGH = "junior_high", _("junior high school or less")
    HIGH_SCHOOL = "high_school", _("senior high / secondary vocational school")
    ASSOCIATE = "associate", _("college (associate degree)")
    BACHELOR = "bachelor", _("bachelor's degree")
    MASTER = "master", _("master's degree")
    DOCTORATE = "doctorate", _("doctorate")


class PoliticalStatus(models.TextChoices):
    PARTY_MEMBER = "party_member", _("CPC member")
    PROBATIONARY_MEMBER = "probationary_member", _("CPC probationary member")
    YOUTH_LEAGUE = "youth_league", _("Communist Youth League member")
    OTHER_PARTY = "other_party", _("member of a democratic party")
    MASSES = "masses", _("the masses (no party)")


class Qualification(models.TextChoices):
    """社会工作者职业资格 (social_work_qualification)."""

    NONE = "none", _("none")
    ASSISTANT = "assistant", _("assistant social worker")
    SOCIAL_WORKER = "social_worker", _("social worker")
    SENIOR = "senior", _("senior social worker")


class Post(models.TextChoices):
    SECRETARY_DIRECTOR = "secretary_director", _("party secretary and director")
    SECRETARY = "secretary", _("party secretary")
    DIRECTOR = "director", _("director")
    DEPUTY_SECRETARY = "deputy_secretary", _("deputy party secretary")
    DEPUTY_DIRECTOR = "deputy_director", _("deputy director")
    MEMBER = "member", _("committee member")
    FULL_TIME = "full_time", _("full-time community worker")


class WorkerStatus(models.TextChoices):
    ACTIVE = "active", _("in post")
    SECONDED = "seconded", _("seconded")
    LEFT = "left", _("left")


class CommunityWorker(models.Model):
    """A community worker (社区工作者). Community, post and status change only through career
    events; the other fields are edited."""

    name = models.CharField(_("full name"), max_length=60)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))
    education = models.CharField(_("education"), max_length=16, choices=Education.choices)
    political_status = models.CharField(
        _("political status"), max_length=24, choices=PoliticalStatus.choices
    )
    qualification = models.CharField(
        _("social work qualification"),
        max_length=16,
        choices=Qualification.choices,
        default=Qualification.NONE,
    )
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    certificate_year = models.PositiveSmallIntegerField(
        _("certificate year"), null=True, blank=True
    )
    post = models.CharField(_("post"), max_length=24, choices=Post.choices)
    community = models.ForeignKey(
        "regions.Region",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="community_workers",
    )
    region_code = models.CharField(_("region code"), max_length=12, db_index=True)
    hire_date = models.DateField(_("hire date"))
    pay_grade = models.CharField(_("pay grade"), max_length=20, blank=True)
    monthly_pay = models.DecimalField(
        _("monthly pay (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=WorkerStatus.choices, default=WorkerStatus.ACTIVE
    )
    left_date = models.DateField(_("date left"), null=True, blank=True)
    organization = models.CharField(
        _("organ or institution"),
        max_length=100,
        blank=True,
        help_text=_("Where the worker is seconded or was promoted to."),
    )
    is_generated = models.BooleanField(_("generated demo record"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    PERSONAL_FIELDS = {"id_number": "id_number", "phone": "phone"}

    class Meta:
        ordering = ["region_code", "name", "id"]
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers")
        indexes = [models.Index(fields=["status", "region_code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.community_id})"


class EventKind(models.TextChoices):
    HIRE = "hire", _("hire")
    POST_CHANGE = "post_change", _("post change")
    TRANSFER = "transfer", _("transfer to another community")
    SECONDMENT = "secondment", _("secondment to an organ or public institution")
    SECONDMENT_END = "secondment_end", _("return from secondment")
    PROMOTION = "promotion", _("promotion to an organ or public institution")
    LEAVE = "leave", _("leaving")


class CareerEvent(models.Model):
    """One dated step of a worker's career, with the worker's state after it (so that the
    statistics of any day replay the events)."""

    worker = models.ForeignKey(CommunityWorker, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    on = models.DateField(_("date"))
    community_code = models.CharField(_("community after the event"), max_length=12)
    post = models.CharField(_("post after the event"), max_length=24, choices=Post.choices)
    status = models.CharField(
        _("status after the event"), max_length=12, choices=WorkerStatus.choices
    )
    from_community_code = models.CharField(_("community before"), max_length=12, blank=True)
    from_post = models.CharField(_("post before"), max_length=24, blank=True)
    organization = models.CharField(_("organ or institution"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["worker_id", "on", "id"]
        verbose_name = _("career event")
        verbose_name_plural = _("career events")
        indexes = [models.Index(fields=["on"]), models.Index(fields=["community_code"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.kind} {self.on}"


class Attribute(models.TextChoices):
    """The worker's attributes that change on a date without a career event."""

    EDUCATION = "education", _("education")
    POLITICAL_STATUS = "political_status", _("political status")
    QUALIFICATION = "qualification", _("social work qualification")
    PAY = "pay", _("pay grade and monthly pay")


class AttributeChange(models.Model):
    """A dated change of education, political status, social work qualification (with its
    certificate) or pay (grade and monthly pay), with the values before and after it. The worker's
    own fields hold the latest values; before the first change of an attribute its value is the
    one recorded at hire (`from_*` of that change), so the statistics of any day use the values
    effective on that day."""

    worker = models.ForeignKey(
        CommunityWorker, on_delete=models.CASCADE, related_name="attribute_changes"
    )
    attribute = models.CharField(_("attribute"), max_length=20, choices=Attribute.choices)
    on = models.DateField(_("effective date"))
    # education, political status or qualification code; the pay grade for pay
    value = models.CharField(_("new value"), max_length=24, blank=True)
    from_value = models.CharField(_("value before"), max_length=24, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    from_certificate_number = models.CharField(
        _("certificate number before"), max_length=40, blank=True
    )
    certificate_year = models.PositiveSmallIntegerField(
        _("certificate year"), null=True, blank=True
    )
    from_certificate_year = models.PositiveSmallIntegerField(
        _("certificate year before"), null=True, blank=True
    )
    monthly_pay = models.DecimalField(
        _("monthly pay (yuan)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    from_monthly_pay = models.DecimalField(
        _("monthly pay before"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["worker_id", "on", "id"]
        verbose_name = _("attribute change")
        verbose_name_plural = _("attribute changes")
        indexes = [models.Index(fields=["worker", "attribute", "on"])]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.attribute} {self.on}"


class CityAverageWage(models.Model):
    """The city's published average annual wage of one year, entered by the city administrator."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    yuan = models.DecimalField(_("average annual wage (yuan)"), max_digits=10, decimal_places=0)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("city average wage")
        verbose_name_plural = _("city average wages")

    def __str__(self) -> str:
        return f"{self.year}: {self.yuan}"
