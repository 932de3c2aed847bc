package io.virta.testkit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A camera for benchmarks: gst-rtsp-server ({@code testkit/peers/rtsp_server.py}, started by
 * its path under {@code virta.home}) looping an H264 clip made by ffmpeg (1080p25 unless the benchmark
 * asks for another size), at {@code rtsp://127.0.0.1:<port>/cam} (or, with {@link #startIn}, on a
 * network namespace's address), for as long as the benchmark runs. {@link #kill()} and
 * {@link #restart(Path)} make it a camera that loses power and comes back on the same port.
 */
public record GstCamera(Process process, int port, String host, Path clip) implements AutoCloseable {

    /** Makes the 1080p clip under {@code home/bench/target} on first use, and starts serving it. */
    public static GstCamera start(Path home) throws Exception {
        return start(home, clip(home, 1920, 1080, "4M"), 0);
    }

    /** Serves {@code clip} on {@code port} (0 picks a free one). */
    public static GstCamera start(Path home, Path clip, int port) throws Exception {
        Path script = home.resolve("testkit/peers/rtsp_server.py");
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), "--port", Integer.toString(port), "--mount",
                "/cam=" + clip, "--exit-with-stdin").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new GstCamera(p, awaitReady(p, script), "127.0.0.1", clip);
    }

    /** The same camera, served inside a network namespace on its address (for a lossy link). */
    public static GstCamera startIn(Path home, NetworkLab.Namespace namespace) throws Exception {
        Path clip = clip(home, 1920, 1080, "4M");
        Path script = home.resolve("testkit/peers/rtsp_server.py");
        java.util.List<String> command = namespace.exec("/usr/bin/python3", script.toString(), "--address",
                namespace.address(), "--port", "0", "--mount", "/cam=" + clip, "--exit-with-stdin");
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int port = awaitReady(p, script);
        return new GstCamera(p, port, namespace.address(), clip);
    }

    public String url() {
        return "rtsp://" + host + ":" + port + "/cam";
    }

    /** SIGKILL, as a camera losing power: no TEARDOWN, connections reset. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** A new server on the same port and clip, after {@link #kill()} (on loopback). */
    public GstCamera restart(Path home) throws Exception {
        return start(home, clip, port);
    }

    /** Reads the "READY <port>" line the project's gst-rtsp-server scripts print once they serve. */
    public static int awaitReady(Process p, Path script) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (line == null || !line.startsWith("READY ")) {
            p.destroyForcibly();
            throw new IllegalStateException("gst-rtsp-server did not start (" + script + "); run scripts/install-deps.sh");
        }
        return Integer.parseInt(line.substring(6).trim());
    }

    /** A 10 s 25 fps camera-like H264 clip of {@code width}x{@code height}, made once under {@code home/bench/target}. */
    public static Path clip(Path home, int width, int height, String bitrate) throws Exception {
        Path dir = Files.createDirectories(home.resolve("bench/target"));
        String name = width == 1920 && height == 1080 ? "ingest-1080p25.h264" : "camera-" + width + "x" + height + "p25.h264";
        Path clip = dir.resolve(name);
        if (!Files.exists(clip)) {
            System.out.println("making " + clip + " with ffmpeg...");
            Path tmp = dir.resolve(name + ".tmp" + ProcessHandle.current().pid());
            Process p = new ProcessBuilder("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=" + width + "x" + height + ":rate=25", "-t", "10", "-c:v", "libx264", "-threads", "1",
                    "-pix_fmt", "yuv420p", "-preset", "veryfast", "-profile:v", "baseline", "-g", "25", "-keyint_min", "25",
                    "-sc_threshold", "0", "-bf", "0", "-x264-params", "repeat-headers=1:aud=1", "-b:v", bitrate, "-f", "h264",
                    tmp.toString()).inheritIO().start();
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
