package io.virta.bench.record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real H264 clip to record: made once by the ffmpeg CLI (x264, constant bitrate, one keyframe a
 * second, an access unit delimiter in front of every access unit), and cut into access units at those
 * delimiters, as the producer's encoded channel carries them. Looped, it stands for a camera.
 */
final class RealClip {
    static final int FPS = 25;
    private static final int NAL_AUD = 9;
    private static final int NAL_IDR = 5;

    final List<byte[]> units;
    final boolean[] keyframes;
    final int bitrateKbps;

    private RealClip(List<byte[]> units, int bitrateKbps) {
        this.units = units;
        this.bitrateKbps = bitrateKbps;
        keyframes = new boolean[units.size()];
        for (int i = 0; i < units.size(); i++) {
            keyframes[i] = containsNal(units.get(i), NAL_IDR);
        }
    }

    /** Encodes {@code seconds} of 720p test pattern at {@code kbps} into {@code dir} and cuts it. */
    static RealClip make(Path dir, int seconds, int kbps) throws IOException, InterruptedException {
        Path file = dir.resolve("clip.h264");
        Process ffmpeg = new ProcessBuilder("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=1280x720:rate=" + FPS, "-t", Integer.toString(seconds), "-c:v", "libx264",
                "-preset", "veryfast", "-b:v", kbps + "k", "-maxrate", kbps + "k", "-bufsize", (kbps / 2) + "k",
                "-x264-params", "aud=1:keyint=" + FPS + ":min-keyint=" + FPS + ":scenecut=0", "-f", "h264",
                file.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!ffmpeg.waitFor(120, TimeUnit.SECONDS) || ffmpeg.exitValue() != 0) {
            throw new IOException("ffmpeg could not make the benchmark's clip (is ffmpeg with libx264 installed?"
                    + " scripts/install-deps.sh installs it)");
        }
        return new RealClip(cut(Files.readAllBytes(file)), kbps);
    }

    /** Splits an Annex-B stream before each access unit delimiter. */
    private static List<byte[]> cut(byte[] stream) {
        List<byte[]> units = new ArrayList<>();
        int start = -1;
        for (int i = 0; i + 4 < stream.length; i++) {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 && (stream[i + 3] & 0x1f) == NAL_AUD) {
                int at = i > 0 && stream[i - 1] == 0 ? i - 1 : i;
                if (start >= 0) {
                    units.add(java.util.Arrays.copyOfRange(stream, start, at));
                }
                start = at;
            }
        }
        if (start >= 0) {
            units.add(java.util.Arrays.copyOfRange(stream, start, stream.length));
        }
        return units;
    }

    private static boolean containsNal(byte[] unit, int type) {
        for (int i = 0; i + 3 < unit.length; i++) {
            if (unit[i] == 0 && unit[i + 1] == 0 && unit[i + 2] == 1 && (unit[i + 3] & 0x1f) == type) {
                return true;
            }
        }
        return false;
    }

    /** The SPS and PPS in front of the clip's first keyframe, Annex-B with 4-byte start codes. */
    byte[] parameterSets() {
        byte[] first = units.get(0);
        java.io.ByteArrayOutputStream sets = new java.io.ByteArrayOutputStream();
        for (int i = 0; i + 3 < first.length; i++) {
            if (first[i] == 0 && first[i + 1] == 0 && first[i + 2] == 1) {
                int type = first[i + 3] & 0x1f;
                int end = i + 3;
                while (end + 2 < first.length && !(first[end] == 0 && first[end + 1] == 0
                        && (first[end + 2] == 1 || (end + 3 < first.length && first[end + 2] == 0 && first[end + 3] == 1)))) {
                    end++;
                }
                if (end + 2 >= first.length) {
                    end = first.length;
                }
                if (type == 7 || type == 8) {
                    sets.writeBytes(new byte[] {0, 0, 0, 1});
                    sets.write(first, i + 3, end - i - 3);
                }
                i = end - 1;
            }
        }
        return sets.toByteArray();
    }

    int largestUnit() {
        return units.stream().mapToInt(u -> u.length).max().orElse(0);
    }

    long bytesPerLoop() {
        return units.stream().mapToLong(u -> u.length).sum();
    }
}
