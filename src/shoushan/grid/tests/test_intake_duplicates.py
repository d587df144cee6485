"""Duplicate candidates (pure), on real raw messages (../shared/data/complaints)."""

import csv
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from shoushan.grid.cases.duplicates import (
    Report,
    distance_m,
    duplicate_candidates,
    text_similarity,
)

RAW = settings.SHARED_DATA_DIR / "complaints" / "tipdm2020c_attachment3_hotspot4326.csv"
pytestmark = pytest.mark.skipif(not RAW.is_file(), reason=f"no messages at {RAW}")
T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
HERE = (116.4069014, 39.9215538)


@pytest.fixture(scope="module")
def messages():
    with RAW.open(encoding="utf-8", newline="") as f:
        return [f"{r['留言主题']}。{r['留言详情']}" for r in csv.DictReader(f)]


def test_distance_is_in_metres():
    assert distance_m(*HERE, *HERE) == 0
    # 0.001° of latitude is about 111 m
    assert distance_m(HERE[0], HERE[1], HERE[0], HERE[1] + 0.001) == pytest.approx(111.2, abs=0.5)


def test_same_problem_in_other_words_is_similar_and_unrelated_messages_are_not(messages):
    a = "胡同口有一堆暴露垃圾，好几天没人清理，味道很大"
    b = "胡同口的暴露垃圾几天都没有清理，味道大"
    assert text_similarity(a, a) == pytest.approx(1)
    assert text_similarity(a, b) > 0.4
    assert text_similarity(a, messages[0]) < 0.2
    assert text_similarity("", a) == 0


def test_candidates_lie_within_the_radius_and_window_and_say_the_same(messages):
    new = Report(1, "胡同口有一堆暴露垃圾，好几天没人清理", T0, "E0101", *HERE)
    near = Report(2, "胡同口暴露垃圾好几天没人清理了", T0 - timedelta(hours=5), "E0101",
                  HERE[0], HERE[1] + 0.0005)  # fmt: skip
    far = Report(3, new.text, T0, "E0101", HERE[0], HERE[1] + 0.01)  # ~1.1 km
    old = Report(4, new.text, T0 - timedelta(hours=100), "E0101", *HERE)
    unrelated = [Report(10 + i, m, T0, "E0101", *HERE) for i, m in enumerate(messages[:200])]
    found = duplicate_candidates(new, [near, far, old, new, *unrelated])
    assert [c.id for c in found] == [2]
    assert found[0].distance_m == pytest.approx(55.6, abs=1) and found[0].hours_apart == 5
    # a wider radius for the category brings the far one in
    wider = duplicate_candidates(new, [near, far], radius_m={"E0101": 2000})
    assert [c.id for c in wider] == [3, 2]


def test_reports_without_a_point_are_compared_within_their_community():
    new = Report(1, "楼道里堆满杂物，消防通道堵塞", T0, community="110101001001")
    same = Report(2, "楼道堆满杂物堵塞消防通道", T0, community="110101001001")
    other = Report(3, "楼道堆满杂物堵塞消防通道", T0, community="110101001002")
    assert [c.id for c in duplicate_candidates(new, [same, other])] == [2]
