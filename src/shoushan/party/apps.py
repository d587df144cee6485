from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyConfig(AppConfig):
    name = "shoushan.party"
    label = "party"
    verbose_name = _("Party building")

    def ready(self) -> None:
        from shoushan.party import receivers  # noqa: F401  (connects them)
