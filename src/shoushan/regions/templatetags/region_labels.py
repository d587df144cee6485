from django import template

from shoushan.regions.models import REGION_KINDS

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """A region's kind (as the official files spell it, in Chinese) in the reader's language."""
    return str(REGION_KINDS.get(kind, kind))
