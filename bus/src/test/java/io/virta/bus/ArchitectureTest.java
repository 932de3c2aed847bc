package io.virta.bus;

import com.tngtech.archunit.junit.AnalyzeClasses;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The bus's layout: the base of every other module, it uses no other Virta module.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.bus..");
    }
}
