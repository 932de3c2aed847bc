"""ControlClient: the parts of the producer's control API (virta.control.v1) that workers use."""

from __future__ import annotations

from .._rpc import DEFAULT_ADDRESS, check_address, import_stubs, open_channel

_pb = import_stubs("virta.control.v1.control_pb2")
_grpc_pb = import_stubs("virta.control.v1.control_pb2_grpc")

ChannelDescriptor = _pb.ChannelDescriptor
ChannelType = _pb.ChannelType

# Bus type names (as virta.bus.ChannelType and `virta bus ls` spell them) -> the API's enum.
_TYPES = {"encoded": _pb.CHANNEL_TYPE_ENCODED, "yuv420p": _pb.CHANNEL_TYPE_YUV420P,
          "rgb24": _pb.CHANNEL_TYPE_RGB24, "fmp4": _pb.CHANNEL_TYPE_FMP4}


class ControlError(Exception):
    """Base of the control client's errors; `code` is the gRPC status code's name."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


class ControlUnavailable(ControlError, ConnectionError):
    """The producer's control API cannot be reached."""


class CameraNotFound(ControlError, LookupError):
    """The producer has no camera of that name."""


class ControlClient:
    """The producer's control API at `address` (its control.listen, default 127.0.0.1:50051)."""

    def __init__(self, address: str = DEFAULT_ADDRESS, *, timeout: float = 5.0, security=None):
        """`security`: a virta.Security (token, CA file); default from VIRTA_TOKEN, VIRTA_TOKEN_FILE
        and VIRTA_CA_FILE."""
        self.address = check_address(address, "control API")
        self.timeout = timeout
        self._channel = open_channel(self.address, security)
        self._stub = _grpc_pb.ProducerControlStub(self._channel)

    def get_channels(self, camera: str) -> list:
        """The bus channels the camera publishes now (ChannelDescriptor: name, type, pixel_format,
        width, height, cells, ...); empty until its first session told the codec, and while STOPPED.
        Raises CameraNotFound for an unknown camera."""
        return list(self._call("GetChannels", _pb.GetChannelsRequest(camera=camera),
                               camera).channels)

    def find_channel(self, camera: str, channel_type: str = "rgb24"):
        """The camera's channel of that type ('rgb24', 'yuv420p', 'encoded' or 'fmp4'), or None while the
        camera publishes no channels yet. Raises LookupError when it publishes others but not that
        one (e.g. its rgb channel is disabled)."""
        try:
            wanted = _TYPES[channel_type.lower()]
        except KeyError:
            raise ValueError(f"channel type {channel_type!r}: use one of {', '.join(_TYPES)}") \
                from None
        channels = self.get_channels(camera)
        for channel in channels:
            if channel.type == wanted:
                return channel
        if not channels:
            return None
        names = ", ".join(c.name for c in channels)
        raise LookupError(f"camera '{camera}' publishes no {channel_type} channel (it has {names}): "
                          f"enable it in the camera's configuration, or attach to one of those")

    def list_workers(self) -> list:
        """The analyzer processes the producer supervises (WorkerStatus messages)."""
        return list(self._call("ListWorkers", _pb.ListWorkersRequest(), None).workers)

    def _call(self, method: str, request, camera: str | None):
        import grpc
        try:
            return getattr(self._stub, method)(request, timeout=self.timeout)
        except grpc.RpcError as e:
            code, details = e.code(), e.details() or ""
            if code == grpc.StatusCode.NOT_FOUND and camera is not None:
                raise CameraNotFound(f"the producer at {self.address} has no camera '{camera}' "
                                     f"({details}): check the name (ListStreams lists the "
                                     "producer's cameras)", code.name) from None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise ControlUnavailable(
                    f"the producer's control API at {self.address} is unavailable "
                    f"({details or code.name}): start the producer, or pass its control.listen "
                    "address", code.name) from None
            raise ControlError(f"{method} at {self.address} failed: {code.name}: {details}",
                               code.name) from None

    def close(self) -> None:
        self._channel.close()

    def __enter__(self) -> "ControlClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
