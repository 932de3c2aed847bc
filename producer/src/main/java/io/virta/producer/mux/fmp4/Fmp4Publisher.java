package io.virta.producer.mux.fmp4;

import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.PixelFormat;
import io.virta.bus.WritableFrame;
import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.AccessUnitListener;

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
 *
 * <p>With {@link #fragmentMillis} above 0 a fragment gathers units until they span that long, and
 * a keyframe always starts a new one (see {@link Fmp4FragmentBuilder}): fewer, larger cells for
 * recorders, at the cost of that much latency. A fragment closes when the unit after it arrives,
 * so the samples still gathered when the stream ends are published only by {@link #flush}.
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
    /** Null for one fragment per unit. */
    private Fmp4FragmentBuilder gathered;
    private long fragmentTicks;
    private long fragmentCaptureMicros;
    private long fragmentArrivalMicros;
    private boolean fragmentDiscontinuity;
    /** A unit of the gathered fragment is damaged (packet loss): the whole cell is flagged. */
    private boolean fragmentDamaged;

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

    /**
     * Fragments of {@code millis} of samples instead of one per unit (0, the default); reserves a
     * cell's capacity of memory to gather them in.
     */
    public Fmp4Publisher fragmentMillis(int millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("fragmentMillis " + millis + " is negative; 0 means a fragment per unit");
        }
        gathered = millis == 0 ? null : new Fmp4FragmentBuilder(writer.capacity());
        fragmentTicks = (long) millis * Fmp4Muxer.TIMESCALE / 1000;
        return this;
    }

    @Override
    public void onAccessUnit(AccessUnit unit) {
        long sequence = unit.sequence();
        if (sequence != 0 && lastSequence != 0 && sequence != lastSequence + 1) {
            publishGathered(Long.MIN_VALUE);
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
            publishGathered(muxer.decodeTime());
            waitingForKeyframe = true;
            skipped++;
            return;
        }
        if (gathered != null) {
            gather(unit);
            return;
        }
        long fragmentSize = muxer.fragmentSize();
        if (fragmentSize > writer.capacity() || muxer.isKeyframe() && muxer.initSize() > writer.capacity()) {
            skipped++;
            loseUntilKeyframe();
            return;
        }
        if (muxer.isKeyframe()) {
            publishInit(unit);
        }
        WritableFrame cell = writer.claim();
        long size = muxer.writeFragment(cell.payload(), 0);
        metadata(cell, size, muxer.isKeyframe(), pendingDiscontinuity, unit.captureTimeMicros(),
                unit.arrivalTimeMicros()).damaged(unit.isDamaged()).boxType(MOOF);
        writer.commit();
        waitingForKeyframe = false;
        pendingDiscontinuity = false;
        published++;
    }

    private void publishInit(AccessUnit unit) {
        WritableFrame init = writer.claim();
        int size = muxer.writeInit(init.payload(), 0);
        metadata(init, size, false, pendingDiscontinuity, unit.captureTimeMicros(), unit.arrivalTimeMicros())
                .first(true).boxType(FTYP);
        writer.commit();
        initSegments++;
    }

    /** Adds the accepted unit to the fragment being gathered, publishing that first when this unit closes it. */
    private void gather(AccessUnit unit) {
        boolean keyframe = muxer.isKeyframe();
        long now = muxer.decodeTime();
        if (!gathered.isEmpty() && (keyframe || now - gathered.firstDecodeTime() >= fragmentTicks || !gathered.fits(muxer))) {
            publishGathered(now);
        }
        if (!gathered.fits(muxer) || keyframe && muxer.initSize() > writer.capacity()) {
            skipped++;
            loseUntilKeyframe();
            return;
        }
        if (keyframe) {
            publishInit(unit);
        }
        if (gathered.isEmpty()) {
            fragmentCaptureMicros = unit.captureTimeMicros();
            fragmentArrivalMicros = unit.arrivalTimeMicros();
            fragmentDiscontinuity = pendingDiscontinuity;
            fragmentDamaged = false;
        }
        gathered.add(muxer);
        fragmentDamaged |= unit.isDamaged();
        waitingForKeyframe = false;
        pendingDiscontinuity = false;
    }

    /**
     * Publishes the samples gathered so far, if any, as a fragment (its last sample's duration is
     * estimated): for the end of a stream. Call from the thread that feeds the publisher.
     */
    public void flush() {
        publishGathered(Long.MIN_VALUE);
    }

    /**
     * Publishes the gathered fragment, if any, as one cell; the cell carries its first unit's times.
     *
     * @param endDecodeTime when the unit after the fragment starts; {@code Long.MIN_VALUE} when unknown
     */
    private void publishGathered(long endDecodeTime) {
        if (gathered == null || gathered.isEmpty()) {
            return;
        }
        boolean keyframe = gathered.startsWithKeyframe();
        WritableFrame cell = writer.claim();
        long size = gathered.write(muxer, cell.payload(), 0, endDecodeTime);
        metadata(cell, size, keyframe, fragmentDiscontinuity, fragmentCaptureMicros, fragmentArrivalMicros)
                .damaged(fragmentDamaged).boxType(MOOF);
        writer.commit();
        published++;
    }

    private WritableFrame metadata(WritableFrame cell, long size, boolean keyframe, boolean discontinuity,
            long captureMicros, long arrivalMicros) {
        return cell.payloadSize(size).format(PixelFormat.FMP4).size(muxer.width(), muxer.height())
                .keyframe(keyframe).discontinuity(discontinuity).streamId(streamId)
                .captureTimeMicros(captureMicros).arrivalTimeMicros(arrivalMicros);
    }

    private void loseUntilKeyframe() {
        waitingForKeyframe = true;
        pendingDiscontinuity = true;
    }

    /** Fragments committed (init segments not counted); with {@link #fragmentMillis}, each holds several units. */
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
