"""Shared fixtures: unique channel names, clean /dev/shm, and helpers to run the CLI tools."""

from __future__ import annotations

import gc
import glob
import itertools
import json
import os
import queue
import subprocess
import sys
import threading
import time

import pytest

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)

PYTHON = "/usr/bin/python3"
_counter = itertools.count(1)


def shm_files(pattern: str) -> list[str]:
    return glob.glob(os.path.join("/dev/shm", pattern))


@pytest.fixture
def names(request):
    """Makes unique channel names for one test and removes their objects afterwards."""
    made = []

    def make(tag: str = "c") -> str:
        name = f"pytest.{os.getpid()}.{next(_counter)}.{tag}"
        made.append(name)
        return name

    yield make
    for name in made:
        for path in shm_files(f"virta.{name}") + shm_files(f".tmp.virta.{name}.*"):
            os.unlink(path)


@pytest.fixture
def name(names):
    return names()


@pytest.fixture(autouse=True)
def no_leaked_doorbells():
    """Every test must give back the doorbells it created (readers closed, wait sets closed)."""
    yield
    gc.collect()   # readers dropped without close() give their doorbell back when collected
    leaked = shm_files(f"sem.virta.r.{os.getpid()}.*")
    for path in leaked:
        os.unlink(path)
    assert not leaked, f"doorbells left behind: {leaked}"


class Tool:
    """A running `python3 -m virta.bus.tools ...`, its stdout lines collected by a thread."""

    def __init__(self, *args: str):
        env = dict(os.environ, PYTHONPATH=SRC)
        self.args = args
        self.proc = subprocess.Popen([PYTHON, "-m", "virta.bus.tools", *map(str, args)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=env)
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        self.stderr = ""

    def _pump(self):
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def expect(self, predicate, timeout: float = 10.0) -> str:
        """Returns the first new line satisfying `predicate`; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.args}: no expected line within {timeout} s; "
                                     f"got {self.lines}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self._queue.put(None)
                raise AssertionError(f"{self.args}: exited before the expected line; got "
                                     f"{self.lines}; stderr {self.proc.stderr.read()}")
            self.lines.append(line)
            if predicate(line):
                return line

    def expect_line(self, text: str, timeout: float = 10.0) -> str:
        return self.expect(lambda line: line == text, timeout)

    def expect_event(self, event: str, timeout: float = 10.0) -> dict:
        return json.loads(self.expect(lambda line: line.startswith("{")
                                      and json.loads(line).get("event") == event, timeout))

    def finish(self, timeout: float = 20.0) -> int:
        """Waits for the exit; collects the remaining output. Returns the exit status."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"{self.args} did not exit within {timeout} s; got {self.lines}")
        self._thread.join(5)
        while True:
            line = self._queue.get()
            if line is None:
                break
            self.lines.append(line)
        self.stderr = self.proc.stderr.read()
        return rc

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.lines if line.startswith("{")]

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@pytest.fixture
def tools():
    """Starts CLI tools; kills whatever is still running at the end of the test."""
    started: list[Tool] = []

    def start(*args) -> Tool:
        tool = Tool(*args)
        started.append(tool)
        return tool

    yield start
    for tool in started:
        tool.kill()
        for stream in (tool.proc.stdout, tool.proc.stderr):
            stream.close()
        # A killed reader cannot remove its own doorbell.
        for path in shm_files(f"sem.virta.r.{tool.proc.pid}.*"):
            os.unlink(path)
