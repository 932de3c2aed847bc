package io.virta.rtsp.rtp;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AnnexB;
import io.virta.rtsp.media.H264NalType;
import io.virta.rtsp.media.H265NalType;
import io.virta.rtsp.media.VideoCodec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The SDP lines that describe one H264 or H265 RTP stream ({@code a=rtpmap}, {@code a=fmtp} with
 * the parameter sets, RFC 6184 / RFC 7798), kept current from the stream's keyframes. Both the
 * RTSP server's DESCRIBE and the RTP sender's SDP file are written from it.
 *
 * <p>{@link #remember} allocates only when the parameter sets differ from the ones it holds, which
 * a camera does at its first keyframe and after a change of settings.
 */
public final class SdpFormat {
    private final VideoCodec codec;
    private final int payloadType;
    private volatile byte[][] parameterSets = new byte[0][];

    public SdpFormat(VideoCodec codec, int payloadType) {
        this.codec = codec;
        this.payloadType = payloadType;
    }

    public VideoCodec codec() {
        return codec;
    }

    /** Whether a keyframe gave parameter sets yet. */
    public boolean known() {
        return parameterSets.length > 0;
    }

    /** Takes the parameter sets in front of a keyframe; true when they differ from the ones held. */
    public boolean remember(AccessUnit unit) {
        ByteBuffer data = unit.data();
        int end = unit.size();
        if (known() && sameAsHeld(data, end)) {
            return false;
        }
        List<byte[]> found = new ArrayList<>();
        for (int s = AnnexB.nextNalStart(data, 0, end); s >= 0; ) {
            int e = AnnexB.nalEnd(data, s, end);
            if (e > s && isParameterSet(data.get(s))) {
                byte[] nal = new byte[e - s];
                data.get(s, nal);
                found.add(nal);
            }
            s = AnnexB.nextNalStart(data, e, end);
        }
        if (found.isEmpty()) {
            return false;
        }
        parameterSets = found.toArray(new byte[0][]);
        return true;
    }

    /** Compares in place, without copying: the common case is a keyframe repeating the sets held. */
    private boolean sameAsHeld(ByteBuffer data, int end) {
        byte[][] held = parameterSets;
        int matched = 0;
        for (int s = AnnexB.nextNalStart(data, 0, end); s >= 0; ) {
            int e = AnnexB.nalEnd(data, s, end);
            if (e > s && isParameterSet(data.get(s))) {
                if (matched == held.length || !equal(held[matched], data, s, e)) {
                    return false;
                }
                matched++;
            }
            s = AnnexB.nextNalStart(data, e, end);
        }
        return matched == held.length;
    }

    private static boolean equal(byte[] nal, ByteBuffer data, int start, int end) {
        if (nal.length != end - start) {
            return false;
        }
        for (int i = 0; i < nal.length; i++) {
            if (nal[i] != data.get(start + i)) {
                return false;
            }
        }
        return true;
    }

    private boolean isParameterSet(byte header) {
        return codec.nalType(header).isParameterSet();
    }

    /** {@code a=rtpmap} and, once parameter sets are known, {@code a=fmtp}, each ending in CRLF. */
    public String attributes() {
        StringBuilder sdp = new StringBuilder();
        sdp.append("a=rtpmap:").append(payloadType).append(' ').append(codec.rtpEncodingName).append('/')
                .append(codec.clockRate).append("\r\n");
        byte[][] sets = parameterSets;
        List<String> fmtp = new ArrayList<>();
        if (codec == VideoCodec.H264) {
            fmtp.add("packetization-mode=1");
            String profile = null;
            List<String> encoded = new ArrayList<>();
            for (byte[] nal : sets) {
                if (H264NalType.ofHeader(nal[0]) == H264NalType.SPS && nal.length >= 4) {
                    profile = String.format("%02X%02X%02X", nal[1], nal[2], nal[3]);
                }
                encoded.add(Base64.getEncoder().encodeToString(nal));
            }
            if (profile != null) {
                fmtp.add("profile-level-id=" + profile);
            }
            if (!encoded.isEmpty()) {
                fmtp.add("sprop-parameter-sets=" + String.join(",", encoded));
            }
        } else {
            String[] names = {"sprop-vps", "sprop-sps", "sprop-pps"};
            for (byte[] nal : sets) {
                int rank = H265NalType.ofHeader(nal[0]).role().parameterSetRank();
                fmtp.add(names[rank] + "=" + Base64.getEncoder().encodeToString(nal));
            }
        }
        if (!fmtp.isEmpty()) {
            sdp.append("a=fmtp:").append(payloadType).append(' ').append(String.join(";", fmtp)).append("\r\n");
        }
        return sdp.toString();
    }
}
