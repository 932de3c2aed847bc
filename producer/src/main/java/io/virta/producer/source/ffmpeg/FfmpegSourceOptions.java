package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.RtspUrl;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What an {@link FfmpegSource} opens and how it plays it.
 *
 * <pre>
 *   FfmpegSourceOptions.of("/videos/lobby.mkv").withLoop(true)                  // a file, in real time, forever
 *   FfmpegSourceOptions.of("http://10.0.0.7/stream.ts")                         // a live HTTP stream
 *   FfmpegSourceOptions.of("/dev/video0").withV4l2("1280x720", 30, "h264")     // a USB camera
 * </pre>
 *
 * @param input       a file path, a {@code file://} URI, a URL FFmpeg opens (http, https, tcp, ...),
 *                    or a V4L2 device such as {@code /dev/video0}
 * @param format      FFmpeg's input format name (as in {@code ffmpeg -f}), or null to let FFmpeg probe;
 *                    {@code v4l2} is implied for {@code /dev/video*} and {@code /dev/v4l/*}
 * @param loop        files only: at the end, start again from the beginning; timestamps keep growing
 * @param seekSeconds files only: start at the keyframe at or before this offset
 * @param realtime    files only: release units at the pace of their timestamps, like {@code ffmpeg -re};
 *                    false releases them as fast as the sink takes them (tests, benchmarks).
 *                    Live inputs (network, devices) are never paced: they pace themselves.
 * @param reconnect   the longest wait between attempts to reopen a lost input, and how long a live
 *                    input may stay silent (opening included) before it counts as lost
 * @param avOptions   options for FFmpeg's demuxer and protocol (as in {@code ffmpeg -key value} before
 *                    {@code -i}), e.g. {@code video_size}, {@code framerate}, {@code user_agent}
 */
public record FfmpegSourceOptions(String input, String format, boolean loop, double seekSeconds, boolean realtime,
        Duration reconnect, Map<String, String> avOptions) {

    public static final Duration DEFAULT_RECONNECT = Duration.ofSeconds(10);

    /** How an input behaves: whether it can end, be paced, looped and sought. */
    public enum InputKind {
        /** A file on disk: paced, loopable, seekable; its end is the end of the stream. */
        FILE,
        /** A URL (http, https, tcp, ...): live, reopened when it ends or fails. */
        NETWORK,
        /** A capture device (V4L2): live, reopened when it fails. */
        DEVICE
    }

    public FfmpegSourceOptions {
        if (input == null || input.isBlank()) {
            throw new IllegalArgumentException("an FFmpeg camera needs an input: a file, a URL or a /dev/video device");
        }
        input = input.strip();
        if (format != null && format.isBlank()) {
            format = null;
        }
        if (!Double.isFinite(seekSeconds) || seekSeconds < 0) {
            throw new IllegalArgumentException("seek must be 0 or more seconds, not " + seekSeconds);
        }
        if (reconnect == null || reconnect.isNegative() || reconnect.isZero()) {
            throw new IllegalArgumentException("reconnect must be a positive duration, not " + reconnect);
        }
        avOptions = Map.copyOf(avOptions == null ? Map.of() : avOptions);
        if (format == null && isDevicePath(input)) {
            format = "v4l2";
        }
    }

    /** {@code input} with the defaults: probed format, no loop, no seek, real time, 10 s reconnect. */
    public static FfmpegSourceOptions of(String input) {
        return new FfmpegSourceOptions(input, null, false, 0, true, DEFAULT_RECONNECT, Map.of());
    }

    public FfmpegSourceOptions withFormat(String format) {
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, avOptions);
    }

    public FfmpegSourceOptions withLoop(boolean loop) {
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, avOptions);
    }

    public FfmpegSourceOptions withSeekSeconds(double seekSeconds) {
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, avOptions);
    }

    public FfmpegSourceOptions withRealtime(boolean realtime) {
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, avOptions);
    }

    public FfmpegSourceOptions withReconnect(Duration reconnect) {
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, avOptions);
    }

    public FfmpegSourceOptions withAvOption(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(avOptions);
        all.put(key, value);
        return new FfmpegSourceOptions(input, format, loop, seekSeconds, realtime, reconnect, all);
    }

    /**
     * A V4L2 camera's capture mode; null leaves a setting to the driver. {@code pixelFormat} is
     * FFmpeg's name for what the camera sends: {@code h264} (the only one Virta ingests today),
     * {@code mjpeg}, {@code yuyv422}.
     */
    public FfmpegSourceOptions withV4l2(String videoSize, Integer framerate, String pixelFormat) {
        FfmpegSourceOptions o = withFormat("v4l2");
        if (videoSize != null) {
            o = o.withAvOption("video_size", videoSize);
        }
        if (framerate != null) {
            o = o.withAvOption("framerate", Integer.toString(framerate));
        }
        if (pixelFormat != null) {
            o = o.withAvOption("input_format", pixelFormat);
        }
        return o;
    }

    public InputKind kind() {
        if (format != null && (format.equals("v4l2") || format.equals("video4linux2"))) {
            return InputKind.DEVICE;
        }
        int scheme = input.indexOf("://");
        if (scheme > 0 && !input.regionMatches(true, 0, "file", 0, scheme)) {
            return InputKind.NETWORK;
        }
        return InputKind.FILE;
    }

    /** The input for messages: URL credentials replaced by {@code ***}. */
    public String describeInput() {
        return RtspUrl.shown(input);
    }

    /** A file input's path: {@code file://} URIs decoded. Only for {@link InputKind#FILE}. */
    Path filePath() {
        if (input.regionMatches(true, 0, "file:", 0, 5)) {
            try {
                return Path.of(URI.create(input));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + input + "' is not a valid file: URI (write file:///absolute/path,"
                        + " percent-encoding spaces, or give the plain path)", e);
            }
        }
        return Path.of(input);
    }

    private static boolean isDevicePath(String input) {
        String lower = input.toLowerCase(Locale.ROOT);
        return lower.startsWith("/dev/video") || lower.startsWith("/dev/v4l/");
    }
}
