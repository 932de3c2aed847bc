package io.virta.producer.control;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.RtpOutSettings;

import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the control API may add, beyond what the YAML file may: the API has no say over the
 * producer's files and network, only the file does.
 *
 * <ul>
 *   <li>{@code url}: {@code rtsp://} cameras only. Files, HTTP, V4L2 devices, SDP files and
 *       everything else FFmpeg opens come from the YAML file, so a caller can neither make the
 *       producer open a local file nor learn from the error whether one exists: the refusal comes
 *       before anything touches the file system and never quotes the URL.</li>
 *   <li>{@code rtpOut.sdp}: refused; the SDP file is {@code <rtpOut.sdpDirectory>/<name>.sdp}, a
 *       name the camera-name rules keep inside that directory.</li>
 *   <li>{@code rtpOut.destination}: an IP address (no name is resolved) inside one of
 *       {@code rtpOut.controlApiDestinations}; none by default.</li>
 * </ul>
 *
 * Stateless; messages start with {@code AddStream: <field>:} like every other AddStream error.
 */
final class AddStreamRules {
    private static final Pattern SCHEME = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]{0,15})://.*", Pattern.DOTALL);

    private AddStreamRules() {
    }

    /** Checks the request before it is parsed: the reason it is refused, or empty. */
    static Optional<String> refusalBeforeParsing(Map<String, Object> settings) {
        Object url = settings.get("url");
        if (url instanceof String text && !text.strip().regionMatches(true, 0, "rtsp://", 0, 7)) {
            var scheme = SCHEME.matcher(text.strip());
            boolean named = scheme.matches();
            String what = named ? "'" + scheme.group(1) + "://' URLs" : "file paths and devices";
            String hint = named && scheme.group(1).equalsIgnoreCase("rtps") ? " (did you mean rtsp://?)" : "";
            return Optional.of("AddStream: url: only rtsp:// camera URLs can be added over the control API; " + what
                    + " are refused" + hint + ". Files, http(s)://, V4L2 devices, SDP files and other FFmpeg sources"
                    + " can only come from the producer's YAML file (cameras: - url: / sdp:)");
        }
        if (settings.get("rtpOut") instanceof Map<?, ?> out && out.containsKey("sdp")) {
            return Optional.of("AddStream: rtpOut.sdp: file paths are not accepted over the control API; leave it"
                    + " empty: the SDP file is <rtpOut.sdpDirectory>/<name>.sdp, with rtpOut.sdpDirectory from the"
                    + " producer's YAML file");
        }
        return Optional.empty();
    }

    /** Checks the parsed camera against the file's {@code rtpOut:} section: the reason it is refused, or empty. */
    static Optional<String> refusalAfterParsing(CameraConfig camera, RtpOutSettings settings) {
        CameraConfig.RtpOutConfig out = camera.rtpOut();
        if (out == null) {
            return Optional.empty();
        }
        InetAddress address;
        try {
            address = InetAddress.ofLiteral(out.host());
        } catch (IllegalArgumentException notALiteral) {
            return Optional.of("AddStream: rtpOut.destination: give an IP address; host names are not resolved for"
                    + " the control API");
        }
        if (!settings.allowsOverControlApi(address)) {
            String allowed = settings.controlApiDestinations().isEmpty() ? "none"
                    : settings.controlApiDestinations().toString();
            return Optional.of("AddStream: rtpOut.destination: " + address.getHostAddress() + " is outside the ranges the"
                    + " producer allows the control API to send to (" + RtpOutSettings.DESTINATIONS_SETTING + ": "
                    + allowed + "); add a range such as " + address.getHostAddress()
                    + (address.getAddress().length == 4 ? "/32" : "/128") + " to " + RtpOutSettings.DESTINATIONS_SETTING
                    + " in the producer's YAML file, or configure this camera's rtpOut: there");
        }
        return Optional.empty();
    }
}
