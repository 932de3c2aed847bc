package io.virta.producer.decode;

import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static io.virta.producer.decode.FfmpegStructs.NATIVE;

/**
 * Publishes access units, still encoded, into an ENCODED bus channel: one unit per cell, Annex-B,
 * with its codec, keyframe flag and times; for recorders and re-streamers that want the camera's
 * own bitstream. The one copy is the unit into the cell (the unit lives only during the call).
 *
 * <p>A unit larger than the cell's capacity is skipped and counted, and the next published one is
 * marked DISCONTINUITY; so is the first unit after a gap in the units' sequence numbers.
 */
public final class EncodedPublisher implements AccessUnitListener {
    private final ChannelWriter writer;
    private int streamId;
    private long lastSequence;
    private boolean pendingDiscontinuity;
    private final DirectBufferSlots buffers = new DirectBufferSlots();
    private long published;
    private long skipped;

    /** @throws IllegalArgumentException if {@code writer}'s channel is not an ENCODED channel */
    public EncodedPublisher(ChannelWriter writer) {
        if (writer.spec().type() != ChannelType.ENCODED) {
            throw new IllegalArgumentException("channel '" + writer.name() + "' carries " + writer.spec().type()
                    + ": the encoded publisher needs an ENCODED channel");
        }
        this.writer = writer;
    }

    /** The producer's stream (camera) number, written into each frame's metadata. */
    public EncodedPublisher streamId(int streamId) {
        this.streamId = streamId;
        return this;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        long sequence = unit.sequence();
        if (sequence != 0 && lastSequence != 0 && sequence != lastSequence + 1) {
            pendingDiscontinuity = true;
        }
        lastSequence = sequence;
        int size = unit.size();
        if (size <= 0 || size > writer.capacity()) {
            skipped++;
            pendingDiscontinuity = true;
            return;
        }
        ByteBuffer data = unit.data();
        int slot = buffers.find(data);
        if (slot < 0) {
            slot = buffers.claim(data);
        }
        WritableFrame cell = writer.claim();
        MemorySegment.copy(NATIVE, buffers.address(slot), cell.payload(), 0, size);
        cell.payloadSize(size)
                .format(unit.codec() == VideoCodec.H265 ? PixelFormat.H265 : PixelFormat.H264)
                .keyframe(unit.isKeyframe())
                .damaged(unit.isDamaged())
                .discontinuity(pendingDiscontinuity)
                .streamId(streamId)
                .captureTimeMicros(unit.captureTimeMicros())
                .arrivalTimeMicros(unit.arrivalTimeMicros());
        writer.commit();
        pendingDiscontinuity = false;
        published++;
    }

    /** Units committed to the channel. */
    public long published() {
        return published;
    }

    /** Units skipped because they were empty or do not fit a cell. */
    public long skipped() {
        return skipped;
    }
}
