package io.virta.rtsp.rtp.h264;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.H264NalType;
import io.virta.rtsp.media.NalUnitType;
import io.virta.rtsp.media.VideoCodec;
import io.virta.rtsp.rtp.AccessUnitAssembler;
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
        super(VideoCodec.H264, H264NalType.STAP_A, H264NalType.FU_A, unit, lossPolicy, listener);
        setParameterSets(parameterSets);
    }

    @Override
    protected String parameterSetKinds() {
        return "an SPS (type " + H264NalType.SPS.value() + ") or PPS (type " + H264NalType.PPS.value() + ")";
    }

    /** The FU header's type field sits where the NAL header's does. */
    @Override
    protected H264NalType fragmentedType(int fuHeader) {
        return H264NalType.ofHeader(fuHeader);
    }

    /** The FU indicator's F and NRI bits with the fragmented NAL unit's type. */
    @Override
    protected int fragmentedNalHeader(ByteBuffer buffer, int offset, NalUnitType type) {
        return (buffer.get(offset) & H264NalType.F_AND_NRI_MASK) | type.value();
    }
}
