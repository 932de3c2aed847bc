package io.virta.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Debian's ffmpeg sending a clip as RTP, looped forever at its real rate, to a unicast address or a
 * multicast group on loopback, and writing the SDP file that describes the stream: the kind of
 * sender an SDP-file camera listens to.
 *
 * <pre>{@code
 * try (var sender = FfmpegRtpSender.start(TestClips.h264Small(), "239.255.7.9", port, dir.resolve("cam.sdp"))) {
 *     ... read dir/cam.sdp, receive on port ...
 * }
 * }</pre>
 */
public final class FfmpegRtpSender implements AutoCloseable {
    private static final Duration SDP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path sdpFile;
    private final Path log;

    private FfmpegRtpSender(Process process, Path sdpFile, Path log) {
        this.process = process;
        this.sdpFile = sdpFile;
        this.log = log;
    }

    /**
     * Starts ffmpeg and returns once it has written {@code sdpFile} (an old file there is deleted
     * first). A multicast group is sent through loopback with TTL 1, so nothing leaves the host.
     */
    public static FfmpegRtpSender start(Path clip, String host, int port, Path sdpFile) {
        boolean multicast = InetAddress.ofLiteral(host).isMulticastAddress();
        List<String> command = new ArrayList<>(List.of(ExternalCommand.FFMPEG, "-nostdin", "-v", "error",
                "-re", "-stream_loop", "-1"));
        command.addAll(List.of("-i", loopable(clip).toString(), "-an", "-c", "copy", "-f", "rtp",
                "-sdp_file", sdpFile.toString(),
                "rtp://" + host + ":" + port + "?pkt_size=1400" + (multicast ? "&ttl=1&localaddr=127.0.0.1" : "")));
        try {
            Files.deleteIfExists(sdpFile);
            Path log = Files.createTempFile("ffmpeg-rtp-sender", ".log");
            Process process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(log.toFile())
                    .start();
            FfmpegRtpSender sender = new FfmpegRtpSender(process, sdpFile, log);
            sender.awaitSdp(String.join(" ", command));
            return sender;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * The clip in a container that {@code -stream_loop} can rewind. ffmpeg 5.1 cannot seek in a raw
     * .h264/.h265 stream ("Seek to start failed"), so those are remuxed once, bit for bit, into a
     * Matroska file beside them; the NAL units, and so the decoded frames, stay the same.
     */
    public static synchronized Path loopable(Path clip) {
        String name = clip.getFileName().toString();
        String format = name.endsWith(".h264") ? "h264" : name.endsWith(".h265") || name.endsWith(".hevc") ? "hevc" : null;
        if (format == null) {
            return clip;
        }
        Path mkv = clip.resolveSibling(name + ".mkv");
        if (Files.isRegularFile(mkv)) {
            return mkv;
        }
        Path partial = clip.resolveSibling(name + ".partial-" + ProcessHandle.current().pid() + ".mkv");
        // A raw stream has no timestamps: -r gives them, at the rate every test clip has.
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(60), ExternalCommand.FFMPEG,
                "-nostdin", "-v", "error", "-y", "-r", Integer.toString(TestClips.FPS), "-f", format,
                "-i", clip.toString(), "-c", "copy", "-fflags", "+bitexact", "-f", "matroska", partial.toString());
        try {
            if (!result.succeeded()) {
                throw new IllegalStateException("could not remux " + clip + ": " + result.describe());
            }
            Files.move(partial, mkv, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return mkv;
        } catch (IOException e) {
            throw new UncheckedIOException("could not remux " + clip, e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover in target/
            }
        }
    }

    /** An even port whose odd neighbour is free too, for RTP and RTCP; free when this returns, not promised after. */
    public static int freePortPair() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20_000 + 2 * ThreadLocalRandom.current().nextInt(20_000);
            try (DatagramChannel rtp = DatagramChannel.open(StandardProtocolFamily.INET);
                 DatagramChannel rtcp = DatagramChannel.open(StandardProtocolFamily.INET)) {
                rtp.bind(new InetSocketAddress(port));
                rtcp.bind(new InetSocketAddress(port + 1));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free UDP port pair found");
    }

    /** A random group in 239.255.0.0/16 (organization-local), so parallel tests do not hear each other. */
    public static String randomGroup() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "239.255." + random.nextInt(1, 255) + "." + random.nextInt(1, 255);
    }

    public Path sdpFile() {
        return sdpFile;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** What ffmpeg printed (errors only). */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void awaitSdp(String command) throws IOException {
        long deadline = System.nanoTime() + SDP_TIMEOUT.toNanos();
        String previous = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ffmpeg exited (" + process.exitValue() + ") before writing "
                        + sdpFile + ": " + command + "\n" + log());
            }
            if (Files.isRegularFile(sdpFile)) {
                String text = Files.readString(sdpFile, StandardCharsets.UTF_8);
                // ffmpeg writes the file in one go; two equal reads in a row mean it has finished.
                if (text.contains("a=rtpmap") && text.equals(previous)) {
                    return;
                }
                previous = text;
            }
            sleep(50);
        }
        close();
        throw new IllegalStateException("ffmpeg wrote no SDP file " + sdpFile + " within " + SDP_TIMEOUT.toSeconds()
                + " s: " + command + "\n" + log());
    }

    /** Stops ffmpeg (SIGTERM, then SIGKILL after 5 s) and waits until it has exited. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file; the OS cleans up
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
