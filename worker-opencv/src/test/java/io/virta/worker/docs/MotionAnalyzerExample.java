package io.virta.worker.docs;

import io.virta.worker.Region;
import io.virta.worker.WorkerFrame;
import io.virta.worker.motion.MotionAnalyzer;
import io.virta.worker.motion.MotionOptions;

import java.util.List;

/** The MotionAnalyzer snippet of docs/workers.md, compiled. */
final class MotionAnalyzerExample {
    private MotionAnalyzerExample() {
    }

    static void print(WorkerFrame frame) {
// docs:begin analyzer
try (MotionAnalyzer motion = new MotionAnalyzer(new MotionOptions(0.002, 25, List.of(Region.parse("0.8,0,0.2,0.1", "ignore"))))) {
    if (motion.analyze(frame)) {
        for (int i = 0; i < motion.boxCount(); i++) {
            System.out.println(motion.boxX(i) + "," + motion.boxY(i) + " " + motion.boxWidth(i) + "x" + motion.boxHeight(i));
        }
    }
}
// docs:end analyzer
    }
}
