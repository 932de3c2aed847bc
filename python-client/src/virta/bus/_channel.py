"""A mapped channel object: header validation, typed access and the reader-slot table.

Writer and Reader both sit on a ChannelMemory. Shared 8-byte fields (sequences, heartbeat) are
read and written through a memoryview cast to 'q': CPython copies such an item with one
fixed-size memcpy, which compiles to a single aligned 8-byte load or store, so a reader never sees
half of a value (docs/bus-format.md section 6). struct is NOT used for those fields: its
little-endian mode assembles integers byte by byte.
"""

from __future__ import annotations

import mmap
import os
import sys
from typing import NamedTuple

import numpy as np

from . import layout as L
from .errors import ChannelCorrupt, ChannelMismatch
from .posix import close_object_fd, patient_record_lock, record_lock

if sys.byteorder != "little":  # pragma: no cover - the format is little-endian, and so are we
    raise ImportError("virta.bus needs a little-endian CPU: the bus format stores integers "
                      "little-endian and this client reads them in native order")


class Header(NamedTuple):
    """The immutable part of a header (docs/bus-format.md 2.1, offsets 0..104)."""

    magic: bytes
    format_version: int
    channel_type: int
    cell_count: int
    reader_slot_count: int
    cell_capacity: int
    cell_stride: int
    reader_table_offset: int
    cell_metadata_offset: int
    payload_offset: int
    total_size: int
    width: int
    height: int
    format: int
    writer_pid: int
    start_time_micros: int
    generation: int

    @property
    def identity(self) -> tuple:
        """What tells one writer's object from another's under the same name (5.3)."""
        return (self.generation, self.start_time_micros, self.writer_pid)

    def layout(self) -> L.Layout:
        return L.Layout(self.cell_count, self.reader_slot_count, self.cell_capacity,
                        self.cell_stride, self.reader_table_offset, self.cell_metadata_offset,
                        self.payload_offset, self.total_size)


def parse_header(buf, object_size: int, name: str, path: str) -> Header:
    """Reads and checks a header (5.1 step 2). Raises ChannelCorrupt or ChannelMismatch."""
    if object_size < L.HEADER_SIZE:
        raise ChannelCorrupt(
            f"channel '{name}' ({path}) is only {object_size} bytes, smaller than a header: it is "
            "not a Virta channel; remove it and restart its writer")
    h = Header(*L.HEADER_STRUCT.unpack_from(buf, 0))
    if h.magic != L.MAGIC:
        raise ChannelCorrupt(
            f"channel '{name}' ({path}) has no VIRTABUS magic: it is not a Virta channel; remove "
            "it and restart its writer")
    if h.format_version != L.FORMAT_VERSION:
        raise ChannelMismatch(
            f"channel '{name}' uses bus format version {h.format_version}, this reader "
            f"understands version {L.FORMAT_VERSION}: run writer and readers from the same Virta "
            "release")
    problem = _layout_problem(h, object_size)
    if problem:
        raise ChannelCorrupt(
            f"channel '{name}' ({path}) has an inconsistent header: {problem}; restart its "
            "writer")
    return h


def _layout_problem(h: Header, object_size: int) -> str | None:
    """Says what is wrong with a header's layout, or None. Readers trust only what fits."""
    if h.channel_type not in L.ChannelType._value2member_map_:
        return f"unknown channelType {h.channel_type}"
    if h.cell_count < 2:
        return f"cellCount {h.cell_count} is below 2"
    if not L.MIN_READER_SLOTS <= h.reader_slot_count <= L.MAX_READER_SLOTS:
        return f"readerSlotCount {h.reader_slot_count} is outside 1..{L.MAX_READER_SLOTS}"
    if h.cell_capacity < 1 or h.cell_stride < h.cell_capacity or h.cell_stride % L.CACHE_LINE:
        return f"cellCapacity {h.cell_capacity} does not fit cellStride {h.cell_stride}"
    if h.total_size != object_size:
        return f"totalSize {h.total_size} differs from the object's size {object_size}"
    if (h.reader_table_offset < L.HEADER_SIZE
            or h.cell_metadata_offset < h.reader_table_offset + h.reader_slot_count * L.SLOT_SIZE
            or h.payload_offset < h.cell_metadata_offset + h.cell_count * L.CELL_META_SIZE
            or h.payload_offset + h.cell_stride * h.cell_count > object_size):
        return (f"regions overlap or overrun the object (reader table {h.reader_table_offset}, "
                f"metadata {h.cell_metadata_offset}, payload {h.payload_offset}, "
                f"{h.cell_count} cells of stride {h.cell_stride}, object {object_size} bytes)")
    # Our 8-byte loads and stores must be aligned to be atomic.
    if (h.reader_table_offset % L.CACHE_LINE or h.cell_metadata_offset % L.CACHE_LINE
            or h.payload_offset % L.CACHE_LINE):
        return "regions are not aligned"
    return None


class ChannelMemory:
    """One mapped channel object with its validated layout."""

    def __init__(self, name: str, path: str, fd: int, mm: mmap.mmap, header: Header):
        self.name = name
        self.path = path
        self.fd = fd
        self.mm = mm
        self.header = header
        self.layout = header.layout()
        st = os.fstat(fd)
        self.inode = (st.st_dev, st.st_ino)
        # Whole-object views: index = byte offset // 8 (i64) or // 4 (u32).
        self.i64 = memoryview(mm).cast("q")
        self.u32 = memoryview(mm).cast("I")
        lay = self.layout
        self.write_sequence_index = L.H_WRITE_SEQUENCE // 8
        self.heartbeat_index = L.H_HEARTBEAT_MICROS // 8
        self.state_index = L.H_STATE // 4
        # Per-cell positions, computed once so the hot paths only index lists.
        self.cell_sequence_index = [lay.cell_metadata(i) // 8 for i in range(lay.cell_count)]
        self.cell_metadata_offsets = [lay.cell_metadata(i) for i in range(lay.cell_count)]
        # Per-cell zero-copy payload views of the full capacity.
        self.payloads = [
            np.frombuffer(mm, dtype=np.uint8, count=lay.cell_capacity, offset=lay.cell_payload(i))
            for i in range(lay.cell_count)]
        # The state word of every slot, as one strided array, to find ACTIVE slots in one call.
        self.slot_states = np.ndarray((lay.reader_slot_count,), dtype="<u4", buffer=mm,
                                      offset=lay.reader_table_offset, strides=(L.SLOT_SIZE,))

    # ---- opening ----

    @classmethod
    def open_existing(cls, name: str, path: str) -> "ChannelMemory":
        """Maps an existing object read-write and checks its header.

        Raises FileNotFoundError when the object is missing (the caller turns that into an error
        naming the channel), ChannelCorrupt or ChannelMismatch when it is unusable.
        """
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        try:
            size = os.fstat(fd).st_size
            if size < L.HEADER_SIZE:
                parse_header(b"", size, name, path)   # raises ChannelCorrupt
            mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
            try:
                header = parse_header(mm, size, name, path)
                return cls(name, path, fd, mm, header)
            except BaseException:
                mm.close()
                raise
        except BaseException:
            close_object_fd(fd)
            raise

    def close(self) -> None:
        """Unmaps the object. Views the caller still holds keep the mapping alive until dropped."""
        self.payloads = []
        self.slot_states = None
        for view in (self.i64, self.u32):
            view.release()
        try:
            self.mm.close()
        except BufferError:
            pass  # a Frame.data or claim() view is still held; the mapping goes with it
        if self.fd >= 0:
            close_object_fd(self.fd)
            self.fd = -1

    # ---- header fields that change ----

    @property
    def write_sequence(self) -> int:
        return self.i64[self.write_sequence_index]

    @property
    def heartbeat_micros(self) -> int:
        return self.i64[self.heartbeat_index]

    @property
    def state(self) -> int:
        return self.u32[self.state_index]

    def set_state(self, state: int) -> None:
        self.u32[self.state_index] = state

    def cell_sequence(self, cell: int) -> int:
        return self.i64[self.cell_sequence_index[cell]]

    # ---- reader slots (2.2) ----

    def slot_fields(self, slot: int) -> tuple[int, int, int, str]:
        """(state, pid, registration, doorbell) of a slot."""
        base = self.layout.reader_slot(slot)
        raw = bytes(self.mm[base + L.S_DOORBELL:base + L.S_DOORBELL + L.S_DOORBELL_LENGTH])
        doorbell = raw.split(b"\0", 1)[0].decode("ascii", "replace")
        return (self.u32[(base + L.S_STATE) // 4], self.u32[(base + L.S_PID) // 4],
                self.i64[(base + L.S_REGISTRATION) // 8] & 0xFFFFFFFFFFFFFFFF, doorbell)

    def active_slots(self) -> np.ndarray:
        return np.flatnonzero(self.slot_states == L.SLOT_ACTIVE)

    def header_lock(self):
        """The header lock (section 4), held by a writer that replaces or closes the channel.

        A context manager yielding True while held, or False if another process kept it for
        H_LOCK_PATIENCE_S."""
        return header_lock(self.fd)

    def table_lock(self):
        return record_lock(self.fd, self.layout.reader_table_offset, self.layout.reader_table_length)

    def register(self, pid: int, registration: int, doorbell: str) -> int:
        """Takes a FREE slot (5.1 step 4); returns its index, or -1 when none is free."""
        encoded = doorbell.encode("ascii")
        if len(encoded) >= L.S_DOORBELL_LENGTH:
            raise ValueError(f"doorbell name {doorbell!r} is longer than "
                             f"{L.S_DOORBELL_LENGTH - 1} characters")
        with self.table_lock():
            free = np.flatnonzero(self.slot_states == L.SLOT_FREE)
            if free.size == 0:
                return -1
            slot = int(free[0])
            base = self.layout.reader_slot(slot)
            self.u32[(base + L.S_PID) // 4] = pid
            self.i64[(base + L.S_REGISTRATION) // 8] = _as_i64(registration)
            self.mm[base + L.S_DOORBELL:base + L.S_DOORBELL + L.S_DOORBELL_LENGTH] = \
                encoded.ljust(L.S_DOORBELL_LENGTH, b"\0")
            # ACTIVE last: a writer that sees it also sees the fields above.
            self.u32[(base + L.S_STATE) // 4] = L.SLOT_ACTIVE
            return slot

    def unregister(self, slot: int, registration: int) -> None:
        """Frees a slot if it still holds this registration (the writer may have reaped it)."""
        with self.table_lock():
            state, _, reg, _ = self.slot_fields(slot)
            if state == L.SLOT_ACTIVE and reg == registration:
                self.u32[(self.layout.reader_slot(slot) + L.S_STATE) // 4] = L.SLOT_FREE

    def reap_dead_readers(self, alive) -> list[str]:
        """Frees slots whose pid is dead; returns their doorbell names for unlinking."""
        doorbells = []
        with self.table_lock():
            for slot in self.active_slots():
                state, pid, _, doorbell = self.slot_fields(int(slot))
                if state == L.SLOT_ACTIVE and not alive(pid):
                    self.u32[(self.layout.reader_slot(int(slot)) + L.S_STATE) // 4] = L.SLOT_FREE
                    if doorbell:
                        doorbells.append(doorbell)
        return doorbells


def header_lock(fd: int):
    """The header lock of the object open as `fd`; see ChannelMemory.header_lock."""
    return patient_record_lock(fd, L.H_LOCK_OFFSET, L.H_LOCK_LENGTH, L.H_LOCK_PATIENCE_S)


def _as_i64(value: int) -> int:
    """A u64 as the signed value the 'q' view stores for the same bits."""
    value &= 0xFFFFFFFFFFFFFFFF
    return value - (1 << 64) if value >= (1 << 63) else value


def same_object(path: str, inode: tuple) -> bool | None:
    """True if `path` still names the object with this (dev, ino); None if nothing is there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_dev, st.st_ino) == inode


__all__ = ["ChannelMemory", "Header", "header_lock", "parse_header", "same_object"]
