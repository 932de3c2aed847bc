package io.virta.bus.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Real peer processes for the cross-language tests: the Python client's tool
 * ({@code /usr/bin/python3 -m virta.bus.tools}) and the Java one, {@code virta bus}, in a JVM of its own.
 * Both take the same commands and print the same lines.
 */
final class Peers {
    static final Path REPO = Path.of(System.getProperty("virta.repo", "..")).toAbsolutePath().normalize();

    private Peers() {
    }

    static Peer python(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-m", "virta.bus.tools"));
        command.addAll(List.of(args));
        return new Peer(command);
    }

    static Peer java(String... args) throws IOException {
        return javaWith(List.of(), args);
    }

    /** {@code virta bus args...} in a JVM started with {@code jvmOptions} too. */
    static Peer javaWith(List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        command.addAll(jvmOptions);
        command.addAll(List.of("io.virta.cli.Virta", "bus"));
        command.addAll(List.of(args));
        return new Peer(command);
    }

    /** A running peer whose stdout lines are collected as they come. */
    static final class Peer implements AutoCloseable {
        final Process process;
        private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final List<String> all = java.util.Collections.synchronizedList(new ArrayList<>());
        private final StringBuffer stderr = new StringBuffer();

        Peer(List<String> command) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().put("PYTHONPATH", REPO.resolve("python-client/src").toString());
            process = pb.start();
            Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)), true));
            Thread.ofPlatform().daemon().start(() -> pump(new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)), false));
        }

        private void pump(BufferedReader reader, boolean out) {
            try (reader) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (out) {
                        lines.add(line);
                        all.add(line);
                    } else {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        }

        /** Waits for a stdout line containing {@code text}; fails with what the peer said if none comes. */
        String await(String text, long seconds) throws InterruptedException {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < giveUp) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.contains(text)) {
                    return line;
                }
            }
            throw new AssertionError("peer never printed '" + text + "'; stdout: " + all + "; stderr: " + stderr);
        }

        /** Waits for the exit; returns the exit status. */
        int finish(long seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError("peer did not exit in " + seconds + " s; stdout: " + all + "; stderr: " + stderr);
            }
            return process.exitValue();
        }

        List<String> output() {
            synchronized (all) {
                return List.copyOf(all);
            }
        }

        String stderr() {
            return stderr.toString();
        }

        /** SIGKILL, and reap, so the pid is really gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                kill();
            }
        }
    }

    /** The numbers in a peer's JSON line, by key. */
    static long number(String jsonLine, String key) {
        var m = java.util.regex.Pattern.compile("\"" + key + "\":(-?\\d+)").matcher(jsonLine);
        if (!m.find()) {
            throw new AssertionError("no '" + key + "' in " + jsonLine);
        }
        return Long.parseLong(m.group(1));
    }
}
