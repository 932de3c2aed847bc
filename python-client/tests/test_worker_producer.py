"""A worker attaches to a camera by name through the real producer's control API: the producer
plays a generated H264 file as camera `e2e-<pid>`, and the motion worker finds `<camera>.rgb` with
GetChannels."""

from __future__ import annotations

import json
import time

import pytest

from virta.control import CameraNotFound, ControlClient
from virta_java import clip_camera_producer
from worker_process import worker  # noqa: F401 (a fixture)

pytest.importorskip("cv2", reason="the motion detector needs Debian's python3-opencv")


@pytest.fixture(scope="module")
def producer():
    # testsrc2 moves all over the picture: plenty of motion.
    with clip_camera_producer("e2e", "    rgb: { width: 320, height: 180, fps: 10 }\n") as process:
        yield process


def wait_for_channels(control, camera, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        channel = control.find_channel(camera, "rgb24")
        if channel is not None:
            return channel
        time.sleep(0.1)
    raise AssertionError(f"camera {camera} published no channels within {timeout} s")


def test_control_client_finds_a_cameras_channels(producer):
    with ControlClient(producer.address) as control:
        rgb = wait_for_channels(control, producer.camera)
        assert (rgb.name, rgb.width, rgb.height) == (f"{producer.camera}.rgb", 320, 180)
        names = sorted(c.name for c in control.get_channels(producer.camera))
        assert names == sorted(f"{producer.camera}.{kind}" for kind in ("h264", "rgb", "yuv"))
        assert control.find_channel(producer.camera, "yuv420p").name == f"{producer.camera}.yuv"
        with pytest.raises(CameraNotFound, match="no camera 'nope'"):
            control.get_channels("nope")


def test_motion_worker_attaches_by_camera_name(producer, worker):
    with ControlClient(producer.address) as control:
        wait_for_channels(control, producer.camera)
    w = worker("--camera", producer.camera, "--control", producer.address, "--hub", "none",
               "--print", "--fps", 5)
    w.expect_stderr(f"analyzing {producer.camera}.rgb (320x180)")
    time.sleep(2.0)
    rc, out, err = w.stop()
    assert rc == 0, err
    events = [json.loads(line) for line in out.splitlines()]
    assert events, err
    assert all(e["camera"] == producer.camera and e["type"] == "motion" for e in events)


def test_worker_names_a_camera_the_producer_does_not_have(producer, worker):
    w = worker("--camera", "nope", "--control", producer.address, "--hub", "none")
    w.proc.wait(30)
    _, _, err = w.stop()
    assert w.proc.returncode == 2, err
    assert "no camera 'nope'" in err
