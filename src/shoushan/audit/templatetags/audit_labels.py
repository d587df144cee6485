from django import template

from shoushan.audit.actions import action_label as _action_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    """An audit action as words: `user.create` → 账号已创建 (account created)."""
    return _action_label(action)
