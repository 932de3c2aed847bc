package io.virta.rtsp.server;

import io.netty.buffer.ByteBuf;
import io.virta.rtsp.fanout.Delivery;

/**
 * The RTP packets of one access unit, as handed to an event loop: references to the packetizer's
 * pooled buffers. The array is reused and grows only when a unit has more packets than any before.
 */
final class PacketBatch extends Delivery<PacketBatch> {
    private ByteBuf[] packets = new ByteBuf[16];
    private int count;
    private boolean keyframe;

    /** Publisher: adds a packet whose reference this batch now owns. */
    void add(ByteBuf packet) {
        if (count == packets.length) {
            packets = java.util.Arrays.copyOf(packets, count * 2);
        }
        packets[count++] = packet;
    }

    void keyframe(boolean keyframe) {
        this.keyframe = keyframe;
    }

    @Override
    public boolean keyframe() {
        return keyframe;
    }

    int count() {
        return count;
    }

    /** The {@code i}th packet; its indices are shared, so readers write a duplicate of it. */
    ByteBuf packet(int i) {
        return packets[i];
    }

    @Override
    protected void share(PacketBatch source) {
        if (packets.length < source.count) {
            packets = new ByteBuf[source.packets.length];
        }
        for (int i = 0; i < source.count; i++) {
            packets[i] = source.packets[i].retain();
        }
        count = source.count;
        keyframe = source.keyframe;
    }

    @Override
    protected void release() {
        for (int i = 0; i < count; i++) {
            packets[i].release();
            packets[i] = null;
        }
        count = 0;
    }
}
