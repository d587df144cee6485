"""Filters every template may use (a builtin library). Each app adds its own labels in its own
`templatetags` module, registered as a builtin in the settings."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dictionary lookup with a variable key."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register.filter
def yuan(value) -> str:
    """An amount of money, exact to the fen, with thousands grouped: ¥1,234,567.89."""
    return "—" if value is None or value == "" else f"¥{value:,.2f}"


# The words the platform itself stores for what no person did or named: the actor of automatic
# moves and the names of the demo's batches, shown in the reader's language.
PLATFORM_WORDS = {
    "system": _("the platform"),
    "demo": _("demo data"),
    "demo city": _("demo city grids"),
    "demo case history": _("demo case history"),
}


@register.filter
def platform_label(value) -> str:
    """`{{ record.actor_name|platform_label }}`: a stored platform word translated; anything
    else (a username, an object's name) as it is."""
    word = PLATFORM_WORDS.get(value)
    return str(word) if word is not None else value
