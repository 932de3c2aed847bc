package io.virta.producer.recording;

import io.virta.producer.output.CameraOutput;
import io.virta.producer.output.OutputReport;
import io.virta.producer.status.CameraStatus;
import io.virta.recorder.ingest.CameraChannel;
import io.virta.recorder.ingest.ChannelRecorder;
import io.virta.recorder.ingest.IngestOptions;
import io.virta.recorder.ingest.RecordingState;

/**
 * One camera's recorder as a camera output: a {@link ChannelRecorder} that reads the camera's encoded
 * channel through the bus, on a thread of its own, and appends each access unit to the camera's
 * store (docs/recording-format.md section 9). It takes nothing from the ingest thread
 * ({@link CameraOutput.Feed#NONE}).
 *
 * <p><b>Lifetime:</b> that of the codec's channels ({@link io.virta.producer.output.OutputFactory.Lifetime#CODEC}):
 * it opens right after the encoded channel (the recorder starts at its first keyframe, or resumes after
 * the store's last frame of the camera) and closes right before it, when the camera stops, is removed
 * or changes codec; {@link #close} waits until the camera's last segment is sealed (one force to the
 * disk: a codec change, rare, makes the ingest thread wait for it, as it waits for the decoder to
 * stop). <b>Threads:</b>
 * made and closed as {@link CameraOutput} says; {@link #report} reads volatile counters from any thread.
 */
final class ChannelRecorderOutput implements CameraOutput {
    private final RecordingStores.Store store;
    private final ChannelRecorder recorder;
    private final RecordingStores stores;

    /**
     * Takes the camera's writer in the store and starts its recorder's thread (no disk I/O on the caller's thread).
     *
     * @throws IllegalStateException if the camera is already being recorded into the store
     */
    ChannelRecorderOutput(RecordingStores.Store store, CameraChannel channel, IngestOptions options,
            RecordingStores stores) {
        this.store = store;
        this.stores = stores;
        this.recorder = new ChannelRecorder(store.store, channel, options);
        recorder.start();
    }

    @Override
    public Feed feed() {
        return Feed.NONE;
    }

    @Override
    public void report(OutputReport report) {
        String camera = recorder.channel().camera();
        report.recording(new CameraStatus.Recording(state(recorder.state()), store.store.directory(),
                recorder.framesWritten(), recorder.bytesWritten(), recorder.lag(), recorder.framesLost(),
                recorder.framesSkipped(), recorder.lastSyncMicros(), recorder.pauses(),
                recorder.problem().or(() -> store.retentionWarning(camera)).orElse(""),
                stores.usage(store.store.directory(), camera)));
    }

    private static CameraStatus.RecordingState state(RecordingState state) {
        return switch (state) {
            case STARTING -> CameraStatus.RecordingState.STARTING;
            case WAITING_FOR_WRITER -> CameraStatus.RecordingState.WAITING_FOR_WRITER;
            case RECORDING -> CameraStatus.RecordingState.RECORDING;
            case PAUSED -> CameraStatus.RecordingState.PAUSED;
            case STOPPED -> CameraStatus.RecordingState.STOPPED;
        };
    }

    /** Stops the recorder and waits until it has sealed the camera's segment. */
    @Override
    public void close() {
        recorder.close();
    }

    @Override
    public String toString() {
        return "recorder of " + recorder.channel().channelName() + " into " + store.store.directory();
    }
}
