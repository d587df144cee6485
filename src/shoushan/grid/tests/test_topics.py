"""The month's problems on real messages (TipDM 2020, attachment 3: 4,326 raw messages with likes)
and the weekly spike rule on series whose answer is known."""

import csv
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from shoushan.grid.intake.topics import Message, problems_find, spikes_find, words

MESSAGES = (
    Path(__file__).resolve().parents[4].parent
    / "shared"
    / "data"
    / "complaints"
    / "tipdm2020c_attachment3_hotspot4326.csv"
)
needs_data = pytest.mark.skipif(not MESSAGES.is_file(), reason=f"no messages at {MESSAGES}")

SHANGHAI = ZoneInfo("Asia/Shanghai")  # the messages' local time


def _when(text: str) -> datetime:
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return datetime(*numbers[:3], *(numbers[3:6] or [0]), tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def messages() -> list[Message]:
    with MESSAGES.open(encoding="utf-8") as f:
        return [
            Message(
                id=row["留言编号"],
                title=row["留言主题"].strip(),
                text=row["留言详情"].strip(),
                at=_when(row["留言时间"]),
                likes=int(row["点赞数"] or 0),
            )
            for row in csv.DictReader(f)
        ]


@needs_data
def test_august_2019_problems_are_real_clusters_ranked_by_heat(messages):
    found = problems_find(
        messages,
        words,
        start=datetime(2019, 8, 1, tzinfo=SHANGHAI),
        end=datetime(2019, 9, 1, tzinfo=SHANGHAI),
    )
    assert sum(len(p.messages) for p in found) == sum(
        1
        for m in messages
        if datetime(2019, 8, 1, tzinfo=SHANGHAI) <= m.at < datetime(2019, 9, 1, tzinfo=SHANGHAI)
    )
    top = found[:5]
    # Dozens of residents of one compound against parking spaces sold bundled with flats.
    bundled = next(p for p in top if any("滨河苑" in m.title for m in p.messages))
    assert len(bundled.messages) >= 10
    assert sum("滨河苑" in m.title or "车位" in m.title for m in bundled.messages) >= 0.8 * len(
        bundled.messages
    )
    # One message that 2,097 residents supported is hot on its own.
    assert any(p.likes >= 2000 for p in top)
    assert [p.heat for p in found] == sorted((p.heat for p in found), reverse=True)
    assert all(sum(p.weekly) == len(p.messages) for p in found)
    assert bundled.keywords and bundled.title


def test_a_spike_is_a_street_beyond_its_own_baseline():
    weekly = {
        ("quiet", "noise"): [1, 2, 1, 0, 2, 1, 1, 2, 9],
        ("busy", "noise"): [20, 22, 19, 21, 23, 20, 22, 21, 24],
        ("new", "noise"): [0, 0, 0, 0, 0, 0, 0, 0, 2],
    }
    spikes = spikes_find(weekly)
    assert [s.key for s in spikes] == [("quiet", "noise")]
    assert spikes[0].count == 9 and spikes[0].week == 8 and spikes[0].baseline == 1.25
