package io.virta.worker;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The worker SDK's layout: it uses the bus and the gRPC contracts, never the producer, the hub or a viewer.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.worker..", "io.virta.bus..", "io.virta.protos..", "io.virta.grpc..");
    }
}
