"""Command-line tools for the bus: python3 -m virta.bus.tools write|read|ls|clean|latency ...

The write and read commands are test instruments that the Java tests drive, so their arguments
and output are a contract (see python-client/README.md):

  write: test frames whose every payload byte is sequence % 251; prints READY, then DONE <count>.
  read:  one JSON object per line: ready, frame, timeout, end, restarted, died, then summary.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import time

import numpy as np

from . import layout as L
from ._channel import ChannelMemory, parse_header, same_object
from .errors import BusError, ChannelCorrupt
from .layout import ChannelType, ColorMatrix, ColorRange
from .posix import Semaphore, pid_alive
from .reader import PullStatus, Reader
from .writer import Writer

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BUS_ERROR = 2


def _emit(obj: dict) -> None:
    print(json.dumps(obj, separators=(",", ":")), flush=True)


def _terminate_on_sigterm() -> None:
    """Turns SIGTERM into SystemExit, so `finally` blocks close channels and readers in order."""
    def handler(signum, frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


def test_byte(sequence: int) -> int:
    """The value of every payload byte of test frame `sequence`."""
    return sequence % 251


# ----------------------------------------------------------------------------------------------
# write
# ----------------------------------------------------------------------------------------------


def cmd_write(args) -> int:
    channel_type = ChannelType.parse(args.type)
    image = channel_type in (ChannelType.RGB24, ChannelType.YUV420P)
    if image:
        if not args.width or not args.height:
            raise SystemExit(f"error: --type {args.type} needs --width and --height")
        size = L.image_geometry(channel_type, args.width, args.height)[0]
        if args.size is not None and args.size != size:
            raise SystemExit(f"error: --size {args.size} differs from the {args.width}x{args.height} "
                             f"{args.type} frame size {size}: leave --size out for image channels")
    else:
        if args.size is None:
            raise SystemExit(f"error: --type {args.type} needs --size BYTES (the payload size)")
        size = args.size
    writer = Writer.create(args.name, channel_type, width=args.width or 0, height=args.height or 0,
                           cells=args.cells, capacity=size, reader_slots=args.reader_slots,
                           group=args.group)
    crashed = False
    try:
        print("READY", flush=True)
        give_up = time.monotonic() + 30
        while writer.reader_count < args.wait_readers:
            if time.monotonic() > give_up:
                raise SystemExit(f"error: channel '{args.name}': {args.wait_readers} readers did not attach in 30 s")
            time.sleep(0.01)
        period = 1.0 / args.fps if args.fps > 0 else 0.0
        next_time = time.monotonic()
        fmp4 = channel_type == ChannelType.FMP4
        for sequence in range(writer.sequence + 1, writer.sequence + 1 + args.count):
            cell = writer.claim()
            cell[:size].fill(test_byte(sequence))
            writer.commit(size, capture_time_us=time.time_ns() // 1000, keyframe=True,
                          first=fmp4 and sequence == 1, color_matrix=args.color_matrix,
                          color_range=args.color_range)
            if period:
                next_time += period
                delay = next_time - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
        print(f"DONE {args.count}", flush=True)
        if args.linger > 0:
            time.sleep(args.linger)
        if args.no_close:
            # As if crashed: no CLOSED, no unlink, no clean-up of any kind.
            crashed = True
            sys.stdout.flush()
            os._exit(0)
    finally:
        if not crashed:
            writer.close()
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# read
# ----------------------------------------------------------------------------------------------


def _payload_ok(frame) -> bool:
    if frame.size == 0:
        return frame.is_intact()
    data = frame.data
    expected = test_byte(frame.sequence)
    # min and max instead of (data == expected).all(): no temporary array of the frame's size.
    return int(data.min()) == expected and int(data.max()) == expected and frame.is_intact()


def cmd_read(args) -> int:
    reader = Reader(args.name, expect_type=args.expect_type, width=args.width, height=args.height,
                    start=args.start, spin_us=args.spin_us, wait_for_writer=args.wait_writer,
                    group=args.group)
    bad = 0
    try:
        _emit({"event": "ready"})
        consecutive_timeouts = 0
        previous_died = False
        while args.count is None or reader.frames < args.count:
            status = reader.pull(args.timeout)
            if status.has_frame:
                frame = reader.frame
                ok = _payload_ok(frame)
                bad += not ok
                _emit({"event": "frame", "seq": frame.sequence, "lost": frame.lost,
                       "size": frame.size, "width": frame.width, "height": frame.height,
                       "colorMatrix": int(frame.color_matrix), "colorRange": int(frame.color_range),
                       "keyframe": frame.keyframe, "damaged": frame.damaged, "ok": ok})
                consecutive_timeouts = 0
                previous_died = False
                if args.delay_ms:
                    time.sleep(args.delay_ms / 1000.0)
            elif status is PullStatus.TIMEOUT:
                _emit({"event": "timeout"})
                consecutive_timeouts += 1
                if consecutive_timeouts >= args.max_timeouts:
                    break
            elif status is PullStatus.END_OF_STREAM:
                _emit({"event": "end"})
                break
            elif status is PullStatus.WRITER_RESTARTED:
                _emit({"event": "restarted"})
                consecutive_timeouts = 0
                previous_died = False
            elif status is PullStatus.WRITER_DIED:
                _emit({"event": "died"})
                # The first "died" comes at once; each later one waited a whole --timeout for a
                # new writer, so it counts like a timeout.
                if previous_died:
                    consecutive_timeouts += 1
                    if consecutive_timeouts >= args.max_timeouts:
                        break
                previous_died = True
    finally:
        _emit({"event": "summary", "frames": reader.frames, "lost": reader.lost, "bad": bad,
               "overruns": reader.overruns})
        reader.close()
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# latency
# ----------------------------------------------------------------------------------------------

WARM_UP_FRAMES = 1000


def cmd_latency(args) -> int:
    reader = Reader(args.name, start="next", spin_us=args.spin_us, wait_for_writer=args.wait_writer)
    # Pre-allocated, so measuring allocates nothing per frame.
    samples = np.zeros(args.count, dtype=np.int64)
    n = 0
    warm = 0
    try:
        print("ready", file=sys.stderr, flush=True)
        frame = reader.frame
        while n < args.count:
            status = reader.pull(args.timeout)
            now = time.monotonic_ns()
            if status.has_frame:
                if warm < args.warmup:
                    warm += 1
                    continue
                samples[n] = now - frame.commit_monotonic_ns
                n += 1
            elif status is not PullStatus.WRITER_RESTARTED:
                break     # timeout, end of stream, writer died: report what we have
    finally:
        reader.close()
    result = {"reader": "python", "n": n}
    if n:
        ordered = np.sort(samples[:n])
        for key, q in (("p50_us", 0.50), ("p99_us", 0.99), ("p999_us", 0.999)):
            rank = min(n - 1, max(0, math.ceil(q * n) - 1))      # nearest-rank percentile
            result[key] = round(ordered[rank] / 1000.0, 1)
        result["max_us"] = round(ordered[-1] / 1000.0, 1)
    else:
        result.update({"p50_us": None, "p99_us": None, "p999_us": None, "max_us": None})
    _emit(result)
    if not args.json:
        if n:
            print(f"{args.name}: {n} frames, latency p50 {result['p50_us']} us, "
                  f"p99 {result['p99_us']} us, p99.9 {result['p999_us']} us, "
                  f"max {result['max_us']} us", file=sys.stderr)
        else:
            print(f"{args.name}: no frames measured", file=sys.stderr)
    return EXIT_OK if n else 1


# ----------------------------------------------------------------------------------------------
# ls and clean
# ----------------------------------------------------------------------------------------------


def _channel_files():
    try:
        entries = sorted(os.listdir(L.SHM_DIR))
    except FileNotFoundError:
        return []
    return [e for e in entries if e.startswith(L.OBJECT_PREFIX)]


def _inspect(filename: str) -> dict:
    """What ls shows about one object, read without attaching."""
    name = filename[len(L.OBJECT_PREFIX):]
    path = f"{L.SHM_DIR}/{filename}"
    info = {"name": name}
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        info["error"] = e.strerror
        return info
    try:
        h = parse_header(raw, len(raw), name, path)
    except BusError as e:
        info["error"] = str(e)
        return info
    lay = h.layout()
    active = 0
    for slot in range(lay.reader_slot_count):
        base = lay.reader_slot(slot)
        if int.from_bytes(raw[base:base + 4], "little") == L.SLOT_ACTIVE:
            active += 1
    state = int.from_bytes(raw[L.H_STATE:L.H_STATE + 4], "little")
    heartbeat = int.from_bytes(raw[L.H_HEARTBEAT_MICROS:L.H_HEARTBEAT_MICROS + 8], "little",
                               signed=True)
    info.update(
        type=ChannelType(h.channel_type).name.lower(),
        size=f"{h.width}x{h.height}" if h.width and h.height else "-",
        capacity=h.cell_capacity, cells=h.cell_count, pid=h.writer_pid,
        alive=pid_alive(h.writer_pid)
        and time.time_ns() // 1000 - heartbeat <= L.HEARTBEAT_STALE_US,
        state={L.STATE_LIVE: "live", L.STATE_CLOSED: "closed",
               L.STATE_REPLACED: "replaced"}.get(state, str(state)),
        sequence=int.from_bytes(raw[L.H_WRITE_SEQUENCE:L.H_WRITE_SEQUENCE + 8], "little",
                                signed=True),
        readers=active, generation=h.generation)
    return info


def cmd_ls(args) -> int:
    rows = [_inspect(f) for f in _channel_files()]
    if args.json:
        for row in rows:
            _emit(row)
        return EXIT_OK
    if not rows:
        print(f"no channels in {L.SHM_DIR}")
        return EXIT_OK
    header = ("NAME", "TYPE", "SIZE", "CAPACITY", "CELLS", "WRITER", "ALIVE", "STATE", "SEQUENCE",
              "READERS")
    table = [header]
    for r in rows:
        if "error" in r:
            table.append((r["name"], "?", "-", "-", "-", "-", "-", "corrupt", "-", "-"))
            continue
        table.append((r["name"], r["type"], r["size"], str(r["capacity"]), str(r["cells"]),
                      str(r["pid"]), "yes" if r["alive"] else "no", r["state"], str(r["sequence"]),
                      str(r["readers"])))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    for r in rows:
        if "error" in r:
            print(f"{r['name']}: {r['error']}", file=sys.stderr)
    return EXIT_OK


def _remove_if_abandoned(name: str, path: str) -> str | None:
    """Removes the channel if its writer is dead (5.3) or it is no channel at all.

    It is judged and removed under its header lock, and only while the name still refers to it,
    so a writer replacing it at that moment keeps its new object (section 4). Returns why it was
    removed, or None.
    """
    try:
        mem = ChannelMemory.open_existing(name, path)
    except ChannelCorrupt:
        try:
            os.unlink(path)
        except FileNotFoundError:
            return None
        return "it is not a channel"
    except (OSError, BusError):
        return None
    try:
        with mem.header_lock() as held:
            if not held or not same_object(path, mem.inode):
                return None
            pid = mem.header.writer_pid
            state = mem.state
            # REPLACED: a new writer is taking the name over right now.
            if state == L.STATE_REPLACED or (
                    state == L.STATE_LIVE and pid_alive(pid)
                    and time.time_ns() // 1000 - mem.heartbeat_micros <= L.HEARTBEAT_STALE_US):
                return None
            mem.set_state(L.STATE_CLOSED)
            os.unlink(path)
            return f"writer {pid} is gone" if state == L.STATE_LIVE else "it was closed"
    finally:
        mem.close()


def temporary_owner(filename: str) -> int:
    """The PID of .tmp.virta.NAME.PID.RANDOM: the field before the last, whatever dots NAME has."""
    fields = filename.split(".")
    return int(fields[-2]) if len(fields) >= 2 and fields[-2].isdigit() else -1


def cmd_clean(args) -> int:
    """Section 8: removes channels whose writer is dead, unfinished objects of dead writers and
    doorbells whose PID is dead."""
    removed = 0
    for filename in _channel_files():
        name = filename[len(L.OBJECT_PREFIX):]
        why = _remove_if_abandoned(name, f"{L.SHM_DIR}/{filename}")
        if why:
            print(f"removed channel {name} ({why})")
            removed += 1
    temporary = L.TEMPORARY_PREFIX + L.OBJECT_PREFIX
    for entry in sorted(os.listdir(L.SHM_DIR)):
        if entry.startswith(temporary) and not pid_alive(temporary_owner(entry)):
            try:
                os.unlink(f"{L.SHM_DIR}/{entry}")
            except FileNotFoundError:
                continue
            print(f"removed unfinished object {entry}")
            removed += 1
    prefix = L.SEMAPHORE_FILE_PREFIX + L.DOORBELL_PREFIX
    for entry in sorted(os.listdir(L.SHM_DIR)):
        if not entry.startswith(prefix):
            continue
        pid_text = entry[len(prefix):].split(".", 1)[0]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            Semaphore.unlink(entry[len(L.SEMAPHORE_FILE_PREFIX):])
            print(f"removed doorbell {entry[len(L.SEMAPHORE_FILE_PREFIX):]} (reader {pid_text} "
                  "is gone)")
            removed += 1
    if not removed:
        print("nothing to clean")
    return EXIT_OK


# ----------------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------------


def _type_name(text: str) -> str:
    ChannelType.parse(text)    # raises ValueError, which argparse reports
    return text.lower()


def _color_matrix(text: str) -> ColorMatrix:
    try:
        return ColorMatrix.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _color_range(text: str) -> ColorRange:
    try:
        return ColorRange.parse(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python3 -m virta.bus.tools",
                                description="Virta bus tools (docs/bus-format.md)")
    sub = p.add_subparsers(dest="command", required=True)

    w = sub.add_parser("write", help="create a channel and write test frames")
    w.add_argument("name")
    w.add_argument("--type", required=True, type=_type_name,
                   help="rgb24, yuv420p, raw, encoded or fmp4")
    w.add_argument("--width", type=int, default=0)
    w.add_argument("--height", type=int, default=0)
    w.add_argument("--size", type=int, help="payload bytes (required for raw, encoded, fmp4)")
    w.add_argument("--cells", type=int, default=8)
    w.add_argument("--count", type=int, default=100)
    w.add_argument("--fps", type=float, default=25.0, help="0 = as fast as possible")
    w.add_argument("--wait-readers", type=int, default=0, metavar="N",
                   help="wait (up to 30 s) for N readers to attach before the first frame")
    w.add_argument("--linger", type=float, default=0.0,
                   help="seconds to keep the channel open after the last frame")
    w.add_argument("--color-matrix", type=_color_matrix, default=ColorMatrix.UNSPECIFIED,
                   help="bt601, bt709 or bt2020, in every frame (default unspecified)")
    w.add_argument("--color-range", type=_color_range, default=ColorRange.UNSPECIFIED,
                   help="limited or full, in every frame (default unspecified)")
    w.add_argument("--no-close", action="store_true",
                   help="exit without closing, as if crashed")
    w.add_argument("--reader-slots", type=int, default=L.DEFAULT_READER_SLOTS)
    w.add_argument("--group")
    w.set_defaults(func=cmd_write)

    r = sub.add_parser("read", help="follow a channel, print one JSON object per event")
    r.add_argument("name")
    r.add_argument("--count", type=int, help="stop after this many frames")
    r.add_argument("--timeout", type=float, default=5.0, help="seconds per pull")
    r.add_argument("--max-timeouts", type=int, default=1,
                   help="exit after this many consecutive timeouts")
    r.add_argument("--delay-ms", type=float, default=0.0, help="sleep after each frame")
    r.add_argument("--start", choices=("newest", "next"), default="newest")
    r.add_argument("--wait-writer", type=float, help="seconds to wait for the channel to appear")
    r.add_argument("--expect-type", type=_type_name)
    r.add_argument("--width", type=int)
    r.add_argument("--height", type=int)
    r.add_argument("--spin-us", type=int, default=0)
    r.add_argument("--group")
    r.set_defaults(func=cmd_read)

    ls = sub.add_parser("ls", help="list channels in /dev/shm")
    ls.add_argument("--json", action="store_true", help="one JSON object per channel")
    ls.set_defaults(func=cmd_ls)

    c = sub.add_parser("clean", help="remove channels and doorbells of dead processes")
    c.set_defaults(func=cmd_clean)

    lat = sub.add_parser("latency", help="measure commit-to-pull latency of a channel")
    lat.add_argument("name")
    lat.add_argument("--count", type=int, required=True, help="frames to measure, after the warm-up")
    lat.add_argument("--warmup", type=int, default=WARM_UP_FRAMES,
                     help=f"frames to skip first (default {WARM_UP_FRAMES})")
    lat.add_argument("--spin-us", type=int, default=0)
    lat.add_argument("--timeout", type=float, default=5.0, help="seconds per pull")
    lat.add_argument("--wait-writer", type=float)
    lat.add_argument("--json", action="store_true", help="print only the JSON line")
    lat.set_defaults(func=cmd_latency)

    from .bench import add_parser as add_bench_consume
    add_bench_consume(sub)
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    _terminate_on_sigterm()
    try:
        return args.func(args)
    except BusError as e:
        print(f"error: {e}", file=sys.stderr, flush=True)
        return EXIT_BUS_ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
