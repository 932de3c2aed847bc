package io.virta.rtsp.rtp.h264;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AccessUnitAssembler;
import io.virta.rtsp.rtp.AccessUnitAssembler.NalRole;
import io.virta.rtsp.rtp.LossPolicy;
import io.virta.rtsp.rtp.NalDepacketizer;
import io.virta.rtsp.rtp.DepacketizerError;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Turns an H264 RTP stream (RFC 6184, packetization-mode 0 or 1) into access units in Annex-B form.
 *
 * <pre>
 *   var depacketizer = new H264Depacketizer(unit -&gt; decoder.decode(unit),
 *           H264Depacketizer.DEFAULT_MAX_ACCESS_UNIT_SIZE, spropParameterSets);
 *   var reorderer = new Reorderer(64, 30_000_000, depacketizer);   // UDP; over TCP feed it directly
 *   // per datagram:
 *   depacketizer.setArrivalTimeMicros(nowMicros);
 *   if (packet.wrap(datagram)) reorderer.offer(packet, System.nanoTime());
 * </pre>
 *
 * <p>Handles single NAL unit packets, STAP-A (24) and FU-A (28). The interleaved-mode types (STAP-B,
 * MTAP16, MTAP24, FU-B) are counted as {@link DepacketizerError#UNSUPPORTED_PACKET_TYPE} and their unit
 * dropped. Packets must come in sequence order ({@link io.virta.rtsp.rtp.Reorderer} does that);
 * what happens to units on loss, at boundaries and with SPS/PPS is described in
 * {@link AccessUnitAssembler}. Emitted units carry the unwrapped RTP timestamp, the arrival time of
 * their last packet, {@code keyframe} for IDR pictures (which always include SPS and PPS), and a
 * capture time of 0 for the session to fill in.
 *
 * <p>Nothing is allocated per packet. Use it from one thread.
 */
public final class H264Depacketizer extends NalDepacketizer {

    private static final int STAP_A = 24;
    private static final int STAP_B = 25;
    private static final int MTAP16 = 26;
    private static final int MTAP24 = 27;
    private static final int FU_A = 28;
    private static final int FU_B = 29;
    private static final int SLICE_IDR = 5;
    private static final int SPS = 7;
    private static final int PPS = 8;
    private static final int AUD = 9;

    public H264Depacketizer(AccessUnitListener listener) {
        this(listener, DEFAULT_MAX_ACCESS_UNIT_SIZE, List.of());
    }

    /**
     * @param maxAccessUnitSize  the largest access unit, reserved up front; larger ones are dropped
     * @param parameterSets      SPS and PPS from the SDP's {@code sprop-parameter-sets}, base64-decoded;
     *                           see {@link #setParameterSets}
     */
    public H264Depacketizer(AccessUnitListener listener, int maxAccessUnitSize, List<byte[]> parameterSets) {
        this(listener, maxAccessUnitSize, parameterSets, LossPolicy.DROP);
    }

    /** @param lossPolicy what happens to units that packet loss touched */
    public H264Depacketizer(AccessUnitListener listener, int maxAccessUnitSize, List<byte[]> parameterSets,
            LossPolicy lossPolicy) {
        this(listener, AccessUnitAssembler.allocateUnit(maxAccessUnitSize), parameterSets, lossPolicy);
    }

    /**
     * Assembles into {@code unit}, whose buffer's capacity is the largest access unit: a camera passes
     * the same unit to the depacketizer of each new session, so that a reconnect allocates nothing big.
     *
     * @param lossPolicy what happens to units that packet loss touched
     */
    public H264Depacketizer(AccessUnitListener listener, AccessUnit unit, List<byte[]> parameterSets,
            LossPolicy lossPolicy) {
        super(VideoCodec.H264, unit, lossPolicy, listener);
        setParameterSets(parameterSets);
    }

    @Override
    protected NalRole parameterSetRole(byte header) {
        if ((header & 0x80) != 0) {
            return null;
        }
        int type = header & 0x1f;
        return type == SPS ? NalRole.SEQUENCE_PARAMETER_SET : type == PPS ? NalRole.PICTURE_PARAMETER_SET : null;
    }

    @Override
    protected String parameterSetKinds() {
        return "an SPS (type 7) or PPS (type 8)";
    }

    @Override
    protected int nalHeaderLength() {
        return 1;
    }

    @Override
    protected void parsePayload(ByteBuffer buffer, int offset, int length) {
        if (length == 0) {
            assembler.error(DepacketizerError.EMPTY_PAYLOAD);
            return;
        }
        int header = buffer.get(offset) & 0xff;
        if ((header & 0x80) != 0) {
            assembler.error(DepacketizerError.FORBIDDEN_BIT_SET);
            return;
        }
        int type = header & 0x1f;
        switch (type) {
            case STAP_A -> parseStapA(buffer, offset + 1, offset + length);
            case FU_A -> parseFuA(buffer, offset, length);
            case STAP_B, MTAP16, MTAP24, FU_B -> assembler.error(DepacketizerError.UNSUPPORTED_PACKET_TYPE);
            case 0, 30, 31 -> assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
            default -> assembler.completeNal(buffer, offset, length, roleOf(type),
                    startsPicture(type, buffer, offset + 1, offset + length));
        }
    }

    /** STAP-A: [16-bit size][NAL unit] repeated. Checked whole before anything is taken from it. */
    private void parseStapA(ByteBuffer buffer, int position, int end) {
        if (position == end) {
            assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
            return;
        }
        for (int at = position; at < end; ) {
            if (end - at < 2) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            int size = u16(buffer, at);
            at += 2;
            if (size == 0 || size > end - at) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            int header = buffer.get(at) & 0xff;
            if ((header & 0x80) != 0) {
                assembler.error(DepacketizerError.FORBIDDEN_BIT_SET);
                return;
            }
            int type = header & 0x1f;
            if (type >= STAP_A && type <= FU_B) {
                assembler.error(DepacketizerError.MALFORMED_AGGREGATION);
                return;
            }
            at += size;
        }
        for (int at = position; at < end; ) {
            int size = u16(buffer, at);
            at += 2;
            int type = buffer.get(at) & 0x1f;
            if (type == 0 || type >= 30) {
                assembler.error(DepacketizerError.IGNORED_NAL_TYPE);
            } else {
                assembler.completeNal(buffer, at, size, roleOf(type), startsPicture(type, buffer, at + 1, at + size));
            }
            at += size;
        }
    }

    /** FU-A: FU indicator (F, NRI, 28), FU header (S, E, R, type), then a piece of the NAL unit's body. */
    private void parseFuA(ByteBuffer buffer, int offset, int length) {
        if (length < 2) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int indicator = buffer.get(offset) & 0xff;
        int fuHeader = buffer.get(offset + 1) & 0xff;
        boolean start = (fuHeader & 0x80) != 0;
        boolean end = (fuHeader & 0x40) != 0;
        int type = fuHeader & 0x1f;
        if (type == 0 || type >= STAP_A) {
            assembler.error(DepacketizerError.MALFORMED_FRAGMENT);
            return;
        }
        int data = offset + 2;
        int dataEnd = offset + length;
        if (start) {
            assembler.beginFragmentedNal((indicator & 0xe0) | type, 1, roleOf(type),
                    startsPicture(type, buffer, data, dataEnd));
        } else if (!assembler.fragmentOpen()) {
            assembler.error(DepacketizerError.FRAGMENT_WITHOUT_START);
            return;
        } else if ((assembler.openFragmentHeader() & 0x1f) != type) {
            assembler.error(DepacketizerError.FRAGMENT_TYPE_MISMATCH);
            return;
        }
        assembler.appendFragment(buffer, data, dataEnd - data);
        if (end) {
            assembler.endFragmentedNal();
        }
    }

    private static NalRole roleOf(int type) {
        return switch (type) {
            case 1, 2, 3, 4 -> NalRole.SLICE;
            case SLICE_IDR -> NalRole.KEYFRAME_SLICE;
            case SPS -> NalRole.SEQUENCE_PARAMETER_SET;
            case PPS -> NalRole.PICTURE_PARAMETER_SET;
            case AUD -> NalRole.ACCESS_UNIT_DELIMITER;
            default -> NalRole.OTHER;
        };
    }

    /**
     * Whether a slice is its picture's first: first_mb_in_slice, the slice header's first field, is
     * ue(v)-coded, so it is 0 exactly when the first bit after the NAL header is 1.
     */
    private static boolean startsPicture(int type, ByteBuffer buffer, int bodyStart, int end) {
        boolean startsWithFirstMb = type == 1 || type == 2 || type == SLICE_IDR;
        return startsWithFirstMb && bodyStart < end && (buffer.get(bodyStart) & 0x80) != 0;
    }

    private static int u16(ByteBuffer buffer, int index) {
        return ((buffer.get(index) & 0xff) << 8) | (buffer.get(index + 1) & 0xff);
    }
}
