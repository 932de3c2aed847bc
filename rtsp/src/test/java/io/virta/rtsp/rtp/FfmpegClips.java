package io.virta.rtsp.rtp;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Real encoder output for round-trip tests, made with the ffmpeg command line into target/ (skipped without it). */
public final class FfmpegClips {
    private static final Path DIR = Path.of("target", "rtp-clips");

    private FfmpegClips() {
    }

    /** 2 s of 320x240 test pattern: GOP 25, no B-frames, SPS/PPS before every IDR, AUDs, 4 slices a picture. */
    public static byte[] h264() {
        return make("clip.h264", "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
                "-x264-params", "repeat-headers=1:aud=1:slices=4", "-f", "h264");
    }

    /** The same in H265: VPS/SPS/PPS before every IRAP, AUDs, 2 slices a picture. */
    public static byte[] h265() {
        return make("clip.h265", "-c:v", "libx265", "-pix_fmt", "yuv420p", "-g", "25", "-bf", "0",
                "-x265-params", "repeat-headers=1:aud=1:slices=2:pools=1:frame-threads=1:log-level=error", "-f", "hevc");
    }

    private static synchronized byte[] make(String name, String... encode) {
        Path file = DIR.resolve(name);
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(DIR);
                List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2"));
                command.addAll(List.of(encode));
                Path partial = DIR.resolve(name + ".part");
                command.add(partial.toString());
                Process process;
                try {
                    process = new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(DIR.resolve(name + ".log").toFile()).start();
                } catch (IOException noFfmpeg) {
                    Assumptions.abort("ffmpeg is not installed: " + noFfmpeg.getMessage());
                    throw noFfmpeg;
                }
                if (!process.waitFor(120, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("ffmpeg did not finish within 120 s");
                }
                Assumptions.assumeTrue(process.exitValue() == 0,
                        "ffmpeg could not encode " + name + ": " + Files.readString(DIR.resolve(name + ".log")));
                Files.move(partial, file);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
