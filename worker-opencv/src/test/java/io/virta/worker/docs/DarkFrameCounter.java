package io.virta.worker.docs;

// docs:begin loop
import io.virta.worker.FrameSource;
import io.virta.worker.FrameStream;
import io.virta.worker.WorkerFrame;
import io.virta.worker.events.EventSink;
import io.virta.worker.events.WorkerEvent;
import org.bytedeco.opencv.opencv_core.Mat;

import java.time.Duration;

import static io.virta.worker.opencv.FrameMats.mat;
import static org.bytedeco.opencv.global.opencv_core.countNonZero;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_RGB2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.THRESH_BINARY;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.threshold;

/** Reports a "dark" event for each analyzed frame in which fewer than 5 % of the pixels are lit. */
public final class DarkFrameCounter {
    public static long watch(FrameSource source, EventSink events, long frameCount) {
        long dark = 0;
        try (FrameStream frames = source.open();
             Mat grey = new Mat();        // allocated by the first cvtColor, reused after
             Mat lit = new Mat()) {
            while (frames.frames() < frameCount) {
                WorkerFrame frame = frames.next(Duration.ofSeconds(1));
                if (frame == null) {
                    System.err.println("nothing for a second; so far " + frames.counters());
                    continue;
                }
                cvtColor(mat(frame), grey, COLOR_RGB2GRAY);
                threshold(grey, lit, 60, 255, THRESH_BINARY);
                double litFraction = countNonZero(lit) / (double) (grey.rows() * grey.cols());
                if (litFraction < 0.05 && frame.isIntact()) {
                    dark++;
                    events.report(WorkerEvent.builder("dark")
                            .camera(frames.camera())
                            .captureTimeMicros(frame.captureTimeMicros())
                            .source("dark-counter")
                            .build());
                }
            }
        }
        return dark;
    }
}
// docs:end loop
