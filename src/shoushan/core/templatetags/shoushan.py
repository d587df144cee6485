from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dictionary lookup with a variable key."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def action_label(action: str) -> str:
    """An audit action as words: `user.create` → 账号已创建 (account created)."""
    from shoushan.audit.actions import action_label as label

    return label(action)


@register.filter
def kind_label(kind: str) -> str:
    """A region's kind (as the official files spell it, in Chinese) in the reader's language."""
    from shoushan.regions.models import REGION_KINDS

    return str(REGION_KINDS.get(kind, kind))
