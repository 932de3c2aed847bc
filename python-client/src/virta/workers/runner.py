"""WorkerRunner: the loop every Python worker needs around its analysis.

It finds the camera's RGB channel (control API, or --channel), attaches to it, hands the analyzer
the newest picture --fps times a second as a zero-copy numpy view, prints and/or reports the events
it returns, follows the channel through writer restarts, and stops cleanly on SIGTERM or SIGINT with
a one-line summary on stderr.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from typing import Iterable, Protocol

from ..bus import ChannelMismatch, ChannelNotFound, Frame, PullStatus, Reader
from .options import WorkerOptions

log = logging.getLogger("virta.workers")

_PULL_TIMEOUT_S = 0.25       # how long a stop request may wait for a pull to return
_RETRY_S = 1.0               # between attempts to find a camera's channel


class Analyzer(Protocol):
    """What a worker implements."""

    def analyze(self, image, frame: Frame) -> Iterable | None:
        """Looks at one picture: `image` is a read-only (height, width, 3) RGB view of the shared
        memory, valid while the writer has not reused its cell; `frame` has its metadata
        (capture_time_us, sequence, ...). Returns the events seen in it (virta.events.Event), or
        None. Empty `camera`, `source` and `capture_time_micros` are filled in by the runner."""

    def reset(self) -> None:
        """The channel's writer restarted (the picture may have another size): forget the past."""


class WorkerRunner:
    def __init__(self, options: WorkerOptions, analyzer: Analyzer):
        self.options = options
        self.analyzer = analyzer
        self.channel: str | None = options.channel
        self.stop_requested = threading.Event()
        # Counters.
        self.analyzed = 0
        self.events = 0
        self.torn = 0          # pictures overwritten while analyzed: their events are dropped
        self.reader: Reader | None = None
        self.reporter = None
        self._started = time.monotonic()
        self._skipped_before = 0
        self._lost_before = 0
        self._gone_logged = None

    # ---- the process ----

    def main(self) -> int:
        """Runs until SIGTERM/SIGINT; returns the exit status."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop_requested.set())
        status = 0
        try:
            if self.options.hub is not None:
                from ..events import AsyncReporter
                self.reporter = AsyncReporter(self.options.hub)
            self.run()
        except KeyboardInterrupt:
            pass
        except WorkerFailed as e:
            print(f"{self.options.name}: error: {e}", file=sys.stderr, flush=True)
            status = 2
        finally:
            unsent_ok = True
            if self.reporter is not None:
                unsent_ok = self.reporter.close(timeout=2.0)
            if self.reader is not None:
                self._retire_reader()
            print(self.summary(), file=sys.stderr, flush=True)
        if status == 0 and not unsent_ok and not self.stop_requested.is_set():
            status = 1
        return status

    def stop(self) -> None:
        self.stop_requested.set()

    # ---- finding and following the channel ----

    def run(self) -> None:
        period = 1.0 / self.options.fps
        due = time.monotonic()
        while not self.stop_requested.is_set():
            if self.reader is None:
                self.reader = self._attach()
                if self.reader is None:
                    return                          # stopped while waiting
                self.analyzer.reset()
            delay = due - time.monotonic()
            if delay > 0 and self.stop_requested.wait(delay):
                return
            reader = self.reader
            reader.skip_to_newest()
            try:
                status = reader.pull(_PULL_TIMEOUT_S)
            except ChannelMismatch as e:
                # A new writer publishes another kind of channel under the name: look again.
                log.warning("%s; looking for the camera's channel again", e)
                self._retire_reader()
                continue
            if status.has_frame:
                due = max(due + period, time.monotonic())
                self._analyze(reader.frame)
            elif status is PullStatus.WRITER_RESTARTED:
                self._gone_logged = None
                log.info("channel %s: a new writer took over; following it", reader.name)
                self.analyzer.reset()
            elif status in (PullStatus.END_OF_STREAM, PullStatus.WRITER_DIED):
                self._writer_gone(status)

    def _writer_gone(self, status: PullStatus) -> None:
        """The reader goes on waiting for a new writer of the same name (a restarted camera
        publishes under the same name again); say so once."""
        if self._gone_logged is not status:
            what = "closed the channel" if status is PullStatus.END_OF_STREAM else "died"
            log.info("channel %s: its writer %s; waiting for a new one", self.reader.name, what)
        self._gone_logged = status

    def _attach(self) -> Reader | None:
        said = None
        while not self.stop_requested.is_set():
            try:
                name = self.channel if self.options.channel else self._lookup_channel()
            except _TryAgain as e:
                if str(e) != said:
                    log.info("%s", e)
                    said = str(e)
                self.stop_requested.wait(_RETRY_S)
                continue
            try:
                reader = Reader(name, expect_type="rgb24", wait_for_writer=_PULL_TIMEOUT_S)
            except ChannelMismatch as e:
                raise WorkerFailed(f"{e} (workers analyze RGB24 channels, e.g. <camera>.rgb)") \
                    from None
            except ChannelNotFound:
                message = f"waiting for channel {name}"
                if message != said:
                    log.info("%s", message)
                    said = message
                continue
            self.channel = name
            self._gone_logged = None
            log.info("analyzing %s (%dx%d) for camera %s at %s pictures/s", name, reader.width,
                     reader.height, self.options.camera, f"{self.options.fps:g}")
            return reader
        return None

    def _lookup_channel(self) -> str:
        from ..control import ControlClient, ControlError, ControlUnavailable
        try:
            with ControlClient(self.options.control) as control:
                channel = control.find_channel(self.options.camera, "rgb24")
        except ControlUnavailable as e:
            raise _TryAgain(f"{e}; trying again") from None
        except (ControlError, LookupError) as e:     # no such camera, or no RGB channel
            raise WorkerFailed(str(e)) from None
        if channel is None:
            raise _TryAgain(f"camera {self.options.camera} publishes no channels yet (starting, or "
                            "stopped); waiting")
        return channel.name

    def _retire_reader(self) -> None:
        reader, self.reader = self.reader, None
        self._skipped_before += reader.skipped
        self._lost_before += reader.lost
        reader.close()

    # ---- analysis and output ----

    def _analyze(self, frame: Frame) -> None:
        events = self.analyzer.analyze(frame.image(), frame)
        self.analyzed += 1
        if not frame.is_intact():
            self.torn += 1
            return
        if not events:
            return
        options = self.options
        for event in events:
            if not event.camera:
                event.camera = options.camera
            if not event.source:
                event.source = options.name
            if not event.capture_time_micros:
                event.capture_time_micros = frame.capture_time_us
            self.events += 1
            if options.print_events:
                try:
                    print(_to_json(event), flush=True)
                except BrokenPipeError:
                    # Whoever read our output is gone (`| head`): stop as if asked to.
                    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                    self.stop_requested.set()
                    return
            if self.reporter is not None:
                self.reporter.report(event)

    def summary(self) -> str:
        skipped = self._skipped_before + (self.reader.skipped if self.reader else 0)
        lost = self._lost_before + (self.reader.lost if self.reader else 0)
        seconds = time.monotonic() - self._started
        text = (f"{self.options.name}: camera {self.options.camera}, channel {self.channel or '-'}: "
                f"{self.analyzed} pictures analyzed in {seconds:.1f} s, {self.events} events, "
                f"{skipped} pictures skipped, {lost} lost, {self.torn} torn")
        if self.reporter is not None:
            s = self.reporter.stats()
            text += (f"; hub {self.reporter.address}: {s['accepted']} accepted, {s['rejected']} "
                     f"rejected, {s['dropped']} dropped, {s['unsent']} unsent")
        else:
            text += "; not reported (--hub none)"
        return text


def _to_json(event) -> str:
    from ..events import to_json
    return to_json(event)


class WorkerFailed(Exception):
    """The worker cannot do its job (an unknown camera, say); the message says what to do."""


class _TryAgain(Exception):
    """The channel cannot be found yet; the message says why."""
