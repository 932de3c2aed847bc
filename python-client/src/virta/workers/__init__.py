"""Virta workers in Python: analyzers that read a camera's pictures from the bus and report events.

    python3 -m virta.workers.motion --camera lobby --print

WorkerRunner (runner.py) is the loop around an analysis; worker_parser/worker_options (options.py)
are the command-line options all workers share. See docs/workers-python.md.
"""

from .options import Rect, WorkerOptions, worker_options, worker_parser
from .runner import Analyzer, WorkerRunner

__all__ = ["Analyzer", "Rect", "WorkerOptions", "WorkerRunner", "worker_options", "worker_parser"]
