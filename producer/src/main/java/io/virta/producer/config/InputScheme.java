package io.virta.producer.config;

import java.util.List;
import java.util.Locale;

/**
 * The scheme of a camera {@code url:}, checked when the configuration loads: {@code rtsp://} goes to
 * the producer's RTSP client, a path (no scheme) and the protocols below to FFmpeg. Anything else
 * would only fail at open time, over and over with back-off, so a typo such as {@code rtps://} is
 * refused up front, with the closest known scheme as a hint.
 */
final class InputScheme {
    /** Protocols FFmpeg can read a live or recorded camera stream from (its other protocols are not sources). */
    static final List<String> FFMPEG = List.of("file", "http", "https", "rtsps", "rtmp", "rtmps", "rtmpt", "rtmpts",
            "srt", "udp", "rtp", "tcp", "tls", "ftp", "mmsh", "mmst");

    private InputScheme() {
    }

    /**
     * Null when {@code url} has no scheme ({@code /videos/a.mkv}, {@code /dev/video0}) or a known
     * one; otherwise what is wrong and what to write instead.
     */
    static String problem(String url) {
        int end = url.indexOf("://");
        if (end <= 0) {
            return null;
        }
        String scheme = url.substring(0, end).toLowerCase(Locale.ROOT);
        if (scheme.equals("rtsp") || FFMPEG.contains(scheme)) {
            return null;
        }
        String closest = "rtsp";
        int best = EditDistance.between(scheme, closest);
        for (String known : FFMPEG) {
            int d = EditDistance.between(scheme, known);
            if (d < best) {
                best = d;
                closest = known;
            }
        }
        String hint = best <= 2 ? "did you mean " + closest + "://? " : "";
        return "'" + scheme + "://' is not a scheme the producer can open; " + hint + "cameras are rtsp://..., and FFmpeg"
                + " opens a file path or " + String.join(", ", FFMPEG) + " URLs";
    }
}
