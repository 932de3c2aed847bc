package io.virta.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher and the tests' JVMs run with the same flags: the root pom's virta.jvm.flags. */
class JvmFlagsTest {
    @Test
    void theLauncherPassesVirtaJvmFlags() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Matcher property = Pattern.compile("<virta\\.jvm\\.flags>([^<]*)</virta\\.jvm\\.flags>")
                .matcher(Files.readString(root.resolve("pom.xml")));
        assertTrue(property.find());
        List<String> pom = List.of(property.group(1).trim().split("\\s+"));
        String launcher = Files.readString(root.resolve("virta"));
        Matcher array = Pattern.compile("JVM_FLAGS=\\(\\n(.*?)\\n\\)", Pattern.DOTALL).matcher(launcher);
        assertTrue(array.find(), "the launcher has JVM_FLAGS=( ... )");
        List<String> script = new ArrayList<>();
        for (String line : array.group(1).split("\\n")) {
            script.add(line.trim());
        }
        assertEquals(pom, script);
        assertTrue(pom.contains("-Dchronicle.analytics.disable=true") && pom.contains("--sun-misc-unsafe-memory-access=allow"));
    }
}
