"""Building events and boxes, and their one-line JSON form (what `--print` writes)."""

from __future__ import annotations

import time

from .._rpc import import_stubs

_pb = import_stubs("virta.events.v1.events_pb2")

Event = _pb.Event
BoundingBox = _pb.BoundingBox
EventFilter = _pb.EventFilter
Missed = _pb.Missed


def now_micros() -> int:
    """Now, in microseconds since the Unix epoch (the unit of capture_time_micros)."""
    return time.time_ns() // 1000


def box(x: float, y: float, width: float, height: float, label: str = "",
        score: float = 0.0) -> BoundingBox:
    """A rectangle in normalized picture coordinates: (0, 0) top-left, (1, 1) bottom-right."""
    return BoundingBox(x=x, y=y, width=width, height=height, label=label, score=score)


def event(type: str, camera: str, capture_time_micros: int | None = None, *, boxes=(),
          attributes: dict | None = None, source: str = "") -> Event:
    """An Event; capture_time_micros defaults to now (pass the bus frame's capture_time_us)."""
    return Event(type=type, camera=camera,
                 capture_time_micros=now_micros() if capture_time_micros is None
                 else int(capture_time_micros),
                 boxes=list(boxes), attributes=attributes or {}, source=source)


def event_filter(cameras=(), types=()) -> EventFilter:
    if isinstance(cameras, str) or isinstance(types, str):
        raise TypeError("cameras and types are lists of names, e.g. cameras=['lobby']")
    return EventFilter(cameras=list(cameras), types=list(types))


def to_json(message) -> str:
    """One line of JSON in protobuf's canonical JSON mapping (camelCase fields, 64-bit integers
    as strings), as Java's JsonFormat writes it too."""
    from google.protobuf import json_format
    return json_format.MessageToJson(message, indent=None, float_precision=6)


def from_json(line: str) -> Event:
    from google.protobuf import json_format
    return json_format.Parse(line, Event())
