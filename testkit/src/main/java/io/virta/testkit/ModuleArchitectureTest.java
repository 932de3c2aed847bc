package io.virta.testkit;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The architecture test every Java module runs on its production classes: no package cycle, no
 * benchmark or test harness, and only the Virta modules the layout allows. A module's
 * {@code ArchitectureTest} extends it, names what it may use, and adds its own rules:
 *
 * <pre>
 *   &#64;AnalyzeClasses(locations = ArchitectureRules.MainClasses.class)
 *   class ArchitectureTest extends ModuleArchitectureTest {
 *       ArchitectureTest() {
 *           super("io.virta.hub..", "io.virta.bus..", "io.virta.protos..", "io.virta.grpc..");
 *       }
 *   }
 * </pre>
 *
 * <p>The rules are {@code @ArchTest} methods rather than fields because Surefire 3.5.3, the
 * project's, silently skips {@code @ArchTest} fields (SUREFIRE-2298, fixed in 3.5.4). ArchUnit makes
 * an instance per rule; the rules themselves are in {@link ArchitectureRules}.
 */
public abstract class ModuleArchitectureTest {
    private final String[] virtaPackagesUsed;

    /** @param virtaPackagesUsed the Virta packages the module may use, its own among them (ArchUnit patterns) */
    protected ModuleArchitectureTest(String... virtaPackagesUsed) {
        this.virtaPackagesUsed = virtaPackagesUsed.clone();
    }

    @ArchTest
    void noPackageCycles(JavaClasses classes) {
        packageCycleRule().check(classes);
    }

    @ArchTest
    void noBenchmarkOrTestHarness(JavaClasses classes) {
        harnessRule().check(classes);
    }

    @ArchTest
    void usesOnlyTheVirtaModulesAllowed(JavaClasses classes) {
        ArchitectureRules.usesOnlyVirtaPackages(virtaPackagesUsed).check(classes);
    }

    /** {@link ArchitectureRules#noPackageCycles(ArchitectureRules.AllowedCycleEdge...)}; override to allow an edge for now. */
    protected ArchRule packageCycleRule() {
        return ArchitectureRules.noPackageCycles();
    }

    /** {@link ArchitectureRules#noBenchmarkOrTestHarness()}; the app and testkit name who may use them. */
    protected ArchRule harnessRule() {
        return ArchitectureRules.noBenchmarkOrTestHarness();
    }
}
