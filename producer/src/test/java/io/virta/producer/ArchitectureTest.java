package io.virta.producer;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The producer's layout: the daemon as a library uses the bus, rtsp, the hub and the gRPC contracts;
 * never the command line (io.virta.cli), the demo, a viewer or the worker SDK (issue 14).
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.producer..", "io.virta.bus..", "io.virta.rtsp..",
                "io.virta.hub..", "io.virta.recorder..", "io.virta.protos..", "io.virta.grpc..");
    }
}
