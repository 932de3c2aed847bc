package io.virta.producer.source.ffmpeg;

import com.sun.net.httpserver.HttpServer;
import io.virta.rtsp.media.VideoCodec;
import io.virta.producer.source.ffmpeg.Recorder.Unit;
import io.virta.testkit.FfmpegReference;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The FFmpeg source against real clips made by Debian's ffmpeg: what it emits must decode, with
 * Debian's ffmpeg, to exactly the pictures of the clip it read.
 */
class FfmpegSourceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Path SCRATCH = TestClips.cacheDirectory().resolve("ffmpeg-source").resolve("out");

    /** A clip, how it stores its NAL units, and what the source must make of it. */
    record Case(String name, Supplier<Path> clip, VideoCodec codec, boolean lengthPrefixed) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> clips() {
        return Stream.of(
                new Case("raw H264 240p", TestClips::h264Small, VideoCodec.H264, false),
                new Case("raw H264 720p", TestClips::h264Baseline720p, VideoCodec.H264, false),
                new Case("mkv H264 B-frames (avcC)", TestClips::h264BFrames, VideoCodec.H264, true),
                new Case("mp4 H264 B-frames (avcC)", SourceClips::h264BFramesMp4, VideoCodec.H264, true),
                new Case("mkv H264 with in-band SPS/PPS (avcC)", SourceClips::h264BaselineMkv, VideoCodec.H264, true),
                new Case("raw H265", TestClips::h265, VideoCodec.H265, false),
                new Case("mp4 H265 without in-band parameter sets (hvcC)",
                        SourceClips::h265Mp4WithoutInbandParameterSets, VideoCodec.H265, true),
                new Case("raw H264, SPS/PPS only at the start", SourceClips::h264ParameterSetsOnce, VideoCodec.H264, false),
                new Case("raw H265, VPS/SPS/PPS only at the start", SourceClips::h265ParameterSetsOnce, VideoCodec.H265,
                        false));
    }

    private static FfmpegSourceOptions asFastAsPossible(Path clip) {
        return FfmpegSourceOptions.of(clip.toString()).withRealtime(false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clips")
    void emitsEveryPictureOfTheClipFrameExact(Case c) {
        Path clip = c.clip().get();
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("clip", asFastAsPossible(clip))) {
            source.start();
            String reason = recorder.awaitOffline(TIMEOUT);
            assertTrue(reason.contains("end of file") && reason.contains(clip.toString()), reason);
            assertFalse(source.isOnline());
            assertEquals(0, source.reconnects());
            assertEquals(0, source.keyframesWithoutParameterSets());
            assertEquals(0, source.droppedPackets());
            assertEquals(0, source.skippedUntilKeyframe());
        }
        List<Unit> units = recorder.units;
        assertEquals(List.of(c.codec()), recorder.codecs, "the codec is announced once");
        assertEquals(TestClips.frameCount(clip), units.size(), "one unit per picture ffprobe counts");
        for (int i = 0; i < units.size(); i++) {
            Unit unit = units.get(i);
            assertEquals(i + 1, unit.sequence(), "sequence numbers from 1 without gaps");
            assertEquals(c.codec(), unit.codec());
            assertTrue(unit.spareCapacity() >= AnnexBUnitWriter.PADDING, "padding after the unit");
            List<Integer> types = Recorder.nalTypes(unit);
            assertEquals(i % TestClips.GOP == 0, unit.keyframe(), "keyframes exactly at the GOP, unit " + i);
            if (unit.keyframe()) {
                assertParameterSetsBeforePicture(c.codec(), types, i);
            }
        }
        assertEquals(FfmpegReference.frameMd5Yuv420p(clip),
                FfmpegReference.frameMd5Yuv420p(recorder.writeStream(SCRATCH, 0, units.size())),
                "the units decode to the clip's pictures");
    }

    private static void assertParameterSetsBeforePicture(VideoCodec codec, List<Integer> types, int unit) {
        int firstSlice = -1;
        for (int i = 0; i < types.size(); i++) {
            int t = types.get(i);
            if (codec == VideoCodec.H265 ? t <= 31 : t >= 1 && t <= 5) {
                firstSlice = i;
                break;
            }
        }
        assertTrue(firstSlice > 0, "keyframe " + unit + " has a picture after something: " + types);
        List<Integer> before = types.subList(0, firstSlice);
        if (codec == VideoCodec.H265) {
            assertTrue(before.containsAll(List.of(32, 33, 34)), "VPS, SPS, PPS before keyframe " + unit + ": " + types);
            int irap = types.get(firstSlice);
            assertTrue(irap >= 16 && irap <= 21, "keyframe " + unit + " is an IRAP picture: " + types);
        } else {
            assertTrue(before.containsAll(List.of(7, 8)), "SPS, PPS before keyframe " + unit + ": " + types);
            assertEquals(5, types.get(firstSlice), "keyframe " + unit + " is an IDR picture: " + types);
        }
        if (types.contains(codec == VideoCodec.H265 ? 35 : 9)) {
            assertEquals(codec == VideoCodec.H265 ? 35 : 9, types.getFirst(), "the delimiter stays first: " + types);
        }
    }

    @ParameterizedTest
    @MethodSource("parameterSetsOnce")
    void givesEveryKeyframeTheParameterSetsTheStreamSentOnlyOnce(Path clip) {
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("ps", asFastAsPossible(clip))) {
            source.start();
            recorder.awaitOffline(TIMEOUT);
            // The first keyframe has its own; the four after it get copies (emitsEveryPicture... checks where).
            assertEquals(4, source.parameterSetsInserted());
        }
    }

    static Stream<Path> parameterSetsOnce() {
        return Stream.of(SourceClips.h264ParameterSetsOnce(), SourceClips.h265ParameterSetsOnce());
    }

    @Test
    void loopingContinuesTheTimestampsAcrossTheLoopPoint() {
        Path clip = TestClips.h264Small(); // 50 pictures
        Recorder recorder = new Recorder();
        FfmpegSource source = recorder.source("loop", asFastAsPossible(clip).withLoop(true));
        source.start();
        recorder.awaitUnits(130, TIMEOUT);
        source.close();
        assertTrue(source.loops() >= 2, "loops: " + source.loops());
        assertTrue(recorder.offline.isEmpty(), "a loop is not an end: " + recorder.offline);
        List<Unit> units = recorder.units;
        for (int i = 1; i < 130; i++) {
            assertEquals(i + 1, units.get(i).sequence());
            assertEquals(3600, units.get(i).rtpTimestamp() - units.get(i - 1).rtpTimestamp(),
                    "one frame at 90 kHz between units " + (i - 1) + " and " + i);
            assertEquals(i % 25 == 0, units.get(i).keyframe(), "unit " + i);
        }
        assertArrayEquals(units.get(0).bytes(), units.get(50).bytes(), "the second round starts with the first picture");
        assertArrayEquals(units.get(49).bytes(), units.get(99).bytes());
    }

    @Test
    void loopingWithBFramesKeepsEveryRoundAfterThePrevious() {
        Path clip = TestClips.h264BFrames(); // 125 pictures, presentation order differs from decode order
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("loopb", asFastAsPossible(clip).withLoop(true))) {
            source.start();
            recorder.awaitUnits(250, TIMEOUT);
        }
        List<Unit> units = recorder.units;
        long firstRoundLatest = units.subList(0, 125).stream().mapToLong(Unit::rtpTimestamp).max().orElseThrow();
        long firstRoundEarliest = units.subList(0, 125).stream().mapToLong(Unit::rtpTimestamp).min().orElseThrow();
        long secondRoundEarliest = units.subList(125, 250).stream().mapToLong(Unit::rtpTimestamp).min().orElseThrow();
        assertEquals(firstRoundLatest + 3600, secondRoundEarliest, "the second round follows the first by one frame");
        assertEquals(125 * 3600, secondRoundEarliest - firstRoundEarliest, "a round lasts the clip's 5 s");
        for (int i = 0; i < 125; i++) {
            assertEquals(units.get(i).rtpTimestamp() + 125 * 3600, units.get(i + 125).rtpTimestamp(), "unit " + i);
        }
    }

    @Test
    void seekStartsAtTheKeyframeAtOrBeforeTheOffsetInAContainer() {
        Path clip = TestClips.h264BFrames();
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("seek", asFastAsPossible(clip).withSeekSeconds(2.5))) {
            source.start();
            recorder.awaitOffline(TIMEOUT);
        }
        List<Unit> units = recorder.units;
        assertEquals(75, units.size(), "from picture 50 (2.0 s) to the end");
        assertTrue(units.getFirst().keyframe());
        assertEquals(1, units.getFirst().sequence());
        assertEquals(2 * 90_000, units.getFirst().rtpTimestamp(), "the file's own time of the keyframe");
        List<String> all = FfmpegReference.frameMd5Yuv420p(clip);
        assertEquals(all.subList(50, 125), FfmpegReference.frameMd5Yuv420p(recorder.writeStream(SCRATCH, 0, 75)));
    }

    @Test
    void seekStartsAtTheKeyframeAtOrBeforeTheOffsetInARawStream() {
        Path clip = TestClips.h264Baseline720p();
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("seekraw", asFastAsPossible(clip).withSeekSeconds(1.5))) {
            source.start();
            recorder.awaitOffline(TIMEOUT);
        }
        List<Unit> units = recorder.units;
        assertEquals(100, units.size(), "from picture 25 (1.0 s) to the end");
        assertTrue(units.getFirst().keyframe());
        assertEquals(90_000, units.getFirst().rtpTimestamp(), "counted from the start of the stream");
        assertEquals(90_000 + 99 * 3600, units.getLast().rtpTimestamp());
        List<String> all = FfmpegReference.frameMd5Yuv420p(clip);
        assertEquals(all.subList(25, 125), FfmpegReference.frameMd5Yuv420p(recorder.writeStream(SCRATCH, 0, 100)));
    }

    @ParameterizedTest
    @MethodSource("seekableClips")
    void aSeekPastTheEndPlaysTheLastGroupOfPictures(Path clip) {
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("pastend", asFastAsPossible(clip).withSeekSeconds(100))) {
            source.start();
            assertTrue(recorder.awaitOffline(TIMEOUT).contains("end of file"));
        }
        assertEquals(25, recorder.units.size(), "pictures 100 to 124");
        assertEquals(4 * 90_000, recorder.units.getFirst().rtpTimestamp());
    }

    static Stream<Path> seekableClips() {
        return Stream.of(TestClips.h264BFrames(), TestClips.h264Baseline720p());
    }

    @Test
    void aFileIsReleasedInRealTime() throws InterruptedException {
        Recorder recorder = new Recorder();
        try (FfmpegSource source = recorder.source("paced", FfmpegSourceOptions.of(TestClips.h264Baseline720p().toString()))) {
            source.start();
            recorder.awaitUnits(1, TIMEOUT);
            Thread.sleep(1000);
            int afterOneSecond = recorder.units.size();
            // 26 at 25 fps; the bounds only tell pacing from none (125 at once) and from a stall.
            assertTrue(afterOneSecond >= 10 && afterOneSecond <= 40, "units after 1 s: " + afterOneSecond);
        }
    }

    @Test
    void readsAStreamOverHttpAndReopensItWhenItEnds() throws IOException {
        Path clip = TestClips.h264BFrames();
        byte[] body = Files.readAllBytes(clip);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/cam/clip.mkv", exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // The source hung up (closed): nothing to do.
            }
        });
        server.start();
        Recorder recorder = new Recorder();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/cam/clip.mkv";
        FfmpegSource source = recorder.source("http", FfmpegSourceOptions.of(url).withReconnect(Duration.ofSeconds(2)));
        try {
            source.start();
            recorder.awaitUnits(250, TIMEOUT);
            source.close();
            assertTrue(source.reconnects() >= 1, "a live input that ends is opened again");
            assertTrue(recorder.offline.getFirst().contains("ended") && recorder.offline.getFirst().contains(url),
                    recorder.offline.getFirst());
            assertTrue(recorder.online.size() >= 2);
        } finally {
            source.close();
            server.stop(0);
        }
        List<Unit> units = recorder.units;
        assertEquals(FfmpegReference.frameMd5Yuv420p(clip),
                FfmpegReference.frameMd5Yuv420p(recorder.writeStream(SCRATCH, 0, 125)));
        long firstLatest = units.subList(0, 125).stream().mapToLong(Unit::rtpTimestamp).max().orElseThrow();
        long secondEarliest = units.subList(125, 250).stream().mapToLong(Unit::rtpTimestamp).min().orElseThrow();
        assertTrue(secondEarliest > firstLatest, "timestamps keep growing across the reopening");
        for (int i = 0; i < 250; i++) {
            assertEquals(i + 1, units.get(i).sequence());
        }
    }

    @Test
    void closingStopsDeliveryAndTheThread() throws InterruptedException {
        Recorder recorder = new Recorder();
        FfmpegSource source = recorder.source("closing", FfmpegSourceOptions.of(TestClips.h264Small().toString()).withLoop(true));
        source.start();
        recorder.awaitUnits(3, TIMEOUT);
        source.close();
        int atClose = recorder.units.size();
        Thread.sleep(300);
        assertEquals(atClose, recorder.units.size(), "no unit after close");
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("virta-ffmpeg-closing")),
                "the source's thread has ended");
        assertFalse(source.isOnline());
        assertThrows(IllegalStateException.class, source::start);
    }

    /**
     * A server that accepts connections and then says nothing: FFmpeg waits inside open until the
     * interrupt callback says stop. Twelve sources at once, because JavaCPP's callbacks (which an
     * earlier version used) have ten native slots and the eleventh source could not be interrupted.
     */
    @Test
    void closingCutsShortInputsThatSendNothing() throws IOException {
        int sources = 12;
        try (ServerSocket silent = new ServerSocket(0, sources, InetAddress.getLoopbackAddress())) {
            Recorder recorder = new Recorder();
            List<FfmpegSource> started = new java.util.ArrayList<>();
            List<java.net.Socket> connections = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < sources; i++) {
                    FfmpegSource source = recorder.source("silent" + i, FfmpegSourceOptions.of(
                            "http://127.0.0.1:" + silent.getLocalPort() + "/x.mkv").withReconnect(Duration.ofSeconds(60)));
                    started.add(source);
                    source.start();
                    connections.add(silent.accept());
                }
                for (FfmpegSource source : started) {
                    source.close();
                }
                assertTrue(Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("virta-ffmpeg-silent")), "close ended every wait inside FFmpeg");
                assertTrue(recorder.units.isEmpty());
                assertTrue(recorder.offline.isEmpty(), "closing is not losing the input: " + recorder.offline);
            } finally {
                started.forEach(FfmpegSource::close);
                for (java.net.Socket connection : connections) {
                    connection.close();
                }
            }
        }
    }
}
