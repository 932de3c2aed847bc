package io.virta.cli;

import io.virta.cli.VirtaJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta demo --token-file FILE}: the demo's control API and hub require the token, and the demo's
 * own clients (the supervised motion worker, which finds the camera and reports to the hub, and the
 * event printer, which subscribes) present it, so motion events are printed; the token is never.
 */
@Timeout(90)
class DemoTokenTest {
    @Test
    void theDemosClientsPresentTheToken(@TempDir Path dir) throws Exception {
        byte[] secret = new byte[24];
        ThreadLocalRandom.current().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Path tokenFile = dir.resolve("demo.token");
        Files.writeString(tokenFile, token + "\n");
        Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
        String camera = "demotoken" + ProcessHandle.current().pid();
        Process demo = new ProcessBuilder(VirtaJvm.command("demo", "--camera", camera, "--size", "320x240", "--rgb",
                "256x192", "--seconds", "10", "--no-python", "--token-file", tokenFile.toString()))
                .redirectErrorStream(true).start();
        String output = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(demo.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, demo.exitValue(), output);
        assertTrue(output.contains("demo: the control API and the hub require the token in " + tokenFile), output);
        assertTrue(output.contains("event:         motion on " + camera + " from motion"),
                "the worker reported and the printer subscribed, both with the token:\n" + output);
        assertFalse(output.contains("UNAUTHENTICATED"), output);
        assertFalse(output.contains(token), "the demo printed the token:\n" + output);
    }
}
