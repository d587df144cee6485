from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The top of the import graph: what puts the systems together (setup, the demo, the
    periodic jobs). No system imports it."""

    name = "shoushan.platform"
    label = "platform"
    verbose_name = _("Platform")
