package io.virta.recorder;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/** The recorder's layout: the bus and SQLite; never the producer, the protocol library, the hub or the app. */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.recorder..", "io.virta.bus..");
    }
}
