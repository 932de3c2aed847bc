"""Virta's shared-memory frame bus, in pure Python (docs/bus-format.md).

    from virta.bus import Writer, Reader, ChannelType

    with Writer.create("cam1.rgb", ChannelType.RGB24, width=640, height=480) as w:
        w.push(image)                      # a (480, 640, 3) uint8 array

    with Reader("cam1.rgb") as r:
        for frame in r:
            frame.image()                  # zero-copy (480, 640, 3) view
"""

from .errors import (BusError, ChannelBusy, ChannelCorrupt, ChannelMismatch, ChannelNotFound,
                     EndOfStream, InvalidChannelName, NoFreeReaderSlot, NoSpaceForChannel,
                     PayloadTooLarge, WriterDied)
from .layout import ChannelType, ColorMatrix, ColorRange, Flags, Format
from .reader import Frame, PullStatus, Reader
from .waitset import WaitSet, select_readers
from .writer import Writer

__all__ = [
    "BusError", "ChannelBusy", "ChannelCorrupt", "ChannelMismatch", "ChannelNotFound",
    "ChannelType", "ColorMatrix", "ColorRange", "EndOfStream", "Flags", "Format", "Frame", "InvalidChannelName",
    "NoFreeReaderSlot", "NoSpaceForChannel", "PayloadTooLarge", "PullStatus", "Reader", "WaitSet",
    "Writer", "WriterDied", "select_readers",
]
