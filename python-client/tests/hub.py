"""Runs the real event hub, `virta hub`, for the event client's tests.

    java <virta.jvm.flags> -cp producer/target/virta-producer-0.1.0-SNAPSHOT.jar:producer/target/lib/*
         io.virta.cli.Virta hub --listen 127.0.0.1:PORT --journal DIR

The hub prints `hub listening on HOST:PORT` as its first stdout line once it serves.
"""

from __future__ import annotations

import glob
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JAR = os.path.join(ROOT, "producer", "target", "virta-producer-0.1.0-SNAPSHOT.jar")
LIB = os.path.join(ROOT, "producer", "target", "lib")
HUB_CLASS = "io/virta/cli/HubCommand.class"
LISTENING = re.compile(r"^hub listening on (\S+:\d+)$")


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


def hub_command(listen: str, journal: str) -> list[str]:
    if not os.path.exists(JAR):
        raise RuntimeError(f"{JAR} does not exist: build the producer first "
                           "(mvn -B -DskipTests package from the repository root)")
    return [java(), *jvm_flags(), "-cp", f"{JAR}:{LIB}/*", "io.virta.cli.Virta", "hub",
            "--listen", listen, "--journal", journal]


class HubProcess:
    """One running hub. restart() stops it and starts it again on the same port and journal."""

    def __init__(self, journal: str, listen: str = "127.0.0.1:0", start_timeout: float = 60.0):
        self.journal = journal
        self.start_timeout = start_timeout
        self.address: str | None = None
        self.proc: subprocess.Popen | None = None
        self.output: list[str] = []
        self._start(listen)

    def _start(self, listen: str) -> None:
        self.output = []
        self.proc = subprocess.Popen(hub_command(listen, self.journal), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        first_line: queue.Queue = queue.Queue()

        def pump(stream, tell_first):
            for line in stream:
                line = line.rstrip("\n")
                self.output.append(line)
                if tell_first:
                    first_line.put(line)
                    tell_first = False
            if tell_first:
                first_line.put(None)

        threading.Thread(target=pump, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=pump, args=(self.proc.stderr, False), daemon=True).start()
        try:
            first = first_line.get(timeout=self.start_timeout)
        except queue.Empty:
            self.stop()
            raise RuntimeError(f"the hub did not start within {self.start_timeout} s: {self.output}")
        match = LISTENING.match(first or "")
        if not match:
            self.stop()
            raise RuntimeError(f"the hub's first stdout line is not 'hub listening on HOST:PORT': "
                               f"{self.output}")
        self.address = match.group(1)

    def stop(self, sig=signal.SIGTERM) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def restart(self) -> None:
        self.stop()
        self._start(self.address)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.journal, ignore_errors=True)
