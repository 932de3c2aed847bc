package io.virta.hub;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The event hub's layout: it uses the bus and the gRPC contracts, never the producer or the RTSP library.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.hub..", "io.virta.bus..", "io.virta.protos..", "io.virta.grpc..");
    }
}
