package io.virta.viewer;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The viewer's layout: it uses the bus, the worker SDK's attach and frame streams, and the gRPC
 * contracts; never the producer, the hub or the RTSP library.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.viewer..", "io.virta.worker..", "io.virta.bus..", "io.virta.protos..", "io.virta.grpc..");
    }
}
