"""Waiting on several channels at once: docs/bus-format.md section 5.3, wait sets."""

from __future__ import annotations

import time

from . import layout as L
from .posix import Semaphore
from .reader import create_doorbell

_CHECK_NS = int(L.READER_CHECK_INTERVAL_S * 1e9)


class WaitSet:
    """One doorbell shared by several readers, like select() over their channels.

    Create the readers with Reader(name, wait_set=ws); their slots name this doorbell, so every
    commit on any of the channels wakes ws.wait(). Then pull(0) each reader it returns:

        with WaitSet() as ws:
            readers = [Reader(n, wait_set=ws) for n in ("a.rgb", "b.rgb")]
            while True:
                for r in ws.wait(1.0):
                    if r.pull(0).has_frame:
                        handle(r.name, r.frame)

    Closing the wait set closes the readers still in it.
    """

    def __init__(self, *, group=None):
        self.doorbell: Semaphore = create_doorbell(group)
        self._readers: list = []
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def readers(self) -> list:
        return list(self._readers)

    def _add(self, reader) -> None:
        if self._closed:
            raise ValueError("this WaitSet is closed; create a new one")
        self._readers.append(reader)

    def _remove(self, reader) -> None:
        if reader in self._readers:
            self._readers.remove(reader)

    def wait(self, timeout: float | None = None, readers=None) -> list:
        """Returns the readers with something to pull: a frame ready (writeSequence >= cursor) or
        a change of writer (closed, restarted, died). [] when `timeout` seconds pass first.

        `readers` narrows the check to some of this set's readers.
        """
        if self._closed:
            raise ValueError("this WaitSet is closed; create a new one")
        candidates = self._readers if readers is None else list(readers)
        deadline = None if timeout is None else time.monotonic_ns() + max(0, int(timeout * 1e9))
        doorbell = self.doorbell
        while True:
            # Drain before checking, so a commit after the check still wakes the wait below.
            doorbell.drain()
            ready = [r for r in candidates if r.has_news()]
            if ready:
                return ready
            now = time.monotonic_ns()
            if deadline is not None and now >= deadline:
                return []
            # Wake at least every 100 ms to look at the writers (5.3).
            wake = now + _CHECK_NS if deadline is None else min(now + _CHECK_NS, deadline)
            doorbell.wait_until(wake)

    def close(self) -> None:
        if self._closed:
            return
        for reader in list(self._readers):
            reader.close()
        self._closed = True
        self.doorbell.close()
        Semaphore.unlink(self.doorbell.name)

    def __enter__(self) -> "WaitSet":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def select_readers(readers, timeout: float | None = None) -> list:
    """Waits on readers that share one WaitSet; returns those with something to pull."""
    readers = list(readers)
    if not readers:
        return []
    wait_set = readers[0]._wait_set
    if wait_set is None or any(r._wait_set is not wait_set for r in readers):
        raise ValueError("select_readers needs readers created with the same wait_set=WaitSet(); "
                         "create them with Reader(name, wait_set=ws)")
    return wait_set.wait(timeout, readers)
