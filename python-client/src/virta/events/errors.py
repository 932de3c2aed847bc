"""Errors of the event client. Each message names the hub's address and says what to do."""

from __future__ import annotations


class HubError(Exception):
    """Base of the event client's errors. `code` is the gRPC status code's name, when there is one."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class HubUnavailable(HubError, ConnectionError):
    """The hub cannot be reached, did not answer in time, or is shutting down."""


class InvalidRequest(HubError, ValueError):
    """The hub refused a request as a whole (no events, more than 1000, a bad filter, over 1 MiB)."""


class EventRejected(HubError, ValueError):
    """The hub refused one reported event; `reason` names the field, `index` is its place in the batch."""

    def __init__(self, reason: str, index: int = 0, event=None):
        what = f"event {index}" if index else "the event"
        super().__init__(f"the hub refused {what}: {reason}")
        self.reason = reason
        self.index = index
        self.event = event


def from_rpc_error(error, address: str, method: str, timeout: float | None = None) -> HubError:
    """Turns a grpc.RpcError into the HubError that says what happened and what to do."""
    import grpc
    code = error.code()
    details = error.details() or ""
    if code == grpc.StatusCode.UNAVAILABLE:
        return HubUnavailable(
            f"event hub at {address} is unavailable ({details or 'no answer'}): start it (`virta hub "
            f"--listen {address} --journal DIR`, or a producer whose control.listen is {address}), "
            "or pass the hub's address", code.name)
    if code == grpc.StatusCode.DEADLINE_EXCEEDED:
        return HubUnavailable(f"event hub at {address} did not answer {method} within {timeout} s: "
                              "is that address an event hub?", code.name)
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return HubError(f"{address} serves no event hub ({method}: {details}): pass the address "
                        "of a producer or of `virta hub`", code.name)
    if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.RESOURCE_EXHAUSTED):
        return InvalidRequest(f"event hub at {address} refused {method}: {details}", code.name)
    return HubError(f"{method} at event hub {address} failed: {code.name}: {details}", code.name)
