"""The demo's intake model and 12345 batch, made from text the project ships: they work on a
machine without the shared data."""

from shoushan.grid.demo import DEMO_MODEL_FILE, DEMO_ORDER_PREFIX, demo_intake_create
from shoushan.grid.models import Case, IntakeModel


def test_the_demo_trains_a_classifier_and_dispatches_a_located_12345_batch(demo_city):
    counts = demo_intake_create(orders=60, per_domain=60)
    assert counts["model"] == 1 and counts["orders"] == 60
    batch = Case.objects.filter(external_id__startswith=DEMO_ORDER_PREFIX)
    assert counts["dispatched"] == batch.filter(stage="dispatched").count() > 0
    assert counts["triage"] == batch.filter(needs_triage=True).count() > 0
    assert batch.filter(community_id__isnull=True).count() == 0
    assert {c[:6] for c in batch.values_list("community_id", flat=True)} <= {"110101", "110102"}
    assert all(e.data["located_by"] == "address" for c in batch[:5] for e in c.events.all()[:1])
    assert batch.filter(is_generated=True).count() == 60
    assert IntakeModel.objects.get().training_file == DEMO_MODEL_FILE
    assert demo_intake_create(orders=60, per_domain=60) == {
        "model": 0,
        "orders": 0,
        "dispatched": 0,
        "triage": 0,
    }
