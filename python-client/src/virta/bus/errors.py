"""Errors of the bus client. Every message names the channel (or field) and says what to do."""


class BusError(Exception):
    """Base of every error the bus raises."""


class ChannelNotFound(BusError):
    """No object exists under the channel's name."""


class ChannelMismatch(BusError):
    """The channel exists but is not what the caller expects (type, size, format, version)."""


class InvalidChannelName(BusError, ValueError):
    """A name docs/bus-format.md section 1 does not allow."""

    def __init__(self, name: object):
        super().__init__(
            f"invalid channel name {name!r}: use 1 to 64 characters from A-Z a-z 0-9 . _ -, "
            "not starting with '.' or '-' (for example 'lobby.rgb')")
        self.name = name


class PayloadTooLarge(BusError, ValueError):
    """A payload that does not fit in one cell. The channel is left as it was."""

    def __init__(self, channel: str, size: int, capacity: int):
        super().__init__(
            f"payload of {size} bytes does not fit channel '{channel}', whose cells hold "
            f"{capacity} bytes: create the channel with a larger capacity")
        self.channel = channel
        self.size = size
        self.capacity = capacity


class ChannelBusy(BusError):
    """Another live writer owns the channel's name."""


class NoFreeReaderSlot(BusError):
    """Every reader slot of the channel is taken."""


class ChannelCorrupt(BusError):
    """The object under the channel's name is not a consistent Virta channel."""


class NoSpaceForChannel(BusError):
    """/dev/shm has not enough free space for the channel."""


class EndOfStream(BusError):
    """Raised by Reader.pull_frame when the writer closed the channel in order."""


class WriterDied(BusError):
    """Raised by Reader.pull_frame when the writer crashed or stopped its heartbeat."""
