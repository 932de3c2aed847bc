"""AsyncReporter: a worker's events go to the hub from a background thread, so that analysis never
waits for the network, and a hub that is down or restarting costs events only once the queue is full."""

from __future__ import annotations

import collections
import logging
import threading
import time

from .._rpc import DEFAULT_ADDRESS
from .client import MAX_BATCH, EventClient
from .errors import HubUnavailable, InvalidRequest
from .model import Event

log = logging.getLogger("virta.events")

# The hub refuses requests over 1 MiB; stay well under it whatever the events' attributes.
MAX_BATCH_BYTES = 768 * 1024
# Rejections are logged, but not each one of a worker that keeps sending a bad field.
_LOGGED_REJECTIONS = 10


class AsyncReporter:
    """Reports events in batches from a background thread.

    report(event) never blocks: it appends to a bounded queue (`capacity` events). When the queue
    is full the OLDEST queued event is dropped (`dropped` counts them): while the hub is away the
    freshest events are the ones worth keeping. While the hub cannot be reached the thread keeps
    retrying the same batch (backing off from `retry_interval` to `max_retry_interval` seconds), so
    a hub restart loses nothing that fits in the queue. Events the hub refuses are counted in
    `rejected` and logged (logger "virta.events") with the hub's reason; they are not retried.

    close(timeout) sends what is queued for at most `timeout` seconds, then stops; what could not
    be sent by then counts in `unsent`.
    """

    def __init__(self, address: str = DEFAULT_ADDRESS, *, capacity: int = 10_000,
                 max_batch: int = 500, timeout: float = 5.0, retry_interval: float = 0.1,
                 max_retry_interval: float = 2.0, security=None):
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        if not 1 <= max_batch <= MAX_BATCH:
            raise ValueError(f"max_batch must be 1..{MAX_BATCH}, got {max_batch}")
        self._client = EventClient(address, timeout=timeout, security=security)
        self.address = self._client.address
        self.capacity = capacity
        self.max_batch = max_batch
        self.timeout = timeout
        self.retry_interval = retry_interval
        self.max_retry_interval = max_retry_interval
        # Counters over the reporter's life.
        self.submitted = 0     # report() calls
        self.accepted = 0      # journaled by the hub
        self.rejected = 0      # refused by the hub (bad events)
        self.dropped = 0       # pushed out of the full queue
        self.unsent = 0        # still queued or in flight when close() gave up
        self.failures = 0      # Report calls that failed (hub unreachable, timed out)
        self.last_error: str | None = None        # why the last failed call failed
        self.last_rejection: str | None = None    # the hub's last reason to refuse an event

        self._queue: collections.deque[Event] = collections.deque()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._in_flight = 0
        self._closing = False
        self._close_deadline = 0.0
        self._closed = False
        self._unreachable = False
        self._thread = threading.Thread(target=self._run, name=f"virta-reporter[{self.address}]",
                                        daemon=True)
        self._thread.start()

    # ---- the caller's side ----

    def report(self, event: Event) -> bool:
        """Queues an event; never blocks. Returns False when the queue was full, so the oldest
        queued event was dropped to make room."""
        with self._lock:
            if self._closing:
                raise RuntimeError(f"the reporter to {self.address} is closed")
            self.submitted += 1
            dropped = len(self._queue) >= self.capacity
            if dropped:
                self._queue.popleft()
                self.dropped += 1
            self._queue.append(event)
            if len(self._queue) == 1:
                self._changed.notify_all()
        return not dropped

    @property
    def pending(self) -> int:
        """Events queued or in flight."""
        with self._lock:
            return len(self._queue) + self._in_flight

    def flush(self, timeout: float | None = None) -> bool:
        """Waits until everything reported so far was sent (accepted or refused by the hub).
        Returns False if `timeout` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._queue or self._in_flight:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def close(self, timeout: float = 5.0) -> bool:
        """Sends what is queued for at most `timeout` seconds, then stops the thread and closes the
        connection. Returns True when nothing was left unsent."""
        with self._lock:
            if self._closed:
                return self.unsent == 0
            if not self._closing:
                self._closing = True
                self._close_deadline = time.monotonic() + timeout
            self._changed.notify_all()
        self._thread.join(timeout + self.timeout + 1)
        self._closed = True
        self._client.close()
        return self.unsent == 0

    def stats(self) -> dict:
        with self._lock:
            return {"submitted": self.submitted, "accepted": self.accepted,
                    "rejected": self.rejected, "dropped": self.dropped, "unsent": self.unsent,
                    "pending": len(self._queue) + self._in_flight, "failures": self.failures}

    def __enter__(self) -> "AsyncReporter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"AsyncReporter({self.address!r}, {self.stats()})"

    # ---- the background thread ----

    def _run(self) -> None:
        backoff = self.retry_interval
        batch: list[Event] = []
        while True:
            with self._lock:
                if not batch:
                    while not self._queue and not self._closing:
                        self._changed.wait()
                    if not self._queue:
                        self._changed.notify_all()
                        return                          # closing, and everything was sent
                    batch = self._take_batch()
                    self._in_flight = len(batch)
                remaining = self._close_deadline - time.monotonic() if self._closing else None
                if remaining is not None and remaining <= 0:
                    self.unsent += len(batch) + len(self._queue)
                    self._queue.clear()
                    self._in_flight = 0
                    self._changed.notify_all()
                    return
            timeout = self.timeout if remaining is None else min(self.timeout, remaining)
            try:
                response = self._client.report_batch(batch, timeout=timeout)
            except HubUnavailable as e:
                self._note_failure(str(e))
                self._sleep(backoff)
                backoff = min(backoff * 2, self.max_retry_interval)
                continue                                # the same batch again
            except InvalidRequest as e:
                # Too large as a whole, or refused as a whole: halve it; a single event is bad.
                if len(batch) > 1:
                    half = len(batch) // 2
                    with self._lock:
                        self._queue.extendleft(reversed(batch[half:]))
                        self._in_flight = half
                    batch = batch[:half]
                    continue
                self._count_rejections([str(e)])
                batch = self._done()
                continue
            except Exception as e:                      # any other hub error: keep trying
                self._note_failure(str(e))
                self._sleep(backoff)
                backoff = min(backoff * 2, self.max_retry_interval)
                continue
            backoff = self.retry_interval
            if self._unreachable:
                self._unreachable = False
                log.info("event hub at %s is reachable again", self.address)
            with self._lock:
                self.accepted += response.accepted
            self._count_rejections([r.reason for r in response.rejections])
            batch = self._done()

    def _take_batch(self) -> list[Event]:
        """Up to max_batch events and MAX_BATCH_BYTES from the head of the queue (lock held)."""
        batch = []
        size = 0
        queue = self._queue
        while queue and len(batch) < self.max_batch:
            event_size = queue[0].ByteSize() + 8
            if batch and size + event_size > MAX_BATCH_BYTES:
                break
            batch.append(queue.popleft())
            size += event_size
        return batch

    def _done(self) -> list:
        with self._lock:
            self._in_flight = 0
            self._changed.notify_all()
        return []

    def _count_rejections(self, reasons) -> None:
        if not reasons:
            return
        with self._lock:
            first = self.rejected
            self.rejected += len(reasons)
            self.last_rejection = reasons[-1]
        for i, reason in enumerate(reasons):
            if first + i < _LOGGED_REJECTIONS:
                log.warning("event hub at %s refused an event: %s", self.address, reason)
            elif first + i == _LOGGED_REJECTIONS:
                log.warning("event hub at %s refused more events; not logging each one (see the "
                            "reporter's `rejected` and `last_rejection`)", self.address)

    def _note_failure(self, message: str) -> None:
        with self._lock:
            self.failures += 1
            self.last_error = message
            queued = len(self._queue) + self._in_flight
        if not self._unreachable:
            self._unreachable = True
            log.warning("%s; keeping up to %d events and retrying (%d queued)", message,
                        self.capacity, queued)

    def _sleep(self, seconds: float) -> None:
        """Waits before a retry, no longer than close() leaves."""
        with self._lock:
            if self._closing:
                seconds = min(seconds, max(0.0, self._close_deadline - time.monotonic()))
            end = time.monotonic() + seconds
            while (remaining := end - time.monotonic()) > 0:
                self._changed.wait(remaining)   # report() and close() notify: sleep on
