from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "shoushan.purchasing"
    label = "purchasing"
    verbose_name = _("Purchase of social services")
