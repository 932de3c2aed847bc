package io.virta.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code virta test}: run by the {@code ./virta} launcher itself (it installs packages and runs Maven,
 * which a running JVM of the project cannot). It is a command here so that {@code virta --help}, its own
 * {@code --help} and the shell completion know it; reached in Java, it says where to run it.
 */
@Command(name = "test", description = "(launcher only) Install what the tests need and run them all.",
        customSynopsis = "virta test [MAVEN-OPTION...]",
        footer = {"Installs missing system packages (scripts/install-deps.sh), then runs every Java and Python test",
                "(mvn verify) with the Maven options given."})
final class TestCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    /** Passed to {@code mvn verify} by the launcher, e.g. {@code -pl bus}. */
    @Unmatched
    List<String> mavenOptions = new ArrayList<>();

    @Override
    public Integer call() {
        throw UsageErrors.error(spec, "the tests run from the launcher, which installs packages and runs Maven:"
                + " ./virta test " + String.join(" ", mavenOptions));
    }
}
