"""`python3 -m virta.fmp4 record` on a real producer: the producer plays a generated H264 clip
(25 fps, a keyframe every 25 frames) as a camera with its `.mp4` channel on, the recorder writes a
file from the channel, and ffprobe checks it: every frame decodes, keyframes where the clip has
them, and timestamps 40 ms apart."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from virta.control import ControlClient
from virta_java import clip_camera_producer

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


@pytest.fixture(scope="module")
def producer():
    with clip_camera_producer("fmp4", "    decode: false\n    fmp4: { enabled: true, cells: 64, capacity: 1MiB }\n") as process:
        yield process


def ffprobe_frames(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "frame=key_frame,pts_time", "-of", "csv=p=0", path],
                         check=True, capture_output=True, text=True, timeout=60).stdout
    # Side data (x264's SEI) comes out as lines of its own, empty here.
    return [line.split(",")[:2] for line in out.splitlines() if line.strip()]


def test_control_api_lists_the_mp4_channel(producer):
    with ControlClient(producer.address) as control:
        deadline = time.monotonic() + 30
        channel = None
        while channel is None and time.monotonic() < deadline:
            channel = control.find_channel(producer.camera, "fmp4")
            time.sleep(0.1)
    assert channel is not None and channel.name == f"{producer.camera}.mp4"


def test_recorder_writes_a_file_ffprobe_plays_frame_by_frame(producer):
    out = os.path.join(producer.folder, "recorded.mp4")
    result = subprocess.run([sys.executable, "-m", "virta.fmp4", "record", f"{producer.camera}.mp4", out,
                             "--seconds", "2", "--wait", "20"],
                            env={**os.environ, "PYTHONPATH": SRC}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr + "\n".join(producer.output[-20:])
    written = int(re.search(r": (\d+) frames", result.stdout).group(1))
    assert 45 <= written <= 55, result.stdout

    count = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
                            "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", out],
                           check=True, capture_output=True, text=True, timeout=60).stdout.strip()
    assert int(count) == written

    frames = ffprobe_frames(out)
    assert len(frames) == written
    assert frames[0][0] == "1", "the file starts at a keyframe"
    keyframes = [i for i, (key, _) in enumerate(frames) if key == "1"]
    assert all(k % 25 == 0 for k in keyframes), keyframes
    times = [float(t) for _, t in frames]
    steps = {round(b - a, 6) for a, b in zip(times, times[1:])}
    assert steps == {0.04}, steps


def test_recorder_names_a_channel_that_does_not_exist():
    result = subprocess.run([sys.executable, "-m", "virta.fmp4", "record", "no-such-camera.mp4", "/dev/null",
                             "--seconds", "1", "--wait", "0"],
                            env={**os.environ, "PYTHONPATH": SRC}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "no-such-camera.mp4" in result.stderr
