package io.virta.producer.rtp;

import io.virta.producer.media.AccessUnitListener;
import io.virta.producer.media.VideoCodec;

import java.nio.ByteBuffer;

/**
 * What the H264 and H265 depacketizers share: the packet loop around an {@link AccessUnitAssembler}.
 * A subclass parses its codec's payload formats and knows its parameter sets.
 */
public abstract class NalDepacketizer implements RtpPacketHandler {
    public static final int DEFAULT_MAX_ACCESS_UNIT_SIZE = 4 << 20;

    protected final AccessUnitAssembler assembler;

    protected NalDepacketizer(VideoCodec codec, int maxAccessUnitSize, AccessUnitListener listener) {
        this.assembler = new AccessUnitAssembler(codec, maxAccessUnitSize, listener);
    }

    /** The arrival time (µs since the Unix epoch) to give units completed by the next packets. */
    public void setArrivalTimeMicros(long micros) {
        assembler.setArrivalTimeMicros(micros);
    }

    @Override
    public void onPacket(RtpPacket packet) {
        assembler.beginPacket(packet.sequenceNumber(), packet.timestamp());
        parsePayload(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        assembler.endPacket(packet.marker());
    }

    @Override
    public void onLoss(int packetsLost) {
        assembler.onLoss();
    }

    /** Emits the unit in progress if it is complete: at the end of a stream whose camera never sets the marker. */
    public void flush() {
        assembler.flush();
    }

    public DepacketizerCounters counters() {
        return assembler.counters();
    }

    /** True from the start and after a loss, until a keyframe is emitted. */
    public boolean waitingForKeyframe() {
        return assembler.waitingForKeyframe();
    }

    /** Parses one packet's payload, {@code length} bytes at {@code offset}, into the assembler. */
    protected abstract void parsePayload(ByteBuffer buffer, int offset, int length);

    /** Index of the NAL header in a parameter set given with or without an Annex-B start code. */
    protected static int afterStartCode(byte[] nal) {
        if (nal.length >= 4 && nal[0] == 0 && nal[1] == 0 && nal[2] == 0 && nal[3] == 1) {
            return 4;
        }
        if (nal.length >= 3 && nal[0] == 0 && nal[1] == 0 && nal[2] == 1) {
            return 3;
        }
        return 0;
    }
}
