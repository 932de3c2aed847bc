"""The DAMAGED cell flag (docs/bus-format.md 2.3, bit 3): written and read back, other flags untouched.
The Java side and the crossing between languages are app/.../bus/interop/DamagedFlagTest."""

from virta.bus import ChannelType, PullStatus, Reader, Writer
from virta.bus import layout as L


def test_damaged_is_bit_3_and_reads_back(name):
    assert L.Flags.DAMAGED == 8
    with Writer.create(name, ChannelType.RAW, capacity=16, cells=4) as w, Reader(name, start="next") as r:
        for damaged, keyframe in ((False, True), (True, False), (True, False), (False, True)):
            w.push(b"abcd", damaged=damaged, keyframe=keyframe)
            assert r.pull(1) is PullStatus.FRAME
            assert r.frame.damaged is damaged
            assert r.frame.keyframe is keyframe and not r.frame.discontinuity
            assert bool(r.frame.flags & L.Flags.DAMAGED) is damaged
