"""The few POSIX calls the bus needs that Python's standard library lacks, through ctypes.

Named semaphores are the readers' doorbells (docs/bus-format.md sections 1, 4 and 5.3). Each
Semaphore keeps its own timespec so that a timed wait allocates nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import threading
import time

_libc = ctypes.CDLL("libc.so.6", use_errno=True)

O_CREAT = os.O_CREAT
O_EXCL = os.O_EXCL
CLOCK_MONOTONIC = 1          # the clock behind time.monotonic_ns()
_SEM_FAILED = ctypes.c_void_p(-1).value


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


# sem_open is variadic; passing mode and value as fixed unsigned ints matches the ABI on x86-64
# and AArch64 Linux because neither is a floating-point argument.
_sem_open = _libc.sem_open
_sem_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_uint]
_sem_open.restype = ctypes.c_void_p

_sem_close = _libc.sem_close
_sem_close.argtypes = [ctypes.c_void_p]
_sem_close.restype = ctypes.c_int

_sem_unlink = _libc.sem_unlink
_sem_unlink.argtypes = [ctypes.c_char_p]
_sem_unlink.restype = ctypes.c_int

_sem_post = _libc.sem_post
_sem_post.argtypes = [ctypes.c_void_p]
_sem_post.restype = ctypes.c_int

_sem_trywait = _libc.sem_trywait
_sem_trywait.argtypes = [ctypes.c_void_p]
_sem_trywait.restype = ctypes.c_int

_sem_clockwait = _libc.sem_clockwait
_sem_clockwait.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(Timespec)]
_sem_clockwait.restype = ctypes.c_int


class Semaphore:
    """A POSIX named semaphore, named without the leading '/' as in a reader slot."""

    __slots__ = ("name", "_handle", "_timespec", "_timespec_ptr")

    def __init__(self, name: str, handle: int):
        self.name = name
        self._handle = handle
        # Pre-built once: a wait only fills in the numbers.
        self._timespec = Timespec()
        self._timespec_ptr = ctypes.pointer(self._timespec)

    @classmethod
    def create(cls, name: str, mode: int = 0o600) -> "Semaphore":
        """Creates a new semaphore with value 0; raises FileExistsError if the name is taken."""
        handle = _sem_open(b"/" + name.encode("ascii"), O_CREAT | O_EXCL, mode, 0)
        if handle is None or handle == _SEM_FAILED:
            err = ctypes.get_errno()
            raise OSError(err, f"cannot create semaphore /{name}: {os.strerror(err)}")
        return cls(name, handle)

    @classmethod
    def open(cls, name: str) -> "Semaphore | None":
        """Opens an existing semaphore, or returns None if it is gone or not ours to open."""
        handle = _sem_open(b"/" + name.encode("ascii"), 0, 0, 0)
        if handle is None or handle == _SEM_FAILED:
            return None
        return cls(name, handle)

    @staticmethod
    def unlink(name: str) -> bool:
        return _sem_unlink(b"/" + name.encode("ascii")) == 0

    def post(self) -> bool:
        return _sem_post(self._handle) == 0

    def trywait(self) -> bool:
        return _sem_trywait(self._handle) == 0

    def drain(self) -> int:
        """Takes every pending count, so the next wait sleeps until a new post."""
        n = 0
        while _sem_trywait(self._handle) == 0:
            n += 1
        return n

    def wait_until(self, deadline_ns: int) -> bool:
        """Waits until a post or until time.monotonic_ns() reaches deadline_ns.

        Returns True when a count was taken, False on timeout. ctypes releases the GIL for the
        call, so other threads (the writer's heartbeat) keep running.
        """
        ts = self._timespec
        ts.tv_sec, ts.tv_nsec = divmod(max(deadline_ns, 0), 1_000_000_000)
        while True:
            if _sem_clockwait(self._handle, CLOCK_MONOTONIC, self._timespec_ptr) == 0:
                return True
            err = ctypes.get_errno()
            if err == errno.ETIMEDOUT:
                return False
            if err != errno.EINTR:
                raise OSError(err, f"waiting on semaphore /{self.name} failed: {os.strerror(err)}")

    def close(self) -> None:
        if self._handle is not None:
            _sem_close(self._handle)
            self._handle = None


def pid_alive(pid: int) -> bool:
    """True if process `pid` exists (docs/bus-format.md: kill(pid, 0) succeeds or fails with EPERM).

    A zombie counts as dead: it has exited and only waits for its parent to reap it, so it will
    never write or read again. Without this, a writer killed by a parent that has not yet called
    wait() would look alive until its heartbeat goes stale.
    """
    if pid <= 0 or pid > 0x7FFFFFFF:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        # The state letter follows the command name, which is in parentheses and may hold spaces.
        return stat[stat.rindex(b")") + 2:stat.rindex(b")") + 3] != b"Z"
    except (OSError, ValueError):
        return True


# POSIX record locks belong to the process, not the thread or the descriptor: two threads of one
# process never exclude each other with them, and closing *any* descriptor of a file drops all of
# the process's locks on it. This process-wide lock is therefore held around every record lock and
# around every close of a channel object's descriptor.
PROCESS_LOCK = threading.RLock()


@contextlib.contextmanager
def record_lock(fd: int, offset: int, length: int):
    """Holds an exclusive record lock (fcntl F_SETLKW, F_WRLCK) on [offset, offset + length)."""
    with PROCESS_LOCK:
        fcntl.lockf(fd, fcntl.LOCK_EX, length, offset, os.SEEK_SET)
        try:
            yield
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN, length, offset, os.SEEK_SET)


def try_record_lock(fd: int, offset: int, length: int) -> bool:
    """Takes the same lock without waiting; returns False if someone holds it.

    Release with release_record_lock. Used by the writer, which must never wait for a reader.
    """
    if not PROCESS_LOCK.acquire(blocking=False):
        return False
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, length, offset, os.SEEK_SET)
    except OSError:
        PROCESS_LOCK.release()
        return False
    return True


@contextlib.contextmanager
def patient_record_lock(fd: int, offset: int, length: int, patience_s: float):
    """The exclusive record lock, waited for at most `patience_s`: yields True while it is held, or
    False (holding nothing) when another process kept it that long. A process that holds the lock
    and hangs must not hang this one."""
    deadline = time.monotonic() + patience_s
    while not try_record_lock(fd, offset, length):
        if time.monotonic() >= deadline:
            yield False
            return
        time.sleep(0.001)
    try:
        yield True
    finally:
        release_record_lock(fd, offset, length)


def release_record_lock(fd: int, offset: int, length: int) -> None:
    try:
        fcntl.lockf(fd, fcntl.LOCK_UN, length, offset, os.SEEK_SET)
    finally:
        PROCESS_LOCK.release()


def close_object_fd(fd: int) -> None:
    """Closes a channel object's descriptor without dropping a lock another thread holds."""
    with PROCESS_LOCK:
        os.close(fd)
