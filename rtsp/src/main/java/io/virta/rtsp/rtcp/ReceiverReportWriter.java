package io.virta.rtsp.rtcp;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;

import static io.virta.rtsp.rtcp.SourceDescription.putI32;
import static io.virta.rtsp.rtcp.SourceDescription.putU16;
import static io.virta.rtsp.rtcp.SourceDescription.putU8;

/**
 * Writes the compound packet a receiver sends every few seconds: a Receiver Report (with one
 * report block when the source is valid) followed by an SDES with our CNAME, as RFC 3550 6.1
 * requires. Writes into the caller's buffer without allocating; byte order of the buffer does not
 * matter.
 */
public final class ReceiverReportWriter {
    private static final int RECEIVER_REPORT_HEADER = 8;
    private static final int REPORT_BLOCK = 24;
    private static final int MAX_LOST = 0x7f_ffff;
    private static final int MIN_LOST = -0x80_0000;

    private final int reporterSsrc;
    private final SourceDescription sdes;
    private final int sdesLength;

    /**
     * @param reporterSsrc our own SSRC, random per session (RFC 3550 8.1)
     * @param cname        our canonical name, e.g. {@code virta@host}: 1 to 255 bytes of UTF-8
     */
    public ReceiverReportWriter(int reporterSsrc, String cname) {
        this.reporterSsrc = reporterSsrc;
        this.sdes = new SourceDescription(reporterSsrc, cname);
        this.sdesLength = sdes.length();
    }

    /** The bytes {@link #write} needs at most: an RR with one report block, and the SDES. */
    public int maxLength() {
        return RECEIVER_REPORT_HEADER + REPORT_BLOCK + sdesLength;
    }

    /**
     * Writes RR + SDES at {@code out}'s position and advances it. Reporting closes the loss
     * interval of {@code source} (see {@link ReceiverStatistics#takeFractionLost()}).
     *
     * @param source    the source to report on; no report block while it is not yet valid
     * @param nowMicros the clock given to {@link ReceiverStatistics#onSenderReport}, for DLSR
     * @return the number of bytes written
     * @throws BufferOverflowException when {@code out} has too little room (a buffer of
     *                                 {@link #maxLength()} always suffices); nothing is written then
     */
    public int write(ByteBuffer out, ReceiverStatistics source, long nowMicros) {
        return writeCompound(out, source != null && source.isValid() ? source : null, nowMicros);
    }

    /** An RR without report blocks, and the SDES: for before any RTP has arrived. */
    public int writeEmpty(ByteBuffer out) {
        return writeCompound(out, null, 0);
    }

    private int writeCompound(ByteBuffer out, ReceiverStatistics source, long nowMicros) {
        int blocks = source == null ? 0 : 1;
        int receiverReportLength = RECEIVER_REPORT_HEADER + REPORT_BLOCK * blocks;
        int total = receiverReportLength + sdesLength;
        if (out.remaining() < total) {
            throw new BufferOverflowException();
        }
        int at = out.position();
        putU8(out, at, 0x80 | blocks);
        putU8(out, at + 1, CompoundPacketReader.RECEIVER_REPORT);
        putU16(out, at + 2, receiverReportLength / 4 - 1);
        putI32(out, at + 4, reporterSsrc);
        if (source != null) {
            int block = at + RECEIVER_REPORT_HEADER;
            int fractionLost = source.takeFractionLost();
            long lost = Math.clamp(source.cumulativeLost(), MIN_LOST, MAX_LOST);
            putI32(out, block, source.ssrc());
            putI32(out, block + 4, fractionLost << 24 | (int) (lost & 0xff_ffff));
            putI32(out, block + 8, (int) source.extendedHighestSequence());
            putI32(out, block + 12, (int) source.jitter());
            putI32(out, block + 16, (int) source.lastSenderReport());
            putI32(out, block + 20, (int) source.delaySinceLastSenderReport(nowMicros));
        }
        sdes.write(out, at + receiverReportLength);
        out.position(at + total);
        return total;
    }
}
