package io.virta.rtsp;

import java.util.Locale;

/**
 * The parts of a {@code Transport} header (RFC 2326 section 12.39) a playing client needs:
 * TCP-interleaved channels, or UDP client and server ports, the server's SSRC, and the address it
 * sends from ({@code source}, when it is not the RTSP connection's peer).
 */
public record TransportHeader(boolean tcp, boolean multicast, int rtpChannel, int rtcpChannel, int clientRtpPort,
        int clientRtcpPort, int serverRtpPort, int serverRtcpPort, String destination, String ssrc, String source) {

    public static TransportHeader udp(int clientRtpPort) {
        return new TransportHeader(false, false, -1, -1, clientRtpPort, clientRtpPort + 1, -1, -1, null, null, null);
    }

    public static TransportHeader interleaved(int rtpChannel) {
        return new TransportHeader(true, false, rtpChannel, rtpChannel + 1, -1, -1, -1, -1, null, null, null);
    }

    /** The header value a client sends in SETUP. */
    public String toRequestValue() {
        if (tcp) {
            return "RTP/AVP/TCP;unicast;interleaved=" + rtpChannel + "-" + rtcpChannel;
        }
        return "RTP/AVP;unicast;client_port=" + clientRtpPort + "-" + clientRtcpPort;
    }

    /** Parses the server's answer; the first transport spec is used when several are listed. */
    public static TransportHeader parse(String value) throws RtspProtocolException {
        if (value == null || value.isBlank()) {
            throw new RtspProtocolException("the SETUP response has no Transport header");
        }
        String spec = value.split(",")[0].trim();
        String[] parts = spec.split(";");
        String protocol = parts[0].trim().toUpperCase(Locale.ROOT);
        if (!protocol.startsWith("RTP/AVP")) {
            throw new RtspProtocolException("Transport '" + value + "': only RTP/AVP is supported, not " + parts[0]);
        }
        boolean tcp = protocol.endsWith("/TCP");
        boolean multicast = false;
        int[] interleaved = {-1, -1};
        int[] client = {-1, -1};
        int[] server = {-1, -1};
        String destination = null;
        String ssrc = null;
        String source = null;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            int eq = part.indexOf('=');
            String key = (eq < 0 ? part : part.substring(0, eq)).toLowerCase(Locale.ROOT);
            String v = eq < 0 ? "" : part.substring(eq + 1).trim();
            switch (key) {
                case "multicast" -> multicast = true;
                case "interleaved" -> interleaved = range(value, key, v, 255);
                case "client_port" -> client = range(value, key, v, 65535);
                case "server_port" -> server = range(value, key, v, 65535);
                case "destination" -> destination = v;
                case "ssrc" -> ssrc = v;
                case "source" -> source = v;
                default -> { } // mode, ttl, unicast...: not needed to receive
            }
        }
        if (tcp && interleaved[0] < 0) {
            throw new RtspProtocolException("Transport '" + value + "' is TCP but names no interleaved channels");
        }
        return new TransportHeader(tcp, multicast, interleaved[0], interleaved[1], client[0], client[1], server[0],
                server[1], destination, ssrc, source);
    }

    private static int[] range(String header, String key, String v, int max) throws RtspProtocolException {
        String[] ends = v.split("-");
        try {
            int first = Integer.parseInt(ends[0].trim());
            int second = ends.length > 1 ? Integer.parseInt(ends[1].trim()) : first + 1;
            if (first < 0 || first > max || second < 0 || second > max) {
                throw new NumberFormatException();
            }
            return new int[] {first, second};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new RtspProtocolException("Transport '" + header + "': " + key + "=" + v + " is not a range 0.." + max);
        }
    }
}
