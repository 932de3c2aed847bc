"""The Python half of `virta demo`: reads the demo camera's RGB24 channel zero-copy as numpy
arrays, reads the frame number the camera burned into the top rows of each picture, and prints
what it receives once a second.

    PYTHONPATH=python-client/src /usr/bin/python3 python-client/examples/demo_reader.py demo.rgb
"""
import sys
import time

import numpy as np

from virta.bus import ChannelType, PullStatus, Reader

STRIP_BITS = 32


def strip_frame_number(image: np.ndarray) -> int:
    """The demo camera's frame counter: 32 black/white blocks across the top rows, MSB first; -1 if unreadable."""
    height, width, _ = image.shape
    block = width // STRIP_BITS
    rows = image[1:4, : block * STRIP_BITS].astype(np.float32).mean(axis=(0, 2))
    means = rows.reshape(STRIP_BITS, block)[:, block // 4: block - block // 4].mean(axis=1)
    if ((means > 85) & (means < 170)).any():
        return -1
    bits = (means >= 170).astype(np.uint64)
    return int((bits << np.arange(STRIP_BITS - 1, -1, -1, dtype=np.uint64)).sum())


def main() -> int:
    channel = sys.argv[1] if len(sys.argv) > 1 else "demo.rgb"
    with Reader(channel, expect_type=ChannelType.RGB24, wait_for_writer=30) as reader:
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
                image = frame.image()
                latency_ms = (time.time_ns() // 1000 - frame.capture_time_us) / 1000
                print(f"python reader: frame {frame.sequence:5d}  camera frame {strip_frame_number(image):6d}  "
                      f"{frames / (now - window_start):4.1f} fps  {image.shape[1]}x{image.shape[0]}  lost {reader.lost}  "
                      f"capture->here {latency_ms:5.1f} ms", flush=True)
                window_start, frames = now, 0


if __name__ == "__main__":
    sys.exit(main())
