package io.virta.rtsp.rtcp;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

import static io.virta.rtsp.rtcp.SourceDescription.putI32;
import static io.virta.rtsp.rtcp.SourceDescription.putU16;
import static io.virta.rtsp.rtcp.SourceDescription.putU8;

/**
 * Writes the compound packet a sender sends every few seconds: a Sender Report without report
 * blocks (we receive nothing back) and an SDES with our CNAME (RFC 3550 6.4.1). Its NTP/RTP
 * timestamp pair is what lets a receiver put the stream's frames on the wall clock. Writes into
 * the caller's buffer without allocating.
 */
public final class SenderReportWriter {
    private static final int SENDER_REPORT_LENGTH = 28;

    private final int ssrc;
    private final SourceDescription sdes;

    /**
     * @param ssrc  the SSRC of the RTP stream reported on
     * @param cname our canonical name: 1 to 255 bytes of UTF-8
     */
    public SenderReportWriter(int ssrc, String cname) {
        this.ssrc = ssrc;
        this.sdes = new SourceDescription(ssrc, cname);
    }

    /** The bytes {@link #write} needs. */
    public int length() {
        return SENDER_REPORT_LENGTH + sdes.length();
    }

    /**
     * Writes SR + SDES at {@code out}'s position and advances it.
     *
     * @param unixMicros   the wall-clock time that {@code rtpTimestamp} stands for
     * @param packetsSent  RTP packets sent since the stream began (RFC 3550: wraps at 2^32)
     * @param payloadBytes RTP payload bytes sent since the stream began
     * @throws BufferOverflowException when {@code out} has less than {@link #length()} bytes left
     */
    public int write(ByteBuffer out, long unixMicros, long rtpTimestamp, long packetsSent, long payloadBytes) {
        int total = length();
        if (out.remaining() < total) {
            throw new BufferOverflowException();
        }
        int at = out.position();
        long ntp = NtpTime.fromUnixMicros(unixMicros);
        putU8(out, at, 0x80);
        putU8(out, at + 1, CompoundPacketReader.SENDER_REPORT);
        putU16(out, at + 2, SENDER_REPORT_LENGTH / 4 - 1);
        putI32(out, at + 4, ssrc);
        putI32(out, at + 8, (int) (ntp >>> 32));
        putI32(out, at + 12, (int) ntp);
        putI32(out, at + 16, (int) rtpTimestamp);
        putI32(out, at + 20, (int) packetsSent);
        putI32(out, at + 24, (int) payloadBytes);
        sdes.write(out, at + SENDER_REPORT_LENGTH);
        out.position(at + total);
        return total;
    }
}
