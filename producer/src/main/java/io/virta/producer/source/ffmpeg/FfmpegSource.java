package io.virta.producer.source.ffmpeg;

import io.virta.producer.decode.VideoDecoder;
import io.virta.producer.source.CameraSource;
import io.virta.producer.source.StreamEvents;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.bus.Clock;
import io.virta.producer.source.ffmpeg.FfmpegSourceOptions.InputKind;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A camera made of anything FFmpeg opens other than RTSP: a video file (mkv, mp4, raw
 * {@code .h264}/{@code .h265}), an HTTP(S) stream, a V4L2 USB camera. It demuxes the first H264 or
 * H265 video stream and hands its pictures, one {@link AccessUnit} each, to the sink on a thread of
 * its own ({@code virta-ffmpeg-<camera>}).
 *
 * <pre>
 *   FfmpegSource source = new FfmpegSource("lobby", FfmpegSourceOptions.of("/videos/lobby.mkv").withLoop(true),
 *           unit -> pipeline.accept(unit), codec -> pipeline.codec(codec), events);
 *   source.start();
 *   ...
 *   source.close();
 * </pre>
 *
 * <p><b>Units.</b> Annex-B with 4-byte start codes, whatever the container stored (length-prefixed
 * NAL units in mp4/mkv go through FFmpeg's {@code *_mp4toannexb} filter); every keyframe carries its
 * parameter sets. Sequence numbers start at 1 and have no gaps. The RTP timestamp is the packet's
 * presentation time at 90 kHz and keeps growing across loops and reopenings (see {@link Timeline}).
 * Capture and arrival time are the wall-clock time the unit is released. The source starts every
 * input at a keyframe, dropping what comes before. One unit object is reused: its buffer grows to
 * the largest unit plus 64 bytes of padding, and after that the packet path allocates nothing.
 *
 * <p><b>Files</b> are released in real time by their timestamps, like {@code ffmpeg -re}, unless
 * {@link FfmpegSourceOptions#realtime()} is off; they can loop and start at an offset. A file that
 * ends without looping ends the stream: {@link StreamEvents#onOffline} says "end of file" and the
 * source stops. <b>Live inputs</b> (network, devices) are passed on as they come; one that ends,
 * fails or stays silent for the reconnect interval is reopened after a back-off (0.5 s doubling up
 * to the interval), like the RTSP source. Inputs that cannot be opened are retried the same way,
 * files included (a file may appear later, a share may come back).
 *
 * <p>Only H264 and H265 are ingested: other codecs (MJPEG from a USB camera, MPEG-4 in a file) are
 * refused with a message that says how to transcode.
 */
public final class FfmpegSource implements CameraSource {
    private static final Logger LOG = Logger.getLogger(FfmpegSource.class.getName());
    private static final long FIRST_RETRY_NANOS = Duration.ofMillis(500).toNanos();
    /** A paced file this far behind its schedule (a slow sink) resumes from now instead of bursting to catch up. */
    private static final long LATE_NANOS = 1_000_000_000L;
    private static final long DEVICE_POLL_NANOS = 5_000_000L;

    private enum Ending { CLOSED, END_OF_FILE, ENDED, REOPEN }

    private final String camera;
    private final FfmpegSourceOptions options;
    private final AccessUnitListener sink;
    private final Consumer<VideoCodec> codecListener;
    private final StreamEvents events;
    private final Interrupter interrupter = new Interrupter();
    /** Held while a unit is delivered: once {@link #close()} has held it, no unit reaches the sink. */
    private final Object delivery = new Object();
    private final AnnexBUnitWriter writer = new AnnexBUnitWriter();
    private final Timeline timeline = new Timeline();

    private Thread thread;
    private volatile boolean closed;
    private volatile boolean online;
    private volatile String lastError;
    private volatile VideoCodec codec;
    private volatile long reconnects;

    // The source thread's own state.
    private long opens;
    private long sequence;
    private boolean awaitingKeyframe;
    private boolean paceAnchored;
    private long paceAnchorNanos;
    private long paceAnchorTicks;
    private long paceTicks = Long.MIN_VALUE;
    private long onlineEvents;
    private long offlineEvents;

    // Counters: written by the source thread, read anywhere as approximate values.
    private long unitsDelivered;
    private long skippedUntilKeyframe;
    private long loops;
    private long listenerFailures;

    /**
     * @param camera        the camera's name, for messages and the thread's name
     * @param sink          receives every unit, on the source's thread; the unit is valid only during the call
     * @param codecListener told the codec before the first unit, and again if a reopened input has another
     * @param events        told when the input opens and when it is lost or ends
     */
    public FfmpegSource(String camera, FfmpegSourceOptions options, AccessUnitListener sink,
            Consumer<VideoCodec> codecListener, StreamEvents events) {
        if (camera == null || options == null || sink == null) {
            throw new IllegalArgumentException("an FfmpegSource needs a camera name, options and a sink");
        }
        this.camera = camera;
        this.options = options;
        this.sink = sink;
        this.codecListener = codecListener != null ? codecListener : c -> { };
        this.events = events != null ? events : StreamEvents.NONE;
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("camera " + camera + ": the source is closed");
        }
        if (thread != null) {
            throw new IllegalStateException("camera " + camera + ": the source is already started");
        }
        thread = Thread.ofPlatform().daemon().name("virta-ffmpeg-" + camera).start(this::run);
    }

    private void run() {
        long backoff = FIRST_RETRY_NANOS;
        boolean loopReopen = false;
        try {
            while (!closed) {
                String reason;
                boolean retry = true;
                try (FfmpegInput input = FfmpegInput.open(camera, options, interrupter)) {
                    prepare(input, loopReopen);
                    loopReopen = false;
                    if (!online) {
                        online = true;
                        onlineEvents++;
                        LOG.info(() -> "camera " + camera + ": playing " + options.describeInput() + " ("
                                + input.description() + (input.convertsToAnnexB() ? ", length-prefixed NAL units"
                                + " rewritten to Annex-B" : "") + ")");
                        events.onOnline(camera, input.kind() == InputKind.NETWORK);
                    }
                    Ending ending = pump(input);
                    switch (ending) {
                        case CLOSED -> {
                            return;
                        }
                        case REOPEN -> {
                            // The file cannot seek back to its start: opening it again is the same.
                            loopReopen = true;
                            continue;
                        }
                        case END_OF_FILE -> {
                            reason = "camera " + camera + ": end of file " + options.describeInput();
                            retry = false;
                        }
                        default -> reason = "camera " + camera + ": " + options.describeInput()
                                + " ended (the other side closed the stream)";
                    }
                } catch (InputException e) {
                    reason = e.getMessage();
                }
                if (closed) {
                    return;
                }
                boolean wasOnline = online;
                online = false;
                lastError = reason;
                if (wasOnline || offlineEvents == 0 && onlineEvents == 0) {
                    offlineEvents++;
                    events.onOffline(camera, reason);
                }
                if (!retry) {
                    LOG.info(reason);
                    return;
                }
                long delay = wasOnline ? FIRST_RETRY_NANOS : backoff;
                backoff = Math.min(options.reconnect().toNanos(), delay * 2);
                LOG.warning(reason + "; trying again in " + delay / 1_000_000 + " ms");
                if (!sleep(delay)) {
                    return;
                }
                reconnects++;
            }
        } catch (RuntimeException | Error e) {
            // A bug, not bad input: say so loudly rather than let the thread die unseen.
            String reason = "camera " + camera + ": the FFmpeg source stopped: " + e;
            LOG.log(Level.SEVERE, reason, e);
            boolean wasOnline = online;
            online = false;
            lastError = reason;
            if (!closed && wasOnline) {
                events.onOffline(camera, reason);
            }
        } finally {
            online = false;
        }
    }

    /** Gets a newly opened input ready: codec, parameter sets, timeline, start position. */
    private void prepare(FfmpegInput input, boolean loopReopen) throws InputException {
        VideoCodec found = input.codec();
        if (found != codec) {
            codec = found;
            codecListener.accept(found);
        }
        writer.configure(found, input.parameterSets());
        if (opens++ > 0) {
            timeline.restart();
        }
        timeline.defaultFrameDuration(input.frameDuration90k());
        if (options.seekSeconds() > 0 && input.kind() == InputKind.FILE && !loopReopen) {
            long keyframeTime = input.seek(options.seekSeconds());
            if (keyframeTime == Timeline.NONE) {
                throw new InputException("camera " + camera + ": cannot seek to " + options.seekSeconds() + " s in "
                        + options.describeInput());
            }
            timeline.firstTime(keyframeTime);
        }
        awaitingKeyframe = true;
        paceAnchored = false;
    }

    /** Reads the input until it ends, fails or the source is closed. */
    private Ending pump(FfmpegInput input) throws InputException {
        boolean file = input.kind() == InputKind.FILE;
        boolean paced = file && options.realtime();
        boolean loop = file && options.loop();
        long roundUnits = 0;
        while (!closed) {
            int rc = input.read();
            if (rc == 0) {
                if (emit(input, paced)) {
                    roundUnits++;
                }
                continue;
            }
            if (closed) {
                break;
            }
            if (rc == FfmpegInput.AVERROR_EAGAIN) {
                LockSupport.parkNanos(DEVICE_POLL_NANOS);
            } else if (rc == avutil.AVERROR_EOF) {
                if (!file) {
                    return Ending.ENDED;
                }
                if (!loop) {
                    return Ending.END_OF_FILE;
                }
                if (roundUnits == 0) {
                    throw new InputException("camera " + camera + ": " + options.describeInput() + " has no "
                            + input.codec() + " picture to loop over" + (options.seekSeconds() > 0
                            ? " (is seek " + options.seekSeconds() + " s past its end?)" : ""));
                }
                roundUnits = 0;
                loops++;
                timeline.restart();
                awaitingKeyframe = true;
                if (!input.seekToStart()) {
                    return Ending.REOPEN;
                }
            } else if (rc == avutil.AVERROR_EXIT && input.timedOut()) {
                throw new InputException("camera " + camera + ": no data from " + options.describeInput() + " for "
                        + options.reconnect().toMillis() + " ms");
            } else {
                throw new InputException("camera " + camera + ": reading " + options.describeInput() + " failed: "
                        + VideoDecoder.describe(rc));
            }
        }
        return Ending.CLOSED;
    }

    /** Turns the current packet into the unit and delivers it. Returns whether it was delivered. */
    private boolean emit(FfmpegInput input, boolean paced) {
        long packet = input.packet();
        boolean keyframe = (PacketFields.flags(packet) & avcodec.AV_PKT_FLAG_KEY) != 0;
        timeline.next(input.to90k(PacketFields.pts(packet)), input.to90k(PacketFields.dts(packet)),
                input.to90k(PacketFields.duration(packet)));
        if (awaitingKeyframe) {
            if (!keyframe) {
                // A decoder could not use it: nothing it refers to came before.
                skippedUntilKeyframe++;
                return false;
            }
            awaitingKeyframe = false;
        }
        if (!writer.write(PacketFields.NATIVE, PacketFields.data(packet), PacketFields.size(packet), keyframe)) {
            // Pictures after a lost one refer to it: resume at the next keyframe.
            awaitingKeyframe = true;
            return false;
        }
        if (paced && !pace(timeline.decodeTime())) {
            return false;
        }
        AccessUnit unit = writer.unit();
        long now = Clock.epochMicros();
        unit.codec(input.codec()).keyframe(keyframe).rtpTimestamp(timeline.presentationTime())
                .captureTimeMicros(now).arrivalTimeMicros(now);
        synchronized (delivery) {
            if (closed) {
                return false;
            }
            unit.sequence(++sequence);
            try {
                sink.onAccessUnit(unit);
            } catch (RuntimeException e) {
                if (listenerFailures++ == 0) {
                    LOG.log(Level.WARNING, "camera " + camera + ": the unit sink failed (further failures are only"
                            + " counted)", e);
                }
            }
        }
        unitsDelivered++;
        return true;
    }

    /**
     * Waits until the unit's decode time comes due on the wall clock: the first unit after opening
     * sets the schedule. Returns false if the source was closed meanwhile.
     */
    private boolean pace(long ticks) {
        // Decode times only grow; a demuxer's guess that steps back is released at once.
        paceTicks = Math.max(paceTicks, ticks);
        long now = System.nanoTime();
        if (!paceAnchored) {
            paceAnchored = true;
            paceAnchorNanos = now;
            paceAnchorTicks = paceTicks;
            return true;
        }
        long due = paceAnchorNanos + (paceTicks - paceAnchorTicks) * 100_000 / 9;
        if (now - due > LATE_NANOS) {
            paceAnchorNanos = now;
            paceAnchorTicks = paceTicks;
            return true;
        }
        while (!closed) {
            long wait = due - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            LockSupport.parkNanos(this, wait);
        }
        return false;
    }

    private boolean sleep(long nanos) {
        long until = System.nanoTime() + nanos;
        while (!closed) {
            long wait = until - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            LockSupport.parkNanos(this, wait);
        }
        return false;
    }

    public String camera() {
        return camera;
    }

    public FfmpegSourceOptions options() {
        return options;
    }

    @Override
    public boolean isOnline() {
        return online;
    }

    @Override
    public long reconnects() {
        return reconnects;
    }

    @Override
    public String lastError() {
        return lastError;
    }

    /** The codec of the input now open; null before the first opened. */
    public VideoCodec codec() {
        return codec;
    }

    /** Units handed to the sink. */
    public long unitsDelivered() {
        return unitsDelivered;
    }

    /** Times a file went back to its start. */
    public long loops() {
        return loops;
    }

    /** Packets dropped because the input started (or resumed after a loss) between keyframes. */
    public long skippedUntilKeyframe() {
        return skippedUntilKeyframe;
    }

    /** Keyframes that came without parameter sets and got the stream's, from its codec header. */
    public long parameterSetsInserted() {
        return writer.parameterSetsInserted();
    }

    /** Keyframes without parameter sets where the stream had none to give: decoders may not start on them. */
    public long keyframesWithoutParameterSets() {
        return writer.keyframesWithoutParameterSets();
    }

    /** Packets dropped as unusable: no NAL unit in them, or larger than any picture. */
    public long droppedPackets() {
        return writer.malformedPackets() + writer.oversizedUnits();
    }

    /** Timestamp jumps of more than 5 s that were smoothed over. */
    public long timestampDiscontinuities() {
        return timeline.discontinuities();
    }

    /** Units whose delivery threw; the source goes on. */
    public long listenerFailures() {
        return listenerFailures;
    }

    /**
     * Stops the source: a blocked open or read is cut short, and once this returns no unit reaches
     * the sink. Waits up to 2 s for the thread to release FFmpeg's resources.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = thread;
        }
        interrupter.stop();
        if (t != null) {
            LockSupport.unpark(t);
        }
        synchronized (delivery) {
            // A delivery in progress has finished; every later one sees closed.
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!t.join(Duration.ofSeconds(2))) {
                    LOG.warning("camera " + camera + ": the FFmpeg thread is still inside FFmpeg 2 s after close;"
                            + " it will release its input when FFmpeg returns");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        online = false;
    }

    @Override
    public String toString() {
        return "camera " + camera + " (" + options.describeInput() + ")";
    }
}
