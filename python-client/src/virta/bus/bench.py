"""`python3 -m virta.bus bench-consume`: how many 1080p RGB24 frames a second one Python worker can
consume from the bus, zero-copy, against the speed of copying the same frame (memcpy) in the same run.

A writer process (`tools write`) publishes 1920x1080 RGB24 frames at a steady rate; this process
reads them with a Reader and, per mode, does something with every frame. What is measured is this
thread's CPU time per frame (pull included, waiting excluded), so the figure is the rate one core
could sustain, whatever rate the writer happens to manage on a busy machine:

  ends    zero-copy view, the first and last byte: the cost of pulling a frame
  sample  zero-copy view, reduction over every 8th row (1/8 of the frame)
  full    zero-copy view, reduction over the whole frame (every byte read once)
  copy    frame.copy() into a private buffer (what a worker that copies pays), then the sample
  memcpy  np.copyto of a private 1080p frame into another, the sources rotating over 8 frames
          (50 MB, like the ring) so that they come from memory: the peer the others are compared with
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from .errors import BusError
from .layout import ChannelType
from .reader import Reader

WIDTH, HEIGHT = 1920, 1080
FRAME_BYTES = WIDTH * HEIGHT * 3
CELLS = 8


def _ends(image, _buffer):
    return int(image[0, 0, 0]) + int(image[-1, -1, -1])


def _sample(image, _buffer):
    # Whole rows: numpy reduces long contiguous runs fast (a pixel-strided sample such as
    # image[::8, ::8] costs five times more in numpy's inner loops than the memory it reads).
    return int(image[::8].max())


def _full(image, _buffer):
    # Eight bytes at a time: numpy's vectorized max reads the frame at memory speed.
    return int(image.reshape(-1).view(np.uint64).max())


def _copy(image, buffer):
    np.copyto(buffer, image)
    return _sample(buffer, None)


MODES = (("ends", "zero-copy, first and last byte only (the cost of pulling)", _ends),
         ("sample", "zero-copy, reduction over every 8th row (1/8 of the frame)", _sample),
         ("full", "zero-copy, reduction over the whole frame", _full),
         ("copy", "copy into a private buffer, then the sample", _copy))


def _memcpy_micros(count: int, cells: int) -> float:
    """CPU µs per np.copyto of a private 1080p RGB24 frame into another. The sources rotate over
    as many frames as the channel has cells (50 MB), so that, as from the ring, they come from
    memory rather than from the cache."""
    rng = np.random.default_rng(1)
    sources = [rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8) for _ in range(cells)]
    target = np.empty_like(sources[0])
    for source in sources:
        np.copyto(target, source)
    start = time.thread_time()
    for i in range(count):
        np.copyto(target, sources[i % cells])
    return (time.thread_time() - start) / count * 1e6


def _next_frame(reader, writer, writer_errors):
    """The next frame, or an error that says what became of the writer."""
    try:
        frame = reader.pull_frame(10)
        problem = "no frame for 10 s"
    except BusError as e:
        frame, problem = None, str(e)
    if frame is None:
        writer_errors.seek(0)
        raise RuntimeError(f"bench-consume: the writer of {reader.name} stopped sending frames "
                           f"({problem}); writer exit status {writer.poll()}, its stderr: "
                           f"{writer_errors.read().strip() or '(empty)'}")
    return frame


def run(frames_per_mode: int, writer_fps: float) -> dict:
    name = f"bench.consume.{os.getpid()}"
    total = frames_per_mode * len(MODES) + 100
    writer_errors = tempfile.TemporaryFile(mode="w+")
    writer = subprocess.Popen(
        [sys.executable, "-m", "virta.bus.tools", "write", name, "--type", "rgb24", "--width",
         str(WIDTH), "--height", str(HEIGHT), "--cells", str(CELLS), "--count", str(total), "--fps",
         str(writer_fps), "--wait-readers", "1"],
        stdout=subprocess.DEVNULL, stderr=writer_errors,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    results = {"frame": f"{WIDTH}x{HEIGHT} RGB24 ({FRAME_BYTES} bytes)", "writer_fps": writer_fps,
               "modes": []}
    try:
        reader = Reader(name, expect_type=ChannelType.RGB24, start="next", wait_for_writer=30)
        buffer = np.empty((HEIGHT, WIDTH, 3), np.uint8)
        with reader:
            for _ in range(50):
                # Warm-up: this process's first touch of each cell's pages costs page faults.
                _full(_next_frame(reader, writer, writer_errors).image(), buffer)
            for mode, description, touch in MODES:
                lost_before = reader.lost
                received = 0
                wall = time.monotonic()
                cpu = time.thread_time()
                while received < frames_per_mode:
                    frame = _next_frame(reader, writer, writer_errors)
                    touch(frame.image(), buffer)
                    received += 1
                cpu = time.thread_time() - cpu
                wall = time.monotonic() - wall
                micros = cpu / received * 1e6
                results["modes"].append({
                    "mode": mode, "what": description, "frames": received,
                    "lost": reader.lost - lost_before, "cpu_us_per_frame": round(micros, 1),
                    "capacity_fps": round(1e6 / micros), "received_fps": round(received / wall, 1)})
    finally:
        writer.terminate()
        writer.wait(10)
        writer_errors.close()
    memcpy = _memcpy_micros(200, CELLS)
    results["memcpy"] = {"cpu_us_per_frame": round(memcpy, 1), "fps": round(1e6 / memcpy)}
    for m in results["modes"]:
        m["vs_memcpy"] = round(m["capacity_fps"] / results["memcpy"]["fps"], 2)
    return results


def table(results: dict) -> str:
    memcpy = results["memcpy"]
    lines = [f"Python worker consuming {results['frame']} from the bus; writer at "
             f"{results['writer_fps']:g} frames/s; CPU time of the reading thread per frame.", "",
             "| consumer | frames | lost | µs CPU per frame | frames/s one core sustains | vs memcpy |",
             "|---|---|---|---|---|---|"]
    for m in results["modes"]:
        lines.append(f"| {m['what']} | {m['frames']} | {m['lost']} | {m['cpu_us_per_frame']} | "
                     f"{m['capacity_fps']} | {m['vs_memcpy']:.2f}× |")
    lines.append(f"| memcpy (np.copyto) of a private frame into another | 200 | - | "
                 f"{memcpy['cpu_us_per_frame']} | {memcpy['fps']} | 1.00× |")
    return "\n".join(lines)


def cmd_bench_consume(args) -> int:
    frames = 60 if args.quick else args.frames
    results = run(frames, args.writer_fps)
    if args.json:
        print(json.dumps(results, separators=(",", ":")))
    else:
        print(table(results))
    return 0


def add_parser(sub) -> None:
    b = sub.add_parser("bench-consume", help="frames/s a Python worker consumes from a 1080p RGB24 "
                       "channel, zero-copy, against memcpy of the same frame")
    b.add_argument("--frames", type=int, default=500, help="frames per mode (default 500)")
    b.add_argument("--writer-fps", type=float, default=100.0,
                   help="the writer's rate (default 100 frames/s)")
    b.add_argument("--quick", action="store_true", help="60 frames per mode: a smoke test")
    b.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    b.set_defaults(func=cmd_bench_consume)
