from functools import lru_cache

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@lru_cache(maxsize=64)
def _region_name(code: str) -> str:
    from shoushan.regions.models import Region

    return Region.objects.filter(code=code).values_list("name", flat=True).first() or code


@register.filter
def authority(code: str) -> str:
    """`{{ o.authority_code|authority }}`: 北京市民政局, 海淀区民政局 — that region's bureau."""
    if not code:
        return ""
    return _("%(region)s civil-affairs bureau") % {"region": _region_name(code)}


@register.filter
def region_name(code: str) -> str:
    return _region_name(code) if code else ""


@register.filter
def grade(value) -> str:
    """5 → 5A."""
    return f"{value}A" if value else "—"
