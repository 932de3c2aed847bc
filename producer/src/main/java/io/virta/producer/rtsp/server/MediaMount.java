package io.virta.producer.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.virta.producer.media.AccessUnit;
import io.virta.producer.media.AnnexB;
import io.virta.producer.media.VideoCodec;
import io.virta.producer.rtp.NalPacketizer;
import io.virta.producer.rtp.h264.H264Packetizer;
import io.virta.producer.rtp.h265.H265Packetizer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One stream the server offers at {@code rtsp://host:port/<path>}. The source calls
 * {@link #publish} for each access unit, from its own thread.
 */
public final class MediaMount {
    static final int PAYLOAD_TYPE = 96;

    private final String path;
    private final VideoCodec codec;
    private final NalPacketizer packetizer;
    private final List<ServerSession> playing = new CopyOnWriteArrayList<>();
    private final List<ByteBuf> packets = new ArrayList<>();
    private final io.virta.producer.rtp.RtpPacketSink collect = (packet, last) -> packets.add(packet);
    private volatile byte[][] parameterSets = new byte[0][];

    public MediaMount(String path, VideoCodec codec) {
        this.path = path;
        this.codec = codec;
        int ssrc = ThreadLocalRandom.current().nextInt();
        int firstSequence = ThreadLocalRandom.current().nextInt(65536);
        this.packetizer = codec == VideoCodec.H264
                ? new H264Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, firstSequence)
                : new H265Packetizer(PooledByteBufAllocator.DEFAULT, PAYLOAD_TYPE, ssrc, firstSequence);
    }

    public String path() {
        return path;
    }

    public VideoCodec codec() {
        return codec;
    }

    public int clients() {
        return playing.size();
    }

    /** Sends {@code unit} to every playing client. Call from one thread at a time. */
    public void publish(AccessUnit unit) {
        if (unit.isKeyframe()) {
            rememberParameterSets(unit);
        }
        if (playing.isEmpty()) {
            return;
        }
        packets.clear();
        packetizer.packetize(unit, unit.rtpTimestamp(), collect);
        for (ServerSession session : playing) {
            session.deliver(packets, unit.isKeyframe());
        }
        for (ByteBuf packet : packets) {
            packet.release();
        }
        packets.clear();
    }

    void play(ServerSession session) {
        playing.add(session);
    }

    void stop(ServerSession session) {
        playing.remove(session);
    }

    /** The SDP media section for DESCRIBE. */
    String sdpMedia() {
        StringBuilder sdp = new StringBuilder();
        sdp.append("m=video 0 RTP/AVP ").append(PAYLOAD_TYPE).append("\r\n");
        sdp.append("a=rtpmap:").append(PAYLOAD_TYPE).append(' ').append(codec.rtpEncodingName).append('/')
                .append(codec.clockRate).append("\r\n");
        byte[][] sets = parameterSets;
        List<String> fmtp = new ArrayList<>();
        if (codec == VideoCodec.H264) {
            fmtp.add("packetization-mode=1");
            String sps = null;
            List<String> encoded = new ArrayList<>();
            for (byte[] nal : sets) {
                int type = nal[0] & 0x1f;
                if (type == 7 && nal.length >= 4) {
                    sps = String.format("%02X%02X%02X", nal[1], nal[2], nal[3]);
                }
                encoded.add(Base64.getEncoder().encodeToString(nal));
            }
            if (sps != null) {
                fmtp.add("profile-level-id=" + sps);
            }
            if (!encoded.isEmpty()) {
                fmtp.add("sprop-parameter-sets=" + String.join(",", encoded));
            }
        } else {
            String[] names = {"sprop-vps", "sprop-sps", "sprop-pps"};
            for (byte[] nal : sets) {
                int type = (nal[0] >> 1) & 0x3f;
                if (type >= 32 && type <= 34) {
                    fmtp.add(names[type - 32] + "=" + Base64.getEncoder().encodeToString(nal));
                }
            }
        }
        if (!fmtp.isEmpty()) {
            sdp.append("a=fmtp:").append(PAYLOAD_TYPE).append(' ').append(String.join(";", fmtp)).append("\r\n");
        }
        sdp.append("a=control:track1\r\n");
        return sdp.toString();
    }

    private void rememberParameterSets(AccessUnit unit) {
        ByteBuffer data = unit.data();
        int end = unit.size();
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
        if (!found.isEmpty() && !sameAs(found)) {
            parameterSets = found.toArray(new byte[0][]);
        }
    }

    private boolean sameAs(List<byte[]> found) {
        byte[][] current = parameterSets;
        if (current.length != found.size()) {
            return false;
        }
        for (int i = 0; i < current.length; i++) {
            if (!java.util.Arrays.equals(current[i], found.get(i))) {
                return false;
            }
        }
        return true;
    }

    private boolean isParameterSet(byte header) {
        if (codec == VideoCodec.H264) {
            int type = header & 0x1f;
            return type == 7 || type == 8;
        }
        int type = (header >> 1) & 0x3f;
        return type >= 32 && type <= 34;
    }
}
