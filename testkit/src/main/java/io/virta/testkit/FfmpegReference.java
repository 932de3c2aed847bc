package io.virta.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What Debian's ffmpeg and ffprobe make of a clip or an RTSP stream: the reference our own
 * depacketizer and decoder are compared with.
 */
public final class FfmpegReference {
    private static final Duration CLIP_TIMEOUT = Duration.ofSeconds(120);

    private FfmpegReference() {}

    /**
     * The MD5 of every decoded frame of the clip's first video stream as planar yuv420p, in the
     * order the decoder outputs them (presentation order). H264/H265 decoding is bit-exact by the
     * standards, so any conforming decoder of the same stream must produce these same hashes.
     */
    public static List<String> frameMd5Yuv420p(Path clip) {
        return frameMd5(clip, List.of("-pix_fmt", "yuv420p"));
    }

    /**
     * The MD5 of every decoded frame scaled to {@code width}x{@code height} as packed rgb24, in
     * presentation order.
     *
     * <p>The conversion is swscale with {@code SWS_BICUBIC} and no other flags. Bit-exact equality
     * with our own conversion needs the same flags (accurate_rnd, full_chroma_int and friends change
     * the output), and is only promised for the same libswscale version and CPU code path: Debian's
     * ffmpeg 5.1 and JavaCV's FFmpeg 8 may differ by a rounding step. Compare loosely where they do.
     */
    public static List<String> frameMd5Rgb24(Path clip, int width, int height) {
        return frameMd5(clip, List.of("-vf", "scale=" + width + ":" + height + ":flags=bicubic", "-pix_fmt", "rgb24"));
    }

    private static List<String> frameMd5(Path clip, List<String> conversion) {
        List<String> command = new ArrayList<>(List.of(ExternalCommand.FFMPEG, "-nostdin", "-v", "error",
                "-threads", "1", "-i", clip.toString(), "-map", "0:v:0",
                // One output frame per decoded frame: no duplicates or drops to fit a frame rate.
                "-fps_mode", "passthrough"));
        command.addAll(conversion);
        command.addAll(List.of("-f", "framemd5", "-"));
        ExternalCommand.Result result = ExternalCommand.run(CLIP_TIMEOUT, command);
        if (!result.succeeded()) {
            throw new IllegalStateException("ffmpeg could not hash the frames of " + clip + ": " + result.describe());
        }
        // Lines are "stream, dts, pts, duration, size, md5"; '#' lines are headers.
        List<String> hashes = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",");
            hashes.add(fields[fields.length - 1].strip());
        }
        return hashes;
    }

    /** What ffprobe decoded from an RTSP stream. */
    public record RtspProbe(String codec, int width, int height, int frames) {}

    /**
     * Decodes {@code seconds} of stream time from an RTSP URL with ffprobe over the given lower
     * transport ("tcp" or "udp") and reports codec, size and the number of frames decoded.
     *
     * @throws IllegalStateException when ffprobe fails, with its stderr (e.g. "401 Unauthorized")
     */
    public static RtspProbe probeRtsp(String url, String transport, int seconds) {
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(seconds + 20L), ExternalCommand.FFPROBE,
                "-v", "error", "-rtsp_transport", transport, "-read_intervals", "%+" + seconds, "-count_frames",
                "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
                "-of", "csv=p=0", url);
        String[] fields = result.stdout().strip().split(",");
        if (!result.succeeded() || fields.length != 4) {
            throw new IllegalStateException("ffprobe could not read " + url + " over " + transport + ": "
                    + result.describe());
        }
        try {
            return new RtspProbe(fields[0], Integer.parseInt(fields[1]), Integer.parseInt(fields[2]),
                    Integer.parseInt(fields[3]));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("ffprobe printed an unexpected line for " + url + ": " + result.describe());
        }
    }

    /**
     * The presentation time, in seconds, of every video packet ffprobe receives in {@code seconds}
     * of stream time from an RTSP URL, in arrival order.
     */
    public static List<Double> packetTimesOverRtsp(String url, String transport, int seconds) {
        ExternalCommand.Result result = ExternalCommand.run(Duration.ofSeconds(seconds + 20L), ExternalCommand.FFPROBE,
                "-v", "error", "-rtsp_transport", transport, "-read_intervals", "%+" + seconds,
                "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", url);
        if (!result.succeeded()) {
            throw new IllegalStateException("ffprobe could not read " + url + ": " + result.describe());
        }
        // Packets with side data print extra lines (blank, or "N/A,"): keep lines that start with a time.
        List<Double> times = new ArrayList<>();
        for (String line : result.stdout().split("\n")) {
            String first = line.split(",", 2)[0].strip();
            if (!first.isEmpty() && Character.isDigit(first.charAt(0))) {
                try {
                    times.add(Double.parseDouble(first));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("ffprobe printed an unexpected time '" + first + "' for " + url);
                }
            }
        }
        return times;
    }
}
