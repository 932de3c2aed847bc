"""The byte layout of a channel object: docs/bus-format.md as named constants.

This module is the "descriptor" of the format. Every offset and code used by the writer and
the reader comes from here, so the spec and the code can be compared line by line. Each group
names the section of docs/bus-format.md it transcribes.
"""

from __future__ import annotations

import enum
import re
import struct
from typing import NamedTuple

# ---------------------------------------------------------------------------------------------
# Section 1: names
# ---------------------------------------------------------------------------------------------

SHM_DIR = "/dev/shm"
OBJECT_PREFIX = "virta."                # channel NAME lives at /dev/shm/virta.NAME
DOORBELL_PREFIX = "virta.r."            # reader doorbell: virta.r.PID.ID
# A writer builds its object as /dev/shm/.tmp.virta.NAME.PID.RANDOM, then renames it to virta.NAME.
TEMPORARY_PREFIX = ".tmp."
SEMAPHORE_FILE_PREFIX = "sem."          # glibc keeps sem_open("/x") at /dev/shm/sem.x
NAME_MAX_LENGTH = 64
# 1 to 64 characters from A-Z a-z 0-9 . _ -, not starting with '.' or '-'.
NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}")

# Objects are owner-only unless a group is configured.
MODE_PRIVATE = 0o600
MODE_GROUP = 0o660

# ---------------------------------------------------------------------------------------------
# Section 2: regions of the object
# ---------------------------------------------------------------------------------------------

PAGE = 4096
CACHE_LINE = 64

# ---------------------------------------------------------------------------------------------
# Section 2.1: header (offset 0, 4096 bytes)
# ---------------------------------------------------------------------------------------------

MAGIC = b"VIRTABUS"
FORMAT_VERSION = 1
HEADER_SIZE = 4096

H_MAGIC = 0                    # u8[8]
H_FORMAT_VERSION = 8           # u32
H_CHANNEL_TYPE = 12            # u32
H_CELL_COUNT = 16              # u32
H_READER_SLOT_COUNT = 20       # u32
H_CELL_CAPACITY = 24           # u64
H_CELL_STRIDE = 32             # u64
H_READER_TABLE_OFFSET = 40     # u64
H_CELL_METADATA_OFFSET = 48    # u64
H_PAYLOAD_OFFSET = 56          # u64
H_TOTAL_SIZE = 64              # u64
H_WIDTH = 72                   # u32
H_HEIGHT = 76                  # u32
H_FORMAT = 80                  # u32
H_WRITER_PID = 84              # u32
H_START_TIME_MICROS = 88       # i64
H_GENERATION = 96              # u64
H_NAME = 128                   # u8[64], NUL-padded
H_NAME_LENGTH = 64
H_MUTABLE_START = 256          # fields before this are written once and never change
H_WRITE_SEQUENCE = 256         # i64, alone on its cache line
H_HEARTBEAT_MICROS = 320       # i64, alone on its cache line (328..383 padding)
H_STATE = 384                  # u32
# The header lock: a record lock on these bytes, held by a writer while it replaces or closes a
# channel (section 4). Readers never take it; the reader table's lock covers other bytes.
H_LOCK_OFFSET = 0
H_LOCK_LENGTH = HEADER_SIZE
H_LOCK_PATIENCE_S = 1.0        # a writer or cleaner gives up on the header lock after this

# The immutable part of the header, offsets 0..104, in one struct so it is read in one call.
# Fields: magic, formatVersion, channelType, cellCount, readerSlotCount, cellCapacity, cellStride,
# readerTableOffset, cellMetadataOffset, payloadOffset, totalSize, width, height, format,
# writerPid, startTimeMicros, generation.
HEADER_STRUCT = struct.Struct("<8sIIII QQQQQQ IIII qQ")
assert HEADER_STRUCT.size == 104

STATE_LIVE = 1
STATE_CLOSED = 2
STATE_REPLACED = 3

# Section 4 and 5.3: liveness.
HEARTBEAT_INTERVAL_S = 0.1         # the writer refreshes heartbeatMicros at least this often
HEARTBEAT_TICK_S = HEARTBEAT_INTERVAL_S / 2   # how often it does: a late wake-up still keeps the promise
HEARTBEAT_STALE_US = 5_000_000     # older than this: the writer hangs or is gone
READER_CHECK_INTERVAL_S = 0.1      # a blocked reader looks at the writer at least this often
SLOT_REAP_INTERVAL_S = 1.0         # the writer frees slots of dead readers about this often

# ---------------------------------------------------------------------------------------------
# Section 2.2: reader slots (readerSlotCount x 64 bytes)
# ---------------------------------------------------------------------------------------------

SLOT_SIZE = 64
S_STATE = 0                    # u32
S_PID = 4                      # u32
S_REGISTRATION = 8             # u64
S_DOORBELL = 16                # u8[48], NUL-padded, without the leading '/'
S_DOORBELL_LENGTH = 48

SLOT_FREE = 0
SLOT_ACTIVE = 1

MIN_READER_SLOTS = 1
MAX_READER_SLOTS = 1024
DEFAULT_READER_SLOTS = 64

# ---------------------------------------------------------------------------------------------
# Section 2.3: cell metadata (cellCount x 128 bytes)
# ---------------------------------------------------------------------------------------------

CELL_META_SIZE = 128
C_SEQUENCE = 0                 # i64: 0 never written, -1 being written
C_PAYLOAD_SIZE = 8             # u32
C_FLAGS = 12                   # u32
C_WIDTH = 16                   # u32
C_HEIGHT = 20                  # u32
C_FORMAT = 24                  # u32
C_STREAM_ID = 28               # u32
C_STRIDES = 32                 # u32[4]
C_PLANE_OFFSETS = 48           # u32[3], planes 1..3
C_COLOR_MATRIX = 60            # u8, section 3.3; 0 unspecified (also what writers before it left)
C_COLOR_RANGE = 61             # u8, section 3.4; 0 unspecified
                               # 62: u16 reserved, zero
C_CAPTURE_TIME_MICROS = 64     # i64
C_ARRIVAL_TIME_MICROS = 72     # i64
C_COMMIT_MONOTONIC_NANOS = 80  # i64
C_BOX_TYPE = 88                # u8[4]

MAX_PLANES = 4

SEQUENCE_EMPTY = 0
SEQUENCE_WRITING = -1

# Everything in a cell's metadata except `sequence`, from offset 8 (C_PAYLOAD_SIZE) to 92:
# payloadSize, flags, width, height, format, streamId, strides[4], planeOffsets[3],
# colorMatrix, colorRange, (reserved u16), captureTimeMicros, arrivalTimeMicros,
# commitMonotonicNanos, boxType.
# One struct, so the writer stores and the reader copies the metadata in a single call.
CELL_STRUCT = struct.Struct("<6I 4I 3I BB2x qqq 4s")
CELL_STRUCT_OFFSET = C_PAYLOAD_SIZE
assert CELL_STRUCT_OFFSET + CELL_STRUCT.size == C_BOX_TYPE + 4
assert CELL_STRUCT_OFFSET + struct.calcsize("<6I 4I 3I") == C_COLOR_MATRIX


class Flags(enum.IntFlag):
    """Cell `flags` bits (section 2.3)."""

    NONE = 0
    KEYFRAME = 1 << 0
    FIRST = 1 << 1            # first fragment of an fMP4 stream: the init segment
    DISCONTINUITY = 1 << 2    # the writer's source lost frames before this one
    DAMAGED = 1 << 3          # made from data with holes (packet loss), or refers to such a frame


# ---------------------------------------------------------------------------------------------
# Section 3: codes
# ---------------------------------------------------------------------------------------------


class ChannelType(enum.IntEnum):
    """`channelType` (section 3.1)."""

    RGB24 = 1
    YUV420P = 2
    FMP4 = 3
    ENCODED = 4
    RAW = 5

    @classmethod
    def parse(cls, value: "ChannelType | int | str") -> "ChannelType":
        """Accepts a ChannelType, its code, or a spelling such as 'rgb24' or 'YUV420P'."""
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(
                    f"unknown channel type {value!r}: use one of "
                    + ", ".join(t.name.lower() for t in cls)) from None
        return cls(value)


class Format(enum.IntEnum):
    """`format`: pixel format or codec (section 3.2)."""

    NONE = 0
    RGB24 = 1
    BGR24 = 2
    I420 = 3
    NV12 = 4
    GRAY8 = 5
    H264 = 100
    H265 = 101
    FMP4 = 200

    @classmethod
    def parse(cls, value: "Format | int | str") -> "Format":
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(
                    f"unknown format {value!r}: use one of "
                    + ", ".join(f.name.lower() for f in cls)) from None
        return cls(value)


class _ColourCode(enum.IntEnum):
    """A colour code of section 3.3 or 3.4; 0 is UNSPECIFIED in both."""

    @classmethod
    def from_code(cls, code: int):
        """A code this client does not know (a newer writer's) reads as UNSPECIFIED, never an error."""
        try:
            return cls(code)
        except ValueError:
            return cls(0)

    @classmethod
    def parse(cls, value):
        """Accepts a member, its code, or its name in any case, such as 'bt709' or 'full'."""
        what = _COLOUR_FIELD[cls]
        if isinstance(value, str):
            try:
                return cls[value.upper()]
            except KeyError:
                raise ValueError(f"unknown {what} {value!r}: use one of "
                                 + ", ".join(c.name.lower() for c in cls)) from None
        try:
            return cls(value)
        except ValueError:
            raise ValueError(f"unknown {what} {value!r}: use one of "
                             + ", ".join(f"{c.name.lower()} ({c.value})" for c in cls)) from None


class ColorMatrix(_ColourCode):
    """`colorMatrix`: how a frame's YUV turns into RGB (section 3.3)."""

    UNSPECIFIED = 0     # the source did not say; see assumed_for()
    BT601 = 1           # FFmpeg's bt470bg and smpte170m: standard definition
    BT709 = 2           # HD
    BT2020 = 3          # BT.2020 non-constant luminance

    def assumed_for(self, height: int) -> "ColorMatrix":
        """This matrix, or for UNSPECIFIED what players assume: BT709 from 720 lines up, else BT601."""
        if self is not ColorMatrix.UNSPECIFIED:
            return self
        return ColorMatrix.BT709 if height >= 720 else ColorMatrix.BT601


class ColorRange(_ColourCode):
    """`colorRange`: which values a frame's YUV samples span (section 3.4)."""

    UNSPECIFIED = 0     # the source did not say; see assumed()
    LIMITED = 1         # "tv", MPEG: luma 16..235, chroma 16..240
    FULL = 2            # "pc", JPEG: 0..255

    def assumed(self) -> "ColorRange":
        """This range, or LIMITED (what untagged video almost always is) for UNSPECIFIED."""
        return ColorRange.LIMITED if self is ColorRange.UNSPECIFIED else self


_COLOUR_FIELD = {ColorMatrix: "colour matrix", ColorRange: "colour range"}


# The format a channel carries when its writer names none (the same defaults as the Java writer).
DEFAULT_FORMAT = {
    ChannelType.RGB24: Format.RGB24,
    ChannelType.YUV420P: Format.I420,
    ChannelType.FMP4: Format.FMP4,
    ChannelType.ENCODED: Format.H264,
    ChannelType.RAW: Format.NONE,
}


# ---------------------------------------------------------------------------------------------
# Helpers that derive from the tables above
# ---------------------------------------------------------------------------------------------


def align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


class Layout(NamedTuple):
    """Where each region of an object starts (section 2)."""

    cell_count: int
    reader_slot_count: int
    cell_capacity: int
    cell_stride: int
    reader_table_offset: int
    cell_metadata_offset: int
    payload_offset: int
    total_size: int

    @classmethod
    def compute(cls, cell_count: int, reader_slot_count: int, cell_capacity: int) -> "Layout":
        """The layout a writer creates. Readers never call this: they read the header."""
        # Page-aligned strides for big cells keep each payload on its own pages.
        stride = align_up(max(cell_capacity, 1), PAGE if cell_capacity >= PAGE else CACHE_LINE)
        reader_table = HEADER_SIZE
        metadata = reader_table + align_up(reader_slot_count * SLOT_SIZE, PAGE)
        payload = metadata + align_up(cell_count * CELL_META_SIZE, PAGE)
        total = payload + stride * cell_count
        return cls(cell_count, reader_slot_count, cell_capacity, stride, reader_table, metadata,
                   payload, total)

    def cell_metadata(self, cell: int) -> int:
        return self.cell_metadata_offset + cell * CELL_META_SIZE

    def cell_payload(self, cell: int) -> int:
        return self.payload_offset + cell * self.cell_stride

    def reader_slot(self, slot: int) -> int:
        return self.reader_table_offset + slot * SLOT_SIZE

    @property
    def reader_table_length(self) -> int:
        return self.reader_slot_count * SLOT_SIZE


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


def object_path(name: str) -> str:
    """The file of channel `name`, e.g. /dev/shm/virta.lobby.rgb (does not validate)."""
    return f"{SHM_DIR}/{OBJECT_PREFIX}{name}"


def semaphore_path(doorbell: str) -> str:
    """The file glibc keeps for semaphore `doorbell` (given without the leading '/')."""
    return f"{SHM_DIR}/{SEMAPHORE_FILE_PREFIX}{doorbell}"


def image_geometry(channel_type: ChannelType, width: int, height: int):
    """Default (capacity, strides, plane_offsets) of a frame of an image channel.

    YUV420P is I420: a full-size Y plane, then quarter-size U and V planes. Odd sizes round the
    chroma planes up, which is what decoders produce; for even sizes this is w*h*3/2.
    """
    if channel_type == ChannelType.RGB24:
        return width * height * 3, (width * 3, 0, 0, 0), (0, 0, 0)
    if channel_type == ChannelType.YUV420P:
        cw, ch = (width + 1) // 2, (height + 1) // 2
        y = width * height
        return y + 2 * cw * ch, (width, cw, cw, 0), (y, y + cw * ch, 0)
    raise ValueError(f"{channel_type.name} has no image geometry")
