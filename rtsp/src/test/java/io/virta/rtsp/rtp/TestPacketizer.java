package io.virta.rtsp.rtp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-only RTP packetizer (RFC 6184 non-interleaved / RFC 7798 without DONL). Small NAL units that
 * fit together go in one aggregation packet (STAP-A / AP), a NAL unit alone in a packet goes as a single
 * NAL unit packet, and larger ones are split into fragmentation units (FU-A / FU). The last packet of
 * each access unit has the marker bit.
 */
public final class TestPacketizer {
    private final int headerLength;
    private final int maxPayload;
    private int sequenceNumber;

    private TestPacketizer(int headerLength, int maxPayload, int firstSequenceNumber) {
        this.headerLength = headerLength;
        this.maxPayload = maxPayload;
        this.sequenceNumber = firstSequenceNumber & 0xffff;
    }

    public static TestPacketizer h264(int maxPayload, int firstSequenceNumber) {
        return new TestPacketizer(1, maxPayload, firstSequenceNumber);
    }

    public static TestPacketizer h265(int maxPayload, int firstSequenceNumber) {
        return new TestPacketizer(2, maxPayload, firstSequenceNumber);
    }

    /** The packets of one access unit. */
    public List<ByteBuffer> packetize(List<byte[]> nals, long timestamp) {
        List<byte[]> payloads = new ArrayList<>();
        List<byte[]> pending = new ArrayList<>();
        int pendingSize = headerLength;
        for (byte[] nal : nals) {
            if (nal.length > maxPayload) {
                flush(pending, payloads);
                pendingSize = headerLength;
                fragment(nal, payloads);
            } else if (pendingSize + 2 + nal.length <= maxPayload) {
                pending.add(nal);
                pendingSize += 2 + nal.length;
            } else {
                flush(pending, payloads);
                pending.add(nal);
                pendingSize = headerLength + 2 + nal.length;
            }
        }
        flush(pending, payloads);
        List<ByteBuffer> packets = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            packets.add(RtpPackets.packet(sequenceNumber, timestamp, i == payloads.size() - 1, payloads.get(i)));
            sequenceNumber = (sequenceNumber + 1) & 0xffff;
        }
        return packets;
    }

    private void flush(List<byte[]> pending, List<byte[]> payloads) {
        if (pending.size() == 1) {
            payloads.add(pending.getFirst());
        } else if (pending.size() > 1) {
            payloads.add(aggregate(pending));
        }
        pending.clear();
    }

    /** STAP-A / AP: an aggregation header carrying the highest NRI (H264) or lowest TID (H265), then sizes and units. */
    public byte[] aggregate(List<byte[]> nals) {
        ByteBuffer out = ByteBuffer.allocate(headerLength + nals.stream().mapToInt(n -> 2 + n.length).sum());
        if (headerLength == 1) {
            int nri = 0;
            for (byte[] nal : nals) {
                nri = Math.max(nri, nal[0] & 0x60);
            }
            out.put((byte) (nri | 24));
        } else {
            int tid = 7;
            for (byte[] nal : nals) {
                tid = Math.min(tid, nal[1] & 0x07);
            }
            out.put((byte) (48 << 1)).put((byte) tid);
        }
        for (byte[] nal : nals) {
            out.putShort((short) nal.length).put(nal);
        }
        return out.array();
    }

    /** FU-A / FU packets for one NAL unit. */
    public void fragment(byte[] nal, List<byte[]> payloads) {
        int fuOverhead = headerLength + 1;
        int chunk = maxPayload - fuOverhead;
        for (int at = headerLength; at < nal.length; at += chunk) {
            int length = Math.min(chunk, nal.length - at);
            boolean start = at == headerLength;
            boolean end = at + length == nal.length;
            ByteBuffer out = ByteBuffer.allocate(fuOverhead + length);
            if (headerLength == 1) {
                out.put((byte) ((nal[0] & 0xe0) | 28));
                out.put((byte) ((start ? 0x80 : 0) | (end ? 0x40 : 0) | (nal[0] & 0x1f)));
            } else {
                int type = (nal[0] >> 1) & 0x3f;
                out.put((byte) ((nal[0] & 0x81) | (49 << 1))).put(nal[1]);
                out.put((byte) ((start ? 0x80 : 0) | (end ? 0x40 : 0) | type));
            }
            out.put(nal, at, length);
            payloads.add(out.array());
        }
    }

    public int nextSequenceNumber() {
        return sequenceNumber;
    }
}
