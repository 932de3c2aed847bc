"""Runs Virta's Java commands for the Python tests: the event hub (`virta hub`) and the producer.

    java <virta.jvm.flags> -cp app/target/virta-app-0.1.0-SNAPSHOT.jar:app/target/lib/*
         io.virta.cli.Virta hub --listen 127.0.0.1:PORT --journal DIR

The hub prints `hub listening on HOST:PORT` as its first stdout line once it serves; the producer
prints `producer: control API (...) on HOST:PORT`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "app", "target", "virta-app-0.1.0-SNAPSHOT.jar")
LIB = os.path.join(ROOT, "app", "target", "lib")
HUB_CLASS = "io/virta/cli/HubCommand.class"
HUB_LISTENING = re.compile(r"^hub listening on (\S+:\d+)$")
PRODUCER_LISTENING = re.compile(r"^producer: control API .* on (\S+:\d+)$")


def hub_missing_reason() -> str | None:
    """Why the hub cannot run from this build, or None when it can. A missing jar is not a reason
    to skip: the build is broken or incomplete, and the tests say so when they start the hub."""
    if not os.path.exists(JAR):
        return None
    with zipfile.ZipFile(JAR) as jar:
        if HUB_CLASS not in jar.namelist():
            return (f"the producer jar has no event hub yet ({HUB_CLASS} is missing from {JAR}): "
                    "these tests run once `virta hub` is built")
    return None


def java() -> str:
    """A Java 25: $JAVA_HOME's if it is one, else Temurin 25, else any /usr/lib/jvm/*25*."""
    candidates = [os.environ.get("JAVA_HOME", ""), "/usr/lib/jvm/temurin-25-jdk-amd64",
                  *sorted(glob.glob("/usr/lib/jvm/*25*"))]
    for home in candidates:
        exe = os.path.join(home, "bin", "java")
        if home and os.access(exe, os.X_OK) and "25" in os.path.basename(os.path.realpath(home)):
            return exe
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    raise RuntimeError("no JDK 25 found: set JAVA_HOME to one (Temurin 25 is the supported one)")


def jvm_flags() -> list[str]:
    """The build's JVM flags: Maven passes them as VIRTA_JVM_FLAGS; otherwise the root pom's
    `virta.jvm.flags` property, with ${...} references to its other properties resolved."""
    flags = os.environ.get("VIRTA_JVM_FLAGS")
    if flags is None:
        flags = _pom_property("virta.jvm.flags")
    return flags.split()


def _pom_property(name: str) -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(os.path.join(ROOT, "pom.xml")).getroot()
    props = {p.tag.split("}", 1)[1]: (p.text or "").strip()
             for p in root.find("m:properties", ns)}
    value = props.get(name)
    if value is None:
        raise RuntimeError(f"the root pom.xml has no property {name}")
    for _ in range(10):
        resolved = re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), value)
        if resolved == value:
            break
        value = resolved
    return " ".join(value.split())


def virta_command(*args: str) -> list[str]:
    """`virta ARGS...` as the launcher runs it, from the producer module's jar and libraries."""
    if not os.path.exists(JAR):
        raise RuntimeError(f"{JAR} does not exist: build the producer first "
                           "(mvn -B -DskipTests package from the repository root)")
    return [java(), *jvm_flags(), "-cp", f"{JAR}:{LIB}/*", "io.virta.cli.Virta", *args]


def hub_command(listen: str, journal: str, *extra: str) -> list[str]:
    return virta_command("hub", "--listen", listen, "--journal", journal, *extra)


class JavaProcess:
    """A running Virta command whose stdout and stderr are collected in `output`."""

    def __init__(self, command: list[str], ready: re.Pattern, *, first_line: bool,
                 start_timeout: float = 60.0):
        """Starts `command` and waits for a stdout line matching `ready` (group 1 becomes
        `address`); with first_line, that must be the very first stdout line."""
        self.output: list[str] = []
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, start_new_session=True)
        lines: queue.Queue = queue.Queue()

        def pump(stream, forward):
            for line in stream:
                line = line.rstrip("\n")
                self.output.append(line)
                if forward:
                    lines.put(line)
            if forward:
                lines.put(None)

        threading.Thread(target=pump, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=pump, args=(self.proc.stderr, False), daemon=True).start()
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"{command[-1]}... did not start within {start_timeout} s: "
                                   f"{self.output}") from None
            match = ready.match(line or "")
            if match:
                self.address = match.group(1)
                return
            if line is None or first_line:
                self.stop()
                raise RuntimeError(f"expected a line like {ready.pattern!r} first, got: "
                                   f"{self.output}")

    def stop(self, sig=signal.SIGTERM) -> None:
        """Asks it to stop (SIGTERM), killing it after 15 s."""
        proc = self.proc
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class ProducerProcess(JavaProcess):
    """`virta producer --config FILE`; the file's control.listen should be 127.0.0.1:0."""

    def __init__(self, config: str):
        super().__init__(virta_command("producer", "--config", config, "--status-every", "0"),
                         PRODUCER_LISTENING, first_line=False)


@contextlib.contextmanager
def clip_camera_producer(name: str, camera_options: str):
    """A producer process with one camera looping a 4 s testsrc2 clip (320x180, 25 fps, H264, a keyframe a
    second, no B-frames). `camera_options` is YAML appended to the camera's entry, indented by four spaces.
    Yields the ProducerProcess with `.camera` and `.folder` (a scratch folder removed afterwards)."""
    if not shutil.which("ffmpeg") or not shutil.which("ffprobe"):
        raise RuntimeError("ffmpeg/ffprobe are missing: run scripts/install-deps.sh")
    folder = tempfile.mkdtemp(prefix=f"virta-{name}-test-")
    clip = os.path.join(folder, "clip.mkv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
                    "-t", "4", "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                    "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0", clip],
                   check=True, timeout=60)
    camera = f"{name}-{os.getpid()}"
    config = os.path.join(folder, "cameras.yaml")
    with open(config, "w") as f:
        f.write(f"control:\n  listen: 127.0.0.1:0\ncameras:\n  - name: {camera}\n"
                f"    url: {clip}\n    loop: true\n{camera_options}")
    process = ProducerProcess(config)
    process.camera = camera
    process.folder = folder
    try:
        yield process
    finally:
        process.stop()
        shutil.rmtree(folder, ignore_errors=True)


class HubProcess:
    """One running hub. restart() stops it and starts it again on the same port and journal."""

    def __init__(self, journal: str, listen: str = "127.0.0.1:0", extra: tuple = ()):
        """`extra`: more `virta hub` options, e.g. ("--token-file", PATH)."""
        self.journal = journal
        self.extra = tuple(extra)
        self._process = JavaProcess(hub_command(listen, journal, *self.extra), HUB_LISTENING,
                                    first_line=True)
        self.address = self._process.address

    @property
    def pid(self) -> int:
        return self._process.proc.pid

    @property
    def output(self) -> list[str]:
        return self._process.output

    def stop(self) -> None:
        self._process.stop()

    def restart(self) -> None:
        self.stop()
        self._process = JavaProcess(hub_command(self.address, self.journal, *self.extra),
                                    HUB_LISTENING, first_line=True)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.journal, ignore_errors=True)
