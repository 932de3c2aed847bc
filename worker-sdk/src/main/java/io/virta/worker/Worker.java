package io.virta.worker;

/**
 * An analyzer run by a {@link WorkerRunner}: it gets each frame to analyze on the runner's thread and
 * reports what it sees through its {@link WorkerContext}. With module {@code worker-opencv}, a frame's
 * pixels are an OpenCV Mat ({@code import static io.virta.worker.opencv.FrameMats.mat}):
 *
 * <pre>{@code
 * public final class Brightness implements Worker {
 *     public void onFrame(WorkerFrame frame, WorkerContext context) {
 *         double mean = opencv_core.mean(mat(frame)).get(0);
 *         if (mean > 200 && frame.isIntact()) {
 *             context.report(context.event("bright").captureTimeMicros(frame.captureTimeMicros()).build());
 *         }
 *     }
 * }
 * }</pre>
 *
 * A class that {@code virta worker} runs by name needs a public constructor without parameters; it reads
 * its options in {@link #onStart} from {@link WorkerContext#arguments()}. An exception from any method
 * stops the runner (after {@link #onStop}); the supervisor that launched the process may restart it.
 */
public interface Worker {
    /** Once, on the runner's thread, before the first frame. */
    default void onStart(WorkerContext context) throws Exception {
    }

    /**
     * A frame to analyze. Its views (payload, Mat) are valid during this call only, and only while
     * {@link WorkerFrame#isIntact()} holds.
     */
    void onFrame(WorkerFrame frame, WorkerContext context) throws Exception;

    /** Just before a frame that follows {@code lost} frames this worker never saw (it fell a ring behind). */
    default void onOverrun(long lost) throws Exception {
    }

    /** No frame came within the runner's pull timeout (default 1 s): the camera is quiet, or its writer is gone. */
    default void onTimeout() throws Exception {
    }

    /** The stream re-attached to a new writer (the producer restarted): what follows is a new sequence. */
    default void onReattach(WorkerContext context) throws Exception {
    }

    /** Once, on the runner's thread, after the last frame; the stream is still open. */
    default void onStop() throws Exception {
    }
}
