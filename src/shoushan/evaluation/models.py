from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Dataset(models.Model):
    """An indicator data set as uploaded: COINr's iData and iMeta sheets (and an optional pipeline
    file), kept as text so that every result can be rebuilt from exactly what was given. A build
    takes milliseconds, so results are computed when asked for, never stored stale."""

    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data_name = models.CharField(_("data file"), max_length=200)
    data_csv = models.TextField(_("indicator data (iData)"))
    meta_name = models.CharField(_("framework file"), max_length=200)
    meta_csv = models.TextField(_("indicator framework (iMeta)"))
    pipeline_name = models.CharField(_("pipeline file"), max_length=200, blank=True)
    pipeline_yaml = models.TextField(_("pipeline"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-created_at", "-id"]
        verbose_name = _("indicator data set")
        verbose_name_plural = _("indicator data sets")

    def __str__(self) -> str:
        return self.name
