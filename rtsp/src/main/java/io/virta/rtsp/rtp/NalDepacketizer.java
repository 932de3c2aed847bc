package io.virta.rtsp.rtp;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the H264 and H265 depacketizers share: the packet loop around an {@link AccessUnitAssembler}.
 * A subclass parses its codec's payload formats and knows its parameter sets.
 */
public abstract class NalDepacketizer implements RtpPacketHandler {
    public static final int DEFAULT_MAX_ACCESS_UNIT_SIZE = 4 << 20;

    protected final AccessUnitAssembler assembler;

    /** Assembles into {@code unit}, reused across sessions: see {@link AccessUnitAssembler#AccessUnitAssembler(VideoCodec, AccessUnit, LossPolicy, AccessUnitListener)}. */
    protected NalDepacketizer(VideoCodec codec, AccessUnit unit, LossPolicy lossPolicy, AccessUnitListener listener) {
        this.assembler = new AccessUnitAssembler(codec, unit, lossPolicy, listener);
    }

    /**
     * Seeds the remembered parameter sets (from the SDP), used for keyframes that arrive without
     * them. Each entry is one NAL unit, with or without a leading Annex-B start code.
     *
     * @throws IllegalArgumentException naming the entry, if one is too short or not a parameter set
     *                                  of this codec; then none is taken
     */
    public final void setParameterSets(List<byte[]> parameterSets) {
        if (parameterSets == null) {
            throw new IllegalArgumentException("parameterSets is null (pass an empty list)");
        }
        for (int i = 0; i < parameterSets.size(); i++) {
            byte[] nal = parameterSets.get(i);
            int start = nal == null ? 0 : afterStartCode(nal);
            if (nal == null || nal.length - start < nalHeaderLength()) {
                throw new IllegalArgumentException("parameter set " + i + " is shorter than the " + nalHeaderLength()
                        + "-byte NAL header");
            }
            if (parameterSetRole(nal[start]) == null) {
                throw new IllegalArgumentException("parameter set " + i + ": NAL header byte 0x"
                        + Integer.toHexString(nal[start] & 0xff) + " is not " + parameterSetKinds());
            }
        }
        for (byte[] nal : parameterSets) {
            int start = afterStartCode(nal);
            assembler.rememberParameterSet(parameterSetRole(nal[start]), nal, start, nal.length - start);
        }
    }

    /** The role of a parameter set whose NAL header starts with {@code header}; null if it is none. */
    protected abstract AccessUnitAssembler.NalRole parameterSetRole(byte header);

    /** For messages: the parameter sets of this codec, e.g. "an SPS (type 7) or PPS (type 8)". */
    protected abstract String parameterSetKinds();

    /** 1 for H264, 2 for H265. */
    protected abstract int nalHeaderLength();

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
    private static int afterStartCode(byte[] nal) {
        if (nal.length >= 4 && nal[0] == 0 && nal[1] == 0 && nal[2] == 0 && nal[3] == 1) {
            return 4;
        }
        if (nal.length >= 3 && nal[0] == 0 && nal[1] == 0 && nal[2] == 1) {
            return 3;
        }
        return 0;
    }
}
