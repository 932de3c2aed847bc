package io.virta.cli;

import io.virta.worker.Worker;
import io.virta.worker.WorkerContext;
import io.virta.worker.WorkerFrame;

/** A worker that `virta worker` loads by class name in tests: one "seen" event per tenth frame. */
public final class CountingWorker implements Worker {
    private long frames;
    private long every;

    @Override
    public void onStart(WorkerContext context) {
        every = Long.parseLong(context.arguments().string("every", "10"));
    }

    @Override
    public void onFrame(WorkerFrame frame, WorkerContext context) {
        if (++frames % every == 0) {
            context.report(context.event("seen").captureTimeMicros(frame.captureTimeMicros())
                    .attribute("frames", Long.toString(frames)).build());
        }
    }

    /** Not a worker `virta worker` can create: no constructor without parameters. */
    public static final class NeedsArguments implements Worker {
        public NeedsArguments(String model) {
        }

        @Override
        public void onFrame(WorkerFrame frame, WorkerContext context) {
        }
    }
}
