package io.virta.worker.opencv;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The worker SDK's OpenCV part: the light SDK, the bus and OpenCV; never the producer, the hub or a viewer.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.worker..", "io.virta.bus..", "io.virta.protos..", "io.virta.grpc..");
    }
}
