from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shoushan.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from shoushan.accounts.middleware import session_start

        user_logged_in.connect(session_start, dispatch_uid="shoushan.session_start")
