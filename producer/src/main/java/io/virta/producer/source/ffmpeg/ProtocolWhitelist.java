package io.virta.producer.source.ffmpeg;

import io.virta.producer.source.ffmpeg.FfmpegSourceOptions.InputKind;

import java.util.Locale;
import java.util.Map;

/**
 * FFmpeg's {@code protocol_whitelist} for an input: the protocol its URL names and the ones that
 * protocol is built on, nothing else. FFmpeg hands the list down to every URL the input opens in
 * turn (HLS segments and keys, DASH fragments, concat entries, redirects), so a playlist or a
 * redirect cannot make the producer read a local {@code file:} or reach another protocol.
 *
 * <pre>
 *   /videos/lobby.mkv, file:///videos/x.m3u8    -> file
 *   http://cam/stream.m3u8                       -> http,tcp
 *   https://cam/stream.m3u8                      -> https,tls,tcp
 *   /dev/video0                                  -> none set: the v4l2 device opens itself, no protocol
 * </pre>
 *
 * An explicit {@code protocol_whitelist} in the camera's {@code ffmpegOptions:} (the YAML file is
 * trusted) replaces the derived one. Stateless.
 */
final class ProtocolWhitelist {
    /** FFmpeg's option name. */
    static final String OPTION = "protocol_whitelist";

    /** The protocols each scheme stands on; a scheme not listed stands alone. */
    private static final Map<String, String> LAYERS = Map.ofEntries(
            Map.entry("file", "file"),
            Map.entry("http", "http,tcp"),
            Map.entry("https", "https,tls,tcp"),
            Map.entry("tcp", "tcp"),
            Map.entry("tls", "tls,tcp"),
            Map.entry("udp", "udp"),
            Map.entry("rtp", "rtp,udp"),
            Map.entry("rtmp", "rtmp,tcp"),
            Map.entry("rtmps", "rtmps,tls,tcp"),
            Map.entry("srt", "srt"));

    private ProtocolWhitelist() {
    }

    /** The whitelist for {@code options}, or null where FFmpeg opens no protocol (a V4L2 device). */
    static String of(FfmpegSourceOptions options) {
        String explicit = options.avOptions().get(OPTION);
        if (explicit != null) {
            return explicit;
        }
        if (options.kind() == InputKind.DEVICE) {
            return null;
        }
        if (options.kind() == InputKind.FILE) {
            return "file";
        }
        String input = options.input();
        String scheme = input.substring(0, input.indexOf("://")).toLowerCase(Locale.ROOT);
        String layers = LAYERS.get(scheme);
        if (layers != null) {
            return layers;
        }
        // A scheme FFmpeg may not know: it refuses it itself; keep it from naming a list ("a,file").
        return scheme.matches("[a-z0-9+.-]+") ? scheme : "none";
    }
}
