package io.virta.testkit;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.lang.ArchRule;

/** The testkit's layout: every module's tests use it, so it uses no Virta module itself. */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta.testkit..");
    }

    /** The testkit is the test harness: it may use JUnit and ArchUnit, and itself. */
    @Override
    protected ArchRule harnessRule() {
        return ArchitectureRules.noBenchmarkOrTestHarnessOutside("io.virta.testkit..");
    }
}
