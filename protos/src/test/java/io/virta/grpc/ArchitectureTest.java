package io.virta.grpc;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.lang.ArchRule;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The gRPC contracts' layout: the generated stubs (io.virta.protos.*.v1) and the hand-written gRPC
 * helpers (io.virta.grpc, io.virta.protos.events) use no other Virta module.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.grpc..", "io.virta.protos..");
    }

    /** protoc's output is left out of the cycle rule: its packages are the .proto files', not ours to arrange. */
    @Override
    protected ArchRule packageCycleRule() {
        return ArchitectureRules.noPackageCycles(new String[] {"io.virta.protos.events.v1..", "io.virta.protos.control.v1.."});
    }
}
