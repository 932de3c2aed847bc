package io.virta.demo.camera;

import io.virta.demo.camera.DemoPattern.Bar;
import io.virta.rtsp.media.AccessUnitListener;
import io.virta.rtsp.media.VideoCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Encodes the demo pattern and checks the stream with Debian's own ffprobe and ffmpeg: a decoder
 * that shares nothing with the encoder, as a viewer or a browser would be.
 */
class DemoEncoderTest {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int FPS = 25;
    private static final int FRAMES = 60;
    private static final long START_MICROS = 1_793_970_462_815_000L;
    private static final Path FFPROBE = Path.of("/usr/bin/ffprobe");
    private static final Path FFMPEG = Path.of("/usr/bin/ffmpeg");
    private static final Path OUTPUT = Path.of("target", "demo-camera");

    /** What a listener saw of one unit, copied out during the call. */
    record Seen(byte[] bytes, boolean keyframe, long rtpTimestamp, long captureTimeMicros, long sequence, VideoCodec codec) {
    }

    private static List<Seen> units;
    private static Path stream;
    private static byte[] sps;
    private static byte[] pps;

    @BeforeAll
    static void encodeTheTestStream() throws IOException {
        Files.createDirectories(OUTPUT);
        stream = OUTPUT.resolve("demo-" + WIDTH + "x" + HEIGHT + ".h264");
        units = new ArrayList<>();
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        MemorySegment frame = Arena.ofAuto().allocate(pattern.frameBytes());
        try (DemoEncoder encoder = new DemoEncoder(WIDTH, HEIGHT, FPS, 500_000);
             OutputStream out = Files.newOutputStream(stream)) {
            for (int n = 0; n < FRAMES; n++) {
                long capture = START_MICROS + n * 40_000L;
                pattern.render(n, capture, frame);
                encoder.encode(n, frame, capture, unit -> {
                    byte[] bytes = new byte[unit.size()];
                    unit.data().get(0, bytes);
                    units.add(new Seen(bytes, unit.isKeyframe(), unit.rtpTimestamp(), unit.captureTimeMicros(),
                            unit.sequence(), unit.codec()));
                });
            }
            for (Seen unit : units) {
                out.write(unit.bytes());
            }
            sps = encoder.sequenceParameterSet();
            pps = encoder.pictureParameterSet();
        }
    }

    @Test
    void emitsOneUnitPerFrameWithTimesAndSequenceNumbers() {
        assertEquals(FRAMES, units.size());
        for (int n = 0; n < FRAMES; n++) {
            Seen unit = units.get(n);
            assertEquals(n + 1, unit.sequence(), "sequence numbers count from 1");
            assertEquals(n * 90_000L / FPS, unit.rtpTimestamp(), "90 kHz RTP time of frame " + n);
            assertEquals(START_MICROS + n * 40_000L, unit.captureTimeMicros(), "the capture time given");
            assertEquals(VideoCodec.H264, unit.codec());
        }
    }

    @Test
    void keyframeOncePerSecondEachWithSpsPpsAndIdr() {
        for (int n = 0; n < FRAMES; n++) {
            Seen unit = units.get(n);
            List<Integer> types = nalTypes(unit.bytes());
            if (n % FPS == 0) {
                assertTrue(unit.keyframe(), "frame " + n + " is a keyframe");
                assertEquals(List.of(7, 8, 5), types, "frame " + n + ": SPS, PPS, one IDR slice");
            } else {
                assertFalse(unit.keyframe(), "frame " + n + " is not a keyframe");
                assertEquals(List.of(1), types, "frame " + n + ": one non-IDR slice");
            }
        }
    }

    @Test
    void everyNalHasAFourByteStartCode() {
        for (Seen unit : units) {
            byte[] bytes = unit.bytes();
            assertArrayEquals(new byte[] {0, 0, 0, 1}, java.util.Arrays.copyOf(bytes, 4), "starts with 00 00 00 01");
            for (int i = 1; i + 2 < bytes.length; i++) {
                // Emulation prevention keeps 00 00 01 out of NAL payloads: each one is a start code.
                if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1) {
                    assertEquals(0, bytes[i - 1], "start code at " + (i - 1) + " has four bytes");
                }
            }
        }
    }

    @Test
    void parameterSetsAreConstrainedBaselineAndMatchTheStream() {
        assertNotNull(sps);
        assertNotNull(pps);
        assertEquals(7, sps[0] & 0x1F);
        assertEquals(8, pps[0] & 0x1F);
        assertEquals(66, sps[1] & 0xFF, "profile_idc: baseline");
        assertTrue((sps[2] & 0x40) != 0, "constraint_set1_flag: constrained baseline");
        byte[] first = units.get(0).bytes();
        assertArrayEquals(sps, java.util.Arrays.copyOfRange(first, 4, 4 + sps.length), "the SPS the first keyframe carries");
    }

    @Test
    void ffprobeAcceptsTheStream() throws Exception {
        assumeTrue(Files.isExecutable(FFPROBE), "Debian's ffprobe is needed");
        Map<String, String> info = keyValues(run(FFPROBE.toString(), "-v", "error", "-count_frames", "-select_streams", "v:0",
                "-show_entries", "stream=codec_name,profile,width,height,pix_fmt,nb_read_frames,has_b_frames",
                "-of", "default=noprint_wrappers=1", stream.toString()));
        assertEquals("h264", info.get("codec_name"), info.toString());
        assertEquals("Constrained Baseline", info.get("profile"), info.toString());
        assertEquals(String.valueOf(WIDTH), info.get("width"));
        assertEquals(String.valueOf(HEIGHT), info.get("height"));
        assertEquals("yuv420p", info.get("pix_fmt"));
        assertEquals("0", info.get("has_b_frames"));
        assertEquals(String.valueOf(FRAMES), info.get("nb_read_frames"));

        String keys = run(FFPROBE.toString(), "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=key_frame,pict_type",
                "-of", "csv=p=0", stream.toString());
        List<String> lines = keys.lines().filter(line -> !line.isBlank()).toList();
        assertEquals(FRAMES, lines.size());
        for (int n = 0; n < FRAMES; n++) {
            assertEquals(n % FPS == 0 ? "1,I" : "0,P", lines.get(n), "frame " + n);
        }
    }

    @Test
    void ffmpegDecodesTheStreamAndThePictureSurvives() throws Exception {
        assumeTrue(Files.isExecutable(FFMPEG), "Debian's ffmpeg is needed");
        Path raw = OUTPUT.resolve("demo-" + WIDTH + "x" + HEIGHT + ".yuv");
        String errors = run(FFMPEG.toString(), "-v", "error", "-y", "-i", stream.toString(), "-f", "rawvideo", "-pix_fmt", "yuv420p",
                raw.toString());
        assertEquals("", errors.strip(), "ffmpeg reports no errors");
        byte[] decoded = Files.readAllBytes(raw);
        long frameBytes = DemoPattern.frameBytes(WIDTH, HEIGHT);
        assertEquals(FRAMES * frameBytes, decoded.length, "every frame decoded");
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        MemorySegment all = MemorySegment.ofArray(decoded);
        int worstBarError = 0;
        for (int n = 0; n < FRAMES; n++) {
            MemorySegment picture = all.asSlice(n * frameBytes, frameBytes);
            assertEquals(n, DemoPattern.decodeFrameNumber(picture, WIDTH, HEIGHT), "frame number read back after H264");
            int row = pattern.barSampleRow();
            for (Bar bar : Bar.values()) {
                int x = pattern.barCenterX(bar);
                worstBarError = Math.max(worstBarError, Math.abs(DemoPatternTest.luma(picture, WIDTH, x, row) - bar.y));
                worstBarError = Math.max(worstBarError, Math.abs(DemoPatternTest.chroma(picture, WIDTH, HEIGHT, 0, x, row) - bar.u));
                worstBarError = Math.max(worstBarError, Math.abs(DemoPatternTest.chroma(picture, WIDTH, HEIGHT, 1, x, row) - bar.v));
            }
        }
        assertTrue(worstBarError <= 6, "bar colours within 6 levels after H264: worst " + worstBarError);
    }

    @Test
    void ffmpegConvertsToRgbWithTheBarColoursAndReadableFrameNumbers() throws Exception {
        assumeTrue(Files.isExecutable(FFMPEG), "Debian's ffmpeg is needed");
        Path raw = OUTPUT.resolve("demo-" + WIDTH + "x" + HEIGHT + ".rgb");
        String errors = run(FFMPEG.toString(), "-v", "error", "-y", "-i", stream.toString(), "-frames:v", "10", "-f", "rawvideo",
                "-pix_fmt", "rgb24", raw.toString());
        assertEquals("", errors.strip());
        byte[] decoded = Files.readAllBytes(raw);
        long frameBytes = (long) WIDTH * HEIGHT * 3;
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        for (int n = 0; n < 10; n++) {
            MemorySegment picture = MemorySegment.ofArray(decoded).asSlice(n * frameBytes, frameBytes);
            assertEquals(n, DemoPattern.decodeFrameNumberRgb24(picture, WIDTH, HEIGHT));
            for (Bar bar : Bar.values()) {
                long p = ((long) pattern.barSampleRow() * WIDTH + pattern.barCenterX(bar)) * 3;
                assertEquals(bar.red, decoded[(int) (n * frameBytes + p)] & 0xFF, 12, bar + " red");
                assertEquals(bar.green, decoded[(int) (n * frameBytes + p + 1)] & 0xFF, 12, bar + " green");
                assertEquals(bar.blue, decoded[(int) (n * frameBytes + p + 2)] & 0xFF, 12, bar + " blue");
            }
        }
    }

    @Test
    void rejectsFramesItCannotReadInPlace() {
        try (DemoEncoder encoder = new DemoEncoder(WIDTH, HEIGHT, FPS, 500_000)) {
            MemorySegment heap = MemorySegment.ofArray(new byte[(int) DemoPattern.frameBytes(WIDTH, HEIGHT)]);
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(0, heap, 0, unit -> { }));
            MemorySegment small = Arena.ofAuto().allocate(1000);
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(0, small, 0, unit -> { }));
            MemorySegment frame = Arena.ofAuto().allocate(DemoPattern.frameBytes(WIDTH, HEIGHT));
            encoder.encode(5, frame, 0, unit -> { });
            assertThrows(IllegalArgumentException.class, () -> encoder.encode(5, frame, 0, unit -> { }), "indexes must grow");
        }
        assertThrows(IllegalArgumentException.class, () -> new DemoEncoder(321, 240, FPS, 500_000));
        assertThrows(IllegalArgumentException.class, () -> new DemoEncoder(WIDTH, HEIGHT, 0, 500_000));
    }

    @Test
    void switchingBuffersKeepsEncodingFromTheNewOne() {
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        MemorySegment first = Arena.ofAuto().allocate(pattern.frameBytes());
        MemorySegment second = Arena.ofAuto().allocate(pattern.frameBytes());
        List<Long> sequences = new ArrayList<>();
        try (DemoEncoder encoder = new DemoEncoder(WIDTH, HEIGHT, FPS, 500_000)) {
            for (int n = 0; n < 6; n++) {
                MemorySegment frame = n % 2 == 0 ? first : second;
                pattern.render(n, 0, frame);
                encoder.encode(n, frame, 0, unit -> sequences.add(unit.sequence()));
            }
        }
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), sequences);
    }

    @Test
    void keyframesFollowStreamTimeWhenTheSourceSkipsFrames() {
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        MemorySegment frame = Arena.ofAuto().allocate(pattern.frameBytes());
        List<Long> keyframeRtpTimes = new ArrayList<>();
        try (DemoEncoder encoder = new DemoEncoder(WIDTH, HEIGHT, FPS, 500_000)) {
            for (long n = 0; n < 80; n++) {
                if (n == 7 || n == 25 || n == 26 || (n > 40 && n < 52)) {
                    continue; // slots the source missed, among them the start of the second and third second
                }
                pattern.render(n, 0, frame);
                encoder.encode(n, frame, 0, unit -> {
                    if (unit.isKeyframe()) {
                        keyframeRtpTimes.add(unit.rtpTimestamp() / (90_000 / FPS));
                    }
                });
            }
        }
        assertEquals(List.of(0L, 27L, 52L, 75L), keyframeRtpTimes, "the first picture of each second");
    }

    /** Ground rule: once warm, rendering and encoding a frame allocate nothing on the Java heap. */
    @Test
    void renderingAndEncodingAllocateNothingInSteadyState() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        DemoPattern pattern = new DemoPattern(WIDTH, HEIGHT);
        MemorySegment frame = Arena.ofAuto().allocate(pattern.frameBytes());
        long[] bytesSeen = new long[1];
        // One listener for all frames: a capturing lambda written in the loop would be a new object per call.
        AccessUnitListener listener = unit -> bytesSeen[0] += unit.size();
        try (DemoEncoder encoder = new DemoEncoder(WIDTH, HEIGHT, FPS, 500_000)) {
            double fewest = Double.MAX_VALUE;
            long n = 0;
            for (int round = 0; round < 8; round++) {
                long before = threads.getThreadAllocatedBytes(thread);
                for (int i = 0; i < 100; i++) {
                    pattern.render(n, n * 40_000, frame);
                    encoder.encode(n, frame, n * 40_000, listener);
                    n++;
                }
                fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / 100.0);
            }
            assertTrue(fewest < 1, "bytes allocated per frame once compiled: " + fewest);
            assertTrue(bytesSeen[0] > 0);
        }
    }

    static List<Integer> nalTypes(byte[] annexB) {
        List<Integer> types = new ArrayList<>();
        for (int i = 0; i + 4 < annexB.length; i++) {
            if (annexB[i] == 0 && annexB[i + 1] == 0 && annexB[i + 2] == 0 && annexB[i + 3] == 1) {
                types.add(annexB[i + 4] & 0x1F);
                i += 3;
            }
        }
        return types;
    }

    private static Map<String, String> keyValues(String text) {
        Map<String, String> values = new HashMap<>();
        text.lines().map(line -> line.split("=", 2)).filter(kv -> kv.length == 2).forEach(kv -> values.put(kv[0], kv[1]));
        return values;
    }

    /** Runs a command, returns its stdout (for ffmpeg with -v error: what it complained about, on stderr, too). */
    static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        String text = new String(output, StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + text);
        return text;
    }
}
