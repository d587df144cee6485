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


@register.filter
def case_action_label(action: str) -> str:
    from shoushan.grid.models import ACTION_LABELS

    return str(ACTION_LABELS.get(action, action))


@register.filter
def stage_label(stage: str) -> str:
    from shoushan.grid.models import STAGE_LABELS

    return str(STAGE_LABELS.get(stage, stage))


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
