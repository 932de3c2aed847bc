package io.virta.recorder.export;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.store.CameraWriter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Real H264 and H265 clips for the export tests: ffmpeg encodes {@code testsrc2} with an access unit
 * delimiter in front of every picture, the parameter sets in front of every keyframe (as the producer's
 * encoded channel has them) and no B-frames (as cameras send), and the clip is cut into access units at
 * the delimiters, each kept byte for byte.
 */
final class TestClips {
    static final long FRAME_MICROS = 40_000;

    private TestClips() {
    }

    /** One access unit as recorded, Annex-B. */
    record AccessUnit(byte[] bytes, boolean keyframe, List<byte[]> units) {
    }

    /** A clip: its Annex-B file (for decoding the source) and its access units. */
    record Clip(Path file, PixelFormat codec, List<AccessUnit> frames) {
    }

    static Clip encode(Path directory, PixelFormat codec, int width, int height, int frames, String name)
            throws IOException, InterruptedException {
        Path file = directory.resolve(name + (codec == PixelFormat.H264 ? ".h264" : ".h265"));
        String params = "aud=1:repeat-headers=1:bframes=0:keyint=25:min-keyint=25:scenecut=0";
        List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
                "-i", "testsrc2=size=" + width + "x" + height + ":rate=25", "-frames:v", Integer.toString(frames),
                "-pix_fmt", "yuv420p"));
        if (codec == PixelFormat.H264) {
            command.addAll(List.of("-c:v", "libx264", "-x264-params", params, "-f", "h264", file.toString()));
        } else {
            command.addAll(List.of("-c:v", "libx265", "-x265-params", params + ":log-level=error", "-f", "hevc",
                    file.toString()));
        }
        Peers.run(directory, command);
        return new Clip(file, codec, split(codec, Files.readAllBytes(file)));
    }

    /** Cuts an Annex-B stream into access units at its delimiters (H264 type 9, H265 type 35). */
    static List<AccessUnit> split(PixelFormat codec, byte[] stream) {
        List<int[]> starts = new ArrayList<>(); // {start code offset, unit offset}
        for (int i = 0; i + 3 < stream.length; i++) {
            if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
                int codeStart = i > 0 && stream[i - 1] == 0 ? i - 1 : i;
                starts.add(new int[] {codeStart, i + 3});
                i += 2;
            }
        }
        List<AccessUnit> units = new ArrayList<>();
        int auStart = -1;
        List<byte[]> nals = new ArrayList<>();
        boolean keyframe = false;
        for (int n = 0; n <= starts.size(); n++) {
            int type = n < starts.size() ? nalType(codec, stream[starts.get(n)[1]], stream[starts.get(n)[1]]) : -1;
            boolean delimiter = codec == PixelFormat.H264 ? type == 9 : type == 35;
            if ((n == starts.size() || delimiter) && auStart >= 0) {
                int end = n < starts.size() ? starts.get(n)[0] : stream.length;
                byte[] bytes = java.util.Arrays.copyOfRange(stream, auStart, end);
                units.add(new AccessUnit(bytes, keyframe, List.copyOf(nals)));
                nals.clear();
                keyframe = false;
            }
            if (n == starts.size()) {
                break;
            }
            if (delimiter) {
                auStart = starts.get(n)[0];
            }
            int end = n + 1 < starts.size() ? starts.get(n + 1)[0] : stream.length;
            nals.add(java.util.Arrays.copyOfRange(stream, starts.get(n)[1], end));
            keyframe |= codec == PixelFormat.H264 ? type == 5 : type >= 16 && type <= 21;
        }
        return units;
    }

    private static int nalType(PixelFormat codec, byte first, byte ignored) {
        return codec == PixelFormat.H264 ? first & 0x1F : (first >> 1) & 0x3F;
    }

    /** The parameter sets in front of a keyframe's first slice, with 4-byte start codes, as a segment header keeps them. */
    static StreamParameters parameters(PixelFormat codec, AccessUnit keyframe) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] nal : keyframe.units()) {
            int type = nalType(codec, nal[0], nal[0]);
            boolean parameterSet = codec == PixelFormat.H264 ? type == 7 || type == 8 : type >= 32 && type <= 34;
            if (parameterSet) {
                out.writeBytes(new byte[] {0, 0, 0, 1});
                out.writeBytes(nal);
            }
        }
        return new StreamParameters(codec, 0, 0, out.toByteArray());
    }

    /**
     * Appends {@code frames[from, to)} of a clip at 25 fps from {@code startMicros}, as a recorder does:
     * the stream parameters of each keyframe, the keyframe flag, one sequence number per frame.
     */
    static void record(CameraWriter writer, Clip clip, int from, int to, long startMicros, long firstSequence)
            throws IOException {
        StreamParameters stream = null;
        for (int i = from; i >= 0 && stream == null; i--) { // going on mid-GOP: the parameters of its keyframe
            if (clip.frames().get(i).keyframe()) {
                stream = parameters(clip.codec(), clip.frames().get(i));
            }
        }
        for (int i = from; i < to; i++) {
            AccessUnit unit = clip.frames().get(i);
            if (unit.keyframe()) {
                StreamParameters found = parameters(clip.codec(), unit);
                stream = found.equals(stream) ? stream : found;
            }
            if (stream == null) {
                continue;
            }
            writer.append(stream, ByteBuffer.wrap(unit.bytes()), startMicros + (i - from) * FRAME_MICROS,
                    firstSequence + i - from, unit.keyframe() ? RecordDescriptor.FLAG_KEYFRAME : 0);
        }
    }

    /** Runs external checkers. */
    static final class Peers {
        private Peers() {
        }

        /** Runs {@code command} in {@code directory}; returns its standard output; fails with its output when it fails. */
        static String run(Path directory, List<String> command) throws IOException, InterruptedException {
            Path output = Files.createTempFile(directory, "peer", ".out");
            try {
                Process process = new ProcessBuilder(command).directory(directory.toFile())
                        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
                }
                String text = Files.readString(output);
                if (process.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " exited " + process.exitValue() + ":\n" + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(output);
            }
        }
    }
}
