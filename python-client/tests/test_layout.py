"""The constants of virta.bus.layout against the tables of docs/bus-format.md."""

import os
import re

import pytest

from virta.bus import layout as L
from virta.bus.errors import InvalidChannelName
from virta.bus.reader import Reader
from virta.bus.writer import Writer

SPEC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "bus-format.md")
WIDTHS = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "i64": 8}


def spec_table(heading: str) -> list[list[str]]:
    """The rows of the first table after `heading` in the spec, as lists of cell texts."""
    if not os.path.exists(SPEC):
        pytest.skip("docs/bus-format.md is not next to this checkout")
    text = open(SPEC, encoding="utf-8").read()
    start = text.index(heading)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if not set(cells[0]) <= set("-") and cells[0] not in ("Offset", "Value"):
                rows.append(cells)
        elif rows:
            break
    return rows


def snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).upper()


def fields(heading: str, prefix: str):
    """(constant name, offset, byte width) of every named field of a spec table."""
    out = []
    for offset, ftype, field, *_ in spec_table(heading):
        if not re.fullmatch(r"\d+", offset) or not re.fullmatch(r"[a-zA-Z]+", field):
            continue    # padding and reserved ranges
        m = re.fullmatch(r"(u8|u16|u32|u64|i64)(?:\[(\d+)\])?", ftype)
        assert m, f"unknown type {ftype}"
        width = WIDTHS[m.group(1)] * int(m.group(2) or 1)
        if field == "reserved":
            continue
        out.append((prefix + snake(field), int(offset), width))
    return out


HEADER_FIELDS = fields("### 2.1 Header", "H_")
SLOT_FIELDS = fields("### 2.2 Reader slots", "S_")
CELL_FIELDS = fields("### 2.3 Cell metadata", "C_")


@pytest.mark.parametrize("constant,offset,width", HEADER_FIELDS + SLOT_FIELDS + CELL_FIELDS)
def test_offsets_match_spec(constant, offset, width):
    assert getattr(L, constant) == offset
    # Every 8-byte field is 8-byte aligned, so plain loads and stores of it are atomic.
    if width == 8:
        assert offset % 8 == 0


def test_spec_tables_were_found():
    assert len(HEADER_FIELDS) == 21 and len(SLOT_FIELDS) == 4 and len(CELL_FIELDS) == 15


def test_header_struct_places_fields_where_the_spec_says():
    names = ["magic", "formatVersion", "channelType", "cellCount", "readerSlotCount",
             "cellCapacity", "cellStride", "readerTableOffset", "cellMetadataOffset",
             "payloadOffset", "totalSize", "width", "height", "format", "writerPid",
             "startTimeMicros", "generation"]
    values = [L.MAGIC] + [1000 + i for i in range(1, len(names))]
    buf = bytearray(L.HEADER_SIZE)
    L.HEADER_STRUCT.pack_into(buf, 0, *values)
    table = {c: (o, w) for c, o, w in HEADER_FIELDS}
    for field, value in zip(names[1:], values[1:]):
        offset, width = table["H_" + snake(field)]
        assert int.from_bytes(buf[offset:offset + width], "little") == value, field
    assert bytes(buf[0:8]) == b"VIRTABUS"


def test_cell_struct_places_fields_where_the_spec_says():
    values = [11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 31, 32, 33, 2, 1, 41, 42, 43, b"moof"]
    buf = bytearray(L.CELL_META_SIZE)
    L.CELL_STRUCT.pack_into(buf, L.CELL_STRUCT_OFFSET, *values)
    u32 = lambda off: int.from_bytes(buf[off:off + 4], "little")  # noqa: E731
    i64 = lambda off: int.from_bytes(buf[off:off + 8], "little")  # noqa: E731
    assert [u32(L.C_PAYLOAD_SIZE), u32(L.C_FLAGS), u32(L.C_WIDTH), u32(L.C_HEIGHT),
            u32(L.C_FORMAT), u32(L.C_STREAM_ID)] == values[0:6]
    assert [u32(L.C_STRIDES + 4 * i) for i in range(4)] == values[6:10]
    assert [u32(L.C_PLANE_OFFSETS + 4 * i) for i in range(3)] == values[10:13]
    assert [buf[L.C_COLOR_MATRIX], buf[L.C_COLOR_RANGE]] == values[13:15]
    assert bytes(buf[L.C_COLOR_RANGE + 1:L.C_CAPTURE_TIME_MICROS]) == bytes(2), "reserved stays zero"
    assert [i64(L.C_CAPTURE_TIME_MICROS), i64(L.C_ARRIVAL_TIME_MICROS),
            i64(L.C_COMMIT_MONOTONIC_NANOS)] == values[15:18]
    assert bytes(buf[L.C_BOX_TYPE:L.C_BOX_TYPE + 4]) == b"moof"
    assert bytes(buf[0:8]) == bytes(8), "the struct must not touch `sequence`"


def test_sizes_and_states():
    assert (L.HEADER_SIZE, L.SLOT_SIZE, L.CELL_META_SIZE, L.S_DOORBELL_LENGTH) == (4096, 64, 128, 48)
    assert (L.STATE_LIVE, L.STATE_CLOSED, L.STATE_REPLACED) == (1, 2, 3)
    assert (L.SLOT_FREE, L.SLOT_ACTIVE) == (0, 1)
    assert (L.Flags.KEYFRAME, L.Flags.FIRST, L.Flags.DISCONTINUITY) == (1, 2, 4)
    assert L.MAX_READER_SLOTS == 1024
    assert L.HEARTBEAT_STALE_US == 5_000_000 and L.HEARTBEAT_INTERVAL_S == 0.1


def test_channel_type_codes_match_spec():
    rows = spec_table("### 3.1 channelType")
    assert {int(v): name for v, name, *_ in rows} == {t.value: t.name for t in L.ChannelType}


def test_format_codes_match_spec():
    rows = spec_table("### 3.2 format")
    spec = {int(v): meaning.split()[0].upper() for v, meaning in rows}
    assert spec == {f.value: f.name for f in L.Format}


def test_color_codes_match_spec():
    matrices = {int(v): name for v, name, *_ in spec_table("### 3.3 colorMatrix")}
    assert matrices == {0: "unspecified: the source did not say, or the writer predates this field",
                        1: "ITU-R BT.601", 2: "ITU-R BT.709",
                        3: "ITU-R BT.2020, non-constant luminance"}
    assert {m.value: m.name for m in L.ColorMatrix} == {0: "UNSPECIFIED", 1: "BT601", 2: "BT709",
                                                        3: "BT2020"}
    ranges = {int(v): meaning.split(":")[0] for v, meaning, *_ in spec_table("### 3.4 colorRange")}
    assert ranges == {0: "unspecified", 1: "limited", 2: "full"}
    assert {r.value: r.name.lower() for r in L.ColorRange} == ranges


def test_unknown_color_codes_read_as_unspecified():
    assert L.ColorMatrix.from_code(4) is L.ColorMatrix.UNSPECIFIED
    assert L.ColorMatrix.from_code(255) is L.ColorMatrix.UNSPECIFIED
    assert L.ColorRange.from_code(3) is L.ColorRange.UNSPECIFIED
    assert L.ColorMatrix.from_code(2) is L.ColorMatrix.BT709
    assert L.ColorRange.from_code(2) is L.ColorRange.FULL


def test_assumptions_for_unspecified_colour():
    assert L.ColorMatrix.UNSPECIFIED.assumed_for(720) is L.ColorMatrix.BT709
    assert L.ColorMatrix.UNSPECIFIED.assumed_for(719) is L.ColorMatrix.BT601
    assert L.ColorMatrix.BT601.assumed_for(1080) is L.ColorMatrix.BT601
    assert L.ColorMatrix.BT709.assumed_for(240) is L.ColorMatrix.BT709
    assert L.ColorRange.UNSPECIFIED.assumed() is L.ColorRange.LIMITED
    assert L.ColorRange.FULL.assumed() is L.ColorRange.FULL


def test_color_parsing():
    assert L.ColorMatrix.parse("BT709") is L.ColorMatrix.BT709
    assert L.ColorMatrix.parse(1) is L.ColorMatrix.BT601
    assert L.ColorRange.parse("full") is L.ColorRange.FULL
    with pytest.raises(ValueError, match="colour matrix 'bt470'.*bt601"):
        L.ColorMatrix.parse("bt470")
    with pytest.raises(ValueError, match="colour range 7"):
        L.ColorRange.parse(7)


@pytest.mark.parametrize("capacity,stride", [(1, 64), (100, 128), (4095, 4096), (4096, 4096),
                                             (5000, 8192), (640 * 480 * 3, 921600)])
def test_layout_compute(capacity, stride):
    lay = L.Layout.compute(8, 64, capacity)
    assert lay.cell_stride == stride
    assert lay.reader_table_offset == 4096
    assert lay.cell_metadata_offset == 4096 + 4096
    assert lay.payload_offset % 4096 == 0
    assert lay.payload_offset >= lay.cell_metadata_offset + 8 * 128
    assert lay.total_size == lay.payload_offset + 8 * stride


def test_layout_of_many_slots_and_cells():
    lay = L.Layout.compute(100, 1024, 10)
    assert lay.cell_metadata_offset == 4096 + 1024 * 64
    assert lay.payload_offset == lay.cell_metadata_offset + 4096 * 4   # 12800 bytes -> 4 pages


def test_image_geometry():
    assert L.image_geometry(L.ChannelType.RGB24, 640, 480) == (921600, (1920, 0, 0, 0), (0, 0, 0))
    assert L.image_geometry(L.ChannelType.YUV420P, 640, 480) == (
        460800, (640, 320, 320, 0), (307200, 307200 + 76800, 0))
    # Odd sizes round the chroma planes up.
    assert L.image_geometry(L.ChannelType.YUV420P, 5, 3)[0] == 15 + 2 * 3 * 2


@pytest.mark.parametrize("name", ["a", "lobby.rgb", "A-b_c.9", "_x", "9", "x" * 64])
def test_valid_names(name):
    assert L.is_valid_name(name)


@pytest.mark.parametrize("name", ["", "a/b", "x" * 65, ".hidden", "-dash", "a b", "é", "a\0b",
                                  None, 5, "a:b"])
def test_invalid_names(name):
    assert not L.is_valid_name(name)
    with pytest.raises(InvalidChannelName, match="invalid channel name"):
        Reader(name)
    with pytest.raises(InvalidChannelName, match="A-Z a-z 0-9"):
        Writer.create(name, L.ChannelType.RAW, capacity=10)
