package io.virta.producer.output;

import io.virta.producer.config.CameraConfig;
import io.virta.producer.decode.DecodedFrame;
import io.virta.producer.decode.DecodedFrameListener;
import io.virta.producer.graph.FrameSink;
import io.virta.rtsp.media.AccessUnit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * The outputs a camera opened together (those of a run, or those of a codec), fed as one sink: a
 * unit goes to each output that takes units, a picture to each that takes pictures, in the order
 * the factories were listed. Arrays built once, so feeding neither locks nor allocates.
 *
 * <p>{@link #accept} runs on the ingest thread and {@link #onFrame} on the decoder thread;
 * {@link #report} and {@link #close} on the control thread. It closes only the outputs it opened:
 * a camera's {@link OutputFactory.Lifetime#CAMERA} outputs, fed by each run, stay open.
 */
public final class OutputGroup implements FrameSink<AccessUnit>, DecodedFrameListener {
    private static final Logger LOG = Logger.getLogger(OutputGroup.class.getName());

    private final CameraConfig camera;
    private final List<CameraOutput> outputs;
    private final List<CameraOutput> owned;
    private final CameraOutput[] unitOutputs;
    private final CameraOutput[] pictureOutputs;

    private OutputGroup(CameraConfig camera, List<CameraOutput> outputs, List<CameraOutput> owned) {
        this.camera = camera;
        this.outputs = List.copyOf(outputs);
        this.owned = List.copyOf(owned);
        this.unitOutputs = outputs.stream().filter(o -> o.feed() == CameraOutput.Feed.ACCESS_UNITS)
                .toArray(CameraOutput[]::new);
        this.pictureOutputs = outputs.stream().filter(o -> o.feed() == CameraOutput.Feed.PICTURES)
                .toArray(CameraOutput[]::new);
    }

    @Override
    public void accept(AccessUnit unit) {
        for (CameraOutput output : unitOutputs) {
            output.onAccessUnit(unit);
        }
    }

    @Override
    public void onFrame(DecodedFrame picture) {
        for (CameraOutput output : pictureOutputs) {
            output.onPicture(picture);
        }
    }

    /** Whether some output takes pictures, so that the camera has to decode. */
    public boolean wantsPictures() {
        return pictureOutputs.length > 0;
    }

    /** Every output's counters, in order. */
    public void report(OutputReport report) {
        for (CameraOutput output : outputs) {
            output.report(report);
        }
    }

    /** Closes the outputs it opened, last first; one that fails is logged and the others still close. */
    public void close() {
        closeReversed(camera, owned);
    }

    static void closeReversed(CameraConfig camera, List<CameraOutput> outputs) {
        for (CameraOutput output : outputs.reversed()) {
            try {
                output.close();
            } catch (RuntimeException e) {
                LOG.warning(camera + ": closing " + output + ": " + e);
            }
        }
    }

    /** Collects outputs as they open; on a failure, {@link #abandon} closes what it holds. */
    static final class Builder {
        private final CameraConfig camera;
        private final List<CameraOutput> outputs = new ArrayList<>();
        private final List<CameraOutput> owned = new ArrayList<>();

        Builder(CameraConfig camera) {
            this.camera = camera;
        }

        /** An output this group opened and will close. */
        void own(CameraOutput output) {
            outputs.add(output);
            owned.add(output);
        }

        /** An output that outlives the group: fed and reported here, closed elsewhere. */
        void feed(CameraOutput output) {
            outputs.add(output);
        }

        OutputGroup build() {
            return new OutputGroup(camera, outputs, owned);
        }

        void abandon() {
            closeReversed(camera, owned);
        }
    }
}
