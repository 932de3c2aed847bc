"""Fmp4Reader's order rules on a channel written by the Python bus writer (a real channel in
/dev/shm; the boxes are placeholders, only the cells' flags and box types matter here)."""

from __future__ import annotations

import os
import threading
import time

from virta.bus import ChannelType, Writer
from virta.fmp4 import Fmp4Reader


def test_segments_start_at_an_init_and_keyframe_skip_repeats_and_recover_after_losses():
    name = f"t.fmp4reader.{os.getpid()}"
    with Writer.create(name, ChannelType.FMP4, cells=64, capacity=1024) as w, \
            Fmp4Reader(name) as reader:
        def cell(data, **flags):
            w.push(data, capture_time_us=len(data), **flags)

        cell(b"p-before-init", box_type="moof")
        cell(b"init-A", first=True, box_type="ftyp")
        cell(b"k1", keyframe=True, box_type="moof")
        cell(b"p1", box_type="moof")
        cell(b"init-A", first=True, box_type="ftyp")       # the same init again: not repeated
        cell(b"k2", keyframe=True, box_type="moof")
        cell(b"init-B", first=True, box_type="ftyp")       # new parameter sets: yielded
        cell(b"k3", keyframe=True, box_type="moof")
        got = [(s.data, s.init, s.keyframe) for s in reader.segments(timeout=0.2)]
    assert got == [(b"init-A", True, False), (b"k1", False, True), (b"p1", False, False),
                   (b"k2", False, True), (b"init-B", True, False), (b"k3", False, True)]


def test_after_an_overrun_the_reader_waits_for_the_next_keyframe():
    name = f"t.fmp4lost.{os.getpid()}"
    with Writer.create(name, ChannelType.FMP4, cells=4, capacity=1024) as w, \
            Fmp4Reader(name) as reader:
        w.push(b"init", first=True, box_type="ftyp")
        w.push(b"k1", keyframe=True, box_type="moof")
        segments = reader.segments(timeout=1.0)
        assert next(segments).data == b"init"
        assert next(segments).data == b"k1"
        for i in range(6):                                  # more than the ring holds: an overrun
            w.push(b"p%d" % i, box_type="moof")

        def next_gop():
            time.sleep(0.3)    # after the reader has come back to the ring and jumped to its newest cell
            for data, flags in ((b"init", dict(first=True, box_type="ftyp")),
                                (b"k2", dict(keyframe=True, box_type="moof")), (b"p9", dict(box_type="moof"))):
                w.push(data, **flags)
                time.sleep(0.02)

        later = threading.Thread(target=next_gop)
        later.start()
        rest = [s.data for s in segments]                   # ends 1 s after the last cell
        later.join()
    assert rest == [b"k2", b"p9"], rest
    assert reader.lost > 0
