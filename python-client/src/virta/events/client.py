"""EventClient: report, subscribe to and query the events of a Virta event hub (virta.events.v1)."""

from __future__ import annotations

import threading

from .._rpc import DEFAULT_ADDRESS, check_address, import_stubs, open_channel
from .errors import EventRejected, HubError, from_rpc_error
from .model import Event, event_filter

_pb = import_stubs("virta.events.v1.events_pb2")
_grpc_pb = import_stubs("virta.events.v1.events_pb2_grpc")

MAX_BATCH = 1000     # the hub's limit on events per Report


class EventClient:
    """A connection to an event hub: the producer's address (default 127.0.0.1:50051) or `virta hub`'s.

    Calls are synchronous and raise HubError subclasses: HubUnavailable (cannot reach it, naming the
    address), InvalidRequest, EventRejected. One client may be shared by threads.
    """

    def __init__(self, address: str = DEFAULT_ADDRESS, *, timeout: float = 10.0, security=None):
        """`security`: a virta.Security (token, CA file); default from VIRTA_TOKEN, VIRTA_TOKEN_FILE
        and VIRTA_CA_FILE."""
        self.address = check_address(address, "event hub")
        self.timeout = timeout
        self._channel = open_channel(self.address, security)
        self._stub = _grpc_pb.EventHubStub(self._channel)

    # ---- reporting ----

    def report(self, event: Event) -> int:
        """Journals one event and returns its journal id; EventRejected carries the hub's reason."""
        response = self.report_batch([event])
        if response.rejections:
            raise EventRejected(response.rejections[0].reason, 0, event)
        return response.ids[0]

    def report_batch(self, events, *, timeout: float | None = None):
        """Journals 1..1000 events. Returns the ReportResponse: `accepted`, `ids` (of the accepted
        ones, in order) and `rejections` (index and reason of each refused one); refused events do
        not stop the others."""
        events = list(events)
        if not 1 <= len(events) <= MAX_BATCH:
            raise ValueError(f"report_batch takes 1 to {MAX_BATCH} events, got {len(events)}: "
                             "split larger batches")
        timeout = self.timeout if timeout is None else timeout
        try:
            return self._stub.Report(_pb.ReportRequest(events=events), timeout=timeout)
        except _grpc().RpcError as e:
            raise from_rpc_error(e, self.address, "Report", timeout) from None

    # ---- live events ----

    def subscribe(self, *, cameras=(), types=(), since_micros: int = 0) -> "Subscription":
        """Live events matching the filter (empty lists match everything).

        With since_micros, the journal's events captured from then on come first, then the live
        ones, none lost or repeated. Iterate the returned Subscription: it yields Event messages,
        and Missed messages (`count`) when this subscriber read too slowly and the hub dropped
        events for it. cancel() (from any thread) ends the iteration.
        """
        request = _pb.SubscribeRequest(filter=event_filter(cameras, types),
                                       since_micros=int(since_micros))
        return Subscription(self._stub.Subscribe(request), self.address)

    # ---- history ----

    def query(self, *, from_micros: int = 0, to_micros: int = 0, cameras=(), types=(),
              limit: int = 0, timeout: float | None = None) -> list[Event]:
        """The journal's events captured in [from_micros, to_micros) (to_micros 0: until now), in
        journal order, at most `limit` (0: the hub's default, 10000)."""
        request = _pb.QueryRequest(filter=event_filter(cameras, types), from_micros=int(from_micros),
                                   to_micros=int(to_micros), limit=int(limit))
        timeout = self.timeout if timeout is None else timeout
        try:
            return list(self._stub.Query(request, timeout=timeout))
        except _grpc().RpcError as e:
            raise from_rpc_error(e, self.address, "Query", timeout) from None

    def close(self) -> None:
        """Closes the connection; open subscriptions end."""
        self._channel.close()

    def __enter__(self) -> "EventClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"EventClient({self.address!r})"


class Subscription:
    """An open Subscribe stream: an iterator of Event and Missed messages.

    Ends (StopIteration) after cancel() or close(); raises HubUnavailable when the hub goes away.
    Use it as a context manager to cancel it on the way out.
    """

    def __init__(self, call, address: str):
        self._call = call
        self.address = address
        self._cancelled = threading.Event()
        self.events = 0     # Event messages received
        self.missed = 0     # events the hub dropped for this subscriber (sum of Missed.count)

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self):
        if self._cancelled.is_set():
            raise StopIteration
        try:
            response = next(self._call)
        except StopIteration:
            raise
        except _grpc().RpcError as e:
            if self._cancelled.is_set():
                raise StopIteration from None
            raise from_rpc_error(e, self.address, "Subscribe") from None
        which = response.WhichOneof("message")
        if which == "missed":
            self.missed += response.missed.count
            return response.missed
        if which == "event":
            self.events += 1
            return response.event
        raise HubError(f"event hub at {self.address} sent an empty SubscribeResponse: is it a newer "
                       "hub? Update the Python client")

    def cancel(self) -> None:
        """Ends the subscription; an iteration blocked in another thread stops."""
        self._cancelled.set()
        self._call.cancel()

    close = cancel

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()


def _grpc():
    import grpc
    return grpc
