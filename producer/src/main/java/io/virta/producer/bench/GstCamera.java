package io.virta.producer.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A camera for benchmarks: gst-rtsp-server ({@code producer/src/test/peers/rtsp_server.py}, started by
 * its path under {@code virta.home}) looping a 1080p25 H264 clip made by ffmpeg, at
 * {@code rtsp://127.0.0.1:<port>/cam} (or, with {@link #startIn}, on a network namespace's address), for
 * as long as the benchmark runs.
 */
record GstCamera(Process process, int port, String host) implements AutoCloseable {

    /** Makes the clip under {@code home/bench/target} on first use, and starts serving it. */
    static GstCamera start(Path home) throws Exception {
        Path clip = clip(home);
        Path script = home.resolve("producer/src/test/peers/rtsp_server.py");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--port", "0", "--mount",
                "/cam=" + clip, "--exit-with-stdin").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int port = awaitReady(p, script);
        return new GstCamera(p, port, "127.0.0.1");
    }

    /** The same camera, served inside a network namespace on its address (for a lossy link). */
    static GstCamera startIn(Path home, NetworkLab.Namespace namespace) throws Exception {
        Path clip = clip(home);
        Path script = home.resolve("producer/src/test/peers/rtsp_server.py");
        java.util.List<String> command = namespace.exec("/usr/bin/python3", script.toString(), "--address",
                namespace.address(), "--port", "0", "--mount", "/cam=" + clip, "--exit-with-stdin");
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int port = awaitReady(p, script);
        return new GstCamera(p, port, namespace.address());
    }

        String url() {
        return "rtsp://" + host + ":" + port + "/cam";
    }

    /** Reads the "READY <port>" line the project's gst-rtsp-server scripts print once they serve. */
    static int awaitReady(Process p, Path script) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IllegalStateException("gst-rtsp-server did not start (" + script + "); run scripts/install-deps.sh");
        }
        return Integer.parseInt(line.substring(6).trim());
    }

    private static Path clip(Path home) throws Exception {
        Path dir = Files.createDirectories(home.resolve("bench/target"));
        Path clip = dir.resolve("ingest-1080p25.h264");
        if (!Files.exists(clip)) {
            System.out.println("making " + clip + " with ffmpeg...");
            Path tmp = dir.resolve("ingest-1080p25.h264.tmp" + ProcessHandle.current().pid());
            Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1920x1080:rate=25", "-t", "10", "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p",
                    "-preset", "veryfast", "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                    "-bf", "0", "-x264-params", "repeat-headers=1:aud=1", "-b:v", "4M", "-f", "h264", tmp.toString())
                    .inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("ffmpeg could not make the benchmark clip");
            }
            Files.move(tmp, clip, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return clip;
    }

    /** Closing stdin ends the server ({@code --exit-with-stdin}); a test JVM that dies leaves none behind. */
    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
