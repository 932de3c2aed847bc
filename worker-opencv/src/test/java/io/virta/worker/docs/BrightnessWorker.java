package io.virta.worker.docs;

// docs:begin callback
import io.virta.worker.FrameSource;
import io.virta.worker.Worker;
import io.virta.worker.WorkerContext;
import io.virta.worker.WorkerFrame;
import io.virta.worker.WorkerRunner;
import io.virta.worker.events.EventPrinter;
import io.virta.worker.events.EventReporter;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Scalar;

import java.util.Locale;

import static io.virta.worker.opencv.FrameMats.mat;

/** Reports a "bright" event for each analyzed frame brighter than a threshold. */
public final class BrightnessWorker implements Worker {
    private double threshold;

    @Override
    public void onStart(WorkerContext context) {
        // virta worker ... --arg threshold=180
        threshold = context.arguments().decimal("threshold", 200);
    }

    @Override
    public void onFrame(WorkerFrame frame, WorkerContext context) {
        double brightness;
        try (Scalar mean = opencv_core.mean(mat(frame))) {   // the Mat is the shared memory: no copy
            brightness = (mean.get(0) + mean.get(1) + mean.get(2)) / 3;
        }
        if (!frame.isIntact()) {
            return;   // the writer reused the frame's cell while we read it: the result is not trustworthy
        }
        if (brightness > threshold) {
            context.report(context.event("bright")
                    .captureTimeMicros(frame.captureTimeMicros())
                    .attribute("brightness", String.format(Locale.ROOT, "%.1f", brightness))
                    .build());
        }
    }

    @Override
    public void onTimeout() {
        System.err.println("no frame for a second: is the camera online?");
    }

    /** Runs the worker on camera "lobby" without the virta command. */
    public static void main(String[] args) throws InterruptedException {
        WorkerRunner runner = WorkerRunner.builder(new BrightnessWorker(), FrameSource.camera("lobby").fps(2))
                .name("brightness")
                .events(EventReporter.builder("127.0.0.1:50051").build())   // the hub
                .events(new EventPrinter(System.out))                      // and stdout
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(runner::close));  // Ctrl-C: flush, detach
        runner.awaitTermination();
    }
}
// docs:end callback
