"""The Python motion detector: `python3 -m virta.workers.motion --camera lobby [--print] ...`

Background subtraction (OpenCV's MOG2) on a small grey copy of the camera's RGB picture, read
zero-copy from the bus. One "motion" event per analyzed picture in which something moved: one box
per moving region (label "motion", score = the fraction of the box's pixels that moved), and the
attribute moving_fraction = the fraction of the whole picture that moved. The same contract as the
Java worker `virta worker motion`; see docs/workers-python.md.
"""

from __future__ import annotations

import logging
import math
import sys
from dataclasses import dataclass

import numpy as np

from .options import Rect, worker_options, worker_parser
from .runner import WorkerRunner

# Pictures are analyzed at this width at most: motion needs no detail, and 320 pixels keep the
# analysis near a millisecond whatever the camera's resolution.
ANALYSIS_WIDTH = 320
MAX_BOXES = 64


@dataclass(frozen=True)
class MotionBox:
    """A moving region, normalized to the picture: x, y, width, height in 0..1."""

    x: float
    y: float
    width: float
    height: float
    score: float        # the fraction of the box's pixels that moved


@dataclass(frozen=True)
class Motion:
    boxes: list[MotionBox]
    moving_fraction: float   # the fraction of the picture that moved


class MotionDetector:
    """Finds what moved in a sequence of RGB pictures (any size; a size change starts afresh).

    min_area: the smallest region reported, as a fraction of the picture (0.001 = 0.1 %).
    threshold: MOG2's variance threshold (a pixel moved when its squared distance to the
    background model exceeds threshold times its variance); higher is less sensitive.
    history: pictures the background model remembers: an object that stops becomes background
    after about that many analyzed pictures.
    ignore: normalized rectangles left out (e.g. a burned-in clock).
    """

    def __init__(self, *, ignore=(), min_area: float = 0.001, threshold: float = 16.0,
                 history: int = 20, analysis_width: int = ANALYSIS_WIDTH):
        import cv2
        if not 0 <= min_area < 1:
            raise ValueError(f"min_area {min_area}: give a fraction of the picture in [0, 1)")
        self._cv2 = cv2
        self.ignore = [r if isinstance(r, Rect) else Rect(*r) for r in ignore]
        self.min_area = min_area
        self.threshold = threshold
        self.history = history
        self.analysis_width = analysis_width
        self._shape = None
        self.reset()

    def reset(self) -> None:
        """Forgets the background: the next picture only teaches the model."""
        self._model = None

    def _setup(self, height: int, width: int) -> None:
        cv2 = self._cv2
        scale = min(1.0, self.analysis_width / width)
        aw, ah = max(1, round(width * scale)), max(1, round(height * scale))
        self._shape = (height, width)
        self._size = (aw, ah)
        self._small = np.empty((ah, aw, 3), np.uint8)
        self._grey = np.empty((ah, aw), np.uint8)
        self._foreground = np.empty((ah, aw), np.uint8)
        self._merged = np.empty((ah, aw), np.uint8)
        self._mask = None
        if self.ignore:
            self._mask = np.full((ah, aw), 255, np.uint8)
            for r in self.ignore:
                # Generous rounding: a pixel touched by an ignored rectangle is ignored.
                x0, y0 = math.floor(r.x * aw), math.floor(r.y * ah)
                x1, y1 = math.ceil((r.x + r.width) * aw), math.ceil((r.y + r.height) * ah)
                self._mask[y0:y1, x0:x1] = 0
        k = max(3, (aw // 64) | 1)
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
        self._min_pixels = max(1, math.ceil(self.min_area * aw * ah))
        self._model = cv2.createBackgroundSubtractorMOG2(
            history=self.history, varThreshold=self.threshold, detectShadows=False)

    def detect(self, image: np.ndarray) -> Motion | None:
        """What moved in `image` (height, width, 3) RGB, or None when nothing did."""
        cv2 = self._cv2
        if self._model is None or image.shape[:2] != self._shape:
            self._setup(*image.shape[:2])
            first = True
        else:
            first = False
        # The only read of the shared picture: an area-averaged copy, a fraction of its size.
        cv2.resize(image, self._size, dst=self._small, interpolation=cv2.INTER_AREA)
        cv2.cvtColor(self._small, cv2.COLOR_RGB2GRAY, dst=self._grey)
        if self._mask is not None:
            # Blank the ignored regions before blurring: blurred, their changes would spill a few
            # pixels beyond them, where the mask no longer hides them.
            cv2.bitwise_and(self._grey, self._mask, dst=self._grey)
        cv2.GaussianBlur(self._grey, (5, 5), 0, dst=self._grey)
        foreground = self._model.apply(self._grey, fgmask=self._foreground)
        if first:
            return None        # the model's first picture is all "foreground"
        if self._mask is not None:
            cv2.bitwise_and(foreground, self._mask, dst=foreground)
        moved = cv2.countNonZero(foreground)
        if moved < self._min_pixels:
            return None
        # Merge the fragments of one object (a person's moving parts) into one region.
        merged = cv2.dilate(foreground, self._kernel, dst=self._merged, iterations=2)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
        moving = foreground > 0
        per_region = np.bincount(labels[moving], minlength=count)
        regions = [i for i in range(1, count) if per_region[i] >= self._min_pixels]
        if not regions:
            return None
        regions.sort(key=lambda i: -per_region[i])
        aw, ah = self._size
        boxes = []
        for i in regions[:MAX_BOXES]:
            x, y, w, h = (int(v) for v in stats[i, :4])
            # The region's own moving pixels, without the dilation's margin.
            own = moving[y:y + h, x:x + w] & (labels[y:y + h, x:x + w] == i)
            cols = np.flatnonzero(own.any(axis=0))
            rows = np.flatnonzero(own.any(axis=1))
            x, w = x + int(cols[0]), int(cols[-1] - cols[0]) + 1
            y, h = y + int(rows[0]), int(rows[-1] - rows[0]) + 1
            nx, nw = _span(x, w, aw)
            ny, nh = _span(y, h, ah)
            boxes.append(MotionBox(nx, ny, nw, nh, float(per_region[i]) / (w * h)))
        return Motion(boxes, moved / (aw * ah))


def _span(start: int, length: int, size: int) -> tuple[float, float]:
    """A pixel span as a normalized (start, length) whose float32 sum stays <= 1, as the hub checks."""
    s = np.float32(start / size)
    n = np.float32(length / size)
    while float(s) + float(n) > 1.0:
        n = np.nextafter(n, np.float32(0))
    return float(s), float(n)


class MotionAnalyzer:
    """The worker's analyzer: MotionDetector's findings as virta.events.Event messages."""

    def __init__(self, detector: MotionDetector):
        from ..events import BoundingBox, Event
        self._event = Event
        self._box = BoundingBox
        self.detector = detector

    def reset(self) -> None:
        self.detector.reset()

    def analyze(self, image, frame):
        motion = self.detector.detect(image)
        if motion is None:
            return None
        boxes = [self._box(x=b.x, y=b.y, width=b.width, height=b.height, label="motion",
                           score=min(1.0, b.score)) for b in motion.boxes]
        return [self._event(type="motion", capture_time_micros=frame.capture_time_us, boxes=boxes,
                            attributes={"moving_fraction": f"{motion.moving_fraction:.6g}"})]


def main(argv=None) -> int:
    parser = worker_parser("motion", "Reports motion in a camera's pictures as events.")
    parser.add_argument("--min-area", type=float, default=0.001, metavar="FRACTION",
                        help="the smallest moving region reported, as a fraction of the picture "
                        "(default 0.001, i.e. 0.1 %%)")
    parser.add_argument("--threshold", type=float, default=16.0,
                        help="sensitivity: MOG2's variance threshold, higher is less sensitive "
                        "(default 16)")
    parser.add_argument("--history-seconds", type=float, default=5.0,
                        help="how long an object that stopped keeps counting as moving (default 5)")
    args = parser.parse_args(argv)
    options = worker_options(parser, args)
    if not 0 <= args.min_area < 1:
        parser.error(f"--min-area {args.min_area}: give a fraction of the picture in [0, 1)")
    if not args.threshold > 0:
        parser.error(f"--threshold {args.threshold}: give a positive number")
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format=f"{options.name}: %(message)s")
    import cv2
    # A few pictures a second need no thread pool; leave the cores to the producer.
    cv2.setNumThreads(1)
    detector = MotionDetector(ignore=options.ignore, min_area=args.min_area,
                              threshold=args.threshold,
                              history=max(2, round(args.history_seconds * options.fps)))
    return WorkerRunner(options, MotionAnalyzer(detector)).main()


if __name__ == "__main__":
    sys.exit(main())
