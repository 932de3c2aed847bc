"""The Python half of `virta demo`: reads the demo's RGB24 channel zero-copy as numpy arrays, finds
the white square in each picture, and prints what it receives once a second.

    PYTHONPATH=python-client/src /usr/bin/python3 python-client/examples/demo_reader.py demo.rgb
"""
import sys
import time

import numpy as np

from virta.bus import ChannelType, PullStatus, Reader


def square_x(image: np.ndarray) -> int:
    """Left edge of the white square on the middle row, or -1. `image` is an (h, w, 3) view."""
    row = image[image.shape[0] // 2]
    white = np.flatnonzero((row == 255).all(axis=1))
    return int(white[0]) if white.size else -1


def main() -> int:
    channel = sys.argv[1] if len(sys.argv) > 1 else "demo.rgb"
    with Reader(channel, expect_type=ChannelType.RGB24, wait_for_writer=5) as reader:
        window_start, frames = time.monotonic(), 0
        while True:
            status = reader.pull(2.0)
            if status in (PullStatus.END_OF_STREAM, PullStatus.WRITER_DIED):
                print(f"python reader: stream ended after {reader.frames} frames, {reader.lost} lost", flush=True)
                return 0
            if not status.has_frame:
                continue
            frames += 1
            now = time.monotonic()
            if now - window_start >= 1.0:
                frame = reader.frame
                hand_off_us = (time.monotonic_ns() - frame.commit_monotonic_ns) // 1000
                print(f"python reader: frame {frame.sequence:5d}  {frames / (now - window_start):4.1f} fps  "
                      f"lost {reader.lost}  square at x={square_x(frame.image())}  hand-off {hand_off_us} us",
                      flush=True)
                window_start, frames = now, 0


if __name__ == "__main__":
    sys.exit(main())
