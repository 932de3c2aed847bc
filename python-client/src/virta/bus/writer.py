"""The writer side of a channel: docs/bus-format.md section 4."""

from __future__ import annotations

import errno
import grp
import mmap
import os
import secrets
import struct
import threading
import time

import numpy as np

from . import layout as L
from ._channel import ChannelMemory, header_lock, parse_header, same_object
from .errors import (BusError, ChannelBusy, ChannelCorrupt, ChannelMismatch, InvalidChannelName,
                     NoSpaceForChannel, PayloadTooLarge)
from .layout import ChannelType, ColorMatrix, ColorRange, Flags, Format
from .posix import Semaphore, close_object_fd, pid_alive, release_record_lock, try_record_lock


def _now_micros() -> int:
    return time.time_ns() // 1000


class Writer:
    """The one process that fills a channel's cells. It never waits for a reader.

    Create it with Writer.create(...); then either push(data) a finished frame, or claim() a cell,
    fill it in place (a decoder or scaler may write straight into it) and commit(size).
    """

    def __init__(self, memory: ChannelMemory, channel_type: ChannelType, fmt: Format):
        # Use Writer.create(); this only wires up an object that create() built.
        self.name = memory.name
        self.channel_type = channel_type
        self.format = fmt
        self.width = memory.header.width
        self.height = memory.header.height
        self.capacity = memory.layout.cell_capacity
        self.cells = memory.layout.cell_count
        self.generation = memory.header.generation
        self._mem = memory
        self._sequence = 0             # last committed frame
        self._claimed = False
        self._closed = False
        # Doorbells already opened, per slot: slot -> (registration, Semaphore or None).
        self._doorbells: dict[int, tuple[int, Semaphore | None]] = {}
        # Defaults for frames that do not say otherwise, computed once.
        if channel_type in (ChannelType.RGB24, ChannelType.YUV420P) and self.width and self.height:
            _, self._default_strides, self._default_plane_offsets = L.image_geometry(
                channel_type, self.width, self.height)
        else:
            self._default_strides, self._default_plane_offsets = (0, 0, 0, 0), (0, 0, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._housekeeping, daemon=True,
                                        name=f"virta-writer-{self.name}")
        self._thread.start()

    # ------------------------------------------------------------------------------------------
    # Creating (section 4, steps 1-3)
    # ------------------------------------------------------------------------------------------

    @classmethod
    def create(cls, name: str, channel_type, *, width: int = 0, height: int = 0, format=None,
               cells: int = 8, capacity: int | None = None, reader_slots: int = L.DEFAULT_READER_SLOTS,
               group: str | int | None = None) -> "Writer":
        """Creates channel `name` (replacing an abandoned object of that name) and returns its writer.

        capacity is the largest payload a cell holds. It defaults to one frame for RGB24
        (width*height*3) and YUV420P (I420, width*height*3/2); RAW, ENCODED and FMP4 need it.
        group makes the channel 0660 and owned by that group, so readers of another user of the
        group can attach.
        """
        if not L.is_valid_name(name):
            raise InvalidChannelName(name)
        try:
            channel_type = ChannelType.parse(channel_type)
        except ValueError as e:
            raise ChannelMismatch(f"channel '{name}': {e}") from None
        fmt = L.DEFAULT_FORMAT[channel_type] if format is None else _parse_format(name, format)
        width, height = int(width or 0), int(height or 0)
        if width < 0 or height < 0 or width > 0xFFFFFFFF or height > 0xFFFFFFFF:
            raise ChannelMismatch(f"channel '{name}': width and height must be 0 or positive")
        if capacity is None:
            if channel_type not in (ChannelType.RGB24, ChannelType.YUV420P):
                raise ChannelMismatch(
                    f"channel '{name}' of type {channel_type.name} needs capacity=BYTES, the "
                    "largest payload one cell must hold")
            if width <= 0 or height <= 0:
                raise ChannelMismatch(
                    f"channel '{name}' of type {channel_type.name} needs width and height (or "
                    "capacity=BYTES)")
            capacity = L.image_geometry(channel_type, width, height)[0]
        if int(capacity) < 1:
            raise ChannelMismatch(f"channel '{name}': capacity must be at least 1 byte, not {capacity}")
        if int(cells) < 2:
            raise ChannelMismatch(f"channel '{name}': cells must be at least 2, not {cells}")
        if not L.MIN_READER_SLOTS <= int(reader_slots) <= L.MAX_READER_SLOTS:
            raise ChannelMismatch(
                f"channel '{name}': reader_slots must be 1 to {L.MAX_READER_SLOTS}, not {reader_slots}")
        gid = _group_id(name, group)
        lay = L.Layout.compute(int(cells), int(reader_slots), int(capacity))

        path = L.object_path(name)
        try:
            memory = _create_object(name, path, lay, channel_type, fmt, width, height, gid)
        except PermissionError:
            raise BusError(
                f"cannot create channel '{name}' ({path}): permission denied: an object of another "
                f"user may have the name (remove it as that user), or {L.SHM_DIR} is not "
                "writable") from None
        except OSError as e:
            raise BusError(f"cannot create channel '{name}' ({path}): {e.strerror}: check "
                           f"{L.SHM_DIR}") from None
        return cls(memory, channel_type, fmt)

    # ------------------------------------------------------------------------------------------
    # Committing (section 4)
    # ------------------------------------------------------------------------------------------

    @property
    def reader_count(self) -> int:
        """How many readers are attached now."""
        return int(self._mem.active_slots().size)

    @property
    def sequence(self) -> int:
        """The sequence number of the last committed frame (0 before the first)."""
        return self._sequence

    def claim(self) -> np.ndarray:
        """Returns a writable uint8 view of the next cell (capacity bytes) to fill in place.

        The cell's old frame is marked gone (step 1) before the view is handed out. Calling
        claim() again before commit() returns the same cell.
        """
        self._check_open()
        mem = self._mem
        cell = self._sequence % self.cells
        if not self._claimed:
            # Step 1: -1 first. Python cannot reorder this store with the payload writes that
            # follow, and x86-64 keeps stores in order (section 6).
            mem.i64[mem.cell_sequence_index[cell]] = L.SEQUENCE_WRITING
            self._claimed = True
        return mem.payloads[cell]

    def commit(self, size: int, *, capture_time_us: int | None = None,
               arrival_time_us: int | None = None, keyframe: bool = False, first: bool = False,
               discontinuity: bool = False, stream_id: int = 0, width: int | None = None,
               height: int | None = None, format=None, strides=None, plane_offsets=None,
               box_type=None, color_matrix=ColorMatrix.UNSPECIFIED,
               color_range=ColorRange.UNSPECIFIED, damaged: bool = False) -> int:
        """Publishes the claimed cell with `size` payload bytes; returns the frame's sequence.

        Metadata not given takes the channel's: its width, height and format, the default
        strides and plane offsets of an image channel, and now for the two timestamps. The
        colour matrix and range (a ColorMatrix/ColorRange, its code or name) stay UNSPECIFIED
        unless given, for every frame anew.
        """
        self._check_open()
        if not self._claimed:
            raise BusError(f"channel '{self.name}': commit() without claim(): claim() a cell, fill "
                           "it, then commit(size)")
        size = int(size)
        if size < 0:
            raise ValueError(f"channel '{self.name}': commit size {size} is negative")
        if size > self.capacity:
            raise PayloadTooLarge(self.name, size, self.capacity)
        sequence = self._sequence + 1
        cell = (sequence - 1) % self.cells
        mem = self._mem

        # Step 3: everything but `sequence`, in one store.
        flags = ((Flags.KEYFRAME if keyframe else 0) | (Flags.FIRST if first else 0)
                 | (Flags.DISCONTINUITY if discontinuity else 0) | (Flags.DAMAGED if damaged else 0))
        if width is None and height is None:
            w, h = self.width, self.height
            st = self._default_strides if strides is None else _fixed(strides, 4, "strides", self.name)
            po = (self._default_plane_offsets if plane_offsets is None
                  else _fixed(plane_offsets, 3, "plane_offsets", self.name))
        else:
            w = self.width if width is None else int(width)
            h = self.height if height is None else int(height)
            geometry = (L.image_geometry(self.channel_type, w, h)
                        if self.channel_type in (ChannelType.RGB24, ChannelType.YUV420P) and w and h
                        else (0, (0, 0, 0, 0), (0, 0, 0)))
            st = geometry[1] if strides is None else _fixed(strides, 4, "strides", self.name)
            po = geometry[2] if plane_offsets is None else _fixed(plane_offsets, 3, "plane_offsets",
                                                                  self.name)
        fmt = self.format if format is None else _parse_format(self.name, format)
        matrix, color_range = _color(self.name, color_matrix, color_range)
        now = _now_micros() if capture_time_us is None or arrival_time_us is None else 0
        try:
            L.CELL_STRUCT.pack_into(
                mem.mm, mem.cell_metadata_offsets[cell] + L.CELL_STRUCT_OFFSET,
                size, flags, w, h, fmt, stream_id,
                st[0], st[1], st[2], st[3], po[0], po[1], po[2], matrix, color_range,
                now if capture_time_us is None else capture_time_us,
                now if arrival_time_us is None else arrival_time_us,
                time.monotonic_ns(),
                _box_type(self.name, box_type))
        except struct.error as e:
            # Nothing is published; the cell stays claimed for a corrected commit.
            raise ValueError(f"channel '{self.name}': frame metadata out of range ({e}): "
                             "width, height, stream_id, strides and plane_offsets are unsigned "
                             "32-bit, the timestamps signed 64-bit") from None

        # Steps 4 and 5: plain aligned 8-byte stores; their order is kept (section 6).
        mem.i64[mem.cell_sequence_index[cell]] = sequence
        mem.i64[mem.write_sequence_index] = sequence
        self._sequence = sequence
        self._claimed = False

        # Step 6.
        self._ring_doorbells()
        return sequence

    def push(self, data, *, capture_time_us: int | None = None, arrival_time_us: int | None = None,
             keyframe: bool = False, first: bool = False, discontinuity: bool = False,
             stream_id: int = 0, width: int | None = None, height: int | None = None, format=None,
             strides=None, plane_offsets=None, box_type=None, color_matrix=ColorMatrix.UNSPECIFIED,
             color_range=ColorRange.UNSPECIFIED, damaged: bool = False) -> int:
        """Copies `data` (a numpy array or any bytes-like object) into the next cell and commits it.

        Returns the frame's sequence number. A payload larger than a cell raises PayloadTooLarge
        and leaves the channel as it was.
        """
        self._check_open()
        if isinstance(data, np.ndarray):
            size = data.nbytes
        else:
            data = memoryview(data)
            size = data.nbytes
        if size > self.capacity:
            raise PayloadTooLarge(self.name, size, self.capacity)
        cell = self.claim()
        if isinstance(data, np.ndarray):
            if data.flags.c_contiguous:
                np.copyto(cell[:size], data.reshape(-1).view(np.uint8))
            else:
                # Strided input (a crop, a transposed view): copy it element-wise into the cell.
                np.copyto(cell[:size].view(data.dtype).reshape(data.shape), data)
        else:
            cell[:size] = np.frombuffer(data, dtype=np.uint8)   # a view of the bytes, no copy
        return self.commit(size, capture_time_us=capture_time_us, arrival_time_us=arrival_time_us,
                           keyframe=keyframe, first=first, discontinuity=discontinuity,
                           stream_id=stream_id, width=width, height=height, format=format,
                           strides=strides, plane_offsets=plane_offsets, box_type=box_type,
                           color_matrix=color_matrix, color_range=color_range, damaged=damaged)

    # ------------------------------------------------------------------------------------------
    # Doorbells
    # ------------------------------------------------------------------------------------------

    def _ring_doorbells(self) -> None:
        mem = self._mem
        cache = self._doorbells
        i64 = mem.i64
        active = mem.active_slots()
        for slot in active.tolist():
            registration = i64[(mem.layout.reader_slot(slot) + L.S_REGISTRATION) // 8] \
                & 0xFFFFFFFFFFFFFFFF
            cached = cache.get(slot)
            if cached is None or cached[0] != registration:
                cached = self._open_doorbell(slot)
                if cached is None:
                    continue   # the table is busy right now; the next commit opens it
            if cached[1] is not None:
                cached[1].post()   # a failed post is ignored: the reader may be gone
        if len(cache) > len(active):
            # Readers left: close the handles of slots that are no longer ACTIVE.
            for slot in set(cache) - set(active.tolist()):
                sem = cache.pop(slot)[1]
                if sem is not None:
                    sem.close()

    def _open_doorbell(self, slot: int):
        """Opens the doorbell of a newly registered slot, caching it under its registration.

        The slot is read under the table lock so that its fields are not caught half-written;
        the lock is only tried, never waited for, because a writer never waits on a reader.
        """
        mem = self._mem
        lay = mem.layout
        if not try_record_lock(mem.fd, lay.reader_table_offset, lay.reader_table_length):
            return None
        try:
            state, _, registration, doorbell = mem.slot_fields(slot)
        finally:
            release_record_lock(mem.fd, lay.reader_table_offset, lay.reader_table_length)
        old = self._doorbells.pop(slot, None)
        if old is not None and old[1] is not None:
            old[1].close()
        if state != L.SLOT_ACTIVE:
            return None
        sem = Semaphore.open(doorbell) if doorbell else None
        # A doorbell that cannot be opened is cached as None so we do not retry every frame.
        self._doorbells[slot] = (registration, sem)
        return self._doorbells[slot]

    # ------------------------------------------------------------------------------------------
    # Heartbeat and dead readers
    # ------------------------------------------------------------------------------------------

    def _housekeeping(self) -> None:
        mem = self._mem
        next_reap = time.monotonic() + L.SLOT_REAP_INTERVAL_S
        # Half the required interval, so a late wake-up still keeps the promise of section 4.
        while not self._stop.wait(L.HEARTBEAT_TICK_S):
            mem.i64[mem.heartbeat_index] = _now_micros()
            if time.monotonic() >= next_reap:
                next_reap = time.monotonic() + L.SLOT_REAP_INTERVAL_S
                try:
                    for doorbell in mem.reap_dead_readers(pid_alive):
                        Semaphore.unlink(doorbell)
                except (OSError, ValueError):
                    pass  # reaping is best effort; the heartbeat must go on

    # ------------------------------------------------------------------------------------------
    # Closing
    # ------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Ends the channel in order: CLOSED, ring every doorbell, remove the name.

        A writer that was judged stale and replaced (it hung for more than 5 s) leaves the state
        and the name alone: they belong to its successor and its successor's readers now.
        """
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        self._thread.join()
        mem = self._mem
        # A reader killed since the last sweep would otherwise leave its doorbell behind.
        try:
            for doorbell in mem.reap_dead_readers(pid_alive):
                Semaphore.unlink(doorbell)
        except (OSError, ValueError):
            pass
        # Under the header lock, so that a successor cannot mark and rename in between (section 4).
        with mem.header_lock() as held:
            # Not held: a hung process has it. Leave state and name alone; readers see the
            # heartbeat stop.
            leave_alone = not held or mem.state == L.STATE_REPLACED
            if not leave_alone:
                mem.set_state(L.STATE_CLOSED)
                if same_object(mem.path, mem.inode):
                    try:
                        os.unlink(mem.path)
                    except FileNotFoundError:
                        pass
        if leave_alone:
            self._close_doorbells()
            mem.close()
            return
        for slot in mem.active_slots().tolist():
            cached = self._doorbells.get(slot)
            if cached is not None and cached[1] is not None:
                cached[1].post()
            else:
                sem = Semaphore.open(mem.slot_fields(slot)[3])
                if sem is not None:
                    sem.post()
                    sem.close()
        self._close_doorbells()
        mem.close()

    def _close_doorbells(self) -> None:
        for _, sem in self._doorbells.values():
            if sem is not None:
                sem.close()
        self._doorbells.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise BusError(f"channel '{self.name}': the writer is closed; create a new Writer")

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return (f"Writer({self.name!r}, {self.channel_type.name}, {self.width}x{self.height}, "
                f"{self.cells} cells of {self.capacity} bytes, sequence {self._sequence})")


# ----------------------------------------------------------------------------------------------
# Creation steps
# ----------------------------------------------------------------------------------------------


def _create_object(name, path, lay, channel_type, fmt, width, height, gid) -> ChannelMemory:
    """Steps 1 to 3. What is under the name is judged and replaced under its header lock, and only
    while the name still refers to it; if the name changed hands meanwhile (another writer started
    at the same instant), look again, and find that writer alive."""
    build = lambda generation, replace: _build_object(  # noqa: E731
        name, path, lay, channel_type, fmt, width, height, generation, gid, replace=replace)
    for _ in range(8):
        try:
            old = ChannelMemory.open_existing(name, path)
        except FileNotFoundError:
            memory = build(1, False)
            if memory is not None:
                return memory
            continue
        except ChannelCorrupt:
            # Not a channel (garbage, a half-written file): nobody can be following it, so it is
            # simply replaced.
            memory = _replace_garbage(name, path, lambda: build(1, True))
            if memory is not None:
                return memory
            continue
        except ChannelMismatch as e:
            # A channel of another format version: we cannot read its writerPid or heartbeat, so
            # we cannot tell whether its writer is alive. Leave that decision to a person.
            raise ChannelMismatch(
                f"{e}. A writer of that version may still own the name: stop it, or remove {path} "
                "if it is stale") from None
        try:
            # old is closed only after the lock is released: closing a descriptor of the file
            # would drop the lock.
            with old.header_lock() as held:
                if not held:
                    raise _lock_busy(name, path)
                if same_object(path, old.inode):
                    return build(_retire_previous(name, path, old) + 1, True)
        finally:
            old.close()
    raise BusError(f"channel '{name}' changed hands 8 times while this writer tried to create it: "
                   "other writers keep starting under that name; run one writer per channel")


def _replace_garbage(name: str, path: str, build):
    fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        with header_lock(fd) as held:
            if not held:
                raise _lock_busy(name, path)
            return build() if same_object(path, (st.st_dev, st.st_ino)) else None
    finally:
        close_object_fd(fd)


def _lock_busy(name: str, path: str) -> ChannelBusy:
    return ChannelBusy(f"channel '{name}' is busy: another process holds the header lock of {path} "
                       "(a writer taking the channel over, or virta bus clean): try again")


def _retire_previous(name: str, path: str, old: ChannelMemory) -> int:
    """Step 1, under old's header lock: fails if a live writer owns it, else marks it REPLACED
    and wakes its readers. Returns its generation."""
    h = old.header
    heartbeat_age = _now_micros() - old.heartbeat_micros
    if (old.state == L.STATE_LIVE and pid_alive(h.writer_pid)
            and heartbeat_age < L.HEARTBEAT_STALE_US):
        raise ChannelBusy(
            f"channel '{name}' is owned by a live writer, process {h.writer_pid} ({path}): "
            "stop that writer first, or use another channel name")
    old.set_state(L.STATE_REPLACED)
    for slot in old.active_slots().tolist():
        _, pid, _, doorbell = old.slot_fields(slot)
        if not doorbell:
            continue
        sem = Semaphore.open(doorbell)
        if sem is not None:
            sem.post()   # its reader wakes at once and finds REPLACED
            sem.close()
        if not pid_alive(pid):
            Semaphore.unlink(doorbell)
    return h.generation


def _build_object(name, path, lay, channel_type, fmt, width, height, generation, gid, *,
                  replace: bool):
    """Steps 2 and 3: a complete object under a temporary name, then renamed over `path`
    (`replace`), or linked to it only if the name is still free. Returns None if it was not."""
    _check_free_space(name, lay.total_size)
    temp = (f"{L.SHM_DIR}/{L.TEMPORARY_PREFIX}{L.OBJECT_PREFIX}{name}.{os.getpid()}."
            f"{secrets.token_hex(4)}")
    fd = os.open(temp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, L.MODE_PRIVATE)
    mm = None
    try:
        if gid is not None:
            os.fchown(fd, -1, gid)
            os.fchmod(fd, L.MODE_GROUP)
        else:
            os.fchmod(fd, L.MODE_PRIVATE)   # whatever the umask
        os.ftruncate(fd, lay.total_size)
        try:
            # Reserve the memory now: on a full tmpfs a later page fault would kill us with SIGBUS.
            os.posix_fallocate(fd, 0, lay.total_size)
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EFBIG):
                raise _no_space(name, lay.total_size) from None
            if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL):
                raise
        mm = mmap.mmap(fd, lay.total_size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        start = _now_micros()
        L.HEADER_STRUCT.pack_into(
            mm, 0, L.MAGIC, L.FORMAT_VERSION, int(channel_type), lay.cell_count,
            lay.reader_slot_count, lay.cell_capacity, lay.cell_stride, lay.reader_table_offset,
            lay.cell_metadata_offset, lay.payload_offset, lay.total_size, width, height, int(fmt),
            os.getpid(), start, generation)
        encoded = name.encode("ascii")
        mm[L.H_NAME:L.H_NAME + L.H_NAME_LENGTH] = encoded.ljust(L.H_NAME_LENGTH, b"\0")
        # A fresh object is all zero: writeSequence 0, every slot FREE, every cell empty.
        memory = ChannelMemory(name, path, fd, mm, parse_header(mm, lay.total_size, name, path))
        memory.i64[memory.heartbeat_index] = start
        memory.set_state(L.STATE_LIVE)
        if replace:
            os.rename(temp, path)
        else:
            try:
                # A hard link fails when the name exists: of two writers creating the same new
                # channel, exactly one gets it.
                os.link(temp, path)
            except FileExistsError:
                memory.close()
                os.unlink(temp)
                return None
            os.unlink(temp)
        return memory
    except BaseException:
        if mm is not None:
            try:
                mm.close()
            except BufferError:
                pass
        close_object_fd(fd)
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise


def _check_free_space(name: str, size: int) -> None:
    st = os.statvfs(L.SHM_DIR)
    if size > st.f_bavail * st.f_frsize:
        raise _no_space(name, size, st.f_bavail * st.f_frsize)


def _no_space(name: str, size: int, free: int | None = None) -> NoSpaceForChannel:
    have = "" if free is None else f" (it has {free} bytes free)"
    return NoSpaceForChannel(
        f"channel '{name}' needs {size} bytes but {L.SHM_DIR} has not enough room{have}: use fewer "
        f"or smaller cells, remove stale channels (virta bus clean), or enlarge {L.SHM_DIR}")


def _group_id(name: str, group) -> int | None:
    if group is None:
        return None
    if isinstance(group, int):
        return group
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise BusError(f"channel '{name}': unknown group '{group}': create it, or name an "
                       "existing group") from None


def _parse_format(name: str, value) -> Format:
    try:
        return Format.parse(value)
    except ValueError as e:
        raise ChannelMismatch(f"channel '{name}': {e}") from None


def _fixed(values, n: int, field: str, name: str) -> tuple:
    values = tuple(int(v) for v in values)
    if len(values) > n:
        raise ValueError(f"channel '{name}': {field} has {len(values)} entries, at most {n}")
    return values + (0,) * (n - len(values))


def _color(name: str, matrix, color_range) -> tuple:
    """The codes of a colour matrix and range given as enums, codes or names."""
    # The defaults are IntEnums already: skip parsing them on every commit.
    if type(matrix) is ColorMatrix and type(color_range) is ColorRange:
        return matrix, color_range
    try:
        return ColorMatrix.parse(matrix), ColorRange.parse(color_range)
    except ValueError as e:
        raise ValueError(f"channel '{name}': {e}") from None


def _box_type(name: str, box_type) -> bytes:
    if box_type is None:
        return b""
    raw = box_type.encode("ascii") if isinstance(box_type, str) else bytes(box_type)
    if len(raw) > 4:
        raise ValueError(f"channel '{name}': box_type {box_type!r} is longer than 4 bytes "
                         "(an ISO BMFF box type such as 'moof')")
    return raw
