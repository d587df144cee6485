from datetime import date

import pytest
from django.utils import timezone

from shoushan.core.validators import is_valid_id_number
from shoushan.regions.models import Region
from shoushan.workforce import selectors
from shoushan.workforce.demo import demo_workers_create
from shoushan.workforce.engine import Records, WorkerFacts
from shoushan.workforce.models import CareerEvent, CommunityWorker


@pytest.mark.calendar  # ages and careers as of today
def test_demo_workers_are_generated_valid_and_replay_to_their_present_state(demo_city, login):
    made = demo_workers_create(district_codes=("110101000000",))
    if made == 0:  # the demo command made them already
        made = CommunityWorker.objects.filter(
            is_generated=True, region_code__startswith="110101"
        ).count()
    workers = CommunityWorker.objects.filter(is_generated=True, region_code__startswith="110101")
    assert made > 1000 and workers.count() >= made
    assert demo_workers_create(district_codes=("110101000000",)) == 0
    sample = list(workers.order_by("?")[:300])
    assert all(is_valid_id_number(w.id_number) for w in sample)
    assert all(("male" if int(w.id_number[16]) % 2 else "female") == w.gender for w in sample)
    records = Records(
        [WorkerFacts(w.pk, w.birth_date, "", "", "", None, None) for w in sample],
        CareerEvent.objects.filter(worker__in=sample).values_list(
            "worker_id", "on", "id", "community_code", "post", "status"
        ),
    )
    today = timezone.localdate()
    now = records.roster(today)
    for w in sample:
        if w.status == "left":
            assert w.pk not in now
        else:
            assert now[w.pk] == (w.community_id, w.post, w.status)
    f = selectors.statistics_as_of(Region.objects.get(code="110101000000"), today)["figures"]
    assert 30 < f.average_age < 48 and 0.85 < f.college_share <= 1
    assert 0.4 < f.party_share < 0.75 and 0.25 < f.certified_share < 0.55
    assert date(2003, 1, 1) <= workers.order_by("hire_date").first().hire_date
    moved = workers.filter(events__kind="transfer").first()
    page = login("district_admin").get(f"/workforce/{moved.pk}/")
    assert page.status_code == 200 and "演示数据（生成）" in page.content.decode()


def test_the_demo_records_beijings_published_average_wage(beijing, settings):
    from shoushan.workforce.demo import GPI_FILE, demo_city_wages_load

    if not (settings.SHARED_DATA_DIR / GPI_FILE).is_file():
        pytest.skip(f"no provincial statistics at {settings.SHARED_DATA_DIR / GPI_FILE}")
    from shoushan.workforce.models import CityAverageWage
    from shoushan.workforce.selectors import city_average_wage_for

    CityAverageWage.objects.all().delete()  # the session's demo may have loaded them
    assert demo_city_wages_load() == 34  # 1985–2018
    assert CityAverageWage.objects.get(year=2018).yuan == 145766  # 城镇非私营单位, published
    assert city_average_wage_for(2026) == (2018, 145766.0)  # the latest, its year shown
    assert demo_city_wages_load() == 0
