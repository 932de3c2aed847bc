package io.virta.bench.viewer;

import io.virta.producer.supervise.JvmLaunch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code virta producer} as its own process, with one file camera per name, each looping the same clip
 * in real time and decoding it once into its {@code <name>.yuv} channel (no RGB channel, no event hub:
 * the viewer needs neither). Returns once every camera is online.
 */
final class ProducerChild implements AutoCloseable {
    private static final String MAIN = "io.virta.cli.Virta";

    private final Process process;
    private final Path config;
    private final String control;

    private ProducerChild(Process process, Path config, String control) {
        this.process = process;
        this.config = config;
        this.control = control;
    }

    static ProducerChild start(List<String> cameras, Path clip) throws IOException, InterruptedException {
        if (ClassLoader.getSystemResource(MAIN.replace('.', '/') + ".class") == null) {
            throw new IllegalStateException("--part cpu runs the producer, which is not on this class path; run the"
                    + " benchmark through the launcher: ./virta bench viewer");
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String controlAddress = "127.0.0.1:" + port;
        StringBuilder yaml = new StringBuilder("control: { listen: \"" + controlAddress + "\" }\n"
                + "events: { enabled: false }\ncameras:\n");
        for (String camera : cameras) {
            yaml.append("  - { name: ").append(camera).append(", url: \"").append(clip).append("\", loop: true,")
                    .append(" rgb: { enabled: false } }\n");
        }
        Path config = Files.createTempFile("virta-bench-viewer-", ".yaml");
        Files.writeString(config, yaml);
        Process p = new ProcessBuilder(JvmLaunch.likeThisJvm(MAIN).command(List.of("producer", "--config", config.toString(),
                "--status-every", "0"))).redirectErrorStream(true).start();
        ProducerChild producer = new ProducerChild(p, config, controlAddress);
        try {
            producer.awaitOnline(cameras);
        } catch (RuntimeException | IOException e) {
            producer.close();
            throw e;
        }
        return producer;
    }

    /** Reads the producer's output until each camera has said "online"; then keeps draining it. */
    private void awaitOnline(List<String> cameras) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Set<String> online = new HashSet<>();
        List<String> seen = new ArrayList<>();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (online.size() < cameras.size()) {
            String line = out.readLine();
            if (line == null || System.nanoTime() - giveUp > 0) {
                throw new IllegalStateException("the producer did not bring its cameras online; it printed:\n"
                        + String.join("\n", seen));
            }
            seen.add(line);
            for (String camera : cameras) {
                if (line.contains(" " + camera + ": online")) {
                    online.add(camera);
                }
            }
        }
        Thread.ofPlatform().daemon().name("bench-producer-output").start(() -> {
            try {
                while (out.readLine() != null) {
                    // Drained, so that the producer never blocks on a full pipe.
                }
            } catch (IOException ended) {
                // The producer exited.
            }
        });
    }

    /** The control API's HOST:PORT, for the viewer's --control. */
    String control() {
        return control;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(config);
    }
}
