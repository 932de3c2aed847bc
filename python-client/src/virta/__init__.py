"""Virta: decode-once, share-everywhere IP-camera video. This package holds the Python client."""

__version__ = "0.1.0"
