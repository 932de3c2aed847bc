"""Writers and readers in separate processes, driven through the CLI (python3 -m virta.bus.tools)."""

import json
import os
import signal
import subprocess
import time

import pytest

from virta.bus import ChannelBusy, ChannelType, PullStatus, Reader, Writer
from virta.bus import layout as L
from conftest import shm_files


def push_test_frames(writer, count, fps=0, size=None):
    """Frames as `tools write` makes them: every byte equals sequence % 251."""
    size = writer.capacity if size is None else size
    period = 1.0 / fps if fps else 0
    next_time = time.monotonic()
    for _ in range(count):
        seq = writer.sequence + 1
        writer.claim()[:size].fill(seq % 251)
        writer.commit(size)
        if period:
            next_time += period
            time.sleep(max(0.0, next_time - time.monotonic()))


def frames_of(tool):
    return [e for e in tool.events() if e["event"] == "frame"]


def test_several_reader_processes_get_every_frame(name, tools):
    with Writer.create(name, ChannelType.RGB24, width=32, height=16, cells=16) as w:
        readers = [tools("read", name, "--start", "next", "--count", 40) for _ in range(3)]
        for r in readers:
            r.expect_event("ready")
        assert len(w._mem.active_slots()) == 3
        push_test_frames(w, 40, fps=400)
        for r in readers:
            assert r.finish() == 0
            frames = frames_of(r)
            assert [f["seq"] for f in frames] == list(range(1, 41))
            assert all(f["ok"] and f["lost"] == 0 and f["size"] == 32 * 16 * 3 for f in frames)
            assert (frames[0]["width"], frames[0]["height"]) == (32, 16)
            assert r.events()[-1] == {"event": "summary", "frames": 40, "lost": 0, "bad": 0,
                                      "overruns": 0}


def test_tool_writer_to_in_process_reader(name, tools):
    writer = tools("write", name, "--type", "yuv420p", "--width", 16, "--height", 8,
                   "--count", 30, "--fps", 200, "--linger", 0.2)
    writer.expect_line("READY")
    with Reader(name, expect_type="yuv420p", width=16, height=8) as r:
        seqs = []
        for frame in r:
            assert frame.size == 16 * 8 * 3 // 2
            assert frame.data.min() == frame.data.max() == frame.sequence % 251
            assert [p.shape for p in frame.planes()] == [(8, 16), (4, 8), (4, 8)]
            seqs.append(frame.sequence)
    assert writer.finish() == 0
    assert writer.lines[-1] == "DONE 30"
    assert seqs and seqs[-1] == 30 and seqs == sorted(set(seqs))
    assert not os.path.exists(L.object_path(name)), "the writer removed its channel"


def test_reader_waits_for_a_writer(name, tools):
    reader = tools("read", name, "--wait-writer", 10, "--start", "next", "--timeout", 5)
    time.sleep(0.3)
    with Writer.create(name, ChannelType.RAW, capacity=10) as w:
        reader.expect_event("ready")
        push_test_frames(w, 5)
    assert reader.finish() == 0
    events = [e["event"] for e in reader.events()]
    assert events == ["ready"] + ["frame"] * 5 + ["end", "summary"]


def test_slow_reader_does_not_disturb_a_fast_one(name, tools):
    count = 300
    with Writer.create(name, ChannelType.RAW, capacity=4096, cells=64) as w:
        fast = tools("read", name, "--start", "next", "--count", count)
        slow = tools("read", name, "--start", "next", "--delay-ms", 25, "--timeout", 3)
        fast.expect_event("ready")
        slow.expect_event("ready")
        push_test_frames(w, count, fps=300)
        assert fast.finish() == 0
    assert slow.finish() == 0

    fast_frames = frames_of(fast)
    assert [f["seq"] for f in fast_frames] == list(range(1, count + 1))
    assert all(f["ok"] and f["lost"] == 0 for f in fast_frames)

    slow_frames = frames_of(slow)
    summary = slow.events()[-1]
    assert slow.events()[-2]["event"] == "end"
    assert summary["overruns"] > 0 and summary["bad"] == 0
    assert all(f["ok"] for f in slow_frames)
    # Per frame, `lost` is the gap since the previous frame, plus one if that previous frame was
    # overwritten while the reader held it (5.2 step 1).
    previous = 0
    for f in slow_frames:
        gap = f["seq"] - previous - 1
        assert f["lost"] - gap in (0, 1), f
        previous = f["seq"]
    assert sum(f["lost"] for f in slow_frames) == summary["lost"]
    assert summary["lost"] >= count - len(slow_frames)
    assert slow_frames[-1]["seq"] == count


def test_killed_writer_then_new_writer(name, tools):
    reader = tools("read", name, "--wait-writer", 10, "--timeout", 3, "--max-timeouts", 2)
    first = tools("write", name, "--type", "raw", "--size", 100, "--count", 100000, "--fps", 50)
    first.expect_line("READY")
    reader.expect_event("frame")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait()
    reader.expect_event("died", timeout=5)
    assert os.path.exists(L.object_path(name)), "a crashed writer leaves its object"

    second = tools("write", name, "--type", "raw", "--size", 100, "--count", 20, "--fps", 100)
    second.expect_line("READY")
    reader.expect_event("restarted", timeout=5)
    assert second.finish() == 0
    assert reader.finish() == 0
    events = reader.events()
    kinds = [e["event"] for e in events]
    restart = kinds.index("restarted")
    after = [e for e in events[restart:] if e["event"] == "frame"]
    assert after[0]["seq"] == 1, "a re-attached reader starts at the new writer's first frame"
    assert [e["seq"] for e in after] == list(range(1, 21))
    assert all(e["ok"] for e in events if e["event"] == "frame")
    assert kinds[-2:] == ["end", "summary"]
    assert not shm_files(f"sem.virta.r.{first.proc.pid}.*")


def test_crashed_writer_is_replaced_with_the_next_generation(name, tools):
    crashed = tools("write", name, "--type", "raw", "--size", 8, "--count", 3, "--fps", 0,
                    "--no-close")
    assert crashed.finish() == 0 and crashed.lines == ["READY", "DONE 3"]
    assert os.path.exists(L.object_path(name))
    with Reader(name) as r:
        assert r.pull(1) is PullStatus.FRAME and r.frame.sequence == 3
        assert r.pull(2) is PullStatus.WRITER_DIED
        with Writer.create(name, ChannelType.RAW, capacity=8) as w:
            assert w.generation == 2
            assert r.pull(2) is PullStatus.WRITER_RESTARTED
            w.push(b"x")
            assert r.pull(1) is PullStatus.FRAME and r.frame.sequence == 1


def test_second_writer_process_is_refused(name, tools):
    first = tools("write", name, "--type", "raw", "--size", 8, "--count", 1, "--linger", 30)
    first.expect_line("DONE 1")
    with pytest.raises(ChannelBusy, match=str(first.proc.pid)):
        Writer.create(name, ChannelType.RAW, capacity=8)
    second = tools("write", name, "--type", "raw", "--size", 8)
    assert second.finish() == 2
    assert second.stderr.startswith("error: ") and "live writer" in second.stderr
    first.proc.terminate()             # SIGTERM: the tool closes the channel in order
    assert first.finish() == 0 or first.proc.returncode == 128 + signal.SIGTERM
    assert not os.path.exists(L.object_path(name))


def test_writer_frees_slots_of_dead_readers(name, tools):
    with Writer.create(name, ChannelType.RAW, capacity=8) as w:
        reader = tools("read", name, "--timeout", 30)
        reader.expect_event("ready")
        assert len(w._mem.active_slots()) == 1
        doorbell = w._mem.slot_fields(int(w._mem.active_slots()[0]))[3]
        assert os.path.exists(L.semaphore_path(doorbell))
        reader.proc.send_signal(signal.SIGKILL)
        reader.proc.wait()
        # The heartbeat thread frees the slot, then unlinks its doorbell: wait for both, not just the first.
        deadline = time.monotonic() + 5
        while (len(w._mem.active_slots()) or os.path.exists(L.semaphore_path(doorbell))) \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(w._mem.active_slots()) == 0
        assert not os.path.exists(L.semaphore_path(doorbell))


def test_read_tool_timeouts_and_errors(names, tools):
    name = names()
    with Writer.create(name, ChannelType.RGB24, width=4, height=4):
        t0 = time.monotonic()
        reader = tools("read", name, "--timeout", 0.2, "--max-timeouts", 2)
        assert reader.finish() == 0
        assert [e["event"] for e in reader.events()] == ["ready", "timeout", "timeout", "summary"]
        mismatch = tools("read", name, "--expect-type", "yuv420p", "--width", 4, "--height", 4)
        assert mismatch.finish() == 2 and "error: channel" in mismatch.stderr
        assert time.monotonic() - t0 < 10
    missing = tools("read", names())
    assert missing.finish() == 2
    assert missing.stderr.startswith("error: channel") and "does not exist" in missing.stderr
    bad = tools("read", "a/b")
    assert bad.finish() == 2 and "invalid channel name" in bad.stderr


def test_write_tool_arguments(name, tools):
    no_size = tools("write", name, "--type", "raw")
    assert no_size.finish() != 0 and "--size" in no_size.stderr
    too_large = tools("write", name, "--type", "rgb24", "--width", 4, "--height", 4, "--size", 1)
    assert too_large.finish() != 0
    assert not os.path.exists(L.object_path(name))


def test_ls_and_latency(name, tools):
    with Writer.create(name, ChannelType.RAW, capacity=64, cells=16) as w:
        with Reader(name):
            ls = tools("ls", "--json")
            assert ls.finish() == 0
            rows = [json.loads(line) for line in ls.lines]
            row = next(r for r in rows if r["name"] == name)
            assert (row["type"], row["cells"], row["pid"], row["alive"], row["readers"]) == (
                "raw", 16, os.getpid(), True, 1)
            table = tools("ls")
            assert table.finish() == 0 and any(name in line for line in table.lines)

        latency = tools("latency", name, "--count", 100, "--warmup", 50, "--json")
        deadline = time.monotonic() + 10
        while not len(w._mem.active_slots()) and time.monotonic() < deadline:
            time.sleep(0.01)
        push_test_frames(w, 200, fps=1000)
        assert latency.finish() == 0
        result = json.loads(latency.lines[-1])
        assert result["reader"] == "python" and result["n"] == 100
        assert 0 < result["p50_us"] <= result["p99_us"] <= result["p999_us"] <= result["max_us"]


def test_clean_removes_unfinished_objects_of_dead_writers_only(tools):
    """Section 8: the PID of .tmp.virta.NAME.PID.RANDOM is the field before the last, even when
    NAME has a field of digits ("cam.1")."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = f"/dev/shm/.tmp.virta.t.cam.1.{gone.pid}.ab12cd34"
    live = f"/dev/shm/.tmp.virta.t.cam.1.{os.getpid()}.ab12cd35"
    for path in (dead, live):
        open(path, "wb").close()
    try:
        clean = tools("clean")
        assert clean.finish() == 0
        assert any(os.path.basename(dead) in line for line in clean.lines), clean.lines
        assert not os.path.exists(dead)
        assert os.path.exists(live), "a writer still building its object keeps it"
    finally:
        for path in (dead, live):
            if os.path.exists(path):
                os.unlink(path)


def test_a_hung_holder_of_the_header_lock_delays_but_never_hangs_a_writer(name):
    """Section 4: a writer waits for the header lock at most H_LOCK_PATIENCE_S, then leaves the
    channel alone (close) or refuses with a clear error (create)."""
    writer = Writer.create(name, ChannelType.RAW, capacity=16)
    holder = subprocess.Popen(
        ["/usr/bin/python3", "-c",
         "import fcntl, os, sys, time\n"
         "fd = os.open(sys.argv[1], os.O_RDWR)\n"
         "fcntl.lockf(fd, fcntl.LOCK_EX, 4096, 0, os.SEEK_SET)\n"
         "print('held', flush=True)\n"
         "time.sleep(60)\n", L.object_path(name)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        writer.close()
        assert time.monotonic() - started < 20, "close gave up on the lock"
        assert os.path.exists(L.object_path(name)), "without the lock, the name is left alone"
        with pytest.raises(ChannelBusy, match="header lock"):
            Writer.create(name, ChannelType.RAW, capacity=16)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
        if os.path.exists(L.object_path(name)):
            os.unlink(L.object_path(name))


def test_reader_table_lock_excludes_other_processes(name):
    """A reader registers under the record lock of 5.1 step 4, the one Java readers take too."""
    import subprocess
    import sys
    with Writer.create(name, ChannelType.RAW, capacity=8) as w:
        lay = w._mem.layout
        holder = subprocess.Popen(
            [sys.executable, "-c",
             "import fcntl, os, sys, time\n"
             f"fd = os.open({L.object_path(name)!r}, os.O_RDWR)\n"
             f"fcntl.lockf(fd, fcntl.LOCK_EX, {lay.reader_table_length}, "
             f"{lay.reader_table_offset}, 0)\n"
             "print('locked', flush=True)\n"
             "time.sleep(0.5)\n"],
            stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline().strip() == "locked"
            t0 = time.monotonic()
            with Reader(name):
                waited = time.monotonic() - t0
        finally:
            holder.wait(5)
            holder.stdout.close()
        assert waited >= 0.3, "attaching must wait for the other process's lock"
