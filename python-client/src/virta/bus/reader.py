"""The reader side of a channel: docs/bus-format.md section 5."""

from __future__ import annotations

import enum
import itertools
import os
import secrets
import time

import numpy as np

from . import layout as L
from ._channel import ChannelMemory, same_object
from .errors import (BusError, ChannelCorrupt, ChannelMismatch, ChannelNotFound, EndOfStream,
                     InvalidChannelName, NoFreeReaderSlot, WriterDied)
from .layout import ChannelType, ColorMatrix, ColorRange, Flags, Format
from .posix import Semaphore, pid_alive

_CHECK_NS = int(L.READER_CHECK_INTERVAL_S * 1e9)
_RESTART_POLL_NS = 10_000_000        # while a replacing writer is about to rename its object
_APPEAR_POLL_S = 0.01                # while waiting for a channel to appear (wait_for_writer)
_FORMATS = {f.value: f for f in Format}

# What a reader is doing, between pulls.
_ATTACHED = 0      # following a writer
_ENDED = 1         # END_OF_STREAM was reported; looking for a new writer
_DEAD = 2          # WRITER_DIED was reported; looking for a new writer

_doorbell_ids = itertools.count(1)


class PullStatus(enum.IntEnum):
    """What Reader.pull found; the same names as the Java reader's PullStatus."""

    FRAME = 0              # reader.frame holds the next frame, nothing lost before it
    OVERRUN = 1            # reader.frame holds a frame, and frame.lost frames before it were lost
    TIMEOUT = 2            # nothing arrived within the timeout
    END_OF_STREAM = 3      # the writer closed the channel in order
    WRITER_RESTARTED = 4   # a new writer took over; the reader re-attached and continues
    WRITER_DIED = 5        # the writer's process died or its heartbeat stopped

    @property
    def has_frame(self) -> bool:
        return self is PullStatus.FRAME or self is PullStatus.OVERRUN


def new_doorbell_name() -> str:
    """virta.r.PID.ID (section 1); the random part keeps a reused pid from meeting a stale name."""
    return f"{L.DOORBELL_PREFIX}{os.getpid()}.{next(_doorbell_ids):x}{secrets.token_hex(3)}"


def create_doorbell(group=None) -> Semaphore:
    """Creates a fresh doorbell semaphore, 0600, or 0660 owned by `group`."""
    gid = _group_id(group)
    for _ in range(16):
        name = new_doorbell_name()
        try:
            sem = Semaphore.create(name, L.MODE_PRIVATE if gid is None else L.MODE_GROUP)
        except FileExistsError:
            continue
        except OSError as e:
            raise BusError(f"cannot create doorbell semaphore /{name}: {e.strerror}: check that "
                           f"{L.SHM_DIR} is writable") from None
        if gid is not None:
            try:
                path = L.semaphore_path(name)
                os.chown(path, -1, gid)
                os.chmod(path, L.MODE_GROUP)   # sem_open's mode passed through our umask
            except OSError as e:
                sem.close()
                Semaphore.unlink(name)
                raise BusError(f"cannot give doorbell /{name} to group {group!r}: {e.strerror}: "
                               "run as a member of that group") from None
        return sem
    raise BusError("cannot find a free doorbell name: remove stale /dev/shm/sem.virta.r.* files")


def _group_id(group) -> int | None:
    if group is None or isinstance(group, int):
        return group
    import grp
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise BusError(f"unknown group '{group}': create it, or name an existing group") from None


class Frame:
    """The frame a reader returned last. One Frame per reader, refilled by every pull.

    `data` is a read-only zero-copy view into the channel: it stays valid until the writer reuses
    the cell, at least cells - 1 frames later. Call is_intact() after using it, or copy() to get a
    private copy that is guaranteed untorn.
    """

    __slots__ = ("sequence", "lost", "size", "flags", "width", "height", "_format", "stream_id",
                 "strides", "plane_offsets", "_color_matrix", "_color_range", "capture_time_us",
                 "arrival_time_us", "commit_monotonic_ns", "_box", "data", "_cell", "_seq_index",
                 "_i64", "_reader")

    def __init__(self, reader: "Reader"):
        self._reader = reader
        self.sequence = 0
        self.lost = 0
        self.size = 0
        self.flags = 0
        self.width = 0
        self.height = 0
        self._format = 0
        self.stream_id = 0
        self.strides = (0, 0, 0, 0)
        self.plane_offsets = (0, 0, 0)
        self._color_matrix = 0
        self._color_range = 0
        self.capture_time_us = 0
        self.arrival_time_us = 0
        self.commit_monotonic_ns = 0
        self._box = b""
        self.data = None
        self._cell = None
        self._seq_index = 0
        self._i64 = None

    @property
    def keyframe(self) -> bool:
        return bool(self.flags & Flags.KEYFRAME)

    @property
    def first(self) -> bool:
        return bool(self.flags & Flags.FIRST)

    @property
    def discontinuity(self) -> bool:
        return bool(self.flags & Flags.DISCONTINUITY)

    @property
    def damaged(self) -> bool:
        """Made from data with holes (packets lost in transit) or refers to such a frame, until the
        next keyframe: shown concealed. Recorders keep these; analyzers that need exact pictures skip them."""
        return bool(self.flags & Flags.DAMAGED)

    @property
    def format(self):
        """A Format, or the raw code if this client does not know it."""
        return _FORMATS.get(self._format, self._format)

    @property
    def color_matrix(self) -> ColorMatrix:
        """How the frame's YUV turns into RGB, as the source tagged it (section 3.3).

        UNSPECIFIED when it did not: use frame.color_matrix.assumed_for(frame.height).
        """
        return ColorMatrix.from_code(self._color_matrix)

    @property
    def color_range(self) -> ColorRange:
        """The value range of the frame's YUV samples (section 3.4); UNSPECIFIED: see assumed()."""
        return ColorRange.from_code(self._color_range)

    @property
    def box_type(self) -> str | None:
        box = self._box.rstrip(b"\0")
        return box.decode("ascii", "replace") if box else None

    def is_intact(self) -> bool:
        """True while the writer has not started to overwrite this frame's cell."""
        if self._i64 is None:
            return False
        try:
            return self._i64[self._seq_index] == self.sequence
        except ValueError:     # the reader moved to a new object and released the old mapping
            return False

    def copy(self, out: np.ndarray | None = None) -> np.ndarray:
        """Returns a private copy of the payload that is verified untorn.

        If the writer overwrote the frame during the copy, this is a copying pull (section 5.2):
        the reader moves on to the next frame still available (the torn one counts in frame.lost,
        and this Frame then describes the new one) and copies that. `out`, a uint8 array of at
        least `size` bytes, is filled instead of allocating a new array.
        """
        while True:
            size = self.size
            if out is None:
                result = np.empty(size, dtype=np.uint8)
            else:
                if out.dtype != np.uint8 or out.ndim != 1 or out.size < size:
                    raise ValueError(f"copy(out=...) needs a 1-D uint8 array of at least {size} "
                                     f"bytes, got {out.dtype} {out.shape}")
                result = out[:size]
            np.copyto(result, self.data)
            if self.is_intact():
                return result
            status = self._reader.pull(0)
            if not status.has_frame:
                raise BusError(
                    f"channel '{self._reader.name}': frame {self.sequence} was overwritten during "
                    f"the copy and the next pull gave {status.name}: pull again")

    def image(self) -> np.ndarray:
        """The payload as a (height, width, 3) array for RGB24/BGR24, (height, width) for GRAY8.

        A view, honouring the row stride; no copy.
        """
        fmt = self._format
        if fmt == Format.NONE and self._reader.channel_type == ChannelType.RGB24:
            fmt = Format.RGB24
        w, h = self.width, self.height
        if fmt in (Format.RGB24, Format.BGR24):
            return self._plane(0, h, w, 3, self.strides[0] or w * 3, "image")
        if fmt == Format.GRAY8:
            return self._plane(0, h, w, 1, self.strides[0] or w, "image")
        raise BusError(f"channel '{self._reader.name}': frame format {self.format!r} is not a "
                       "packed image; use planes() for I420/NV12, or data for encoded payloads")

    def planes(self) -> tuple:
        """(Y, U, V) 2-D views for I420; (Y, UV) with UV of shape (h/2, w/2, 2) for NV12."""
        fmt = self._format
        if fmt == Format.NONE and self._reader.channel_type == ChannelType.YUV420P:
            fmt = Format.I420
        w, h = self.width, self.height
        cw, ch = (w + 1) // 2, (h + 1) // 2
        s = self.strides
        po = self.plane_offsets
        if fmt == Format.I420:
            s0, s1, s2 = s[0] or w, s[1] or cw, s[2] or cw
            o1 = po[0] or s0 * h
            o2 = po[1] or o1 + s1 * ch
            return (self._plane(0, h, w, 1, s0, "Y plane"), self._plane(o1, ch, cw, 1, s1, "U plane"),
                    self._plane(o2, ch, cw, 1, s2, "V plane"))
        if fmt == Format.NV12:
            s0, s1 = s[0] or w, s[1] or cw * 2
            o1 = po[0] or s0 * h
            return self._plane(0, h, w, 1, s0, "Y plane"), self._plane(o1, ch, cw, 2, s1, "UV plane")
        raise BusError(f"channel '{self._reader.name}': frame format {self.format!r} is not planar; "
                       "use image() for RGB24/BGR24/GRAY8")

    def _plane(self, offset: int, rows: int, cols: int, channels: int, stride: int, what: str):
        row_bytes = cols * channels
        if rows <= 0 or cols <= 0 or stride < row_bytes or offset + stride * (rows - 1) + row_bytes > self.size:
            raise BusError(
                f"channel '{self._reader.name}': frame {self.sequence} has no valid {what} "
                f"({cols}x{rows}, stride {stride}, offset {offset}, payload {self.size} bytes): "
                "the writer's width, height, strides or plane offsets are wrong")
        shape = (rows, cols, channels) if channels > 1 else (rows, cols)
        strides = (stride, channels, 1) if channels > 1 else (stride, 1)
        return np.lib.stride_tricks.as_strided(self._cell[offset:], shape=shape, strides=strides)

    def __repr__(self) -> str:
        return (f"Frame(seq={self.sequence}, lost={self.lost}, size={self.size}, "
                f"{self.width}x{self.height}, format={self.format!r})")


class Reader:
    """Follows one channel with a cursor of its own (section 5).

    pull(timeout) returns a PullStatus and leaves the frame in reader.frame; pull_frame(timeout)
    returns the Frame or None; iterating yields frames until the end of the stream.
    """

    def __init__(self, name: str, *, expect_type=None, width: int | None = None,
                 height: int | None = None, format=None, start: str = "newest", spin_us: int = 0,
                 wait_for_writer: float | None = None, wait_set=None, group=None):
        if not L.is_valid_name(name):
            raise InvalidChannelName(name)
        if start not in ("newest", "next"):
            raise ValueError(f"start={start!r}: use 'newest' (the latest frame at once) or 'next' "
                             "(the first frame committed after attaching)")
        self.name = name
        self.path = L.object_path(name)
        try:
            self._expect_type = None if expect_type is None else ChannelType.parse(expect_type)
            self._expect_format = None if format is None else Format.parse(format)
        except ValueError as e:
            raise ChannelMismatch(f"channel '{name}': {e}") from None
        self._expect_width = width
        self._expect_height = height
        self._spin_ns = max(0, int(spin_us)) * 1000
        if wait_set is not None and wait_set.closed:
            raise ValueError("the wait_set is closed; create a new WaitSet")
        self.frame = Frame(self)
        # Counters over the reader's life.
        self.frames = 0
        self.lost = 0
        self.overruns = 0
        self.timeouts = 0
        self.restarts = 0
        self.skipped = 0             # frames passed over by skip_to_newest(), not counted as lost
        self._closed = True          # until attached, close() has nothing to undo
        self._mem: ChannelMemory | None = None
        self._slot = -1
        self._registration = 0
        self._cursor = 1
        self._last_seq = None        # the sequence returned last, for step 1 of 5.2
        self._last_index = 0
        self._pending_lost = 0
        self._resume_newest = False
        self._mode = _ATTACHED
        self._next_check_ns = 0
        self._restart_pending = False
        self._news_check_ns = 0

        mem = self._open(wait_for_writer)
        try:
            self._wait_set = wait_set
            if wait_set is not None:
                self._doorbell = wait_set.doorbell
                self._own_doorbell = False
            else:
                self._doorbell = create_doorbell(group)
                self._own_doorbell = True
        except BaseException:
            mem.close()
            raise
        try:
            self._attach(mem, start)
        except BaseException:
            mem.close()
            if self._own_doorbell:
                self._doorbell.close()
                Semaphore.unlink(self._doorbell.name)
            raise
        self._closed = False
        if wait_set is not None:
            wait_set._add(self)

    # ------------------------------------------------------------------------------------------
    # Attaching (5.1)
    # ------------------------------------------------------------------------------------------

    def _open(self, wait_for_writer: float | None) -> ChannelMemory:
        """Steps 1 and 2: the mapped, checked object, waiting for it to appear if asked to."""
        deadline = time.monotonic() + (wait_for_writer or 0)
        # A writer that is replacing an abandoned object marks it REPLACED a moment before it
        # renames its own over it; give it that moment.
        replaced_deadline = time.monotonic() + max(1.0, wait_for_writer or 0)
        while True:
            try:
                mem = ChannelMemory.open_existing(self.name, self.path)
            except FileNotFoundError:
                if time.monotonic() >= deadline:
                    waited = f" within {wait_for_writer} s" if wait_for_writer else ""
                    raise ChannelNotFound(
                        f"channel '{self.name}' does not exist ({self.path}){waited}: start its "
                        "writer first, or pass wait_for_writer=seconds") from None
                time.sleep(_APPEAR_POLL_S)
                continue
            except PermissionError:
                raise BusError(
                    f"channel '{self.name}' ({self.path}) may not be opened by this user: run as "
                    "the writer's user, or create the channel with group=... and join that group"
                ) from None
            except OSError as e:
                raise BusError(f"cannot open channel '{self.name}' ({self.path}): {e.strerror}: "
                               "check the file, or restart its writer") from None
            if mem.state == L.STATE_REPLACED and time.monotonic() < replaced_deadline:
                mem.close()
                time.sleep(0.01)
                continue
            try:
                self._check_expectations(mem)
            except BaseException:
                mem.close()
                raise
            return mem

    def _check_expectations(self, mem: ChannelMemory) -> None:
        h = mem.header
        actual_type = ChannelType(h.channel_type)
        problems = []
        if self._expect_type is not None and actual_type != self._expect_type:
            problems.append(f"type {actual_type.name}, expected {self._expect_type.name}")
        if self._expect_width is not None and h.width != self._expect_width:
            problems.append(f"width {h.width}, expected {self._expect_width}")
        if self._expect_height is not None and h.height != self._expect_height:
            problems.append(f"height {h.height}, expected {self._expect_height}")
        if self._expect_format is not None and h.format != self._expect_format:
            actual = _FORMATS.get(h.format, h.format)
            problems.append(f"format {getattr(actual, 'name', actual)}, expected "
                            f"{self._expect_format.name}")
        if problems:
            raise ChannelMismatch(
                f"channel '{self.name}' has " + "; ".join(problems)
                + ": attach to the right channel, or drop the expectation")

    def _attach(self, mem: ChannelMemory, start: str) -> None:
        """Steps 3 to 5 (the doorbell already exists): take a slot and set the cursor."""
        registration = secrets.randbits(64) or 1
        # Read before taking the slot: a writer waiting for readers may commit the moment we appear.
        w = mem.write_sequence
        slot = mem.register(os.getpid(), registration, self._doorbell.name)
        if slot < 0:
            raise NoFreeReaderSlot(
                f"channel '{self.name}' has no free reader slot (all "
                f"{mem.layout.reader_slot_count} are taken): close other readers, or create the "
                "channel with more reader_slots")
        self._mem = mem
        self._slot = slot
        self._registration = registration
        self._cells = mem.layout.cell_count
        for payload in mem.payloads:
            payload.flags.writeable = False     # readers never write into a cell
        if start == "next":
            self._cursor = max(w, 0) + 1
        elif start == "first":       # after a restart: the new writer's first frame
            self._cursor = 1
        else:
            self._cursor = w if w > 0 else 1
        self._last_seq = None
        self._pending_lost = 0
        self._resume_newest = False
        self._mode = _ATTACHED
        self._restart_pending = False
        self._next_check_ns = time.monotonic_ns() + _CHECK_NS

    def _detach(self) -> None:
        mem = self._mem
        if mem is None:
            return
        self._mem = None
        try:
            mem.unregister(self._slot, self._registration)
        except (OSError, ValueError):
            pass  # the object is going away anyway
        mem.close()

    # ------------------------------------------------------------------------------------------
    # What the channel is
    # ------------------------------------------------------------------------------------------

    @property
    def channel_type(self) -> ChannelType:
        return ChannelType(self._mem.header.channel_type)

    @property
    def width(self) -> int:
        return self._mem.header.width

    @property
    def height(self) -> int:
        return self._mem.header.height

    @property
    def format(self):
        return _FORMATS.get(self._mem.header.format, self._mem.header.format)

    @property
    def cells(self) -> int:
        return self._mem.layout.cell_count

    @property
    def capacity(self) -> int:
        return self._mem.layout.cell_capacity

    @property
    def writer_pid(self) -> int:
        return self._mem.header.writer_pid

    @property
    def generation(self) -> int:
        return self._mem.header.generation

    @property
    def cursor(self) -> int:
        """The sequence number the next pull wants."""
        return self._cursor

    @property
    def closed(self) -> bool:
        return self._closed

    # ------------------------------------------------------------------------------------------
    # Pulling (5.2) and waiting (5.3)
    # ------------------------------------------------------------------------------------------

    def pull(self, timeout: float | None = None) -> PullStatus:
        """Waits up to `timeout` seconds (None: forever, 0: do not wait) for the next frame.

        FRAME and OVERRUN leave the frame in reader.frame. After END_OF_STREAM or WRITER_DIED
        the reader keeps looking for a new writer of the channel: a later pull returns
        WRITER_RESTARTED when one appears, or the same status again once its timeout ran out
        without one (it does not return early then, so a loop around pull does not spin).
        """
        if self._closed:
            raise BusError(f"channel '{self.name}': the reader is closed; create a new Reader")
        deadline = None if timeout is None else time.monotonic_ns() + max(0, int(timeout * 1e9))
        # 5.2 step 1: was the frame returned last overwritten while the caller held it?
        if self._last_seq is not None:
            if self._mem.i64[self._last_index] != self._last_seq:
                # Torn while held: it counts as lost, and the reader resumes at the newest frame.
                self._pending_lost += 1
                self._resume_newest = True
            self._last_seq = None
        if self._mode != _ATTACHED:
            status = self._await_new_writer(deadline)
            if status is not None:
                return status
        return self._pull_attached(deadline)

    def _pull_attached(self, deadline: int | None) -> PullStatus:
        spin_ns = self._spin_ns
        while True:
            if self._take():
                return PullStatus.OVERRUN if self.frame.lost else PullStatus.FRAME
            status = self._check_writer()
            if status is not None:
                return status
            now = time.monotonic_ns()
            if deadline is not None and now >= deadline:
                self.timeouts += 1
                return PullStatus.TIMEOUT
            mem = self._mem
            if spin_ns:
                # Spin-then-block: re-load writeSequence for a short budget before sleeping.
                spin_end = now + spin_ns if deadline is None else min(now + spin_ns, deadline)
                spin_ns = 0
                i64, index, cursor = mem.i64, mem.write_sequence_index, self._cursor
                while i64[index] < cursor and time.monotonic_ns() < spin_end:
                    pass
                continue
            # Drain first, then re-check: a commit after the check posts after our drain, so the
            # wait below cannot sleep through it.
            self._doorbell.drain()
            if mem.write_sequence >= self._cursor:
                continue
            wake = now + (_RESTART_POLL_NS if self._restart_pending else _CHECK_NS)
            if deadline is not None and deadline < wake:
                wake = deadline
            self._doorbell.wait_until(wake)

    def _take(self) -> bool:
        """5.2 steps 2 to 6. Returns False when nothing is ready."""
        mem = self._mem
        i64 = mem.i64
        cursor = self._cursor
        w = i64[mem.write_sequence_index]
        if w < cursor:
            return False
        cells = self._cells
        lost = 0
        if self._resume_newest or w - cursor >= cells:   # step 3 (and step 1's resume)
            lost = w - cursor
            cursor = w
            self._resume_newest = False
        stalls = 0
        while True:
            cell = (cursor - 1) % cells
            seq_index = mem.cell_sequence_index[cell]
            if i64[seq_index] == cursor:        # step 4
                meta = L.CELL_STRUCT.unpack_from(mem.mm, mem.cell_metadata_offsets[cell]
                                                 + L.CELL_STRUCT_OFFSET)
                # Step 5. The load-load fence is implicit: CPython performs these loads in order
                # and x86-64 does not reorder loads (section 6).
                if i64[seq_index] == cursor:
                    break
            # Lapped while looking: resume at the newest frame.
            w = i64[mem.write_sequence_index]
            if w > cursor:
                lost += w - cursor
                cursor = w
                continue
            # writeSequence says `cursor` is committed but its cell disagrees. A writer that
            # follows section 4 cannot cause that.
            stalls += 1
            if stalls > 3:
                raise ChannelCorrupt(
                    f"channel '{self.name}': cell {cell} holds sequence {i64[seq_index]} but "
                    f"writeSequence is {w}: the object is damaged; restart its writer")
        size = meta[0]
        if size > mem.layout.cell_capacity:
            raise ChannelCorrupt(
                f"channel '{self.name}': frame {cursor} claims {size} bytes in cells of "
                f"{mem.layout.cell_capacity}: the object is damaged; restart its writer")

        # Step 6.
        f = self.frame
        f.sequence = cursor
        f.size = size
        (f.flags, f.width, f.height, f._format, f.stream_id) = meta[1:6]
        f.strides = meta[6:10]
        f.plane_offsets = meta[10:13]
        f._color_matrix, f._color_range = meta[13:15]
        f.capture_time_us, f.arrival_time_us, f.commit_monotonic_ns, f._box = meta[15:19]
        cell_view = mem.payloads[cell]
        f._cell = cell_view
        f.data = cell_view[:size]
        f._seq_index = seq_index
        f._i64 = i64
        lost += self._pending_lost
        self._pending_lost = 0
        f.lost = lost
        if lost:
            self.lost += lost
            self.overruns += 1
        self.frames += 1
        self._last_seq = cursor
        self._last_index = seq_index
        self._cursor = cursor + 1
        return True

    def _check_writer(self) -> PullStatus | None:
        """The table of 5.3, consulted when no frame is ready. None: the writer is fine."""
        mem = self._mem
        state = mem.state
        if state == L.STATE_CLOSED:
            # The writer may have committed its last frame just before closing: deliver it first.
            if mem.write_sequence >= self._cursor:
                return None
            self._mode = _ENDED
            return PullStatus.END_OF_STREAM
        now = time.monotonic_ns()
        if state != L.STATE_REPLACED and now < self._next_check_ns:
            return None
        self._next_check_ns = now + _CHECK_NS
        if self._reattach_if_replaced():
            return PullStatus.WRITER_RESTARTED
        if state == L.STATE_REPLACED:
            # The new writer marked us before renaming its object over the name: poll briskly.
            self._restart_pending = True
            return None
        if not self._writer_alive(mem):
            if mem.write_sequence >= self._cursor:
                return None       # its last frames are still worth having
            self._mode = _DEAD
            return PullStatus.WRITER_DIED
        return None

    @staticmethod
    def _writer_alive(mem: ChannelMemory) -> bool:
        age = time.time_ns() // 1000 - mem.heartbeat_micros
        return age <= L.HEARTBEAT_STALE_US and pid_alive(mem.header.writer_pid)

    def _await_new_writer(self, deadline: int | None) -> PullStatus | None:
        """After END_OF_STREAM or WRITER_DIED: wait for a new object under the name.

        Returns WRITER_RESTARTED once re-attached, the old status again at the deadline, or None
        when the old writer turned out to be alive after all (its heartbeat resumed).
        """
        while True:
            if self._reattach_if_replaced():
                return PullStatus.WRITER_RESTARTED
            mem = self._mem
            if (self._mode == _DEAD and mem.state == L.STATE_LIVE and self._writer_alive(mem)):
                self._mode = _ATTACHED
                return None
            now = time.monotonic_ns()
            if deadline is not None and now >= deadline:
                return PullStatus.END_OF_STREAM if self._mode == _ENDED else PullStatus.WRITER_DIED
            poll = _RESTART_POLL_NS if mem.state == L.STATE_REPLACED else _CHECK_NS
            wake = now + poll if deadline is None else min(now + poll, deadline)
            # A writer that replaces the old object rings our doorbell, which ends this early.
            self._doorbell.wait_until(wake)

    def _reattach_if_replaced(self) -> bool:
        """If another writer's object now has the name, moves this reader onto it."""
        mem = self._mem
        if same_object(self.path, mem.inode) is not False:
            return False          # still ours, or nothing there
        try:
            new = ChannelMemory.open_existing(self.name, self.path)
        except (OSError, ChannelCorrupt, ChannelMismatch):
            return False          # gone again, or not (yet) a channel we can follow
        if new.header.identity == mem.header.identity or new.state == L.STATE_REPLACED:
            new.close()
            return False
        try:
            self._check_expectations(new)
        except ChannelMismatch:
            new.close()
            # A changed channel is an error for a reader that insisted on a shape.
            self._mode = _DEAD
            raise
        self._detach()
        try:
            self._attach(new, "first")
        except BaseException:
            new.close()
            self._closed = True
            if self._own_doorbell:
                self._doorbell.close()
                Semaphore.unlink(self._doorbell.name)
            raise
        self.restarts += 1
        return True

    def skip_to_newest(self) -> int:
        """Moves the cursor to the newest committed frame, so that the next pull returns it (or
        waits for the next one if it was returned already). For analyzers that sample a channel
        at a lower rate than it is written: the frames passed over are not read at all, and count
        in `skipped` rather than `lost`. Returns how many were passed over."""
        if self._closed:
            raise BusError(f"channel '{self.name}': the reader is closed; create a new Reader")
        if self._mode != _ATTACHED:
            return 0
        newest = self._mem.write_sequence
        passed = newest - self._cursor
        if passed <= 0:
            return 0
        self._cursor = newest
        self.skipped += passed
        return passed

    def has_news(self) -> bool:
        """True if pull(0) would return something other than TIMEOUT (for wait sets)."""
        if self._closed:
            return False
        mem = self._mem
        if self._mode == _ATTACHED:
            if mem.write_sequence >= self._cursor:
                return True
            state = mem.state
            if state == L.STATE_CLOSED:
                return True
        now = time.monotonic_ns()
        if now < self._news_check_ns and mem.state != L.STATE_REPLACED:
            return False
        self._news_check_ns = now + _CHECK_NS
        if same_object(self.path, mem.inode) is False:
            return True           # probably a new writer; pull decides
        if self._mode == _ATTACHED:
            return mem.state != L.STATE_REPLACED and not self._writer_alive(mem)
        return self._mode == _DEAD and mem.state == L.STATE_LIVE and self._writer_alive(mem)

    # ------------------------------------------------------------------------------------------
    # Conveniences
    # ------------------------------------------------------------------------------------------

    def pull_frame(self, timeout: float | None = None) -> Frame | None:
        """Returns the next Frame (check frame.lost), or None when `timeout` passes first.

        A writer restart is passed over within the same timeout. Raises EndOfStream when the
        writer closed the channel and WriterDied when it crashed or hangs.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            status = self.pull(remaining)
            if status.has_frame:
                return self.frame
            if status is PullStatus.TIMEOUT:
                return None
            if status is PullStatus.END_OF_STREAM:
                raise EndOfStream(f"channel '{self.name}': the writer closed the channel")
            if status is PullStatus.WRITER_DIED:
                raise WriterDied(
                    f"channel '{self.name}': its writer (process {self.writer_pid}) died or stopped "
                    "its heartbeat; pull again to wait for a new writer")
            # WRITER_RESTARTED: go on with the new writer.

    def __iter__(self):
        """Yields frames until the end of the stream, riding through writer restarts and crashes
        (it waits for a new writer after a crash). Use pull() to see those events."""
        while True:
            status = self.pull(None)
            if status.has_frame:
                yield self.frame
            elif status is PullStatus.END_OF_STREAM:
                return

    def close(self) -> None:
        """Frees the slot and removes the doorbell (5.1, detaching)."""
        if self._closed:
            return
        self._closed = True
        if self._wait_set is not None:
            self._wait_set._remove(self)
        self._detach()
        if self._own_doorbell:
            self._doorbell.close()
            Semaphore.unlink(self._doorbell.name)
        self.frame._i64 = None

    def __enter__(self) -> "Reader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):
        # A forgotten reader still gives its slot and doorbell back when it is collected.
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self) -> str:
        if self._closed or self._mem is None:
            return f"Reader({self.name!r}, closed)"
        return (f"Reader({self.name!r}, {self.channel_type.name}, cursor {self._cursor}, "
                f"frames {self.frames}, lost {self.lost})")
