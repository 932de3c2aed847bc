package io.virta.rtsp;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The protocol library's layout: Netty and the JDK only, so that it can be used, and tested
 * ({@code mvn -pl rtsp -am test}), without FFmpeg, Chronicle, gRPC, YAML or the bus.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.rtsp..");
    }

    @ArchTest
    void nettyAndTheJdkOnly(JavaClasses classes) {
        ArchitectureRules.dependsOnlyOn("rtsp is a protocol library in the spirit of gortsplib, on Netty alone (issue 14)",
                "java..", "javax..", "io.netty..", "io.virta.rtsp..").check(classes);
    }
}
