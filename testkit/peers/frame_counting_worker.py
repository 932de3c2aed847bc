"""A minimal supervised worker for the producer's tests: attaches to CHANNEL with the Python bus
client and prints one line per 10 frames, so a test sees that it reads and when it came back."""
import os
import sys

from virta.bus import ChannelType, Reader

channel = sys.argv[1]
with Reader(channel, expect_type=ChannelType.RGB24, wait_for_writer=30) as reader:
    print(f"worker {os.getpid()} attached to {channel}", flush=True)
    while True:
        frame = reader.pull_frame(5.0)
        if frame is not None and reader.frames % 10 == 0:
            print(f"worker {os.getpid()} frames {reader.frames}", flush=True)
