"""A complete Python worker: reports bright regions (a lamp switched on, headlights, a torch) in a
camera's pictures as "bright" events, using OpenCV on the zero-copy bus picture.

    # against a camera of the producer (its control API and event hub on 127.0.0.1:50051)
    PYTHONPATH=python-client/src /usr/bin/python3 python-client/examples/bright_spots.py --camera lobby
    # against a bus channel, printing the events instead of reporting them
    PYTHONPATH=python-client/src /usr/bin/python3 python-client/examples/bright_spots.py \
        --channel lobby.rgb --hub none --print

It takes every option of the built-in workers (--camera, --channel, --control, --hub, --fps,
--print, --ignore, --name) plus its own --level. See docs/workers-python.md.
"""
import sys

import cv2
import numpy as np

from virta.events import BoundingBox, Event
from virta.workers import WorkerRunner, worker_options, worker_parser


class BrightSpots:
    """The analysis: regions whose grey level is above `level`, on a 320-pixel-wide copy."""

    def __init__(self, level: int, min_fraction: float = 0.002):
        self.level = level
        self.min_fraction = min_fraction
        self.small = None

    def reset(self):
        """A new writer took over the channel (the picture may have changed size)."""
        self.small = None

    def analyze(self, image, frame):
        height, width, _ = image.shape
        size = (320, max(1, height * 320 // width))
        if self.small is None or self.small.shape[:2] != (size[1], size[0]):
            self.small = np.empty((size[1], size[0], 3), np.uint8)
        # `image` is a read-only view of the shared memory: read it once, into a small private copy.
        cv2.resize(image, size, dst=self.small, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(self.small, cv2.COLOR_RGB2GRAY)
        _, bright = cv2.threshold(grey, self.level, 255, cv2.THRESH_BINARY)
        count, _, stats, _ = cv2.connectedComponentsWithStats(bright)
        w, h = size
        boxes = [BoundingBox(x=x / w, y=y / h, width=bw / w, height=bh / h, label="bright",
                             score=float(area) / (bw * bh))
                 for x, y, bw, bh, area in stats[1:] if area >= self.min_fraction * w * h]
        if not boxes:
            return None
        # camera, source and capture_time_micros are filled in by the runner.
        return [Event(type="bright", boxes=boxes,
                      attributes={"mean_level": f"{float(grey.mean()):.1f}"})]


def main():
    parser = worker_parser("bright_spots", "Reports bright regions in a camera's pictures.")
    parser.add_argument("--level", type=int, default=200, help="grey level 0..255 (default 200)")
    args = parser.parse_args()
    options = worker_options(parser, args)
    return WorkerRunner(options, BrightSpots(args.level)).main()


if __name__ == "__main__":
    sys.exit(main())
