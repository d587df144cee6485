"""What each audit action means, for people reading the trail. An action not listed here is shown
by its code."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "session.login": _("signed in"),
    "account.lock": _("account locked after failed sign-ins"),
    "user.create": _("account created"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "personal_information.view": _("personal information viewed unmasked"),
    "regions.load": _("official divisions loaded"),
    "grid.import": _("grids imported"),
    "grid.workers": _("grid workers assigned"),
    "grid.demo_city": _("demo city generated"),
    "grid.categories.load": _("case catalogue loaded"),
    "grid.working_calendar.load": _("working calendar loaded"),
    "open311_key.create": _("Open311 key created"),
    "open311_key.revoke": _("Open311 key revoked"),
    "case.report": _("case reported"),
    "case.register": _("case registered"),
    "case.reject": _("case not registered"),
    "case.dispatch": _("case dispatched"),
    "case.redispatch": _("case re-dispatched"),
    "case.return": _("case returned"),
    "case.accept": _("case accepted"),
    "case.extend": _("case deadline extended"),
    "case.handle": _("case handled"),
    "case.verify": _("case verified"),
    "case.rework": _("case sent back for rework"),
    "case.close": _("case closed"),
    "case.reopen": _("case reopened"),
    "case.escalate": _("overdue case escalated"),
    "case.return_visit": _("return visit recorded"),
    "case.import": _("12345 work orders imported"),
    "category.update": _("category changed"),
    "calendar.set": _("working-calendar day set"),
    "calendar.delete": _("working-calendar day removed"),
    "routing.set": _("routing rule set"),
    "routing.delete": _("routing rule removed"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
