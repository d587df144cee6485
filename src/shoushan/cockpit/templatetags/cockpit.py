from django import template

from shoushan.cockpit.rules import Kind

register = template.Library()


@register.filter
def tile_value(value, tile) -> str:
    """A tile's figure as a clerk reads it: 45,210 · 93.4% · 39.1; none: —."""
    if value is None:
        return "—"
    if tile.kind == Kind.SHARE:
        return f"{value:.1f}%"
    if tile.kind == Kind.MEAN:
        return f"{value:,.1f}"
    return f"{value:,.0f}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value:.0%}"
