"""Filters every template may use (a builtin library). Each app adds its own labels in its own
`templatetags` module, registered as a builtin in the settings."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dictionary lookup with a variable key."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
