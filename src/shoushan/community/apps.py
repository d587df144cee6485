from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "shoushan.community"
    label = "community"
    verbose_name = _("Community building")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from shoushan.community import access

        access.translator_install(gettext)  # the pure engine's messages in the user's language
