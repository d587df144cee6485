"""Group commit: items that arrive together are written together, and one bad item fails alone."""

import threading

import pytest

from shoushan.core.group_commit import GroupCommit


class Recorder:
    """A writer that holds its first write until `release` is set, so that the callers behind it
    queue up; an item "bad" fails any write that holds it."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.batches: list[list[str]] = []
        self.written: list[str] = []

    def __call__(self, items) -> None:
        if not self.started.is_set():
            self.started.set()
            assert self.release.wait(timeout=10)
        self.batches.append(list(items))
        if "bad" in items:
            raise ValueError("bad item")
        self.written.extend(items)


def test_queued_items_share_a_write_and_a_bad_one_fails_alone():
    items = ["first", *(f"item-{i}" for i in range(6)), "bad"]
    recorder = Recorder()
    writer = GroupCommit(recorder)
    outcome: dict[str, str] = {}

    def submit(item: str) -> None:
        try:
            writer.submit(item)
            outcome[item] = "written"
        except ValueError:
            outcome[item] = "failed"

    first = threading.Thread(target=submit, args=("first",))
    first.start()
    assert recorder.started.wait(timeout=10)
    others = [threading.Thread(target=submit, args=(item,)) for item in items[1:]]
    for thread in others:
        thread.start()
    while len(writer.queue) < len(others):  # all of them wait behind the first write
        threading.Event().wait(0.001)
    recorder.release.set()
    for thread in [first, *others]:
        thread.join(timeout=10)

    assert outcome == {item: "failed" if item == "bad" else "written" for item in items}
    assert sorted(recorder.written) == sorted(i for i in items if i != "bad")  # each once
    assert recorder.batches[0] == ["first"]
    assert sorted(recorder.batches[1]) == sorted(items[1:])  # the queued ones, together
    retried = [item for batch in recorder.batches[2:] for item in batch]
    assert sorted(retried) == sorted(items[1:])  # then one by one
    assert all(len(batch) == 1 for batch in recorder.batches[2:])


def test_inside_a_transaction_the_item_is_written_there(db):
    from django.db import transaction

    recorder = Recorder()
    recorder.release.set()
    with transaction.atomic():
        GroupCommit(recorder).submit("mine")
    assert recorder.batches == [["mine"]]


@pytest.mark.parametrize("items", [["only"], ["bad"]])
def test_a_lone_item_is_written_once(items):
    recorder = Recorder()
    recorder.release.set()
    writer = GroupCommit(recorder)
    if items == ["bad"]:
        with pytest.raises(ValueError):
            writer.submit("bad")
    else:
        writer.submit("only")
    assert recorder.batches == [items]
