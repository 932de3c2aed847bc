package io.virta.cli;

import io.virta.producer.testing.GstRtspServer;
import io.virta.producer.testing.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code virta producer} as its own process, as a user runs it: config in, SIGTERM to stop. */
@Timeout(90)
class ProducerProcessTest {
    @Test
    void sigtermTearsDownAndRemovesTheChannels(@TempDir Path dir) throws Exception {
        String camera = "proc" + ProcessHandle.current().pid();
        try (GstRtspServer server = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).auth(GstRtspServer.Auth.DIGEST, "u", "secret99").start()) {
            Path config = dir.resolve("cameras.yaml");
            Files.writeString(config, "cameras:\n  - name: " + camera + "\n    url: " + server.url("/cam", "u", "secret99") + "\n");
            Process producer = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "io.virta.cli.Virta", "producer", "--config", config.toString(), "--status-every", "1")
                    .redirectErrorStream(true).start();
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            BufferedReader out = new BufferedReader(new InputStreamReader(producer.getInputStream(), StandardCharsets.UTF_8));
            Thread drain = Thread.ofPlatform().daemon().start(() -> out.lines().forEach(lines::add));
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // First the online event, then a status line ("<camera>: online  25.0 fps ...").
            while (List.copyOf(lines).stream().noneMatch(l -> l.contains(camera + ": online (RTP"))
                    || List.copyOf(lines).stream().noneMatch(l -> l.startsWith(camera + ": online "))) {
                assertTrue(System.nanoTime() < giveUp, "online and a status line within 30 s: " + lines);
                Thread.sleep(100);
            }
            assertTrue(Files.exists(Path.of("/dev/shm/virta." + camera + ".rgb")));
            producer.destroy();   // SIGTERM
            assertTrue(producer.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
            drain.join(5000);
            String all = String.join("\n", List.copyOf(lines));
            assertFalse(all.contains("secret99"), "the password never reaches the output:\n" + all);
            for (String suffix : new String[] {".h264", ".yuv", ".rgb"}) {
                assertFalse(Files.exists(Path.of("/dev/shm/virta." + camera + suffix)), suffix + " removed on shutdown");
            }
        }
    }
}
