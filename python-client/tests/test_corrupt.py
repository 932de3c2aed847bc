"""Objects that are not (valid) channels: readers and writers fail with a BusError, never worse."""

import os
import random

import numpy as np
import pytest

from virta.bus import (BusError, ChannelCorrupt, ChannelMismatch, ChannelType, PullStatus, Reader,
                       Writer)
from virta.bus import layout as L


def write_object(name, data: bytes):
    path = L.object_path(name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)
    return path


def valid_image(name, cells=4, capacity=256) -> bytes:
    """The bytes of a real channel with a few frames, taken while its writer was live."""
    with Writer.create(name, ChannelType.RAW, capacity=capacity, cells=cells, reader_slots=4) as w:
        for i in range(6):
            w.push(bytes([i]) * 100)
        with open(L.object_path(name), "rb") as f:
            return f.read()


def test_bad_magic(name):
    write_object(name, b"NOTVIRTA" + bytes(8192))
    with pytest.raises(ChannelCorrupt, match="no VIRTABUS magic") as info:
        Reader(name)
    assert name in str(info.value)


def test_too_short(name):
    write_object(name, b"VIRTABUS")
    with pytest.raises(ChannelCorrupt, match="smaller than a header"):
        Reader(name)
    write_object(name, b"")
    with pytest.raises(ChannelCorrupt):
        Reader(name)


def test_other_format_version(names):
    name = names()
    image = bytearray(valid_image(name))
    image[L.H_FORMAT_VERSION:L.H_FORMAT_VERSION + 4] = (2).to_bytes(4, "little")
    write_object(name, bytes(image))
    with pytest.raises(ChannelMismatch, match="version 2"):
        Reader(name)


def test_total_size_disagrees_with_the_file(names):
    name = names()
    write_object(name, valid_image(name) + bytes(4096))
    with pytest.raises(ChannelCorrupt, match="totalSize"):
        Reader(name)


def test_unknown_channel_type(names):
    name = names()
    image = bytearray(valid_image(name))
    image[L.H_CHANNEL_TYPE:L.H_CHANNEL_TYPE + 4] = (99).to_bytes(4, "little")
    write_object(name, bytes(image))
    with pytest.raises(ChannelCorrupt, match="channelType 99"):
        Reader(name)


def test_writer_replaces_garbage(name):
    write_object(name, os.urandom(10000))
    with Writer.create(name, ChannelType.RAW, capacity=8) as w, Reader(name) as r:
        assert w.generation == 1
        w.push(b"ok")
        assert r.pull(1) is PullStatus.FRAME


def test_cell_disagreeing_with_write_sequence(names):
    name = names()
    image = bytearray(valid_image(name))
    lay = L.Layout.compute(4, 4, 256)
    cell = lay.cell_metadata((6 - 1) % 4)
    image[cell:cell + 8] = (1234).to_bytes(8, "little")      # frame 6's cell claims frame 1234
    image[L.H_STATE:L.H_STATE + 4] = L.STATE_LIVE.to_bytes(4, "little")
    write_object(name, bytes(image))
    with Reader(name) as r:
        with pytest.raises(ChannelCorrupt, match="damaged"):
            r.pull(0)


def test_payload_size_larger_than_the_cell_is_refused_not_clamped(name):
    """Section 2.3: payloadSize is at most cellCapacity; Java and Python both refuse the frame."""
    with Writer.create(name, ChannelType.RAW, capacity=64) as w, Reader(name, start="next") as r:
        w.push(bytes(64))
        mem = w._mem
        mem.u32[(mem.layout.cell_metadata(0) + L.C_PAYLOAD_SIZE) // 4] = 65
        with pytest.raises(ChannelCorrupt, match="65 bytes in cells of 64"):
            r.pull(0)


def _attempt(name):
    """Attach and pull a little; what a reader of a damaged object may do."""
    with Reader(name) as r:
        for _ in range(3):
            status = r.pull(0)
            if status.has_frame:
                r.frame.is_intact()
                r.frame.copy()
                bytes(r.frame.data[:8])
                for view in (r.frame.image, r.frame.planes):
                    try:
                        view()
                    except BusError:
                        pass


def test_random_header_bytes_only_raise_bus_errors(names):
    base_name = names()
    image = valid_image(base_name)
    rng = random.Random(1234)
    name = names()
    outcomes = set()
    for round_ in range(300):
        damaged = bytearray(image)
        if round_ % 3 == 0:
            # Scramble a few bytes of the header's interesting part.
            for _ in range(rng.randint(1, 6)):
                damaged[rng.randrange(0, 392)] = rng.randrange(256)
        elif round_ % 3 == 1:
            # Rewrite one whole field with a random value.
            offset = rng.choice([8, 12, 16, 20, 24, 32, 40, 48, 56, 64, 72, 76, 80, 84, 256, 320,
                                 384])
            width = 8 if offset in (24, 32, 40, 48, 56, 64, 256, 320) else 4
            value = rng.choice([0, 1, 2, 3, 7, 64, 4096, 2**31, 2**32 - 1, 2**63, 2**64 - 1,
                                rng.getrandbits(width * 8)])
            damaged[offset:offset + width] = (value % (1 << (width * 8))).to_bytes(width, "little")
        else:
            # Garbage in cell metadata and slots too.
            for _ in range(rng.randint(1, 30)):
                damaged[rng.randrange(0, 3 * 4096)] = rng.randrange(256)
        write_object(name, bytes(damaged))
        try:
            _attempt(name)
            outcomes.add("ok")
        except BusError as e:
            outcomes.add(type(e).__name__)
    assert "ok" in outcomes and "ChannelCorrupt" in outcomes


def test_random_files_only_raise_bus_errors(name):
    rng = np.random.default_rng(5)
    for size in (0, 1, 100, 4095, 4096, 8192, 20000):
        write_object(name, rng.integers(0, 256, size, dtype=np.uint8).tobytes())
        with pytest.raises(BusError):
            Reader(name)


def test_writer_leaves_a_channel_of_another_version_alone(names):
    name = names()
    image = bytearray(valid_image(name))
    image[L.H_FORMAT_VERSION:L.H_FORMAT_VERSION + 4] = (2).to_bytes(4, "little")
    write_object(name, bytes(image))
    with pytest.raises(ChannelMismatch, match="remove /dev/shm/virta"):
        Writer.create(name, ChannelType.RAW, capacity=8)
    with open(L.object_path(name), "rb") as f:
        assert f.read() == bytes(image)
