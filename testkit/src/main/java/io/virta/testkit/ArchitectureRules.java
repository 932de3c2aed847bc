package io.virta.testkit;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules that hold Virta's module layout (issue 14): no package cycles, no benchmark or test harness
 * in production code, each module using only the Virta modules below it, and rtsp on Netty alone.
 * {@link ModuleArchitectureTest} runs them in every module; a module's test names its allowances.
 *
 * <pre>
 *   ArchitectureRules.usesOnlyVirtaPackages("io.virta.hub..", "io.virta.bus..").check(classes);
 * </pre>
 *
 * <p>ArchUnit is an optional dependency of testkit, so it does not follow testkit onto the app's
 * class path; a module whose tests use these rules declares {@code archunit-junit5} (test scope).
 * The rules read class files only and hold no state; they may be used from any thread.
 */
public final class ArchitectureRules {
    /** Where the benchmarks and the peers' harnesses live: only the app's command line may use them. */
    public static final String[] BENCHMARK_AND_HARNESS_PACKAGES = {"io.virta.bench..", "io.virta.testkit.."};

    private ArchitectureRules() {
    }

    /**
     * The module's production classes: the {@code classes} folder beside the folder the test class was
     * loaded from ({@code target/classes} beside {@code target/test-classes}). Tests, other modules and
     * libraries are left out, so the rules judge this module alone.
     */
    public static final class MainClasses implements LocationProvider {
        @Override
        public Set<Location> get(Class<?> testClass) {
            Path testClasses;
            try {
                testClasses = Path.of(testClass.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException | RuntimeException e) {
                throw new IllegalStateException("cannot tell where " + testClass.getName()
                        + " was loaded from; run the architecture test from Maven (mvn -pl MODULE test)", e);
            }
            Path mainClasses = testClasses.resolveSibling("classes");
            if (!Files.isDirectory(mainClasses)) {
                throw new IllegalStateException("no production classes at " + mainClasses
                        + "; compile the module first (mvn -pl MODULE test-compile)");
            }
            return Set.of(Location.of(mainClasses));
        }
    }

    /**
     * A package cycle that is known and allowed for now: classes in {@code fromPackage} may depend on
     * classes in {@code toPackage} although that closes a cycle. Each names its reason and is meant to
     * be removed by whoever untangles it; packages are ArchUnit patterns such as {@code "io.virta.cli"}.
     */
    public record AllowedCycleEdge(String fromPackage, String toPackage, String because) {
    }

    /**
     * No cycle among the module's packages (each package is a slice, so a parent and its subpackage
     * that use each other are a cycle too), except the edges listed, which the rule's text names.
     */
    public static ArchRule noPackageCycles(AllowedCycleEdge... allowed) {
        return noPackageCycles(new String[0], allowed);
    }

    /**
     * As {@link #noPackageCycles(AllowedCycleEdge...)}, leaving out the packages in {@code generatedPackages}
     * (code generators' output, such as protoc's, is not ours to untangle).
     */
    public static ArchRule noPackageCycles(String[] generatedPackages, AllowedCycleEdge... allowed) {
        SliceRule rule = slices().matching("io.virta.(**)").should().beFreeOfCycles();
        List<String> reasons = new ArrayList<>();
        for (AllowedCycleEdge edge : allowed) {
            rule = rule.ignoreDependency(resideInAPackage(edge.fromPackage()), resideInAPackage(edge.toPackage()));
            reasons.add(edge.fromPackage() + " -> " + edge.toPackage() + " is allowed for now: " + edge.because());
        }
        if (generatedPackages.length > 0) {
            DescribedPredicate<JavaClass> generated = resideInAnyPackage(generatedPackages);
            rule = rule.ignoreDependency(generated, DescribedPredicate.alwaysTrue())
                    .ignoreDependency(DescribedPredicate.alwaysTrue(), generated);
            reasons.add("generated code (" + String.join(", ", generatedPackages) + ") is left out");
        }
        String why = "a cycle ties packages together so that none can be understood, tested or moved alone";
        return reasons.isEmpty() ? rule.because(why) : rule.because(why + "; " + String.join("; ", reasons));
    }

    /** Production code uses no benchmark and no test harness (nor JUnit or ArchUnit). */
    public static ArchRule noBenchmarkOrTestHarness() {
        return noClasses().should().dependOnClassesThat().resideInAnyPackage(forbiddenInProduction())
                .because("benchmarks and test harnesses are tools around the product, not part of it:"
                        + " production code that needs one belongs in the app's command line");
    }

    /**
     * As {@link #noBenchmarkOrTestHarness()}, but the classes in {@code allowedUsers} (ArchUnit package
     * patterns) may use them: the app's command line starts benchmarks and harnesses.
     */
    public static ArchRule noBenchmarkOrTestHarnessOutside(String... allowedUsers) {
        return noClasses().that().resideOutsideOfPackages(allowedUsers)
                .should().dependOnClassesThat().resideInAnyPackage(forbiddenInProduction())
                .because("only " + String.join(", ", allowedUsers) + " may start benchmarks and test harnesses")
                // A module of nothing but allowed users has nothing to check, and that is fine.
                .allowEmptyShould(true);
    }

    private static String[] forbiddenInProduction() {
        List<String> packages = new ArrayList<>(List.of(BENCHMARK_AND_HARNESS_PACKAGES));
        packages.add("org.junit..");
        packages.add("com.tngtech.archunit..");
        return packages.toArray(String[]::new);
    }

    /**
     * The module's classes use, of Virta, only the packages {@code allowed} (ArchUnit patterns, its own
     * among them): the direction of the module graph, stated where a reader of the tests sees it.
     */
    public static ArchRule usesOnlyVirtaPackages(String... allowed) {
        return noClasses().should().dependOnClassesThat(
                        resideInAPackage("io.virta..").and(DescribedPredicate.not(resideInAnyPackage(allowed))))
                .because("modules depend downwards only (README, layout): this one may use "
                        + String.join(", ", allowed) + " of Virta");
    }

    /**
     * The module's classes depend on nothing but the packages {@code allowed}: for a library with a
     * short, fixed list of dependencies (rtsp: the JDK and Netty).
     */
    public static ArchRule dependsOnlyOn(String because, String... allowed) {
        return classes().should().onlyDependOnClassesThat().resideInAnyPackage(allowed).because(because);
    }
}
