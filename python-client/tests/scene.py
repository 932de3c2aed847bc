"""A synthetic camera for worker tests: a bright square moving on a known path over a dark, static,
textured background, and a small region that changes every frame (like a burned-in clock)."""

from __future__ import annotations

import numpy as np

CLOCK = (0.0, 0.0, 0.2, 0.1)    # where MovingSquareScene draws its changing 'clock'


class MovingSquareScene:
    def __init__(self, width=640, height=360, side=48, clock=CLOCK, seed=7):
        self.width, self.height, self.side = width, height, side
        self.clock = clock
        rng = np.random.default_rng(seed)
        # Dark and static, with some texture so that the picture is not flat.
        self.background = rng.integers(10, 40, (height, width, 3), dtype=np.uint8)
        self._noise = rng
        cx, cy, cw, ch = clock
        self._clock_px = (int(cx * width), int(cy * height), int(np.ceil(cw * width)),
                          int(np.ceil(ch * height)))

    def square_at(self, t: float):
        """The square's normalized (x, y, w, h) t seconds after it entered, bouncing off the edges."""
        span_x, span_y = self.width - self.side, self.height - self.side
        x = _bounce(60 + 220 * t, span_x)
        y = _bounce(140 + 90 * t, span_y)
        return (x / self.width, y / self.height, self.side / self.width, self.side / self.height)

    def draw(self, out: np.ndarray, t: float | None):
        """Fills `out` (height, width, 3): the background, the clock, the square at time t (None:
        no square yet). Returns the square's normalized rectangle or None."""
        np.copyto(out, self.background)
        x, y, w, h = self._clock_px
        out[y:y + h, x:x + w] = self._noise.integers(0, 256, (h, w, 1), dtype=np.uint8)
        if t is None:
            return None
        rect = self.square_at(t)
        px, py = int(round(rect[0] * self.width)), int(round(rect[1] * self.height))
        out[py:py + self.side, px:px + self.side] = (230, 220, 200)
        return (px / self.width, py / self.height, self.side / self.width, self.side / self.height)


def _bounce(position: float, span: int) -> float:
    period = 2 * span
    p = position % period
    return p if p <= span else period - p


def overlap(a, b) -> float:
    """Intersection over union of two (x, y, w, h) rectangles."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def intersects(a, b) -> bool:
    return (min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0])
            and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1]))
