"""python3 -m virta.fmp4 record CHANNEL OUT.mp4 --seconds S"""

from __future__ import annotations

import argparse
import sys

from virta.bus import BusError

from . import record


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m virta.fmp4",
                                     description="Fragmented MP4 from a producer's <camera>.mp4 channel.")
    commands = parser.add_subparsers(dest="command", required=True)
    rec = commands.add_parser("record", help="write a playable .mp4 from the channel")
    rec.add_argument("channel", help="the FMP4 channel, e.g. cam1.mp4")
    rec.add_argument("out", help="the .mp4 file to write")
    rec.add_argument("--seconds", type=float, default=10.0, help="how much to record (default 10)")
    rec.add_argument("--wait", type=float, default=10.0,
                     help="seconds to wait for the channel and for each fragment (default 10)")
    args = parser.parse_args(argv)
    if args.seconds <= 0:
        parser.error(f"--seconds {args.seconds:g}: give a positive number of seconds")
    try:
        stats = record(args.channel, args.out, args.seconds, wait=args.wait)
    except BusError as e:
        print(f"virta.fmp4: {e}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: {stats.fragments} frames, {stats.keyframes} keyframes, {stats.bytes} bytes,"
          f" {stats.lost} lost; stopped: {stats.stopped_because}")
    return 0 if stats.fragments else 1


if __name__ == "__main__":
    sys.exit(main())
