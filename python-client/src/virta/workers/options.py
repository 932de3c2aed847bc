"""The command-line options every Virta worker takes, the same in Java (`virta worker`) and Python."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field

from .._rpc import DEFAULT_ADDRESS, check_address

NO_HUB = "none"


@dataclass(frozen=True)
class Rect:
    """A normalized rectangle: (0, 0) is the picture's top-left corner, (1, 1) its bottom-right."""

    x: float
    y: float
    width: float
    height: float

    @staticmethod
    def parse(text: str) -> "Rect":
        """x,y,w,h in 0..1, e.g. '0,0,0.25,0.08' for a clock in the top-left corner."""
        parts = text.split(",")
        try:
            x, y, w, h = (float(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"--ignore {text!r}: give x,y,width,height as four numbers in 0..1, e.g. "
                "0,0,0.25,0.08") from None
        if not all(math.isfinite(v) for v in (x, y, w, h)) or x < 0 or y < 0 or w <= 0 or h <= 0 \
                or x + w > 1.0001 or y + h > 1.0001:
            raise argparse.ArgumentTypeError(
                f"--ignore {text!r}: the rectangle must lie inside the picture (x, y >= 0, width, "
                "height > 0, x + width <= 1, y + height <= 1)")
        return Rect(x, y, w, h)


@dataclass
class WorkerOptions:
    name: str
    camera: str
    channel: str | None
    control: str
    hub: str | None              # None: --hub none, do not report
    fps: float
    print_events: bool
    ignore: list[Rect] = field(default_factory=list)


def worker_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An ArgumentParser with the common worker options; add your worker's own to it."""
    parser = argparse.ArgumentParser(prog=f"python3 -m virta.workers.{name}", description=description)
    parser.add_argument("--camera", help="the camera to analyze, by its name in the producer's "
                        "configuration (its RGB channel is found through the control API)")
    parser.add_argument("--channel", help="the bus channel to read (e.g. lobby.rgb), bypassing the "
                        "control API; the camera defaults to the name before its last '.'")
    parser.add_argument("--control", default=DEFAULT_ADDRESS, metavar="HOST:PORT",
                        help=f"the producer's control API (default {DEFAULT_ADDRESS})")
    parser.add_argument("--hub", metavar="HOST:PORT|none",
                        help="the event hub (default: the --control address); 'none' reports nothing")
    parser.add_argument("--fps", type=float, default=4.0,
                        help="pictures analyzed per second at most, the newest each time (default 4)")
    parser.add_argument("--print", dest="print_events", action="store_true",
                        help="write each event as one JSON line to stdout")
    parser.add_argument("--ignore", type=Rect.parse, action="extend", nargs="+", default=[],
                        metavar="X,Y,W,H", help="normalized rectangles to leave out of the analysis, "
                        "e.g. a burned-in clock: 0,0,0.25,0.08")
    parser.add_argument("--name", default=name,
                        help=f"the worker's name, the events' source (default {name})")
    return parser


def worker_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> WorkerOptions:
    """Checks the common options; errors exit through parser.error with a message naming the option."""
    if not args.camera and not args.channel:
        parser.error("give --camera NAME (or --channel NAME to read a bus channel directly)")
    camera = args.camera or args.channel.rsplit(".", 1)[0]
    if not math.isfinite(args.fps) or args.fps <= 0 or args.fps > 1000:
        parser.error(f"--fps {args.fps}: give a rate in (0, 1000] pictures per second")
    hub = args.hub if args.hub is not None else args.control
    if hub.lower() == NO_HUB:
        hub = None
    try:
        if not args.channel:
            check_address(args.control, "--control")
        if hub is not None:
            check_address(hub, "--hub")
    except ValueError as e:
        parser.error(str(e))
    return WorkerOptions(name=args.name, camera=camera, channel=args.channel, control=args.control,
                         hub=hub, fps=args.fps, print_events=args.print_events, ignore=args.ignore)
