package io.virta.producer.decode;

import io.virta.rtsp.media.VideoCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Test clips made with Debian's ffmpeg (libx264/libx265, one thread, so byte-identical from run to
 * run) into target/decode-clips, once; and ffmpeg's own answers about them (framemd5, packet times).
 */
final class TestClips {
    static final String FFMPEG = "/usr/bin/ffmpeg";
    static final String FFPROBE = "/usr/bin/ffprobe";
    static final Path DIR = Path.of("target", "decode-clips");

    /**
     * One clip: {@code annexB} is what we decode; {@code container} holds the same bitstream with
     * proper timestamps (an mkv for clips with B-frames, else the Annex-B file itself), for ffmpeg's
     * reference output.
     */
    record Clip(String name, VideoCodec codec, Path annexB, Path container, int width, int height) {
    }

    private static final String X264_CAMERA = "-c:v libx264 -threads 1 -pix_fmt yuv420p -preset veryfast"
            + " -profile:v baseline -g 25 -keyint_min 25 -sc_threshold 0 -bf 0";

    private TestClips() {
    }

    /** 320x240, 2 s, baseline, a keyframe every 25 frames, AUDs and in-band parameter sets. */
    static Clip h264Small() {
        return raw("h264-320x240", 320, 240, 2, X264_CAMERA + " -x264-params repeat-headers=1:aud=1 -b:v 300k");
    }

    /** 1280x720, 2 s, like the README's camera clip. */
    static Clip h264Hd() {
        return raw("h264-1280x720", 1280, 720, 2,
                X264_CAMERA + " -x264-params repeat-headers=1:aud=1:slices=1 -b:v 1M");
    }

    /** 320x240 with four slices per picture and no AUDs: access units of several slice NAL units. */
    static Clip h264Slices() {
        return raw("h264-slices-320x240", 320, 240, 2, X264_CAMERA + " -x264-params repeat-headers=1:slices=4 -b:v 300k");
    }

    /** 640x360 High profile with up to 3 B-frames (pyramid): decode order is not presentation order. */
    static Clip h264BFrames() {
        return remuxed("h264-bframes-640x360", VideoCodec.H264, 640, 360, 3,
                "-c:v libx264 -threads 1 -pix_fmt yuv420p -preset veryfast -profile:v high -bf 3 -g 25"
                        + " -keyint_min 25 -sc_threshold 0 -x264-params repeat-headers=1:aud=1 -b:v 600k",
                "h264_mp4toannexb", "h264");
    }

    /** 320x240 H265 with B-frames. */
    static Clip h265() {
        return remuxed("h265-320x240", VideoCodec.H265, 320, 240, 2,
                "-c:v libx265 -preset veryfast -pix_fmt yuv420p -x265-params"
                        + " keyint=25:min-keyint=25:scenecut=0:bframes=3:aud=1:repeat-headers=1:pools=1:frame-threads=1:log-level=error",
                "hevc_mp4toannexb", "hevc");
    }

    /** 320x240 in 4:2:2 (High 4:2:2 profile): pictures the I420 publisher must convert. */
    static Clip h264Yuv422() {
        return raw("h264-yuv422-320x240", 320, 240, 1, "-c:v libx264 -threads 1 -pix_fmt yuv422p -preset veryfast"
                + " -profile:v high422 -g 25 -bf 0 -x264-params repeat-headers=1:aud=1 -b:v 300k");
    }

    /**
     * 320x240 4:2:2 tagged BT.709 full range: FFmpeg decodes it as YUVJ422P, which the I420 publisher
     * converts, and swscale takes as full range.
     */
    static Clip h264Yuv422FullRange() {
        return raw("h264-yuv422-bt709-pc-320x240", 320, 240, 1, "-c:v libx264 -threads 1 -pix_fmt yuv422p"
                + " -preset veryfast -profile:v high422 -g 25 -bf 0 -colorspace bt709 -color_range pc"
                + " -x264-params repeat-headers=1:aud=1 -b:v 300k");
    }

    /** 320x240 10-bit 4:2:0 (High 10) tagged BT.2020 full range: converted to 8 bit by the I420 publisher. */
    static Clip h264TenBitFullRange() {
        return raw("h264-10bit-bt2020-pc-320x240", 320, 240, 1, "-c:v libx264 -threads 1 -pix_fmt yuv420p10le"
                + " -preset veryfast -profile:v high10 -g 25 -bf 0 -colorspace bt2020nc -color_range pc"
                + " -x264-params repeat-headers=1:aud=1 -b:v 300k");
    }

    /** 640x480, 1 s. */
    static Clip h264Large() {
        return raw("h264-640x480", 640, 480, 1, X264_CAMERA + " -x264-params repeat-headers=1:aud=1 -b:v 500k");
    }

    /** A 320x240 clip followed by a 640x480 one, as a camera that changes resolution mid-stream. */
    static Clip h264ResolutionChange() {
        Path out = DIR.resolve("h264-resolution-change.h264");
        if (!Files.exists(out)) {
            try {
                Path large = h264Large().annexB();
                byte[] a = Files.readAllBytes(h264Small().annexB());
                byte[] b = Files.readAllBytes(large);
                byte[] joined = Arrays.copyOf(a, a.length + b.length);
                System.arraycopy(b, 0, joined, a.length, b.length);
                Path tmp = DIR.resolve("resolution-change.tmp");
                Files.write(tmp, joined);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return new Clip("h264-resolution-change", VideoCodec.H264, out, out, 0, 0);
    }

    private static Clip raw(String name, int width, int height, int seconds, String encoder) {
        Path out = DIR.resolve(name + ".h264");
        if (!Files.exists(out)) {
            List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                    "testsrc2=size=" + width + "x" + height + ":rate=25", "-t", Integer.toString(seconds)));
            args.addAll(List.of(encoder.split(" ")));
            args.addAll(List.of("-f", "h264"));
            make(out, args);
        }
        return new Clip(name, VideoCodec.H264, out, out, width, height);
    }

    private static Clip remuxed(String name, VideoCodec codec, int width, int height, int seconds, String encoder,
            String bitstreamFilter, String rawFormat) {
        Path mkv = DIR.resolve(name + ".mkv");
        Path annexB = DIR.resolve(name + (codec == VideoCodec.H265 ? ".h265" : ".h264"));
        if (!Files.exists(mkv)) {
            List<String> args = new ArrayList<>(List.of("-f", "lavfi", "-i",
                    "testsrc2=size=" + width + "x" + height + ":rate=25", "-t", Integer.toString(seconds)));
            args.addAll(List.of(encoder.split(" ")));
            args.addAll(List.of("-f", "matroska"));
            make(mkv, args);
        }
        if (!Files.exists(annexB)) {
            make(annexB, List.of("-i", mkv.toString(), "-c", "copy", "-bsf:v", bitstreamFilter, "-f", rawFormat));
        }
        return new Clip(name, codec, annexB, mkv, width, height);
    }

    /** Runs ffmpeg with {@code args} and the output last, into a temporary name first. */
    private static void make(Path out, List<String> args) {
        try {
            Files.createDirectories(DIR);
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            List<String> command = new ArrayList<>(List.of(FFMPEG, "-hide_banner", "-v", "error", "-y"));
            command.addAll(args);
            command.add(tmp.toString());
            run(command);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ffmpeg's MD5 of every decoded frame, in output order, after {@code filter} (may be null). */
    static List<String> frameMd5(String ffmpeg, Path input, String filter, String pixelFormat) {
        List<String> command = new ArrayList<>(List.of(ffmpeg, "-hide_banner", "-v", "error", "-threads", "1",
                "-i", input.toString(), "-fps_mode", "passthrough"));
        if (filter != null) {
            command.addAll(List.of("-vf", filter));
        }
        command.addAll(List.of("-pix_fmt", pixelFormat, "-f", "framemd5", "-"));
        List<String> md5 = new ArrayList<>();
        for (String line : run(command).split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] fields = line.split(",");
                md5.add(fields[fields.length - 1].trim());
            }
        }
        return md5;
    }

    /** ffmpeg's raw frames after {@code filter}, for comparisons that cannot be bit-exact. */
    static byte[] rawFrames(Path input, String filter, String pixelFormat) {
        return runBytes(List.of(FFMPEG, "-hide_banner", "-v", "error", "-threads", "1", "-i", input.toString(),
                "-fps_mode", "passthrough", "-vf", filter, "-pix_fmt", pixelFormat, "-f", "rawvideo", "-"));
    }

    /** Presentation times of the packets of {@code container}, in decode order, in µs. */
    static long[] packetPresentationMicros(Path container) {
        String out = run(List.of(FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                "-of", "csv=p=0", container.toString()));
        return out.lines().filter(l -> !l.isBlank())
                .mapToLong(l -> Math.round(Double.parseDouble(l.trim().replace(",", "")) * 1_000_000)).toArray();
    }

    static String run(List<String> command) {
        return new String(runBytes(command), StandardCharsets.UTF_8);
    }

    private static byte[] runBytes(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("failed: " + String.join(" ", command));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command.getFirst() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
