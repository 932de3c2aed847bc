package io.virta.rtsp.client;

import io.netty.buffer.ByteBuf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Decides which UDP datagrams on a session's RTP/RTCP sockets come from its camera. Anyone who can
 * reach the ports could otherwise inject packets: junk with plausible sequence numbers counts as loss
 * and breaks units, and a forged stream would be published as the camera's video.
 *
 * <p>A datagram is the camera's when
 * <ul>
 *   <li>it comes from the camera's address: the SETUP reply's {@code source=}, else the address of the
 *       RTSP connection;</li>
 *   <li>and from the camera's port for its kind: {@code server_port=} of the reply (RTP, RTCP); a reply
 *       without {@code server_port} lets any port of the camera's address through;</li>
 *   <li>and, for RTP, carries the stream's SSRC: the reply's {@code ssrc=} when it has one, else the
 *       SSRC of the first RTP packet accepted from the camera (the filter locks onto it). A datagram
 *       too short for an RTP header is passed on, for the packet parser to count as malformed.</li>
 * </ul>
 * Everything else is rejected and counted by {@link Verdict}. Nothing is allocated per datagram.
 * Use it from the session's event-loop thread only.
 *
 * <pre>
 *   var filter = RtpSourceFilter.fromSetup(transportHeader, (InetSocketAddress) control.remoteAddress());
 *   if (filter.checkRtp(datagram.sender(), datagram.content()) == Verdict.ACCEPTED) listener.onRtp(...);
 * </pre>
 */
public final class RtpSourceFilter {
    /** What became of a datagram. */
    public enum Verdict {
        ACCEPTED,
        /** From another address, or from a port of the camera that is not this socket's peer port. */
        WRONG_SOURCE,
        /** From the camera's address and port, but an RTP packet of another stream (SSRC). */
        WRONG_SSRC
    }

    private static final int SSRC_OFFSET = 8;
    private static final int RTP_HEADER_LENGTH = 12;

    private final InetAddress source;
    private final int rtpPort;
    private final int rtcpPort;
    private final boolean ssrcAnnounced;
    private boolean ssrcKnown;
    private int ssrc;
    private long wrongSource;
    private long wrongSsrc;

    /**
     * @param rtpPort  the camera's RTP port, or -1 to accept any port of {@code source}
     * @param rtcpPort the camera's RTCP port, or -1 to accept any port of {@code source}
     * @param ssrc     the SSRC the camera announced (a hex string, as in {@code ssrc=}); null or
     *                 unparsable to lock onto the first packet's
     */
    public RtpSourceFilter(InetAddress source, int rtpPort, int rtcpPort, String ssrc) {
        if (source == null) {
            throw new IllegalArgumentException("source is null");
        }
        this.source = source;
        this.rtpPort = rtpPort;
        this.rtcpPort = rtcpPort;
        Integer announced = parseSsrc(ssrc);
        this.ssrcAnnounced = announced != null;
        this.ssrcKnown = ssrcAnnounced;
        this.ssrc = announced == null ? 0 : announced;
    }

    /** The RTP datagram's verdict; counts it when rejected. */
    public Verdict checkRtp(InetSocketAddress sender, ByteBuf packet) {
        if (!fromCamera(sender, rtpPort)) {
            wrongSource++;
            return Verdict.WRONG_SOURCE;
        }
        if (packet.readableBytes() < RTP_HEADER_LENGTH) {
            return Verdict.ACCEPTED;
        }
        int packetSsrc = packet.getInt(packet.readerIndex() + SSRC_OFFSET);
        if (!ssrcKnown) {
            ssrcKnown = true;
            ssrc = packetSsrc;
        } else if (packetSsrc != ssrc) {
            wrongSsrc++;
            return Verdict.WRONG_SSRC;
        }
        return Verdict.ACCEPTED;
    }

    /** The RTCP datagram's verdict; counts it when rejected. (RTCP reports are matched by SSRC downstream.) */
    public Verdict checkRtcp(InetSocketAddress sender) {
        if (!fromCamera(sender, rtcpPort)) {
            wrongSource++;
            return Verdict.WRONG_SOURCE;
        }
        return Verdict.ACCEPTED;
    }

    private boolean fromCamera(InetSocketAddress sender, int port) {
        return sender != null && source.equals(sender.getAddress()) && (port < 0 || sender.getPort() == port);
    }

    /** Datagrams rejected for their address or port. */
    public long wrongSource() {
        return wrongSource;
    }

    /** RTP packets rejected for their SSRC. */
    public long wrongSsrc() {
        return wrongSsrc;
    }

    /** Whether the SSRC came from the SETUP reply (else it is the first packet's, once one arrived). */
    public boolean ssrcAnnounced() {
        return ssrcAnnounced;
    }

    @Override
    public String toString() {
        return "RTP from " + source.getHostAddress() + (rtpPort < 0 ? "" : ":" + rtpPort)
                + (ssrcKnown ? " ssrc " + String.format(Locale.ROOT, "%08X", ssrc) : "");
    }

    /** An SSRC given as up to 8 hex digits (RFC 2326 12.39), or null. */
    static Integer parseSsrc(String value) {
        if (value == null) {
            return null;
        }
        String digits = value.strip();
        if (digits.isEmpty() || digits.length() > 8) {
            return null;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), 16) < 0) {
                return null;
            }
        }
        return (int) HexFormat.fromHexDigitsToLong(digits);
    }
}
