"""The Python motion detector as a real process (python3 -m virta.workers.motion) against a real
bus channel that this test writes: a square moving on a known path, and a noisy 'clock' that
--ignore masks out."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest

from conftest import PYTHON, SRC
from scene import CLOCK, MovingSquareScene, intersects, overlap
from virta.bus import ChannelType, Writer
from worker_process import publish, wait_for_reader, worker  # noqa: F401 (worker is a fixture)

pytest.importorskip("cv2", reason="the motion detector needs Debian's python3-opencv")

def test_motion_events_follow_the_moving_square(name, worker):
    scene = MovingSquareScene()
    with Writer.create(name, ChannelType.RGB24, width=scene.width, height=scene.height,
                       cells=8) as writer:
        frame = np.empty((scene.height, scene.width, 3), np.uint8)
        scene.draw(frame, None)
        writer.push(frame, capture_time_us=time.time_ns() // 1000)
        w = worker("--channel", name, "--hub", "none", "--print", "--fps", 8,
                   "--ignore", ",".join(map(str, CLOCK)), "--name", "motion-test")
        wait_for_reader(writer)
        shown = publish(writer, scene, seconds_still=1.0, seconds_moving=3.0)
        rc, out, err = w.stop()

    assert rc == 0, err
    summary = err.strip().splitlines()[-1]
    assert summary.startswith("motion-test: camera ") and "pictures analyzed" in summary, err
    events = [json.loads(line) for line in out.splitlines()]
    # About 8 pictures a second are analyzed while the square moves for 3 s.
    assert len(events) >= 12, (events, err)
    camera = name.rsplit(".", 1)[0]
    for e in events:
        assert (e["type"], e["camera"], e["source"]) == ("motion", camera, "motion-test")
        capture = int(e["captureTimeMicros"])
        assert capture in shown, "capture_time_micros is the analyzed frame's capture time"
        square = shown[capture]
        assert square is not None, f"motion reported before the square appeared: {e}"
        fraction = float(e["attributes"]["moving_fraction"])
        assert 0 < fraction < 0.05, e
        assert len(e["boxes"]) == 1, e
        b = e["boxes"][0]
        box = (b.get("x", 0.0), b.get("y", 0.0), b["width"], b["height"])
        assert b["label"] == "motion" and 0.5 < b["score"] <= 1.0, e
        assert overlap(box, square) > 0.6, (box, square)
        assert not intersects(box, CLOCK), f"a box in the ignored region: {e}"
    analyzed = int(summary.split(" pictures analyzed")[0].rsplit(" ", 1)[1])
    assert analyzed >= 8 * 3, summary


def test_without_ignore_the_clock_is_motion(name, worker):
    scene = MovingSquareScene()
    with Writer.create(name, ChannelType.RGB24, width=scene.width, height=scene.height) as writer:
        w = worker("--channel", name, "--hub", "none", "--print", "--fps", 8)
        wait_for_reader(writer)
        shown = publish(writer, scene, seconds_still=1.5, seconds_moving=0)
        rc, out, err = w.stop()
    assert rc == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events, "a changing region that is not ignored is reported"
    for e in events:
        assert all(intersects((b.get("x", 0.0), b.get("y", 0.0), b["width"], b["height"]), CLOCK)
                   for b in e["boxes"]), e
    assert set(int(e["captureTimeMicros"]) for e in events) <= set(shown)


def test_worker_waits_for_its_channel_and_follows_a_new_writer(name, worker, tools):
    """Started before the channel exists; its writer crashes and a new one takes over."""
    w = worker("--channel", name, "--hub", "none", "--print", "--fps", 10,
               "--ignore", ",".join(map(str, CLOCK)))
    w.expect_stderr(f"waiting for channel {name}")
    crashing = tools("write", name, "--type", "rgb24", "--width", 320, "--height", 180,
                     "--count", 100000, "--fps", 25, "--wait-readers", 1)
    crashing.expect_line("READY")
    time.sleep(1.0)                  # the worker attached (--wait-readers) and analyzes
    crashing.proc.send_signal(signal.SIGKILL)
    crashing.proc.wait()

    scene = MovingSquareScene(width=320, height=180, side=32)
    with Writer.create(name, ChannelType.RGB24, width=scene.width, height=scene.height) as writer:
        assert writer.generation == 2, "the new writer took over the crashed one's channel"
        wait_for_reader(writer)
        shown = publish(writer, scene, seconds_still=0.5, seconds_moving=1.0)
    rc, out, err = w.stop()
    assert rc == 0, err
    assert "new writer" in err, err
    events = [json.loads(line) for line in out.splitlines()]
    after = [e for e in events if int(e["captureTimeMicros"]) in shown]
    assert after and all(shown[int(e["captureTimeMicros"])] for e in after), (out, err)


def test_a_channel_that_is_not_rgb_is_refused(name, worker):
    with Writer.create(name, ChannelType.YUV420P, width=64, height=32):
        w = worker("--channel", name, "--hub", "none")
        w.proc.wait(30)
        rc, _, err = w.stop()
    assert rc == 2 and "expected RGB24" in err, err


def test_bad_options_are_refused_with_a_message():
    def run(*args):
        return subprocess.run([PYTHON, "-m", "virta.workers.motion", *args], capture_output=True,
                              text=True, env=dict(os.environ, PYTHONPATH=SRC), timeout=30)
    missing = run("--hub", "none")
    assert missing.returncode == 2 and "--camera" in missing.stderr
    bad_rect = run("--channel", "a.rgb", "--ignore", "0.5,0.5,0.6,0.1")
    assert bad_rect.returncode == 2 and "inside the picture" in bad_rect.stderr
    bad_hub = run("--camera", "lobby", "--hub", "localhost")
    assert bad_hub.returncode == 2 and "HOST:PORT" in bad_hub.stderr
    bad_fps = run("--camera", "lobby", "--fps", "0")
    assert bad_fps.returncode == 2 and "--fps" in bad_fps.stderr
