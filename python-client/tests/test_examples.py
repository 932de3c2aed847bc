"""The examples of docs/workers-python.md run as documented."""

from __future__ import annotations

import json
import os
import socket
import subprocess

import pytest

from conftest import PYTHON, SRC
from scene import MovingSquareScene, overlap
from virta.bus import ChannelType, Writer
from worker_process import Worker, publish, wait_for_reader

EXAMPLES = os.path.join(os.path.dirname(SRC), "examples")

pytest.importorskip("cv2", reason="the examples use Debian's python3-opencv")


def test_bright_spots_worker_reports_the_bright_square(name):
    scene = MovingSquareScene()
    worker = Worker(os.path.join(EXAMPLES, "bright_spots.py"), "--channel", name, "--hub", "none",
                    "--print", "--fps", 8, "--ignore", "0,0,0.2,0.1", module=None)
    try:
        with Writer.create(name, ChannelType.RGB24, width=scene.width,
                           height=scene.height) as writer:
            wait_for_reader(writer)
            shown = publish(writer, scene, seconds_still=0.5, seconds_moving=1.5)
        rc, out, err = worker.stop()
    finally:
        worker.kill()
    assert rc == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert len(events) >= 5, err
    for e in events:
        square = shown[int(e["captureTimeMicros"])]
        assert e["type"] == "bright" and e["source"] == "bright_spots" and square is not None
        b = e["boxes"][0]
        assert overlap((b.get("x", 0.0), b.get("y", 0.0), b["width"], b["height"]), square) > 0.6


def test_watch_events_names_an_unreachable_hub():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    result = subprocess.run([PYTHON, os.path.join(EXAMPLES, "watch_events.py"), "--hub", address],
                            capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, PYTHONPATH=SRC))
    assert result.returncode == 1 and address in result.stderr
