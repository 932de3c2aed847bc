"""Fragmented MP4 from the bus: the reader of a producer's `<camera>.mp4` channel.

The counterpart of libValkka's FragMP4ShmemClient. The channel's cells hold ISO BMFF boxes: an
init segment (ftyp+moov; flag FIRST, box type `ftyp`) in front of every keyframe fragment, and one
moof+mdat fragment per frame (box type `moof`, flag KEYFRAME on keyframes). A reader that attaches
late waits for the next init segment; a file is that init segment and the fragments after it.

    from virta.fmp4 import record
    stats = record("cam1.mp4", "cam1-clip.mp4", seconds=10)

or from a shell: `python3 -m virta.fmp4 record cam1.mp4 cam1-clip.mp4 --seconds 10`.
"""

from __future__ import annotations

import dataclasses
import time

from virta.bus import PullStatus, Reader

__all__ = ["Fmp4Reader", "RecordStats", "Segment", "record"]


@dataclasses.dataclass(frozen=True)
class Segment:
    """One cell's boxes: an init segment (`init` true) or a fragment."""

    data: bytes
    init: bool
    keyframe: bool
    capture_time_us: int


class Fmp4Reader:
    """Yields a channel's segments in a playable order: an init segment, then fragments from a
    keyframe on. After lost cells (the reader fell behind) it skips to the next keyframe; a
    repeated, identical init segment is passed over, a changed one (new SPS/PPS) is yielded."""

    def __init__(self, channel: str, *, wait_for_writer: float | None = None):
        self._reader = Reader(channel, expect_type="fmp4", start="next", wait_for_writer=wait_for_writer)
        self.channel = channel
        self.init: bytes | None = None   # the init segment the fragments yielded since belong to
        self.lost = 0                    # cells lost to overruns
        self._pending_init: bytes | None = None
        self._need_keyframe = True

    def segments(self, timeout: float | None = None):
        """Segments until the writer closes the channel, or until `timeout` seconds pass with none."""
        while True:
            status = self._reader.pull(timeout)
            if status is PullStatus.TIMEOUT or status is PullStatus.END_OF_STREAM:
                return
            if not status.has_frame:
                continue    # writer restarted or died: wait for its next init segment
            frame = self._reader.frame
            if frame.lost:
                self.lost += frame.lost
                self._need_keyframe = True
            data = bytes(frame.copy())
            frame = self._reader.frame     # copy() may have moved on past a torn cell
            if frame.first or frame.box_type == "ftyp":
                self._pending_init = data
                continue
            if self._need_keyframe and not (frame.keyframe and self._pending_init is not None):
                continue
            if frame.keyframe and self._pending_init is not None:
                if self._pending_init != self.init:
                    self.init = self._pending_init
                    yield Segment(self.init, True, False, frame.capture_time_us)
                self._pending_init = None
                self._need_keyframe = False
            yield Segment(data, False, frame.keyframe, frame.capture_time_us)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> "Fmp4Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclasses.dataclass
class RecordStats:
    fragments: int = 0
    keyframes: int = 0
    bytes: int = 0
    lost: int = 0
    stopped_because: str = ""


def record(channel: str, path: str, seconds: float, *, wait: float = 10.0) -> RecordStats:
    """Writes `seconds` of the channel (by its capture times) to the .mp4 file at `path`.

    Waits up to `wait` seconds for the channel to appear and for each segment. Stops early when
    the writer closes the channel or the stream's parameters change (a file has one init segment).
    """
    stats = RecordStats()
    first_capture = None
    with Fmp4Reader(channel, wait_for_writer=wait) as reader, open(path, "wb") as out:
        for segment in reader.segments(timeout=wait):
            if segment.init:
                if stats.fragments:
                    stats.stopped_because = "the stream's parameter sets changed"
                    break
            else:
                if first_capture is None:
                    first_capture = segment.capture_time_us
                elif segment.capture_time_us - first_capture >= seconds * 1e6:
                    stats.stopped_because = f"{seconds:g} s recorded"
                    break
                stats.fragments += 1
                stats.keyframes += segment.keyframe
            out.write(segment.data)
            stats.bytes += len(segment.data)
        else:
            stats.stopped_because = "the writer closed the channel or sent nothing for " f"{wait:g} s"
        stats.lost = reader.lost
    return stats
