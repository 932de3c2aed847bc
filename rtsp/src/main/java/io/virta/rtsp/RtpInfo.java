package io.virta.rtsp;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * One stream's entry of a PLAY reply's {@code RTP-Info} header (RFC 2326 12.33): the sequence number
 * and RTP timestamp of the first packet the server sends after PLAY. A receiver that knows where the
 * stream starts can put packets that arrive out of order at the very start back in order, instead of
 * taking the first one to arrive as the start.
 *
 * <pre>
 *   RtpInfo.find(response.headers().get("RTP-Info"), setupUri).ifPresent(info -&gt; reorderer.startAt(info.sequence()));
 * </pre>
 *
 * <p>Hostile or odd input (missing fields, numbers out of range, several streams) never throws: an
 * entry without a valid {@code seq} is no entry.
 */
public record RtpInfo(int sequence, long rtpTime, boolean hasRtpTime) {

    /**
     * The entry for the stream set up at {@code streamUri}: the one whose {@code url} is that URI or
     * ends with its last path segment (servers answer with absolute or relative URLs), or the only
     * entry when there is one. Empty when the header is absent or has no usable entry.
     */
    public static Optional<RtpInfo> find(String header, URI streamUri) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String[] entries = header.split(",");
        String path = streamUri == null || streamUri.getPath() == null ? "" : streamUri.getPath();
        String lastSegment = path.substring(path.lastIndexOf('/') + 1);
        RtpInfo matched = null;
        RtpInfo only = null;
        for (String entry : entries) {
            String url = null;
            Long seq = null;
            Long rtptime = null;
            for (String part : entry.split(";")) {
                int eq = part.indexOf('=');
                if (eq < 0) {
                    continue;
                }
                String key = part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                String value = part.substring(eq + 1).strip();
                switch (key) {
                    case "url" -> url = value;
                    case "seq" -> seq = number(value, 0xffffL);
                    case "rtptime" -> rtptime = number(value, 0xffff_ffffL);
                    default -> { }
                }
            }
            if (seq == null) {
                continue;
            }
            RtpInfo info = new RtpInfo(seq.intValue(), rtptime == null ? 0 : rtptime, rtptime != null);
            only = entries.length == 1 ? info : null;
            if (url != null && streamUri != null && (url.equals(streamUri.toString())
                    || !lastSegment.isEmpty() && url.endsWith("/" + lastSegment) || url.equals(lastSegment))) {
                matched = info;
            }
        }
        return Optional.ofNullable(matched != null ? matched : only);
    }

    private static Long number(String value, long max) {
        if (value.isEmpty() || value.length() > 10) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return null;
            }
        }
        long n = Long.parseLong(value);
        return n <= max ? n : null;
    }
}
