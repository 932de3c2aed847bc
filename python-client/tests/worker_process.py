"""Running a worker as a real process, and feeding it a synthetic camera through a real channel."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

import numpy as np
import pytest

from conftest import PYTHON, SRC, shm_files


class Worker:
    """A running motion worker; its stderr (progress messages, then the summary) is collected as it comes."""

    def __init__(self, *args, module="virta.workers.motion"):
        """Runs `python3 -m module ARGS`, or with module=None `python3 ARGS` (a script)."""
        command = [PYTHON, "-m", module] if module else [PYTHON]
        self.proc = subprocess.Popen([*command, *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=dict(os.environ, PYTHONPATH=SRC))
        self._out: list[str] = []
        self._err: list[str] = []
        self._err_changed = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, self._out),
                                          daemon=True),
                         threading.Thread(target=self._pump, args=(self.proc.stderr, self._err),
                                          daemon=True)]
        for thread in self._threads:
            thread.start()

    def _pump(self, stream, lines):
        for line in stream:
            with self._err_changed:
                lines.append(line)
                self._err_changed.notify_all()

    def expect_stderr(self, text, timeout=20.0):
        with self._err_changed:
            if not self._err_changed.wait_for(lambda: any(text in line for line in self._err),
                                              timeout):
                raise AssertionError(f"the worker did not say {text!r}: {''.join(self._err)}")

    def stop(self, timeout=10.0):
        """SIGTERM; returns (exit status, stdout, stderr)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"the worker ignored SIGTERM; stderr: {''.join(self._err)}")
        for thread in self._threads:
            thread.join(5)
        return self.proc.returncode, "".join(self._out), "".join(self._err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for thread in self._threads:
            thread.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        for path in shm_files(f"sem.virta.r.{self.proc.pid}.*"):
            os.unlink(path)


@pytest.fixture
def worker():
    started = []

    def start(*args):
        w = Worker(*args)
        started.append(w)
        return w

    yield start
    for w in started:
        w.kill()


def publish(writer, scene, seconds_still, seconds_moving, fps=25):
    """Writes the scene in real time; returns {capture_time_us: square rect or None}."""
    shown = {}
    frame = np.empty((scene.height, scene.width, 3), np.uint8)
    start = time.monotonic()
    total = int((seconds_still + seconds_moving) * fps)
    for i in range(total):
        t = i / fps
        rect = scene.draw(frame, None if t < seconds_still else t - seconds_still)
        capture = time.time_ns() // 1000
        writer.push(frame, capture_time_us=capture)
        shown[capture] = rect
        time.sleep(max(0.0, start + (i + 1) / fps - time.monotonic()))
    return shown


def wait_for_reader(writer, timeout=20.0):
    deadline = time.monotonic() + timeout
    while writer.reader_count < 1:
        assert time.monotonic() < deadline, "the worker did not attach"
        time.sleep(0.02)
