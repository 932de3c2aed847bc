"""Writer and readers in one process: pulling, overruns, metadata, views, errors."""

import os
import stat
import threading
import time

import numpy as np
import pytest

from virta.bus import (BusError, ChannelBusy, ChannelMismatch, ChannelNotFound, ChannelType,
                       ColorMatrix, ColorRange, EndOfStream, Format, NoFreeReaderSlot, NoSpaceForChannel, PayloadTooLarge,
                       PullStatus, Reader, Writer)
from virta.bus import layout as L


def raw_writer(name, cells=8, capacity=64, **kw):
    return Writer.create(name, ChannelType.RAW, capacity=capacity, cells=cells, **kw)


def push_seq(writer, size=16):
    """Pushes a test frame whose bytes all equal its sequence % 251."""
    seq = writer.sequence + 1
    writer.push(np.full(size, seq % 251, dtype=np.uint8))
    return seq


# ---- the basic exchange ----------------------------------------------------------------------


def test_push_then_pull_delivers_payload_and_metadata(name):
    with raw_writer(name, capacity=100) as w, Reader(name) as r:
        before = time.monotonic_ns()
        w.push(b"hello", capture_time_us=111, arrival_time_us=222, keyframe=True, stream_id=7,
               width=3, height=2, format=Format.H264, box_type="moof")
        assert r.pull(1) is PullStatus.FRAME
        f = r.frame
        assert (f.sequence, f.lost, f.size) == (1, 0, 5)
        assert bytes(f.data) == b"hello"
        assert f.keyframe and not f.first and not f.discontinuity
        assert (f.capture_time_us, f.arrival_time_us, f.stream_id) == (111, 222, 7)
        assert (f.width, f.height, f.format, f.box_type) == (3, 2, Format.H264, "moof")
        assert before <= f.commit_monotonic_ns <= time.monotonic_ns()
        assert f.is_intact()
        assert not f.data.flags.writeable, "readers get read-only views"
        assert (r.frames, r.lost, r.overruns) == (1, 0, 0)


def test_default_metadata_comes_from_the_channel(name):
    with Writer.create(name, ChannelType.YUV420P, width=8, height=4) as w, Reader(name) as r:
        assert w.capacity == 48 and w.format == Format.I420
        now = time.time_ns() // 1000
        w.push(np.zeros(48, np.uint8), first=True)
        assert r.pull(1).has_frame
        f = r.frame
        assert (f.width, f.height, f.format) == (8, 4, Format.I420)
        assert f.strides == (8, 4, 4, 0) and f.plane_offsets == (32, 40, 0)
        assert f.first and f.box_type is None
        assert (f.color_matrix, f.color_range) == (ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED)
        assert abs(f.capture_time_us - now) < 5_000_000
        assert (r.channel_type, r.width, r.height, r.cells, r.capacity) == (
            ChannelType.YUV420P, 8, 4, 8, 48)


def test_colour_metadata_round_trips_and_is_not_carried_over(name):
    with Writer.create(name, ChannelType.YUV420P, width=8, height=4) as w, \
            Reader(name, start="next") as r:
        w.push(np.zeros(48, np.uint8), color_matrix=ColorMatrix.BT709, color_range=ColorRange.FULL)
        w.push(np.zeros(48, np.uint8), color_matrix="bt2020", color_range=1)
        w.push(np.zeros(48, np.uint8))
        seen = []
        while r.pull(0).has_frame:
            seen.append((r.frame.color_matrix, r.frame.color_range))
        assert seen == [(ColorMatrix.BT709, ColorRange.FULL), (ColorMatrix.BT2020, ColorRange.LIMITED),
                        (ColorMatrix.UNSPECIFIED, ColorRange.UNSPECIFIED)]
        assert isinstance(seen[0][0], ColorMatrix) and seen[0][0] == 2, "IntEnums with the spec's codes"


def test_colour_codes_of_a_newer_writer_read_as_unspecified(name):
    with Writer.create(name, ChannelType.YUV420P, width=8, height=4) as w, Reader(name) as r:
        w.claim()[:48] = 0
        w.commit(48, color_matrix=ColorMatrix.BT601, color_range=ColorRange.LIMITED)
        # As a later release might: codes this client does not know, written straight into the cell.
        meta = L.Layout.compute(w.cells, L.DEFAULT_READER_SLOTS, w.capacity).cell_metadata(0)
        with open(L.object_path(name), "r+b") as f:
            f.seek(meta + L.C_COLOR_MATRIX)
            f.write(bytes([9, 200]))
        assert r.pull(1).has_frame
        assert (r.frame.color_matrix, r.frame.color_range) == (ColorMatrix.UNSPECIFIED,
                                                               ColorRange.UNSPECIFIED)


def test_sequences_start_at_one_and_have_no_gaps(name):
    with raw_writer(name, cells=4) as w, Reader(name, start="next") as r:
        for expected in range(1, 11):
            push_seq(w)
            assert r.pull(0) is PullStatus.FRAME
            assert r.frame.sequence == expected
            assert set(r.frame.data.tolist()) == {expected}


def test_start_newest_gives_the_latest_frame_at_once(name):
    with raw_writer(name) as w:
        for _ in range(5):
            push_seq(w)
        with Reader(name) as newest, Reader(name, start="next") as nxt:
            assert newest.pull(0) is PullStatus.FRAME and newest.frame.sequence == 5
            assert nxt.pull(0) is PullStatus.TIMEOUT
            push_seq(w)
            assert nxt.pull(0) is PullStatus.FRAME and nxt.frame.sequence == 6
            assert newest.pull(0) is PullStatus.FRAME and newest.frame.sequence == 6


def test_start_newest_on_an_empty_channel_waits_for_frame_one(name):
    with raw_writer(name) as w, Reader(name) as r:
        assert r.pull(0) is PullStatus.TIMEOUT
        push_seq(w)
        assert r.pull(0) is PullStatus.FRAME and r.frame.sequence == 1


# ---- overruns (5.2) ----------------------------------------------------------------------------


def test_lapped_reader_resumes_at_newest_with_exact_lost_count(name):
    with raw_writer(name, cells=8) as w, Reader(name, start="next") as r:
        for _ in range(20):
            push_seq(w)
        assert r.pull(0) is PullStatus.OVERRUN
        assert (r.frame.sequence, r.frame.lost) == (20, 19)
        assert r.pull(0) is PullStatus.TIMEOUT
        for _ in range(3):
            push_seq(w)
        for expected in (21, 22, 23):
            assert r.pull(0) is PullStatus.FRAME
            assert (r.frame.sequence, r.frame.lost) == (expected, 0)
        assert (r.frames, r.lost, r.overruns, r.timeouts) == (4, 19, 1, 1)


def test_a_full_ring_behind_is_not_yet_an_overrun(name):
    with raw_writer(name, cells=8) as w, Reader(name, start="next") as r:
        for _ in range(8):
            push_seq(w)
        seqs = []
        while r.pull(0).has_frame:
            seqs.append((r.frame.sequence, r.frame.lost))
        assert seqs == [(s, 0) for s in range(1, 9)]


def test_one_frame_more_than_the_ring_loses_exactly_that_many(name):
    with raw_writer(name, cells=8) as w, Reader(name, start="next") as r:
        for _ in range(9):
            push_seq(w)
        assert r.pull(0) is PullStatus.OVERRUN
        assert (r.frame.sequence, r.frame.lost) == (9, 8)


def test_frame_overwritten_while_held_counts_as_lost(name):
    with raw_writer(name, cells=4) as w, Reader(name, start="next") as r:
        push_seq(w)
        assert r.pull(0) is PullStatus.FRAME
        held = r.frame
        assert held.is_intact()
        for _ in range(3):
            push_seq(w)
        assert held.is_intact(), "three more commits do not reach the held cell of a 4-cell ring"
        push_seq(w)      # frame 5 reuses frame 1's cell
        assert not held.is_intact()
        # The held frame 1 was overwritten under the caller: it counts as lost, and the reader
        # resumes at the newest frame (spec 5.2 step 1), so frames 2..4 are skipped too.
        assert r.pull(0) is PullStatus.OVERRUN
        assert (r.frame.sequence, r.frame.lost) == (5, 4)


def test_copy_returns_an_untorn_copy(name):
    with raw_writer(name, cells=4) as w, Reader(name, start="next") as r:
        push_seq(w)
        assert r.pull(0).has_frame
        copied = r.frame.copy()
        assert copied.tolist() == [1] * 16
        assert not np.shares_memory(copied, r.frame.data)
        out = np.zeros(64, np.uint8)
        assert r.frame.copy(out).tolist() == [1] * 16


def test_copy_of_an_overwritten_frame_moves_on_to_a_newer_one(name):
    with raw_writer(name, cells=4) as w, Reader(name, start="next") as r:
        push_seq(w)
        assert r.pull(0).has_frame
        for _ in range(5):
            push_seq(w)          # frames 2..6; frame 1's cell now holds frame 5
        copied = r.frame.copy()
        assert r.frame.sequence > 1 and r.frame.lost >= 1
        assert copied.tolist() == [r.frame.sequence] * 16


# ---- claim / commit ------------------------------------------------------------------------------


def test_claim_fills_the_cell_in_place(name):
    with raw_writer(name, capacity=100) as w, Reader(name, start="next") as r:
        cell = w.claim()
        assert cell.shape == (100,) and cell.dtype == np.uint8 and cell.flags.writeable
        assert w.claim() is cell, "claiming twice before commit gives the same cell"
        cell[:10] = np.arange(10)
        assert r.pull(0) is PullStatus.TIMEOUT, "nothing is visible before commit"
        assert w.commit(10, keyframe=True) == 1
        assert r.pull(0) is PullStatus.FRAME
        assert r.frame.data.tolist() == list(range(10))


def test_claim_marks_the_cell_as_being_written(name):
    with raw_writer(name, cells=2) as w, Reader(name, start="next") as r:
        push_seq(w)
        assert r.pull(0).has_frame
        push_seq(w)
        w.claim()                 # frame 3 goes into frame 1's cell
        assert not r.frame.is_intact()
        w.commit(4)


def test_commit_without_claim_is_an_error(name):
    with raw_writer(name) as w:
        with pytest.raises(BusError, match="claim"):
            w.commit(1)


def test_bad_metadata_publishes_nothing(name):
    with raw_writer(name) as w, Reader(name, start="next") as r:
        w.claim()
        with pytest.raises(ValueError, match="negative"):
            w.commit(-1)
        with pytest.raises(ValueError, match="stream_id"):
            w.commit(1, stream_id=-5)
        with pytest.raises(ValueError, match="box_type"):
            w.commit(1, box_type="toolong")
        assert r.pull(0) is PullStatus.TIMEOUT
        assert w.commit(2, stream_id=5) == 1
        assert r.pull(0) is PullStatus.FRAME and r.frame.stream_id == 5


def test_payload_larger_than_a_cell(name):
    with raw_writer(name, capacity=64) as w, Reader(name, start="next") as r:
        with pytest.raises(PayloadTooLarge) as info:
            w.push(bytes(65))
        message = str(info.value)
        assert name in message and "65" in message and "64" in message and "larger" in message
        w.claim()
        with pytest.raises(PayloadTooLarge):
            w.commit(1000)
        w.commit(3)                     # the channel is still usable
        w.push(bytes(64))
        assert r.pull(0) is PullStatus.FRAME and r.frame.size == 3
        assert r.pull(0) is PullStatus.FRAME and r.frame.size == 64


def test_push_accepts_arrays_and_bytes_like(name):
    with raw_writer(name, capacity=64) as w, Reader(name, start="next") as r:
        strided = np.arange(32, dtype=np.uint16).reshape(4, 8)[:, ::2]      # not contiguous
        w.push(strided)
        assert r.pull(0).has_frame
        assert r.frame.data.view(np.uint16).tolist() == strided.reshape(-1).tolist()
        for data in (b"abc", bytearray(b"defg"), memoryview(b"hi"), np.array([1.5], np.float32)):
            w.push(data)
            assert r.pull(0).has_frame
            assert bytes(r.frame.data) == bytes(memoryview(data).cast("B"))
        w.push(b"")
        assert r.pull(0).has_frame and r.frame.size == 0


# ---- images --------------------------------------------------------------------------------------


def test_rgb_image_view(name):
    with Writer.create(name, ChannelType.RGB24, width=4, height=3) as w, Reader(name) as r:
        img = np.arange(36, dtype=np.uint8).reshape(3, 4, 3)
        w.push(img)
        assert r.pull(0).has_frame
        view = r.frame.image()
        assert view.shape == (3, 4, 3)
        assert np.array_equal(view, img)
        assert np.shares_memory(view, r.frame.data)


def test_rgb_image_with_padded_rows(name):
    with Writer.create(name, ChannelType.RGB24, width=4, height=3, capacity=3 * 16) as w, \
            Reader(name) as r:
        img = np.arange(36, dtype=np.uint8).reshape(3, 4, 3)
        padded = np.zeros((3, 16), np.uint8)
        padded[:, :12] = img.reshape(3, 12)
        w.push(padded, strides=(16,), format=Format.BGR24)
        assert r.pull(0).has_frame
        assert r.frame.format == Format.BGR24
        assert np.array_equal(r.frame.image(), img)


def test_i420_planes(name):
    with Writer.create(name, ChannelType.YUV420P, width=8, height=4) as w, Reader(name) as r:
        payload = np.concatenate([np.full(32, 1), np.full(8, 2), np.full(8, 3)]).astype(np.uint8)
        w.push(payload)
        assert r.pull(0).has_frame
        y, u, v = r.frame.planes()
        assert (y.shape, u.shape, v.shape) == ((4, 8), (2, 4), (2, 4))
        assert (y == 1).all() and (u == 2).all() and (v == 3).all()
        with pytest.raises(BusError, match="planes"):
            r.frame.image()


def test_nv12_and_gray_views(name):
    with Writer.create(name, ChannelType.RAW, width=4, height=2, capacity=12) as w, Reader(name) as r:
        w.push(np.arange(12, dtype=np.uint8), format=Format.NV12)
        assert r.pull(0).has_frame
        y, uv = r.frame.planes()
        assert y.shape == (2, 4) and uv.shape == (1, 2, 2)
        assert uv.reshape(-1).tolist() == [8, 9, 10, 11]
        w.push(np.arange(8, dtype=np.uint8), format=Format.GRAY8)
        assert r.pull(0).has_frame
        assert r.frame.image().shape == (2, 4)


def test_image_of_a_short_payload_is_an_error(name):
    with Writer.create(name, ChannelType.RGB24, width=4, height=3) as w, Reader(name) as r:
        w.push(bytes(10))
        assert r.pull(0).has_frame
        with pytest.raises(BusError, match=name):
            r.frame.image()


# ---- waiting, timeouts, end of stream ------------------------------------------------------------


def test_timeout(name):
    with raw_writer(name) as w, Reader(name, start="next") as r:
        t0 = time.monotonic()
        assert r.pull(0.15) is PullStatus.TIMEOUT
        assert 0.14 <= time.monotonic() - t0 < 1.0
        assert r.pull_frame(0.05) is None
        assert r.timeouts == 2
        push_seq(w)
        assert r.pull_frame(0.05).sequence == 1


def test_blocked_pull_wakes_on_commit(name):
    with raw_writer(name) as w, Reader(name, start="next") as r:
        timer = threading.Timer(0.05, push_seq, (w,))
        timer.start()
        t0 = time.monotonic()
        assert r.pull(5) is PullStatus.FRAME
        assert time.monotonic() - t0 < 1.0
        timer.join()


def test_spinning_reader(name):
    with raw_writer(name) as w, Reader(name, start="next", spin_us=2000) as r:
        assert r.pull(0.01) is PullStatus.TIMEOUT
        threading.Timer(0.001, push_seq, (w,)).start()
        assert r.pull(2) is PullStatus.FRAME


def test_end_of_stream_after_remaining_frames(name):
    w = raw_writer(name)
    with Reader(name, start="next") as r:
        for _ in range(3):
            push_seq(w)
        w.close()
        assert not os.path.exists(L.object_path(name))
        assert [r.pull(1) for _ in range(3)] == [PullStatus.FRAME] * 3
        assert r.pull(1) is PullStatus.END_OF_STREAM
        t0 = time.monotonic()
        assert r.pull(0.1) is PullStatus.END_OF_STREAM, "repeats after looking for a new writer"
        assert time.monotonic() - t0 >= 0.09
        with pytest.raises(EndOfStream, match=name):
            r.pull_frame(0)


def test_iterating_stops_at_end_of_stream(name):
    w = raw_writer(name)
    with Reader(name, start="next") as r:
        for _ in range(5):
            push_seq(w)
        w.close()
        assert [f.sequence for f in r] == [1, 2, 3, 4, 5]


def test_closed_blocked_reader_wakes_at_once(name):
    w = raw_writer(name)
    with Reader(name, start="next") as r:
        threading.Timer(0.05, w.close).start()
        t0 = time.monotonic()
        assert r.pull(5) is PullStatus.END_OF_STREAM
        assert time.monotonic() - t0 < 1.0


def test_new_writer_after_end_of_stream(names):
    name = names()
    w = raw_writer(name)
    with Reader(name, start="next") as r:
        w.close()
        assert r.pull(1) is PullStatus.END_OF_STREAM
        with raw_writer(name) as w2:
            assert w2.generation == 1, "a closed channel is gone; its successor starts afresh"
            push_seq(w2)
            assert r.pull(2) is PullStatus.WRITER_RESTARTED
            assert r.pull(1) is PullStatus.FRAME and r.frame.sequence == 1


# ---- liveness and takeover -----------------------------------------------------------------------


def _stall(writer):
    """Makes a writer look hung: stops its heartbeat and backdates it by 6 s."""
    writer._stop.set()
    writer._thread.join()
    mem = writer._mem
    mem.i64[mem.heartbeat_index] = time.time_ns() // 1000 - 6_000_000


def test_second_writer_of_a_live_channel_is_refused(name):
    with raw_writer(name) as w:
        with pytest.raises(ChannelBusy) as info:
            raw_writer(name)
        assert str(os.getpid()) in str(info.value) and name in str(info.value)
        push_seq(w)            # the first writer is unaffected


def test_stale_heartbeat_means_died_then_takeover_means_restarted(name):
    w1 = raw_writer(name)
    with Reader(name, start="next") as r:
        push_seq(w1)
        assert r.pull(1) is PullStatus.FRAME
        _stall(w1)
        assert r.pull(2) is PullStatus.WRITER_DIED
        assert r.pull(0.05) is PullStatus.WRITER_DIED
        with pytest.raises(BusError):
            r.pull_frame(0)
        with raw_writer(name) as w2:          # the stale object may be taken over
            assert w2.generation == 2
            assert w1._mem.state == L.STATE_REPLACED
            push_seq(w2)
            t0 = time.monotonic()
            assert r.pull(2) is PullStatus.WRITER_RESTARTED
            assert time.monotonic() - t0 < 1.0
            assert r.generation == 2 and r.restarts == 1
            assert r.pull(1) is PullStatus.FRAME and r.frame.sequence == 1
        w1.close()    # a replaced writer leaves its successor's name alone
    assert not os.path.exists(L.object_path(name))


def _resume(writer):
    """Undoes _stall: the same writer's heartbeat is fresh again (it was stopped, not dead)."""
    mem = writer._mem
    mem.i64[mem.heartbeat_index] = time.time_ns() // 1000
    writer._stop.clear()
    writer._thread = threading.Thread(target=writer._housekeeping, daemon=True)
    writer._thread.start()


def test_a_writer_declared_dead_is_followed_again_when_its_heartbeat_resumes(name):
    """Section 5.3: a stall or clock step over 5 s, then the same writer goes on."""
    with raw_writer(name) as w, Reader(name, start="next") as r:
        push_seq(w)
        assert r.pull(1) is PullStatus.FRAME
        _stall(w)
        assert r.pull(2) is PullStatus.WRITER_DIED
        _resume(w)
        push_seq(w)
        assert r.pull(2) is PullStatus.FRAME
        assert r.frame.sequence == 2 and r.frame.lost == 0


def test_a_stale_writer_closing_leaves_its_live_successor_under_the_name(name):
    """Section 4: a replaced writer neither unlinks the name nor marks anything CLOSED."""
    w1 = raw_writer(name)
    with Reader(name, start="next") as old_reader:
        _stall(w1)
        with raw_writer(name) as w2:
            w1.close()
            assert os.path.exists(L.object_path(name))
            with Reader(name, start="next") as new_reader:
                assert new_reader.generation == 2
                push_seq(w2)
                assert new_reader.pull(2) is PullStatus.FRAME
            # The old object stays REPLACED, so its reader follows the successor.
            assert old_reader.pull(2) is PullStatus.WRITER_RESTARTED


def test_replaced_before_the_successor_is_published_is_not_a_death(name):
    """Section 4 step 1 marks the old object REPLACED before step 3 renames the new one over it."""
    w1 = raw_writer(name)
    with Reader(name, start="next") as r:
        _stall(w1)
        w1._mem.set_state(L.STATE_REPLACED)
        assert r.pull(0.3) is PullStatus.TIMEOUT
        with raw_writer(name) as w2:
            assert r.pull(2) is PullStatus.WRITER_RESTARTED
            push_seq(w2)
            assert r.pull(2) is PullStatus.FRAME
    w1.close()


def test_takeover_while_reader_waits(name):
    w1 = raw_writer(name)
    with Reader(name, start="next") as r:
        _stall(w1)
        results = []

        def take_over():
            time.sleep(0.05)
            w2 = raw_writer(name)
            push_seq(w2)
            results.append(w2)

        t = threading.Thread(target=take_over)
        t.start()
        statuses = [r.pull(2), r.pull(2)]
        t.join()
        # Depending on timing the reader may or may not notice the death before the takeover.
        assert statuses[-1] is PullStatus.WRITER_RESTARTED or statuses == [
            PullStatus.WRITER_RESTARTED, PullStatus.FRAME]
        results[0].close()
        w1.close()


def test_pull_frame_passes_over_a_restart(name):
    w1 = raw_writer(name)
    with Reader(name, start="next") as r:
        _stall(w1)
        with raw_writer(name) as w2:
            push_seq(w2)
            frame = r.pull_frame(2)
            assert frame is not None and frame.sequence == 1
        w1.close()


# ---- slots, doorbells, permissions ----------------------------------------------------------------


def test_no_free_reader_slot(name):
    with raw_writer(name, reader_slots=2):
        a, b = Reader(name), Reader(name)
        with pytest.raises(NoFreeReaderSlot) as info:
            Reader(name)
        assert name in str(info.value) and "2" in str(info.value)
        a.close()
        with Reader(name):
            pass
        b.close()


def test_reader_close_frees_its_slot_and_doorbell(name):
    with raw_writer(name) as w:
        r = Reader(name)
        doorbell = r._doorbell.name
        assert os.path.exists(L.semaphore_path(doorbell))
        assert w._mem.active_slots().tolist() == [0]
        assert w._mem.slot_fields(0)[1:4:2] == (os.getpid(), doorbell)
        r.close()
        r.close()                       # idempotent
        assert not os.path.exists(L.semaphore_path(doorbell))
        assert w._mem.active_slots().tolist() == []
        with pytest.raises(BusError, match="closed"):
            r.pull(0)


def test_channel_mode_and_group(names):
    with raw_writer(names()) as w:
        assert stat.S_IMODE(os.stat(w._mem.path).st_mode) == 0o600
    with raw_writer(names(), group=os.getgid()) as w:
        st = os.stat(w._mem.path)
        assert stat.S_IMODE(st.st_mode) == 0o660 and st.st_gid == os.getgid()
        with Reader(w.name, group=os.getgid()) as r:
            st = os.stat(L.semaphore_path(r._doorbell.name))
            assert stat.S_IMODE(st.st_mode) == 0o660


def test_unknown_group(name):
    with pytest.raises(BusError, match="unknown group"):
        raw_writer(name, group="no-such-group-virta")


def test_channel_too_large_for_dev_shm(name):
    with pytest.raises(NoSpaceForChannel, match=name):
        raw_writer(name, capacity=1 << 50, cells=2)
    assert not os.path.exists(L.object_path(name))
    assert not [f for f in os.listdir("/dev/shm") if name in f]


# ---- bad inputs -----------------------------------------------------------------------------------


def test_missing_channel(name):
    with pytest.raises(ChannelNotFound) as info:
        Reader(name)
    message = str(info.value)
    assert f"'{name}'" in message and L.object_path(name) in message and "wait_for_writer" in message


def test_wait_for_writer(name):
    timer = threading.Timer(0.2, lambda: created.append(raw_writer(name)))
    created = []
    timer.start()
    t0 = time.monotonic()
    with Reader(name, wait_for_writer=5) as r:
        assert 0.15 < time.monotonic() - t0 < 3
        assert r.pull(0) is PullStatus.TIMEOUT
    timer.join()
    created[0].close()


def test_wait_for_writer_gives_up(name):
    t0 = time.monotonic()
    with pytest.raises(ChannelNotFound, match="within 0.2 s"):
        Reader(name, wait_for_writer=0.2)
    assert time.monotonic() - t0 < 2


def test_mismatched_expectations(name):
    with Writer.create(name, ChannelType.RGB24, width=4, height=2):
        with Reader(name, expect_type="rgb24", width=4, height=2, format=Format.RGB24):
            pass
        with pytest.raises(ChannelMismatch, match="type RGB24, expected YUV420P"):
            Reader(name, expect_type=ChannelType.YUV420P)
        with pytest.raises(ChannelMismatch, match="width 4, expected 8"):
            Reader(name, width=8)
        with pytest.raises(ChannelMismatch, match="height 2, expected 3"):
            Reader(name, height=3)
        with pytest.raises(ChannelMismatch, match="format RGB24, expected BGR24"):
            Reader(name, format="bgr24")
        with pytest.raises(ChannelMismatch, match="unknown channel type"):
            Reader(name, expect_type="mpeg2")


@pytest.mark.parametrize("kwargs,message", [
    (dict(channel_type=ChannelType.RAW), "needs capacity"),
    (dict(channel_type=ChannelType.RGB24), "needs width and height"),
    (dict(channel_type=ChannelType.RAW, capacity=0), "at least 1 byte"),
    (dict(channel_type=ChannelType.RAW, capacity=8, cells=1), "cells must be at least 2"),
    (dict(channel_type=ChannelType.RAW, capacity=8, reader_slots=0), "reader_slots"),
    (dict(channel_type=ChannelType.RAW, capacity=8, reader_slots=1025), "reader_slots"),
    (dict(channel_type="mpeg2", capacity=8), "unknown channel type"),
    (dict(channel_type=ChannelType.RAW, capacity=8, format="vp9"), "unknown format"),
])
def test_bad_writer_arguments(name, kwargs, message):
    with pytest.raises(ChannelMismatch, match=message):
        Writer.create(name, **kwargs)
    assert not os.path.exists(L.object_path(name))


def test_bad_start():
    with pytest.raises(ValueError, match="newest"):
        Reader("x", start="oldest")
