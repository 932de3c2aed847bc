package io.virta.rtsp.rtcp;

/**
 * What a receiver knows about one RTP source, kept as RFC 3550 prescribes: sequence validation and
 * counting (A.1), loss (A.3), interarrival jitter (A.8), and the last Sender Report for the LSR and
 * DLSR fields. Fed per packet without allocating; read by {@link ReceiverReportWriter}.
 *
 * <p>Two choices where the RFC's code leaves room: jitter starts with the second counted packet
 * (the first only sets the reference transit time), and the probation test "next in sequence"
 * wraps at 65535 as the rest of the arithmetic does.
 */
public final class ReceiverStatistics {
    private static final int SEQUENCE_MODULUS = 1 << 16;
    /** RFC 3550 A.1's suggested values. */
    private static final int MAX_DROPOUT = 3000;
    private static final int MAX_MISORDER = 100;
    private static final int MIN_SEQUENTIAL = 2;
    /** DLSR is 32 bits of 1/65536 s: it saturates after 65536 s, about 18 hours. */
    private static final long MAX_DELAY_MICROS = 65_536L * 1_000_000L;

    private int ssrc;
    private boolean started;
    private int probation;
    private int maxSequence;
    /** Multiples of 65536: A.1's "shifted count of sequence number cycles". */
    private long cycles;
    private int baseSequence;
    private int badSequence;
    private long received;
    private long expectedPrior;
    private long receivedPrior;

    private boolean haveTransit;
    private int transit;
    /** Jitter times 16, as in A.8's integer version, so no precision is lost between packets. */
    private long jitterTimes16;

    private long lastSenderReport;
    private long lastSenderReportArrivalMicros;
    private boolean haveSenderReport;

    public ReceiverStatistics(int ssrc) {
        reset(ssrc);
    }

    /** Forgets everything, for a new source (e.g. the camera restarted with a new SSRC). */
    public void reset(int ssrc) {
        this.ssrc = ssrc;
        started = false;
        probation = 0;
        maxSequence = 0;
        cycles = 0;
        baseSequence = 0;
        badSequence = SEQUENCE_MODULUS + 1;
        received = 0;
        expectedPrior = 0;
        receivedPrior = 0;
        haveTransit = false;
        transit = 0;
        jitterTimes16 = 0;
        haveSenderReport = false;
        lastSenderReport = 0;
        lastSenderReportArrivalMicros = 0;
    }

    public int ssrc() {
        return ssrc;
    }

    /**
     * Records one received RTP packet of this source.
     *
     * @param sequenceNumber   the 16-bit sequence number
     * @param rtpTimestamp     the packet's RTP timestamp (only the low 32 bits are used)
     * @param arrivalClockRate the arrival time converted to the stream's RTP clock, from any origin
     * @return whether the packet counts as valid: false while a new source is on probation, and for
     *         a large jump until the next packet confirms it (A.1)
     */
    public boolean onPacket(int sequenceNumber, long rtpTimestamp, long arrivalClockRate) {
        int sequence = sequenceNumber & 0xffff;
        if (!started) {
            started = true;
            initSequence(sequence);
            maxSequence = (sequence - 1) & 0xffff;
            probation = MIN_SEQUENTIAL;
        }
        if (!updateSequence(sequence)) {
            return false;
        }
        updateJitter(rtpTimestamp, arrivalClockRate);
        return true;
    }

    private void initSequence(int sequence) {
        baseSequence = sequence;
        maxSequence = sequence;
        badSequence = SEQUENCE_MODULUS + 1; // so that sequence == badSequence is false
        cycles = 0;
        received = 0;
        receivedPrior = 0;
        expectedPrior = 0;
    }

    /** RFC 3550 A.1 update_seq. */
    private boolean updateSequence(int sequence) {
        int delta = (sequence - maxSequence) & 0xffff;
        if (probation > 0) {
            if (sequence == ((maxSequence + 1) & 0xffff)) {
                probation--;
                maxSequence = sequence;
                if (probation == 0) {
                    initSequence(sequence);
                    received++;
                    return true;
                }
            } else {
                probation = MIN_SEQUENTIAL - 1;
                maxSequence = sequence;
            }
            return false;
        } else if (delta < MAX_DROPOUT) {
            if (sequence < maxSequence) {
                cycles += SEQUENCE_MODULUS; // in order, with permissible gap, and wrapped
            }
            maxSequence = sequence;
        } else if (delta <= SEQUENCE_MODULUS - MAX_MISORDER) {
            if (sequence == badSequence) {
                // Two sequential packets after a big jump: the sender restarted, so do we.
                initSequence(sequence);
            } else {
                badSequence = (sequence + 1) & (SEQUENCE_MODULUS - 1);
                return false;
            }
        }
        // else: a duplicate or reordered packet, counted as received
        received++;
        return true;
    }

    /** RFC 3550 A.8, in 32-bit wrapping arithmetic like the RFC's. */
    private void updateJitter(long rtpTimestamp, long arrivalClockRate) {
        int packetTransit = (int) (arrivalClockRate - rtpTimestamp);
        if (!haveTransit) {
            haveTransit = true;
            transit = packetTransit;
            return;
        }
        long d = Math.abs((long) (packetTransit - transit));
        transit = packetTransit;
        jitterTimes16 += d - ((jitterTimes16 + 8) >> 4);
    }

    /**
     * Records a Sender Report from this source.
     *
     * @param arrivalMicros when it arrived, on the same clock as {@code nowMicros} given to the
     *                      writer (any monotonic microsecond clock)
     */
    public void onSenderReport(long ntpTimestamp, long arrivalMicros) {
        lastSenderReport = NtpTime.middle32(ntpTimestamp);
        lastSenderReportArrivalMicros = arrivalMicros;
        haveSenderReport = true;
    }

    /** Whether the source passed probation, so a report block about it means something. */
    public boolean isValid() {
        return started && probation == 0;
    }

    /** Received packets, duplicates included (A.1). */
    public long received() {
        return received;
    }

    /** The highest sequence number seen, extended with the wrap count; the RR carries its low 32 bits. */
    public long extendedHighestSequence() {
        return cycles + maxSequence;
    }

    /** Sequence-number wraps seen since the source was (re)initialised. */
    public long cycles() {
        return cycles / SEQUENCE_MODULUS;
    }

    /** Packets expected, from the first valid sequence number to the highest (A.3). */
    public long expected() {
        return isValid() ? extendedHighestSequence() - baseSequence + 1 : 0;
    }

    /** Expected minus received: negative when duplicates arrived. Unclamped; the RR clamps to 24 bits. */
    public long cumulativeLost() {
        return expected() - received;
    }

    /**
     * The fraction lost since the previous call, in 1/256 units (0 when nothing was lost or
     * duplicates outnumber losses), and starts the next interval (A.3). Call once per report.
     */
    public int takeFractionLost() {
        long expected = expected();
        long expectedInterval = expected - expectedPrior;
        expectedPrior = expected;
        long receivedInterval = received - receivedPrior;
        receivedPrior = received;
        long lostInterval = expectedInterval - receivedInterval;
        if (expectedInterval == 0 || lostInterval <= 0) {
            return 0;
        }
        return (int) Math.min(255, (lostInterval << 8) / expectedInterval);
    }

    /** Interarrival jitter in RTP clock units (A.8). */
    public long jitter() {
        return Math.min(jitterTimes16 >> 4, 0xffff_ffffL);
    }

    /** LSR: the middle 32 bits of the last SR's NTP timestamp; 0 before any SR. */
    public long lastSenderReport() {
        return haveSenderReport ? lastSenderReport : 0;
    }

    /** DLSR: time since the last SR arrived, in 1/65536 s; 0 before any SR. */
    public long delaySinceLastSenderReport(long nowMicros) {
        if (!haveSenderReport) {
            return 0;
        }
        long elapsed = Math.max(0, nowMicros - lastSenderReportArrivalMicros);
        if (elapsed >= MAX_DELAY_MICROS) {
            return 0xffff_ffffL;
        }
        return (elapsed << 16) / 1_000_000L;
    }
}
