package io.virta.producer.source.ffmpeg;

import io.virta.rtsp.media.VideoCodec;
import io.virta.testkit.ExternalCommand;
import io.virta.testkit.TestClips;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Clips the FFmpeg source tests need beyond {@link TestClips}: remuxes into other containers, and
 * inputs it must refuse. Made by Debian's ffmpeg into {@code target/test-clips/ffmpeg-source/}
 * once, then reused; written to a temporary name and renamed, so parallel runs never see half a file.
 */
final class SourceClips {
    private SourceClips() {
    }

    /** {@link TestClips#h264BFrames()} remuxed into mp4: avcC, B-frames, negative decode times. */
    static Path h264BFramesMp4() {
        return derive("h264-bframes.mp4", List.of("-i", TestClips.h264BFrames().toString(), "-c", "copy",
                "-fflags", "+bitexact", "-map_metadata", "-1"));
    }

    /** {@link TestClips#h264Baseline720p()} in mkv: avcC, and SPS/PPS also in band (x264 repeat-headers). */
    static Path h264BaselineMkv() {
        return derive("h264-baseline-720p.mkv", List.of("-r", "25", "-f", "h264", "-i",
                TestClips.h264Baseline720p().toString(), "-c", "copy", "-fflags", "+bitexact", "-map_metadata", "-1"));
    }

    /**
     * {@link TestClips#h265()} in mp4 with the in-band VPS/SPS/PPS removed: they live only in hvcC,
     * and {@code hevc_mp4toannexb} puts them in front of the first keyframe only.
     */
    static Path h265Mp4WithoutInbandParameterSets() {
        return derive("h265-no-inband-ps.mp4", List.of("-r", "25", "-f", "hevc", "-i", TestClips.h265().toString(),
                "-c", "copy", "-bsf:v", "filter_units=remove_types=32|33|34", "-fflags", "+bitexact",
                "-map_metadata", "-1"));
    }

    /**
     * {@link TestClips#h264Baseline720p()} with SPS and PPS only before the first picture, as some
     * cameras send them: later keyframes need the stream's, taken from its start.
     */
    static Path h264ParameterSetsOnce() {
        return withParameterSetsOnce(TestClips.h264Baseline720p(), VideoCodec.H264, "h264-ps-once.h264");
    }

    /** {@link TestClips#h265()} with VPS, SPS and PPS only before the first picture. */
    static Path h265ParameterSetsOnce() {
        return withParameterSetsOnce(TestClips.h265(), VideoCodec.H265, "h265-ps-once.hevc");
    }

    /** Copies an Annex-B stream, leaving out every parameter set after the first picture. */
    private static synchronized Path withParameterSetsOnce(Path source, VideoCodec codec, String name) {
        Path clip = TestClips.cacheDirectory().resolve("ffmpeg-source").resolve(name);
        if (Files.isRegularFile(clip)) {
            return clip;
        }
        try {
            byte[] in = Files.readAllBytes(source);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            boolean pictureSeen = false;
            int start = nextStartCode(in, 0);
            while (start >= 0) {
                int next = nextStartCode(in, start + 3);
                int end = next < 0 ? in.length : next;
                int header = in[start + 3] & 0xFF;
                int type = codec == VideoCodec.H265 ? (header >> 1) & 0x3F : header & 0x1F;
                boolean parameterSet = codec == VideoCodec.H265 ? type >= 32 && type <= 34 : type == 7 || type == 8;
                boolean picture = codec == VideoCodec.H265 ? type <= 31 : type >= 1 && type <= 5;
                if (!parameterSet || !pictureSeen) {
                    out.write(in, start, end - start);
                }
                pictureSeen |= picture;
                start = next;
            }
            Files.createDirectories(clip.getParent());
            Path partial = clip.resolveSibling("partial-" + ProcessHandle.current().pid() + "-" + name);
            Files.write(partial, out.toByteArray());
            Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return clip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Index of the next {@code 00 00 01}, or -1. */
    private static int nextStartCode(byte[] b, int from) {
        for (int i = from; i + 3 < b.length; i++) {
            if (b[i] == 0 && b[i + 1] == 0 && b[i + 2] == 1) {
                return i;
            }
        }
        return -1;
    }

    /** MPEG-4 Part 2 video in mkv: a codec the source must refuse. */
    static Path mpeg4Mkv() {
        return derive("mpeg4.mkv", List.of("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "1",
                "-c:v", "mpeg4", "-threads", "1"));
    }

    /** H264 in MPEG-TS, the segment format of HLS playlists. */
    static Path h264Ts() {
        return derive("h264.ts", List.of("-r", "25", "-f", "h264", "-i", TestClips.h264Small().toString(),
                "-c:v", "copy", "-f", "mpegts"));
    }

    /** Sound only. */
    static Path audioOnly() {
        return derive("audio-only.mka", List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
                "-t", "1", "-c:a", "pcm_s16le"));
    }

    private static synchronized Path derive(String name, List<String> arguments) {
        Path directory = TestClips.cacheDirectory().resolve("ffmpeg-source");
        Path clip = directory.resolve(name);
        if (Files.isRegularFile(clip)) {
            return clip;
        }
        Path partial = directory.resolve("partial-" + ProcessHandle.current().pid() + "-" + name);
        try {
            Files.createDirectories(directory);
            List<String> command = new ArrayList<>(List.of(ExternalCommand.FFMPEG, "-nostdin", "-v", "error", "-y"));
            command.addAll(arguments);
            command.add(partial.toString());
            ExternalCommand.Result result = ExternalCommand.run(Duration.ofMinutes(1), command);
            if (!result.succeeded() || !Files.isRegularFile(partial)) {
                throw new IllegalStateException("could not make " + name + ": " + result.describe());
            }
            Files.move(partial, clip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return clip;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // A leftover in target/.
            }
        }
    }
}
