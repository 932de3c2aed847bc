package io.virta.cli;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.lang.ArchRule;
import io.virta.testkit.ArchitectureRules;
import io.virta.testkit.ModuleArchitectureTest;

/**
 * The app's layout: nothing depends on it and it may use every module, but of its own packages only the
 * command line (io.virta.cli) and the benchmarks (io.virta.bench) may use the test harnesses; the demo may not.
 */
@AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
class ArchitectureTest extends ModuleArchitectureTest {
    ArchitectureTest() {
        super("io.virta..");
    }

    @Override
    protected ArchRule harnessRule() {
        return ArchitectureRules.noBenchmarkOrTestHarnessOutside("io.virta.cli..", "io.virta.bench..");
    }
}
