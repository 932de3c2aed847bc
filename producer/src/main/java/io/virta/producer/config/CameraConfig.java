package io.virta.producer.config;

import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.client.RtspTransport;

import java.time.Duration;

/**
 * One camera of the producer's configuration.
 *
 * @param name        names its channels: {@code <name>.h264} (or {@code .h265}), {@code <name>.yuv}, {@code <name>.rgb}
 * @param url         rtsp:// URL (may carry credentials); null for an SDP-file camera
 * @param sdp         path of an SDP file describing RTP sent to this host or a multicast group; null for a URL
 * @param networkInterface for multicast SDP cameras: the interface to join on; null joins on the routed one and lo
 * @param user        overrides the URL's user when set
 * @param password    overrides the URL's password when set
 * @param reconnect   how long without frames before the stream counts as stalled and reconnects
 * @param decode      false: publish encoded access units only (for recorders and re-streamers)
 * @param fmp4        the {@code <name>.mp4} channel of fragmented MP4 (browsers, recorders); off unless enabled
 * @param onLoss      what happens to access units that packet loss touched: CONCEAL (passed on, flagged
 *                    damaged) or DROP (dropped until the next keyframe)
 * @param rtpOut      sending the camera as plain RTP to a multicast group or a host, with an SDP file; null when off
 * @param record      recording the camera's encoded channel into a store; {@link RecordConfig#OFF} unless enabled
 */
public record CameraConfig(String name, String url, String sdp, String networkInterface, String user, String password,
        RtspTransport transport, Duration reconnect, boolean decode, int decoderThreads, TimestampMode timestamps,
        LossPolicy onLoss, EncodedChannelConfig encoded, YuvChannelConfig yuv, RgbChannelConfig rgb, FfmpegInputConfig ffmpeg,
        Fmp4ChannelConfig fmp4, RtpOutConfig rtpOut, RecordConfig record) {

    /**
     * For cameras FFmpeg opens (files, HTTP, V4L2): see docs/producer-ffmpeg-source.md.
     * {@code v4l2Size}, {@code v4l2Fps} and {@code v4l2Format} are null when left to the driver.
     */
    public record FfmpegInputConfig(boolean loop, double seekSeconds, boolean realtime, String format, String v4l2Size,
            Integer v4l2Fps, String v4l2Format, java.util.Map<String, String> options) {
        public static final FfmpegInputConfig DEFAULTS =
                new FfmpegInputConfig(false, 0, true, null, null, null, null, java.util.Map.of());
    }

    /**
     * True when a channel needs pictures ({@code yuv} or {@code rgb} enabled): only then does the
     * camera get a decoder (thread and FFmpeg context). {@code decode: false} turns both channels off.
     */
    public boolean decodes() {
        return yuv.enabled() || rgb.enabled();
    }

    /** True for cameras FFmpeg opens: a url that is not rtsp://. */
    public boolean isFfmpegInput() {
        return url != null && !url.regionMatches(true, 0, "rtsp://", 0, 7);
    }

    /** The encoded channel: access units as they came from the camera. */
    public record EncodedChannelConfig(int cells, long capacityBytes) {
    }

    /**
     * The camera's {@code record:} block (docs/recording.md): the producer records its encoded channel
     * into {@code store}, reading it through the bus like any reader, so the ring is the recorder's
     * buffer against a slow or stalled disk.
     *
     * @param enabled whether the camera is recorded
     * @param store   the store it records into, one of {@code recording.stores}; null when off
     * @param buffer  {@code bufferSeconds}: how long a disk stall the encoded ring rides out without
     *                losing a frame; it sizes the ring (see {@link #ringFor})
     * @param retention its own budgets and ages, over the store's ({@code record.retention})
     */
    public record RecordConfig(boolean enabled, java.nio.file.Path store, Duration buffer,
                               io.virta.recorder.retention.CameraRetention retention) {
        public RecordConfig(boolean enabled, java.nio.file.Path store, Duration buffer) {
            this(enabled, store, buffer, io.virta.recorder.retention.CameraRetention.INHERIT);
        }

        /** The ring holds this much video by default. */
        public static final Duration DEFAULT_BUFFER = Duration.ofSeconds(10);
        /** Sizing assumes no camera sends more pictures than this per second... */
        public static final int ASSUMED_MAX_FPS = 30;
        /** ...nor more bits per second than this (a generous 1080p or a modest 4K stream). */
        public static final long ASSUMED_MAX_BITS_PER_SECOND = 8_000_000;
        public static final RecordConfig OFF = new RecordConfig(false, null, DEFAULT_BUFFER);

        /**
         * The encoded ring a recorded camera needs: at least {@code buffer} x {@value #ASSUMED_MAX_FPS}
         * cells, and cells large enough that the whole ring holds {@code buffer} x
         * {@value #ASSUMED_MAX_BITS_PER_SECOND} bits; a larger {@code asked} ring is kept as it is. A
         * camera that is not recorded keeps {@code asked}.
         */
        public EncodedChannelConfig ringFor(EncodedChannelConfig asked) {
            if (!enabled) {
                return asked;
            }
            double seconds = buffer.toMillis() / 1000.0;
            int cells = Math.max(asked.cells(), (int) Math.ceil(seconds * ASSUMED_MAX_FPS));
            long bytes = (long) Math.ceil(seconds * ASSUMED_MAX_BITS_PER_SECOND / 8);
            long capacity = Math.max(asked.capacityBytes(), (bytes + cells - 1) / cells);
            return new EncodedChannelConfig(cells, capacity);
        }
    }

    /**
     * Fragmented MP4 of the camera's own bitstream: an init segment, then fragments.
     *
     * @param fragmentMillis 0: one fragment per access unit; more: fragments gather this many
     *                       milliseconds of samples (a keyframe always starts a new one)
     */
    public record Fmp4ChannelConfig(boolean enabled, int cells, long capacityBytes, int fragmentMillis) {
    }

    /**
     * Plain RTP out (see docs/producer.md, "Sending a camera over RTP").
     *
     * @param host             the multicast group or unicast host the packets go to
     * @param port             the RTP port (even); RTCP sender reports go to {@code port + 1}
     * @param ttl              multicast time-to-live (hops); ignored for unicast
     * @param networkInterface multicast only: the interface name or local address to send from; null lets routing choose
     * @param sdp              where the SDP file describing the stream is written
     * @param sdpGroup         null: the SDP file is 0600; else 0640 and owned by this Unix group
     */
    public record RtpOutConfig(String host, int port, int ttl, String networkInterface, java.nio.file.Path sdp,
            String sdpGroup) {
        public String destination() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Decoded I420 at the stream's own size. */
    public record YuvChannelConfig(boolean enabled, int cells, int maxWidth, int maxHeight) {
    }

    /** Decoded and scaled RGB24 for analyzers; {@code fps} 0 means every frame. */
    public record RgbChannelConfig(boolean enabled, int width, int height, double fps, int cells) {
    }

    @Override
    public String toString() {
        return "camera " + name + " (" + (url != null ? io.virta.rtsp.RtspUrl.shown(url) : "sdp " + sdp) + ")";
    }
}
