"""The event client (virta.events) against the real event hub, `virta hub` (tests/hub.py), and
against an address where no hub listens."""

from __future__ import annotations

import itertools
import json
import os
import queue
import socket
import tempfile
import threading
import time

import numpy as np
import pytest

from virta_java import HubProcess, hub_missing_reason
from scene import CLOCK, MovingSquareScene, overlap
from virta.bus import ChannelType, Writer
from virta.events import (AsyncReporter, Event, EventClient, EventRejected, HubUnavailable, Missed,
                          box, event, now_micros)
from worker_process import publish, wait_for_reader, worker  # noqa: F401 (worker is a fixture)

_NO_HUB = hub_missing_reason()
needs_hub = pytest.mark.skipif(_NO_HUB is not None, reason=_NO_HUB or "")
_ids = itertools.count(1)


def unique(tag: str) -> str:
    """A camera name no other test uses, so tests can share one hub."""
    return f"{tag}-{os.getpid()}-{next(_ids)}"


def new_journal() -> str:
    return tempfile.mkdtemp(prefix="virta-hub-test-")


@pytest.fixture(scope="module")
def shared_hub():
    hub = HubProcess(new_journal())
    yield hub
    hub.close()


@pytest.fixture
def client(shared_hub):
    with EventClient(shared_hub.address) as c:
        yield c


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Collector:
    """Iterates a subscription in a thread; what it yields lands in a queue."""

    def __init__(self, subscription):
        self.subscription = subscription
        self.items: queue.Queue = queue.Queue()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for item in self.subscription:
                self.items.put(item)
        except Exception as e:            # noqa: BLE001 (reported by the test)
            self.error = e
        self.items.put(None)

    def take(self, count: int, timeout: float = 10.0) -> list:
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count:
            try:
                item = self.items.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if item is None:
                self.items.put(None)
                break
            got.append(item)
        return got

    def close(self):
        self.subscription.cancel()
        self.thread.join(10)
        assert not self.thread.is_alive(), "cancel() ends a blocked iteration"


def wait_until_live(client, collector, camera):
    """A live subscription starts when the hub has registered it: report probes until one arrives."""
    for _ in range(100):
        client.report(event("probe", camera, now_micros()))
        got = collector.take(1, timeout=0.2)
        if got:
            return
    raise AssertionError("the subscription never received a probe event")


def is_probe(item) -> bool:
    return isinstance(item, Event) and item.type == "probe"


def drain_probes(collector) -> list:
    """Waits out probes still on their way; returns anything else that arrived."""
    return [i for i in collector.take(100, timeout=0.5) if not is_probe(i)]


def take_real(collector, count: int, timeout: float = 10.0) -> list:
    """The next `count` items that are not probes."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        items = collector.take(1, timeout=max(0.0, deadline - time.monotonic()))
        if not items and not collector.thread.is_alive():
            break                                   # the subscription ended
        got += [i for i in items if not is_probe(i)]
    return got


# ---------------------------------------------------------------------------------------------
# No hub
# ---------------------------------------------------------------------------------------------


def test_unreachable_hub_is_named_in_the_error():
    address = f"127.0.0.1:{free_port()}"
    with EventClient(address, timeout=5) as client:
        for call in (lambda: client.report(event("motion", "lobby")),
                     lambda: client.query(cameras=["lobby"]),
                     lambda: next(client.subscribe())):
            with pytest.raises(HubUnavailable) as info:
                call()
            assert address in str(info.value) and "virta hub" in str(info.value)


def test_bad_address_is_refused():
    with pytest.raises(ValueError, match="HOST:PORT"):
        EventClient("localhost")


def test_reporter_keeps_a_bounded_queue_while_the_hub_is_away():
    address = f"127.0.0.1:{free_port()}"
    reporter = AsyncReporter(address, capacity=5, retry_interval=0.05)
    results = [reporter.report(event("motion", "lobby", now_micros() + i)) for i in range(8)]
    # The queue holds 5; the first batch may already be in flight, so 3 or fewer were pushed out.
    assert results.count(False) == reporter.dropped <= 3
    deadline = time.monotonic() + 10
    while reporter.failures == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert reporter.failures > 0 and address in reporter.last_error
    assert reporter.close(timeout=0.3) is False
    assert reporter.unsent == 8 - reporter.dropped and reporter.accepted == 0
    with pytest.raises(RuntimeError, match="closed"):
        reporter.report(event("motion", "lobby"))


# ---------------------------------------------------------------------------------------------
# The real hub
# ---------------------------------------------------------------------------------------------


@needs_hub
def test_report_then_query(client):
    camera, other = unique("lobby"), unique("yard")
    t0 = now_micros() - 10_000_000
    first = client.report(event("motion", camera, t0, source="test",
                                boxes=[box(0.25, 0.5, 0.25, 0.125, "motion", 0.75)],
                                attributes={"moving_fraction": "0.03"}))
    response = client.report_batch([event("motion", camera, t0 + 1000),
                                    event("person", camera, t0 + 2000),
                                    event("motion", other, t0 + 3000)])
    assert response.accepted == 3 and not response.rejections
    ids = [first, *response.ids]
    assert ids == sorted(ids) and len(set(ids)) == 4

    everything = client.query(from_micros=t0, to_micros=t0 + 10_000, cameras=[camera, other])
    assert [e.id for e in everything] == ids
    stored = everything[0]
    assert (stored.type, stored.camera, stored.capture_time_micros, stored.source) == (
        "motion", camera, t0, "test")
    assert stored.journal_time_micros > 0
    assert dict(stored.attributes) == {"moving_fraction": "0.03"}
    b = stored.boxes[0]
    assert (b.x, b.y, b.width, b.height, b.label, b.score) == (0.25, 0.5, 0.25, 0.125, "motion",
                                                               0.75)

    assert [e.id for e in client.query(from_micros=t0, cameras=[camera])] == ids[:3]
    assert [e.id for e in client.query(from_micros=t0, cameras=[camera], types=["motion"])] == \
        [ids[0], ids[1]]
    # [from, to): the event at to_micros is left out.
    assert [e.id for e in client.query(from_micros=t0, to_micros=t0 + 2000, cameras=[camera])] == \
        ids[:2]
    assert [e.id for e in client.query(from_micros=t0, cameras=[camera], limit=1)] == ids[:1]


@needs_hub
def test_subscribe_live_with_a_filter(client):
    camera, other = unique("lobby"), unique("yard")
    collector = Collector(client.subscribe(cameras=[camera], types=["motion", "probe"]))
    try:
        wait_until_live(client, collector, camera)
        drain_probes(collector)
        t = now_micros()
        client.report_batch([event("motion", other, t), event("person", camera, t + 1),
                             event("motion", camera, t + 2), event("motion", camera, t + 3)])
        got = take_real(collector, 2)
        assert [(e.camera, e.type, e.capture_time_micros) for e in got] == [
            (camera, "motion", t + 2), (camera, "motion", t + 3)]
        assert not drain_probes(collector), "events outside the filter are not sent"
    finally:
        collector.close()
    assert collector.error is None
    assert collector.subscription.cancelled


@needs_hub
def test_subscribe_since_replays_the_journal_then_goes_live(client):
    camera = unique("lobby")
    base = now_micros() - 5_000_000
    ids = client.report_batch([event("motion", camera, base + i * 1000) for i in range(3)]).ids
    collector = Collector(client.subscribe(cameras=[camera], since_micros=base + 1000))
    try:
        replayed = collector.take(2)
        assert [e.id for e in replayed] == list(ids[1:])
        live_id = client.report(event("motion", camera, base + 3000))
        live = collector.take(1)
        assert [e.id for e in live] == [live_id]
        assert not collector.take(1, timeout=0.5), "nothing is repeated"
    finally:
        collector.close()
    assert all(not isinstance(i, Missed) for i in replayed + live)


@needs_hub
def test_a_rejected_event_carries_the_hubs_reason(client):
    camera = unique("lobby")
    with pytest.raises(EventRejected) as info:
        client.report(event("motion", camera, now_micros(), boxes=[box(0.5, 0.5, 1.2, 0.1)]))
    assert "boxes[0]" in info.value.reason and info.value.reason in str(info.value)
    response = client.report_batch([event("motion", camera, now_micros()),
                                    event("", camera, now_micros()),
                                    event("motion", camera, now_micros())])
    assert response.accepted == 2 and len(response.ids) == 2
    assert [r.index for r in response.rejections] == [1]
    assert "type" in response.rejections[0].reason


@needs_hub
def test_async_reporter_survives_a_hub_restart():
    hub = HubProcess(new_journal())
    try:
        reporter = AsyncReporter(hub.address, retry_interval=0.05, max_retry_interval=0.5)
        camera = unique("lobby")
        base = now_micros() - 60_000_000
        for i in range(5):
            assert reporter.report(event("motion", camera, base + i))
        assert reporter.flush(20) and reporter.accepted == 5

        hub.stop()
        for i in range(5, 10):
            reporter.report(event("motion", camera, base + i))
        deadline = time.monotonic() + 20
        while reporter.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert reporter.failures > 0, "the reporter noticed the hub was gone"
        assert reporter.pending == 5

        hub.restart()
        assert reporter.flush(30), reporter.stats()
        assert (reporter.accepted, reporter.dropped, reporter.rejected) == (10, 0, 0)
        assert reporter.close(timeout=5)
        with EventClient(hub.address) as client:
            stored = client.query(from_micros=base, cameras=[camera])
        assert [e.capture_time_micros for e in stored] == [base + i for i in range(10)]
    finally:
        hub.close()


@needs_hub
def test_motion_worker_reports_to_the_hub(shared_hub, name, worker):
    scene = MovingSquareScene()
    camera = unique("door")
    with Writer.create(name, ChannelType.RGB24, width=scene.width, height=scene.height) as writer:
        w = worker("--channel", name, "--camera", camera, "--hub", shared_hub.address, "--fps", 8,
                   "--ignore", ",".join(map(str, CLOCK)))
        wait_for_reader(writer)
        shown = publish(writer, scene, seconds_still=1.0, seconds_moving=2.0)
        rc, out, err = w.stop()
    assert rc == 0 and out == "", err
    summary = err.strip().splitlines()[-1]
    with EventClient(shared_hub.address) as client:
        stored = client.query(cameras=[camera])
    assert len(stored) >= 8, (summary, stored)
    assert f"{len(stored)} accepted, 0 rejected, 0 dropped, 0 unsent" in summary
    for e in stored:
        assert (e.type, e.source) == ("motion", "motion")
        square = shown[e.capture_time_micros]
        assert square is not None and len(e.boxes) == 1
        b = e.boxes[0]
        assert overlap((b.x, b.y, b.width, b.height), square) > 0.6
