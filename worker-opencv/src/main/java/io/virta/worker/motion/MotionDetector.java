package io.virta.worker.motion;

import io.virta.bus.ChannelType;
import io.virta.worker.Worker;
import io.virta.worker.WorkerContext;
import io.virta.worker.WorkerFrame;
import io.virta.worker.events.WorkerEvent;

import java.util.Locale;

/**
 * The motion detector that {@code virta worker motion} runs: one event per analyzed frame in which
 * something moved, following the motion-event contract (docs/workers.md):
 * <ul>
 *   <li>type {@code "motion"}, source = the worker's name, capture time = the analyzed frame's;</li>
 *   <li>one box per moving region, label {@code "motion"}, score = the fraction of the box's pixels that moved;</li>
 *   <li>attribute {@code moving_fraction}: the fraction of the picture that moved, as text.</li>
 * </ul>
 * The analysis itself is {@link MotionAnalyzer}'s; options come from {@link MotionOptions}.
 */
public final class MotionDetector implements Worker {
    private MotionOptions options;
    private MotionAnalyzer analyzer;
    private long lastSequence;

    /** Options from the context's arguments at start ({@code --min-area}, {@code --threshold}, {@code --ignore}). */
    public MotionDetector() {
    }

    public MotionDetector(MotionOptions options) {
        this.options = options;
    }

    @Override
    public void onStart(WorkerContext context) {
        if (context.channelType() != ChannelType.RGB24 && context.channelType() != ChannelType.YUV420P) {
            throw new IllegalArgumentException("the motion detector needs pictures, but channel '" + context.channel()
                    + "' carries " + context.channelType() + ": attach to the camera's RGB24 (default) or YUV420P channel");
        }
        if (options == null) {
            options = MotionOptions.from(context.arguments());
        }
        analyzer = new MotionAnalyzer(options);
    }

    @Override
    public void onFrame(WorkerFrame frame, WorkerContext context) {
        if (frame.sequence() < lastSequence) {
            analyzer.reset();   // a new writer's frames: the previous picture is from another stream
        }
        lastSequence = frame.sequence();
        if (!analyzer.analyze(frame)) {
            return;
        }
        WorkerEvent.Builder event = context.event("motion").captureTimeMicros(frame.captureTimeMicros());
        for (int i = 0; i < analyzer.boxCount(); i++) {
            event.box(analyzer.boxX(i), analyzer.boxY(i), analyzer.boxWidth(i), analyzer.boxHeight(i), "motion",
                    analyzer.boxScore(i));
        }
        event.attribute("moving_fraction", String.format(Locale.ROOT, "%.6f", analyzer.movingFraction()));
        context.report(event.build());
    }

    @Override
    public void onReattach(WorkerContext context) {
        analyzer.reset();
    }

    @Override
    public void onStop() {
        if (analyzer != null) {
            analyzer.close();
        }
    }
}
