package io.virta.producer.mux.fmp4;

import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import io.virta.producer.media.AccessUnit;
import io.virta.producer.media.AccessUnitListener;

import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;

/**
 * Publishes a camera's access units as fragmented MP4 into an FMP4 bus channel, one box group per
 * cell: the init segment (ftyp+moov; flags FIRST, boxType {@code ftyp}) and then one moof+mdat
 * fragment per unit (boxType {@code moof}, KEYFRAME on sync samples). Boxes are written straight
 * into the cell: no copy besides the NAL units themselves, nothing allocated per unit.
 *
 * <p>The init segment is published again in front of every keyframe fragment. A reader that
 * attaches late therefore needs nothing cached elsewhere: it waits for the next FIRST cell, which
 * is followed by a keyframe, as a decoder needs anyway. The cost is one init segment (well under a
 * kilobyte) per GOP. After lost units (a gap in their sequence numbers, or a fragment too large for
 * a cell) nothing is published until the next keyframe, whose cells carry DISCONTINUITY.
 */
public final class Fmp4Publisher implements AccessUnitListener {
    private static final Logger LOG = Logger.getLogger(Fmp4Publisher.class.getName());
    private static final byte[] FTYP = "ftyp".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MOOF = "moof".getBytes(StandardCharsets.US_ASCII);

    private final ChannelWriter writer;
    private final Fmp4Muxer muxer = new Fmp4Muxer();
    private int streamId;
    private long lastSequence;
    private boolean waitingForKeyframe = true;
    private boolean pendingDiscontinuity;
    private long published;
    private long skipped;
    private long initSegments;
    private String lastRefusalLogged;

    /** @throws IllegalArgumentException if {@code writer}'s channel is not an FMP4 channel */
    public Fmp4Publisher(ChannelWriter writer) {
        if (writer.spec().type() != ChannelType.FMP4) {
            throw new IllegalArgumentException("channel '" + writer.name() + "' carries " + writer.spec().type()
                    + ": the fMP4 publisher needs an FMP4 channel");
        }
        this.writer = writer;
    }

    /** The producer's stream (camera) number, written into each cell's metadata. */
    public Fmp4Publisher streamId(int streamId) {
        this.streamId = streamId;
        return this;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        long sequence = unit.sequence();
        if (sequence != 0 && lastSequence != 0 && sequence != lastSequence + 1) {
            loseUntilKeyframe();
        }
        lastSequence = sequence;
        if (!muxer.accept(unit)) {
            skipped++;
            String reason = muxer.lastRefusal();
            if (!reason.equals(lastRefusalLogged)) {
                lastRefusalLogged = reason;
                LOG.info(() -> writer.name() + ": unit not muxed: " + reason);
            }
            return;
        }
        boolean parametersChanged = muxer.takeParameterSetsChanged();
        if (!muxer.isKeyframe() && (waitingForKeyframe || parametersChanged)) {
            // Fragments must follow an init segment that describes them and start at a keyframe.
            waitingForKeyframe = true;
            skipped++;
            return;
        }
        long fragmentSize = muxer.fragmentSize();
        if (fragmentSize > writer.capacity() || muxer.isKeyframe() && muxer.initSize() > writer.capacity()) {
            skipped++;
            loseUntilKeyframe();
            return;
        }
        if (muxer.isKeyframe()) {
            WritableFrame init = writer.claim();
            int size = muxer.writeInit(init.payload(), 0);
            metadata(init, unit, size, false).first(true).boxType(FTYP);
            writer.commit();
            initSegments++;
        }
        WritableFrame cell = writer.claim();
        long size = muxer.writeFragment(cell.payload(), 0);
        metadata(cell, unit, size, muxer.isKeyframe()).boxType(MOOF);
        writer.commit();
        waitingForKeyframe = false;
        pendingDiscontinuity = false;
        published++;
    }

    private WritableFrame metadata(WritableFrame cell, AccessUnit unit, long size, boolean keyframe) {
        return cell.payloadSize(size).format(PixelFormat.FMP4).size(muxer.width(), muxer.height())
                .keyframe(keyframe).discontinuity(pendingDiscontinuity).streamId(streamId)
                .captureTimeMicros(unit.captureTimeMicros()).arrivalTimeMicros(unit.arrivalTimeMicros());
    }

    private void loseUntilKeyframe() {
        waitingForKeyframe = true;
        pendingDiscontinuity = true;
    }

    /** Fragments committed (init segments not counted). */
    public long published() {
        return published;
    }

    /** Init segments committed. */
    public long initSegments() {
        return initSegments;
    }

    /** Units not published: refused by the muxer, waiting for a keyframe, or too large for a cell. */
    public long skipped() {
        return skipped;
    }

    public Fmp4Muxer muxer() {
        return muxer;
    }
}
