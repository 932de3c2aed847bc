"""Virta: decode-once, share-everywhere IP-camera video. This package holds the Python client."""

__version__ = "0.1.0"

from ._rpc import Security  # noqa: E402,F401  (token and CA file of the gRPC clients)
