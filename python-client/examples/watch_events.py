"""Prints a hub's events as they come: the last minute's first, then live ones.

    PYTHONPATH=python-client/src /usr/bin/python3 python-client/examples/watch_events.py \
        [--hub 127.0.0.1:50051] [--camera lobby ...] [--type motion ...] [--since-seconds 60]

Ctrl-C stops it.
"""
import argparse
import datetime
import sys

from virta.events import EventClient, HubError, Missed, now_micros


def describe(event) -> str:
    when = datetime.datetime.fromtimestamp(event.capture_time_micros / 1e6).strftime("%H:%M:%S.%f")
    boxes = " ".join(f"[{b.label} {b.x:.2f},{b.y:.2f} {b.width:.2f}x{b.height:.2f} {b.score:.2f}]"
                     for b in event.boxes)
    return f"{when[:-3]}  #{event.id}  {event.camera}  {event.type}  {event.source}  {boxes}"


def main():
    parser = argparse.ArgumentParser(description="Prints an event hub's events as they come.")
    parser.add_argument("--hub", default="127.0.0.1:50051")
    parser.add_argument("--camera", action="append", default=[])
    parser.add_argument("--type", action="append", default=[])
    parser.add_argument("--since-seconds", type=float, default=60)
    args = parser.parse_args()
    since = now_micros() - int(args.since_seconds * 1e6) if args.since_seconds > 0 else 0
    try:
        with EventClient(args.hub) as hub, \
                hub.subscribe(cameras=args.camera, types=args.type, since_micros=since) as events:
            for item in events:
                if isinstance(item, Missed):
                    print(f"... {item.count} events missed (this terminal is too slow)")
                else:
                    print(describe(item), flush=True)
    except HubError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
