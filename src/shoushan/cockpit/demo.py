"""The work system's demo: the cockpit's last twelve months counted from the demo records, and
a key measure on the response rate handed from the city to 东城区 and on to a street, so that
each step of supervision has something to show."""

from datetime import timedelta

from django.utils import timezone

from shoushan.accounts.models import User
from shoushan.cockpit import services
from shoushan.cockpit.models import KeyTask

DONGCHENG, DONGHUAMEN = "110101000000", "110101001000"
TITLE = "接诉即办响应率提升专项行动"


def demo_cockpit_create() -> dict:
    counts = services.counts_take(months=12)
    tasks = 0
    city = User.objects.filter(username="city_admin").first()
    district = User.objects.filter(username="district_admin").first()
    if city and district and not KeyTask.objects.filter(title=TITLE).exists():
        today = timezone.localdate()
        measure = services.task_create(
            actor=city,
            title=TITLE,
            description="对照响应率指标，逐街道查找未按时响应的原因，限期整改。",
            lead_code=DONGCHENG,
            deadline=today + timedelta(days=60),
            indicators=["response_rate", "satisfaction_rate"],
        )
        services.task_step(actor=city, task=measure, action="assign")
        services.task_step(actor=district, task=measure, action="accept")
        task = services.task_create(
            actor=district,
            parent=measure,
            title="东华门街道：派单后两小时内响应",
            lead_code=DONGHUAMEN,
            deadline=today + timedelta(days=30),
        )
        services.task_step(actor=district, task=task, action="assign")
        tasks = 2
    return {"counts": counts, "key_tasks": tasks}
