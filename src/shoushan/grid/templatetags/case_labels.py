from django import template

from shoushan.grid.models import ACTION_LABELS, STAGE_LABELS

register = template.Library()


@register.filter
def case_action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def stage_label(stage: str) -> str:
    return str(STAGE_LABELS.get(stage, stage))
