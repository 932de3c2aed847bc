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
        int best = distance(scheme, closest);
        for (String known : FFMPEG) {
            int d = distance(scheme, known);
            if (d < best) {
                best = d;
                closest = known;
            }
        }
        String hint = best <= 2 ? "did you mean " + closest + "://? " : "";
        return "'" + scheme + "://' is not a scheme the producer can open; " + hint + "cameras are rtsp://..., and FFmpeg"
                + " opens a file path or " + String.join(", ", FFMPEG) + " URLs";
    }

    /** Edit distance (insertions, deletions, substitutions, and swaps of neighbours: "rtps" is one from "rtsp"). */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
