#!/usr/bin/python3
"""A real RTSP server (GStreamer's gst-rtsp-server) that the producer's RTSP client is tested against.

Each mount serves one clip as a live camera would: the clip loops forever and its timestamps keep
increasing across the loop, so clients never see time go backwards.

Run by hand (Debian's python3: only it can import gi; scripts/install-deps.sh installs the packages).
The Java tests (TestClips) leave their clips in producer/target/test-clips/:

    /usr/bin/python3 testkit/peers/rtsp_server.py --port 8555 \
        --mount /cam=$(ls producer/target/test-clips/h264-baseline-720p-*.h264) \
        --auth digest --user u --password p
    ffprobe -rtsp_transport tcp rtsp://u:p@127.0.0.1:8555/cam
    gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:8555/cam user-id=u user-pw=p ! fakesink

Options:
    --port N              TCP port; 0 (the default) picks a free one. The bound port is announced as
                          exactly one line "READY <port>" on stdout once the server accepts connections.
    --address A           address to listen on (default 127.0.0.1).
    --mount PATH=CLIP     repeatable. CLIP is raw Annex-B H264 (.h264/.264) or H265 (.h265/.hevc/.265),
                          or a container (.mkv/.webm/.mp4/.mov) whose video codec is probed.
    --auth none|basic|digest with --user U --password P.
    --transports udp,tcp  the lower transports clients may use (also: udp-mcast).
    --no-sprop            leave sprop-parameter-sets / sprop-vps/sps/pps out of the SDP, as some
                          cameras do, so that a client must take parameter sets from the stream.
    --config-interval N   the RTP payloader's config-interval (default 0: never insert parameter
                          sets; -1 inserts them before every IDR slice, which breaks multi-slice
                          frames in ffmpeg).
    --exit-with-stdin     exit when stdin reaches end of file (the Java harness keeps a pipe open, so a
                          test JVM that dies never leaves a server behind).

Logs go to stderr. SIGTERM or SIGINT stops it cleanly (exit status 0).
"""
import argparse
import os
import signal
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstPbutils", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstSdp", "1.0")
from gi.repository import GLib, Gst, GstPbutils, GstRtsp, GstRtspServer, GstSdp  # noqa: E402

# Before any class below subclasses a GStreamer type: registering a subclass of RTSPMedia before
# Gst.init leaves its "handle-message" signal without a GstMessage type, and media never preroll.
Gst.init(None)

RAW_EXTENSIONS = {".h264": "h264", ".264": "h264", ".h265": "h265", ".hevc": "h265", ".265": "h265"}
CONTAINER_DEMUXERS = {".mkv": "matroskademux", ".webm": "matroskademux", ".mp4": "qtdemux", ".mov": "qtdemux"}
DEFAULT_FRAME_DURATION = Gst.SECOND // 25
# Frames are due every frame duration (at most a second apart in any sane clip); a longer wait
# means the pipeline's running time moved under the feeder.
MAX_FRAME_WAIT = 2 * Gst.SECOND
LOAD_TIMEOUT_SECONDS = 60


def log(message):
    print(f"rtsp_server: {message}", file=sys.stderr, flush=True)


class Frame:
    """One access unit of the clip, with its timestamps relative to the clip's start."""

    __slots__ = ("data", "pts", "dts", "keyframe")

    def __init__(self, data, pts, dts, keyframe):
        self.data = data
        self.pts = pts
        self.dts = dts
        self.keyframe = keyframe


class Clip:
    """A clip demuxed once into memory: Annex-B access units plus the caps that describe them.

    Timestamps are normalised so that every round of the loop can be placed at
    round * duration: `dts` is the time at which a frame is pushed (decode order, evenly spaced),
    and `pts` >= `dts` is its presentation time.
    """

    def __init__(self, path):
        self.path = path
        self.codec = codec_of(path)
        self.caps, samples = demux_into_memory(path, self.codec)
        if not samples:
            raise RuntimeError(f"{path}: no video frames found")
        frame_duration = frame_duration_of(self.caps, samples)
        # Decode-order times are evenly spaced; raw Annex-B input has no timestamps of its own
        # and B-frame streams from containers often have no DTS.
        count = len(samples)
        first_pts = min(s[1] for s in samples if s[1] is not None) if any(s[1] is not None for s in samples) else 0
        decode_times = [i * frame_duration for i in range(count)]
        presentation = [
            (pts - first_pts) if pts is not None else decode_times[i] for i, (_, pts, _) in enumerate(samples)
        ]
        # A frame may not be presented before it is decoded: shift presentation back by the reorder delay.
        reorder_delay = max(0, max(d - p for d, p in zip(decode_times, presentation)))
        self.frames = [
            Frame(data, presentation[i] + reorder_delay, decode_times[i], keyframe)
            for i, (data, _, keyframe) in enumerate(samples)
        ]
        self.duration = count * frame_duration
        self.reorder_delay = reorder_delay
        log(
            f"{path}: {self.codec}, {count} frames, {self.duration / Gst.SECOND:.3f} s, "
            f"reorder delay {reorder_delay / Gst.MSECOND:.0f} ms"
        )


def codec_of(path):
    extension = os.path.splitext(path)[1].lower()
    if extension in RAW_EXTENSIONS:
        return RAW_EXTENSIONS[extension]
    if extension not in CONTAINER_DEMUXERS:
        raise RuntimeError(f"{path}: unknown clip type '{extension}' (expected .h264, .h265, .mkv or .mp4)")
    info = GstPbutils.Discoverer.new(10 * Gst.SECOND).discover_uri(Gst.filename_to_uri(os.path.abspath(path)))
    for stream in info.get_video_streams():
        name = stream.get_caps().get_structure(0).get_name()
        if name == "video/x-h264":
            return "h264"
        if name == "video/x-h265":
            return "h265"
        raise RuntimeError(f"{path}: video codec {name} is neither H264 nor H265")
    raise RuntimeError(f"{path}: no video stream")


def demux_into_memory(path, codec):
    """Returns (caps, [(bytes, pts or None, keyframe)]) in decode order, access-unit aligned Annex-B."""
    extension = os.path.splitext(path)[1].lower()
    demuxer = CONTAINER_DEMUXERS.get(extension)
    # From a container the parameter sets live out of band (codec_data); config-interval=-1 puts
    # them in band before every IDR frame, as cameras do. Raw clips already carry them.
    parser = f"{codec}parse" + (" config-interval=-1" if demuxer else "")
    description = (
        f"filesrc name=file ! {demuxer + ' ! ' if demuxer else ''}{parser} ! "
        f"video/x-{codec},stream-format=byte-stream,alignment=au ! appsink name=sink sync=false"
    )
    pipeline = Gst.parse_launch(description)
    pipeline.get_by_name("file").set_property("location", path)
    sink = pipeline.get_by_name("sink")
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    samples = []
    caps = None
    deadline = time.monotonic() + LOAD_TIMEOUT_SECONDS
    try:
        while True:
            # try-pull-sample, not pull-sample: after an error the pipeline stops without EOS.
            sample = sink.emit("try-pull-sample", 100 * Gst.MSECOND)
            message = bus.pop_filtered(Gst.MessageType.ERROR)
            if message is not None:
                error, debug = message.parse_error()
                raise RuntimeError(f"{path}: {error.message} ({debug})")
            if sample is None:
                if sink.get_property("eos"):
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{path}: not read within {LOAD_TIMEOUT_SECONDS} s")
                continue
            caps = caps or sample.get_caps()
            buffer = sample.get_buffer()
            pts = buffer.pts if buffer.pts != Gst.CLOCK_TIME_NONE else None
            keyframe = not buffer.has_flags(Gst.BufferFlags.DELTA_UNIT)
            samples.append((buffer.extract_dup(0, buffer.get_size()), pts, keyframe))
    finally:
        pipeline.set_state(Gst.State.NULL)
    return caps, samples


def frame_duration_of(caps, samples):
    structure = caps.get_structure(0) if caps else None
    if structure is not None and structure.has_field("framerate"):
        ok, numerator, denominator = structure.get_fraction("framerate")
        if ok and numerator > 0 and denominator > 0:
            return Gst.util_uint64_scale(Gst.SECOND, denominator, numerator)
    stamped = sorted(s[1] for s in samples if s[1] is not None)
    if len(stamped) >= 2:
        return max(1, (stamped[-1] - stamped[0]) // (len(stamped) - 1))
    return DEFAULT_FRAME_DURATION


# Nanoseconds each round of the loop steps its timestamps back (--loop-step-back-ms), as VLC does
# when it loops a file; 0 keeps them increasing.
LOOP_STEP_BACK = 0


class Feeder:
    """Pushes one media's clip into its appsrc at the pace of the pipeline clock, looping forever.

    Round k of the loop is shifted by k * clip duration, so timestamps (and therefore RTP
    timestamps) never go backwards. Runs on its own thread; stops when the media is unprepared.
    """

    def __init__(self, clip, appsrc, mount):
        self.clip = clip
        self.appsrc = appsrc
        self.mount = mount
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"feeder{mount}", daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopped.set()

    def _running_time(self):
        """The pipeline's running time now, or None until the appsrc is PLAYING.

        The clock reaches the element before its base time does (both are set on the way to
        PLAYING), so reading them any earlier can give a running time hours off.
        """
        clock = self.appsrc.get_clock()
        if clock is None or self.appsrc.get_state(0)[1] != Gst.State.PLAYING:
            return None
        return clock.get_time() - self.appsrc.get_base_time()

    def _run(self):
        try:
            self._feed()
        except Exception as error:  # a feeder must never take the server down
            log(f"{self.mount}: feeder stopped: {error!r}")

    def _feed(self):
        # Running time at which the clip's first round starts; the media goes PLAYING (live) to preroll.
        start = None
        while start is None and not self.stopped.is_set():
            start = self._running_time()
            if start is None:
                self.stopped.wait(0.005)
        loop_round = 0
        while not self.stopped.is_set():
            for frame in self.clip.frames:
                due = start + loop_round * self.clip.duration + frame.dts
                while not self.stopped.is_set():
                    now = self._running_time()
                    if now is None or now >= due:
                        break
                    if due - now > MAX_FRAME_WAIT:
                        # The running time jumped back (a new base time): follow it rather than stall.
                        log(f"{self.mount}: running time jumped back {(due - now) / Gst.SECOND:.3f} s, re-anchoring")
                        start -= due - now
                        due = now
                        break
                    self.stopped.wait(min(due - now, 100 * Gst.MSECOND) / Gst.SECOND)
                if self.stopped.is_set():
                    return
                buffer = Gst.Buffer.new_wrapped(frame.data)
                # Pushed at `due` either way; only the timestamps (and so RTP time) step back per round.
                stamp = due - loop_round * LOOP_STEP_BACK
                buffer.dts = stamp
                buffer.pts = stamp - frame.dts + frame.pts
                if not frame.keyframe:
                    buffer.set_flags(Gst.BufferFlags.DELTA_UNIT)
                result = self.appsrc.emit("push-buffer", buffer)
                if result not in (Gst.FlowReturn.OK, Gst.FlowReturn.FLUSHING):
                    log(f"{self.mount}: push-buffer returned {result.value_nick}, stopping the feeder")
                    return
            loop_round += 1


class NoSpropMedia(GstRtspServer.RTSPMedia):
    """A media whose SDP leaves out the sprop-* parameter sets, like cameras that only send them in band."""

    def do_setup_sdp(self, sdp, info):
        if not GstRtspServer.RTSPMedia.do_setup_sdp(self, sdp, info):
            return False
        for media_index in range(sdp.medias_len()):
            media = sdp.get_media(media_index)
            # Backwards, so that removing an attribute does not shift the ones still to visit.
            for attribute_index in reversed(range(media.attributes_len())):
                attribute = media.get_attribute(attribute_index)
                if attribute.key != "fmtp":
                    continue
                payload, _, parameters = attribute.value.partition(" ")
                kept = [p for p in parameters.split(";") if p.strip() and not p.strip().startswith("sprop-")]
                if not kept:
                    media.remove_attribute(attribute_index)  # an fmtp line without parameters is invalid
                    continue
                replacement = GstSdp.SDPAttribute()
                replacement.set("fmtp", f"{payload} {';'.join(kept)}")
                media.replace_attribute(attribute_index, replacement)
        return True


class ClipFactory(GstRtspServer.RTSPMediaFactory):
    """Builds the serving pipeline for one mount and starts a Feeder for every media it makes."""

    def __init__(self, mount, clip, config_interval, protocols, no_sprop):
        super().__init__()
        self.mount = mount
        self.clip = clip
        pay = "rtph264pay" if clip.codec == "h264" else "rtph265pay"
        self.set_launch(
            f"( appsrc name=src is-live=true format=time do-timestamp=false max-bytes=0 ! "
            f"{clip.codec}parse ! {pay} name=pay0 pt=96 config-interval={config_interval} )"
        )
        # One pipeline serves every client of this mount: many concurrent clients stay cheap, and
        # a client that vanishes affects nobody else.
        self.set_shared(True)
        self.set_protocols(protocols)
        if no_sprop:
            self.set_media_gtype(NoSpropMedia.__gtype__)
        self.connect("media-configure", self._on_media_configure)

    def _on_media_configure(self, _factory, media):
        appsrc = media.get_element().get_by_name("src")
        appsrc.set_property("caps", self.clip.caps)
        feeder = Feeder(self.clip, appsrc, self.mount)
        media.connect("unprepared", lambda *_: feeder.stop())
        feeder.start()
        log(f"{self.mount}: new media")


def parse_protocols(text):
    names = {
        "udp": GstRtsp.RTSPLowerTrans.UDP,
        "tcp": GstRtsp.RTSPLowerTrans.TCP,
        "udp-mcast": GstRtsp.RTSPLowerTrans.UDP_MCAST,
    }
    protocols = GstRtsp.RTSPLowerTrans(0)
    for name in text.split(","):
        name = name.strip().lower()
        if name not in names:
            raise argparse.ArgumentTypeError(f"unknown transport '{name}' (expected udp, tcp or udp-mcast)")
        protocols |= names[name]
    return protocols


def parse_mount(text):
    path, separator, clip = text.partition("=")
    if not separator or not path or not clip:
        raise argparse.ArgumentTypeError(f"expected PATH=CLIP, got '{text}'")
    if not path.startswith("/"):
        path = "/" + path
    return path, clip


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description="Serve clips as looping live RTSP streams (gst-rtsp-server).")
    parser.add_argument("--port", type=int, default=0, help="TCP port, 0 picks a free one (default 0)")
    parser.add_argument("--address", default="127.0.0.1", help="listen address (default 127.0.0.1)")
    parser.add_argument("--mount", type=parse_mount, action="append", required=True, metavar="PATH=CLIP")
    parser.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    parser.add_argument("--user", default="user")
    parser.add_argument("--password", default="password")
    parser.add_argument("--transports", type=parse_protocols, default=parse_protocols("udp,tcp"))
    parser.add_argument("--sprop", dest="sprop", action="store_true", default=True,
                        help="put parameter sets in the SDP (default)")
    parser.add_argument("--no-sprop", dest="sprop", action="store_false",
                        help="leave parameter sets out of the SDP")
    parser.add_argument("--config-interval", type=int, default=0, help="payloader config-interval (default 0)")
    parser.add_argument("--loop-step-back-ms", type=int, default=0,
                        help="step timestamps (RTP time) back this much at every loop, as VLC does (default 0)")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="exit when stdin closes, so a test harness that dies takes the server with it")
    return parser.parse_args(argv)


def configure_auth(server, factories, arguments):
    if arguments.auth == "none":
        return
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    if arguments.auth == "basic":
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(arguments.user, arguments.password), token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
    else:
        auth.add_digest(arguments.user, arguments.password, token)
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    server.set_auth(auth)
    role = Gst.Structure.new_from_string(
        "user, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
    )
    for factory in factories:
        factory.add_role_from_structure(role)


def stdin_still_open(fd):
    try:
        return os.read(fd, 4096) != b""
    except OSError:
        return False


def main(argv):
    arguments = parse_arguments(argv)
    global LOOP_STEP_BACK
    LOOP_STEP_BACK = arguments.loop_step_back_ms * Gst.MSECOND
    server = GstRtspServer.RTSPServer()
    server.set_address(arguments.address)
    server.set_service(str(arguments.port))
    mounts = server.get_mount_points()
    factories = []
    clips = {}
    for path, clip_path in arguments.mount:
        if clip_path not in clips:
            clips[clip_path] = Clip(clip_path)
        factory = ClipFactory(path, clips[clip_path], arguments.config_interval, arguments.transports,
                              not arguments.sprop)
        mounts.add_factory(path, factory)
        factories.append(factory)
    configure_auth(server, factories, arguments)

    loop = GLib.MainLoop()
    if server.attach(None) == 0:
        log(f"cannot listen on {arguments.address}:{arguments.port}")
        return 1
    # A client that vanishes without TEARDOWN leaves its session behind until it expires (60 s);
    # expired sessions are only removed when someone asks, so ask regularly.
    GLib.timeout_add_seconds(2, lambda: server.get_session_pool().cleanup() >= 0)
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, signal_number, lambda: loop.quit() or False)
    if arguments.exit_with_stdin:
        GLib.io_add_watch(sys.stdin.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR,
                          lambda fd, _condition: stdin_still_open(fd) or loop.quit() or False)
    port = server.get_bound_port()
    log(f"serving {', '.join(p for p, _ in arguments.mount)} on {arguments.address}:{port}")
    print(f"READY {port}", flush=True)
    loop.run()
    log("stopping")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except RuntimeError as error:
        log(f"error: {error}")
        sys.exit(1)
