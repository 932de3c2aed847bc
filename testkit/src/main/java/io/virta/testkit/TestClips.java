package io.virta.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test video clips, encoded by Debian's ffmpeg from the {@code testsrc2} pattern, which burns a
 * frame counter into every picture.
 *
 * <p>A clip is generated on first use into {@code testkit/target/test-clips/} and reused after
 * that. Its file name carries a hash of the encoder settings, so changing a recipe makes a new
 * file instead of reusing a stale one. Encoding runs single-threaded, so a clip is byte-identical
 * from run to run and machine to machine with the same ffmpeg. Every clip is 25 fps with a
 * keyframe every 25 frames (one second) and no scene-cut keyframes.
 *
 * <p>Safe to use from parallel tests and JVMs: a clip is written to a temporary file and renamed
 * into place atomically, so no one ever sees half a clip.
 */
public final class TestClips {
    public static final int FPS = 25;
    public static final int GOP = 25;

    private static final Path CACHE = ModulePaths.clipCache();

    private TestClips() {}

    /**
     * An IP-camera-like H264 stream: Annex-B, 1280x720, 5 s (125 frames), baseline profile, one
     * slice per frame, an access unit delimiter before and SPS/PPS repeated before every keyframe.
     */
    public static Path h264Baseline720p() {
        return generate("h264-baseline-720p", "h264", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "5",
                "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0",
                "-x264-params", "repeat-headers=1:aud=1:slices=1", "-b:v", "1M", "-f", "h264"));
    }

    /**
     * As {@link #h264Baseline720p()} but with four slices per frame: access units of several NAL
     * units, and keyframe slices large enough to need fragmentation units in RTP.
     */
    public static Path h264MultiSlice() {
        return generate("h264-multislice-720p", "h264", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "5",
                "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0",
                "-x264-params", "repeat-headers=1:aud=1:slices=4", "-b:v", "1M", "-f", "h264"));
    }

    /**
     * H264 high profile with up to three B-frames, 1280x720, 5 s, in Matroska: raw H264 with
     * B-frames has no timestamps, so presentation order only survives in a container.
     */
    public static Path h264BFrames() {
        return generate("h264-bframes-720p", "mkv", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25", "-t", "5",
                "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-profile:v", "high", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "3",
                "-b:v", "1M",
                // Without these the muxer writes random segment ids and the encoder's version.
                "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", "-f", "matroska"));
    }

    /**
     * An H265 stream: Annex-B, 640x360, 5 s (125 frames), VPS/SPS/PPS repeated before every
     * keyframe, no B-frames (raw Annex-B cannot carry their timestamps). Smaller than 720p because
     * libx265 encodes 720p at about 20 fps on one thread here.
     */
    public static Path h265() {
        return generate("h265-360p", "h265", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-t", "5",
                "-c:v", "libx265", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                // pools=none and frame-threads=1: x265 has its own thread pool that -threads does not reach.
                "-x265-params", "repeat-headers=1:keyint=25:min-keyint=25:scenecut=0:bframes=0"
                        + ":pools=none:frame-threads=1:log-level=error",
                "-b:v", "1M", "-f", "hevc"));
    }

    /** A small, quick H264 stream like {@link #h264Baseline720p()}: 320x240, 2 s (50 frames). */
    public static Path h264Small() {
        return generate("h264-small-240p", "h264", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
                "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0",
                "-x264-params", "repeat-headers=1:aud=1:slices=1", "-b:v", "300k", "-f", "h264"));
    }

    /**
     * Like {@link #h264Small()} but 1 s long and with colour tags in the SPS (VUI):
     * {@code colorspace} and {@code range} are ffmpeg's {@code -colorspace} and {@code -color_range}
     * values, such as {@code bt709} and {@code pc}. Only the tags differ; the pixels are the same.
     */
    public static Path h264ColorTagged(String colorspace, String range) {
        return generate("h264-color-" + colorspace + "-" + range + "-240p", "h264", List.of(
                "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1",
                "-c:v", "libx264", "-threads", "1", "-pix_fmt", "yuv420p", "-preset", "veryfast",
                "-profile:v", "baseline", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0",
                "-colorspace", colorspace, "-color_range", range,
                "-x264-params", "repeat-headers=1:aud=1:slices=1", "-b:v", "300k", "-f", "h264"));
    }

    /** The number of frames ffprobe decodes from a clip. */
    public static int frameCount(Path clip) {
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(60), ExternalCommand.FFPROBE,
                "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", clip.toString());
        if (!result.succeeded()) {
            throw new IllegalStateException("ffprobe could not count frames of " + clip + ": " + result.describe());
        }
        try {
            return Integer.parseInt(result.stdout().strip());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("ffprobe printed no frame count for " + clip + ": " + result.describe());
        }
    }

    /** The directory clips are cached in. */
    public static Path cacheDirectory() {
        return CACHE;
    }

    private static synchronized Path generate(String name, String extension, List<String> encoderArguments) {
        Path clip = CACHE.resolve(name + "-" + shortHash(encoderArguments) + "." + extension);
        if (Files.isRegularFile(clip)) {
            return clip;
        }
        Path partial = CACHE.resolve(name + ".partial-" + ProcessHandle.current().pid() + "-" + System.nanoTime()
                + "." + extension);
        try {
            Files.createDirectories(CACHE);
            List<String> command = new ArrayList<>(List.of(ExternalCommand.FFMPEG, "-nostdin", "-v", "error", "-y"));
            command.addAll(encoderArguments);
            command.add(partial.toString());
            ExternalCommand.Result result = ExternalCommand.run(Duration.ofMinutes(2), command);
            if (!result.succeeded() || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
                throw new IllegalStateException("could not generate test clip " + clip.getFileName() + ": "
                        + result.describe());
            }
            // Another test may have finished the same clip meanwhile; both are identical, either wins.
            Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return clip;
        } catch (IOException e) {
            throw new UncheckedIOException("could not generate test clip " + clip, e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // Only a leftover in target/; mvn clean removes it.
            }
        }
    }

    private static String shortHash(List<String> arguments) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(String.join("\u0000", arguments).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
