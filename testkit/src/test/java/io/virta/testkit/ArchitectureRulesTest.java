package io.virta.testkit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import io.virta.testkit.ArchitectureRules.AllowedCycleEdge;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared architecture rules catch what they are for: each is tried on a small fixture that breaks it. */
class ArchitectureRulesTest {
    private static final JavaClasses CYCLE = new ClassFileImporter().importPackages("io.virta.testkit.archfixture.cycle");
    private static final JavaClasses HARNESS_USER =
            new ClassFileImporter().importPackages("io.virta.testkit.archfixture.harness");

    @Test
    void aPackageCycleFailsUnlessItsEdgeIsAllowed() {
        assertTrue(ArchitectureRules.noPackageCycles().evaluate(CYCLE).hasViolation());
        var allowed = ArchitectureRules.noPackageCycles(new AllowedCycleEdge("io.virta.testkit.archfixture.cycle.down",
                "io.virta.testkit.archfixture.cycle.up", "the fixture's cycle, on purpose"));
        assertFalse(allowed.evaluate(CYCLE).hasViolation());
        assertTrue(allowed.getDescription().contains("the fixture's cycle, on purpose"), allowed.getDescription());
        var generated = ArchitectureRules.noPackageCycles(new String[] {"io.virta.testkit.archfixture.cycle.up.."});
        assertFalse(generated.evaluate(CYCLE).hasViolation());
    }

    @Test
    void productionCodeMayNotUseAHarness() {
        assertTrue(ArchitectureRules.noBenchmarkOrTestHarness().evaluate(HARNESS_USER).hasViolation());
        assertFalse(ArchitectureRules.noBenchmarkOrTestHarnessOutside("io.virta.testkit.archfixture.harness..")
                .evaluate(HARNESS_USER).hasViolation());
    }

    @Test
    void modulesUseOnlyTheVirtaPackagesAndLibrariesAllowed() {
        assertTrue(ArchitectureRules.usesOnlyVirtaPackages("io.virta.testkit.archfixture..")
                .evaluate(HARNESS_USER).hasViolation());
        assertFalse(ArchitectureRules.usesOnlyVirtaPackages("io.virta.testkit..").evaluate(HARNESS_USER).hasViolation());
        assertTrue(ArchitectureRules.dependsOnlyOn("the fixture may use the JDK and testkit only", "java..",
                "io.virta.testkit..").evaluate(HARNESS_USER).hasViolation(), "gson is neither");
        assertFalse(ArchitectureRules.dependsOnlyOn("the fixture may use these", "java..", "io.virta.testkit..",
                "com.google.gson..").evaluate(HARNESS_USER).hasViolation());
    }

    @Test
    void mainClassesAreTheFolderBesideTheTestClasses() {
        Set<Location> locations = new ArchitectureRules.MainClasses().get(ArchitectureRulesTest.class);
        assertEquals(1, locations.size());
        JavaClasses main = new ClassFileImporter().importLocations(locations);
        assertTrue(main.contain(ArchitectureRules.class));
        assertFalse(main.contain(ArchitectureRulesTest.class));
    }
}
