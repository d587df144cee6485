"""Group commit: writes that arrive together go to the database in one transaction.

Each caller queues its item and takes the write lock; whoever holds it writes everything queued
by then, its own item and those of the threads waiting behind it. Under load one transaction
carries many items, and the per-transaction work (round trips, statement building, the commit's
flush) is shared; alone, a caller writes its own item at once, with no added wait. A batch that
fails is written again item by item, so one bad item fails only its own caller.

A caller already inside a transaction writes in it, so that the item commits or rolls back with
the rest of the caller's work."""

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from django.db import connection

Item = TypeVar("Item")


class GroupCommit(Generic[Item]):
    def __init__(self, write: Callable[[Sequence[Item]], None]) -> None:
        """`write` writes its items in one transaction, all or none."""
        self.write = write
        self.queue_lock = threading.Lock()
        self.write_lock = threading.Lock()
        self.queue: list[tuple[Item, Future]] = []

    def submit(self, item: Item) -> None:
        """Write `item`; returns once it has committed, or raises what writing it raised."""
        if connection.in_atomic_block:
            self.write([item])
            return
        done: Future = Future()
        with self.queue_lock:
            self.queue.append((item, done))
        with self.write_lock:
            if not done.done():
                with self.queue_lock:
                    batch, self.queue = self.queue, []
                self._write(batch)
        done.result()

    def _write(self, batch: list[tuple[Item, Future]]) -> None:
        try:
            self.write([item for item, _done in batch])
        except Exception as error:
            if len(batch) == 1:
                batch[0][1].set_exception(error)
                return
            for item, done in batch:
                try:
                    self.write([item])
                except Exception as single_error:
                    done.set_exception(single_error)
                else:
                    done.set_result(None)
        else:
            for _item, done in batch:
                done.set_result(None)
