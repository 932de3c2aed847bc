#!/usr/bin/python3
"""The peer of `virta bench rtsp-server`: gst-rtsp-server re-serving one RTSP camera without re-encoding.

    /usr/bin/python3 bench/rtsp/gst_relay.py --source rtsp://127.0.0.1:8555/cam [--port 0] [--exit-with-stdin]
    ffmpeg -rtsp_transport tcp -i rtsp://127.0.0.1:<port>/relay -c copy -f null -

Every client of /relay shares one media (set_shared): the camera is read once, depayloaded, parsed and
payloaded again, and the same RTP goes to every client, as Virta's RTSP server does. The bound port is
announced as one line "READY <port>" on stdout.

--ingest-only runs the same chain into a fakesink instead of serving it (no server, "READY 0"): what the
relay costs with no client, the baseline that the benchmark subtracts.

Only Debian's /usr/bin/python3 can import gi (scripts/install-deps.sh installs the packages).
"""
import argparse
import os
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

Gst.init(None)


def chain(source):
    return (f"rtspsrc location={source} protocols=tcp latency=0 ! rtph264depay ! h264parse "
            f"! rtph264pay pt=96 config-interval=0")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", required=True, help="the camera's rtsp:// URL (H264)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ingest-only", action="store_true")
    parser.add_argument("--exit-with-stdin", action="store_true")
    args = parser.parse_args()
    loop = GLib.MainLoop()
    if args.ingest_only:
        pipeline = Gst.parse_launch(chain(args.source) + " ! fakesink sync=false")
        pipeline.set_state(Gst.State.PLAYING)
        port = 0
    else:
        server = GstRtspServer.RTSPServer()
        server.set_address("127.0.0.1")
        server.set_service(str(args.port))
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f"( {chain(args.source).replace('rtph264pay ', 'rtph264pay name=pay0 ')} )")
        factory.set_shared(True)
        server.get_mount_points().add_factory("/relay", factory)
        server.attach(None)
        port = server.get_bound_port()
    if args.exit_with_stdin:
        def watch_stdin():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch_stdin, daemon=True).start()
    print(f"READY {port}", flush=True)
    loop.run()


if __name__ == "__main__":
    main()
