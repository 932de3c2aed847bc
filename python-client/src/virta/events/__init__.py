"""Virta's event hub from Python (protos/.../virta/events/v1/events.proto, docs/events.md).

    from virta.events import EventClient, AsyncReporter, event, box

    with EventClient("127.0.0.1:50051") as hub:
        event_id = hub.report(event("motion", "lobby", frame.capture_time_us,
                                    boxes=[box(0.1, 0.2, 0.3, 0.4, "motion", 0.8)]))
        for e in hub.query(from_micros=since, cameras=["lobby"]):
            ...
        with hub.subscribe(types=["motion"]) as live:
            for item in live:          # Event, or Missed when this subscriber fell behind
                ...

The messages are the generated protobuf classes (Event, BoundingBox, Missed), made at build time by
python-client/scripts/gen_protos.sh; importing this package without them says so.
"""

from .errors import EventRejected, HubError, HubUnavailable, InvalidRequest
from .model import (BoundingBox, Event, EventFilter, Missed, box, event, event_filter, from_json,
                    now_micros, to_json)
from .client import EventClient, Subscription
from .reporter import AsyncReporter

__all__ = [
    "AsyncReporter", "BoundingBox", "Event", "EventClient", "EventFilter", "EventRejected",
    "HubError", "HubUnavailable", "InvalidRequest", "Missed", "Subscription", "box", "event",
    "event_filter", "from_json", "now_micros", "to_json",
]
