from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The four levels of the work system, plus province for the national files.

    Beijing is a municipality: its city row is the top, and districts hang directly under it.
    """

    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    DISTRICT = "district", _("district")
    STREET = "street", _("street / town")
    COMMUNITY = "community", _("community / village")


LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY]


class LocationSource(models.TextChoices):
    """Where a region's point comes from: the UI must say whether it is real or estimated."""

    NONE = "", _("no location")
    POLYGON = "polygon", _("centroid of the official boundary")
    POINT = "point", _("published point (2016, converted from GCJ-02)")
    ESTIMATED = "estimated", _("estimated: the mean of its communities' points")


class Region(models.Model):
    """A division with its statistical code (统计用区划代码): the spine of every scoped record."""

    code = models.CharField(_("region code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=20, blank=True, help_text="街道/镇/乡/地区, 社区/村 …"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    urban_rural_class = models.CharField(_("urban-rural class"), max_length=3, blank=True)
    longitude = models.FloatField(_("longitude (WGS84)"), null=True, blank=True)
    latitude = models.FloatField(_("latitude (WGS84)"), null=True, blank=True)
    location_source = models.CharField(
        _("location source"), max_length=12, choices=LocationSource.choices, blank=True
    )
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"), null=True, blank=True)
    boundary_generated = models.BooleanField(
        _("boundary generated"),
        default=False,
        help_text=_("A demo polygon made by Shoushan, not an official boundary."),
    )
    source = models.CharField(_("source"), max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def centroid(self) -> tuple[float, float] | None:
        if self.longitude is None or self.latitude is None:
            return None
        return (self.longitude, self.latitude)


class DatasetLoad(models.Model):
    """One load of a source data set, so that loading the same files again does nothing."""

    name = models.CharField(max_length=100, unique=True)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.name


# 城乡分类代码 (NBS 2009 rules for statistical urban-rural division).
URBAN_RURAL_CLASSES = {
    "111": _("main urban area"),
    "112": _("urban-rural fringe"),
    "121": _("town centre"),
    "122": _("town-rural fringe"),
    "123": _("special area"),
    "210": _("township centre"),
    "220": _("village"),
}


# Kinds of region as the official names end (区/县, 街道/镇/乡/地区, 社区/村 …), in words.
REGION_KINDS = {
    "直辖市": _("municipality"),
    "省": _("province"),
    "自治区": _("autonomous region"),
    "区": _("urban district"),
    "县": _("county"),
    "市": _("county-level city"),
    "旗": _("banner"),
    "街道": _("subdistrict"),
    "地区": _("area office"),
    "镇": _("town"),
    "乡": _("township"),
    "社区": _("community"),
    "村": _("village"),
    "其他": _("other"),
}
