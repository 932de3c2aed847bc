"""The producer's control API from Python (protos/.../virta/control/v1/control.proto).

Workers use it to attach to a camera by name:

    from virta.control import ControlClient
    with ControlClient("127.0.0.1:50051") as control:
        channel = control.find_channel("lobby", "rgb24")   # a ChannelDescriptor, or None for now
        reader = virta.bus.Reader(channel.name)
"""

from .client import (CameraNotFound, ChannelDescriptor, ControlClient, ControlError,
                     ControlUnavailable)

__all__ = ["CameraNotFound", "ChannelDescriptor", "ControlClient", "ControlError",
           "ControlUnavailable"]
