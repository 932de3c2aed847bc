"""Wait sets: one doorbell over several channels (5.3)."""

import threading
import time

import numpy as np
import pytest

from virta.bus import ChannelType, PullStatus, Reader, WaitSet, Writer, select_readers


@pytest.fixture
def three(names):
    writers = [Writer.create(names(f"ws{i}"), ChannelType.RAW, capacity=16) for i in range(3)]
    yield writers
    for w in writers:
        w.close()


def test_wait_returns_the_channels_with_frames(three):
    with WaitSet() as ws:
        readers = [Reader(w.name, wait_set=ws, start="next") for w in three]
        assert all(r._doorbell is ws.doorbell for r in readers)
        assert ws.wait(0.05) == []
        three[1].push(b"one")
        assert ws.wait(1) == [readers[1]]
        assert ws.wait(1) == [readers[1]], "still ready until pulled"
        assert readers[1].pull(0) is PullStatus.FRAME and bytes(readers[1].frame.data) == b"one"
        three[0].push(b"zero")
        three[2].push(b"two")
        assert ws.wait(1) == [readers[0], readers[2]]
        for r in (readers[0], readers[2]):
            assert r.pull(0) is PullStatus.FRAME
        assert ws.wait(0.05) == []


def test_wait_wakes_on_a_commit(three):
    with WaitSet() as ws:
        readers = [Reader(w.name, wait_set=ws, start="next") for w in three]
        threading.Timer(0.05, three[2].push, (b"x",)).start()
        t0 = time.monotonic()
        assert ws.wait(5) == [readers[2]]
        assert time.monotonic() - t0 < 1.0


def test_wait_reports_a_closed_channel(three):
    with WaitSet() as ws:
        readers = [Reader(w.name, wait_set=ws, start="next") for w in three]
        three[0].close()
        assert ws.wait(1) == [readers[0]]
        assert readers[0].pull(0) is PullStatus.END_OF_STREAM
        assert ws.wait(0.05) == []


def test_select_readers_and_closing(three):
    ws = WaitSet()
    readers = [Reader(w.name, wait_set=ws, start="next") for w in three]
    three[0].push(b"a")
    three[1].push(b"b")
    assert select_readers(readers[1:], 1) == [readers[1]]
    with Reader(three[0].name) as loner:
        with pytest.raises(ValueError, match="wait_set"):
            select_readers([loner, readers[0]], 0)
    readers[2].close()
    assert ws.readers == readers[:2]
    ws.close()
    assert all(r.closed for r in readers)


def test_many_frames_through_one_wait_set(three):
    with WaitSet() as ws:
        readers = [Reader(w.name, wait_set=ws, start="next") for w in three]
        got = {r.name: [] for r in readers}

        def produce():
            for i in range(60):
                three[i % 3].push(np.full(4, i, np.uint8))
                time.sleep(0.001)
        t = threading.Thread(target=produce)
        t.start()
        deadline = time.monotonic() + 10
        while sum(map(len, got.values())) < 60 and time.monotonic() < deadline:
            for r in ws.wait(1):
                while r.pull(0).has_frame:
                    got[r.name].append(int(r.frame.data[0]))
        t.join()
        for i, r in enumerate(readers):
            assert got[r.name] == list(range(i, 60, 3))
