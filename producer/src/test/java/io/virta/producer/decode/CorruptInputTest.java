package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import io.virta.rtsp.media.VideoCodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** Damaged and hostile units: counted, never thrown, and clean pictures again from the next keyframe. */
class CorruptInputTest {
    private int logLevel;

    @BeforeEach
    void quietFfmpeg() {
        // avcodec reports every damaged slice on stderr; the counters are what we check.
        logLevel = avutil.av_log_get_level();
        avutil.av_log_set_level(avutil.AV_LOG_QUIET);
    }

    @AfterEach
    void restoreLog() {
        avutil.av_log_set_level(logLevel);
    }

    private static final long EPOCH = 1_700_000_000_000_000L;

    private static long captureOf(int unit) {
        return EPOCH + unit * 40_000L;
    }

    /** Asserts that every unit in [from, to) came out, exactly as ffmpeg decodes the clean clip. */
    private static void assertClean(DecodePipeline p, List<String> reference, int from, int to) {
        int found = 0;
        for (int i = 0; i < p.yuvFrames.count(); i++) {
            long unit = (p.yuvFrames.captureMicros.get(i) - EPOCH) / 40_000L;
            if (unit >= from && unit < to && p.yuvFrames.captureMicros.get(i) == captureOf((int) unit)) {
                assertEquals(reference.get((int) unit), p.yuvFrames.md5.get(i), "picture of unit " + unit);
                found++;
            }
        }
        assertEquals(to - from, found, "pictures of units " + from + " to " + (to - 1));
    }

    @Test
    void damagedUnitsAreCountedAndDecodingRecoversAtTheNextKeyframe() throws IOException {
        TestClips.Clip clip = TestClips.h264Small();
        AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
        List<String> reference = TestClips.frameMd5(TestClips.FFMPEG, clip.annexB(), null, "yuv420p");
        Random random = new Random(7);
        try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, clip.width(), clip.height())) {
            AccessUnit unit = DecodePipeline.unitFor(stream);
            for (int i = 0; i < stream.unitCount(); i++) {
                DecodePipeline.load(stream, i, unit, captureOf(i));
                ByteBuffer data = unit.data();
                switch (i) {
                    case 5 -> data.limit(data.limit() / 2);               // truncated in the middle of the slice
                    case 8 -> scribble(data, 12, data.limit(), random);   // garbage after the AUD
                    case 12 -> scribble(data, 0, data.limit(), random);   // garbage, not even a start code
                    case 15 -> data.limit(5);                             // AUD and a stump
                    case 18 -> data.put(data.limit() - 3, (byte) 0).put(data.limit() - 2, (byte) 0)
                            .put(data.limit() - 1, (byte) 1);             // a start code where data should be
                    default -> {
                    }
                }
                p.decode(unit);
            }
            p.flush();
            assertTrue(p.decoder.decodeErrors() + p.decoder.corruptFrames() > 0,
                    "the damage is counted: errors " + p.decoder.decodeErrors() + ", corrupt " + p.decoder.corruptFrames());
            assertTrue(p.yuvFrames.discontinuities.contains(true), "a picture after a rejected unit is marked");
            assertClean(p, reference, 0, 5);
            assertClean(p, reference, 25, 50);
        }
    }

    private static void scribble(ByteBuffer data, int from, int to, Random random) {
        for (int i = from; i < to; i++) {
            data.put(i, (byte) random.nextInt(256));
        }
    }

    /**
     * Thousands of randomly mutated units (bit flips, truncations, overwritten ranges, stray start
     * codes, units of one codec fed to the other): the decoder never throws or hangs, and a clean
     * keyframe afterwards decodes exactly.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void fuzzedUnitsNeverBreakTheDecoder() throws IOException {
        for (TestClips.Clip clip : new TestClips.Clip[] {TestClips.h264BFrames(), TestClips.h265()}) {
            AnnexBStream stream = AnnexBStream.read(clip.annexB(), clip.codec());
            List<String> reference = TestClips.frameMd5(TestClips.FFMPEG, clip.container(), null, "yuv420p");
            long[] pts = TestClips.packetPresentationMicros(clip.container());
            Random random = new Random(2026);
            try (DecodePipeline p = new DecodePipeline(clip.codec(), 1, 1280, 720)) {
                AccessUnit unit = DecodePipeline.unitFor(stream);
                for (int round = 0; round < 8; round++) {
                    for (int n = 0; n < 150; n++) {
                        int i = random.nextInt(stream.unitCount());
                        DecodePipeline.load(stream, i, unit, 1);
                        mutate(unit, random);
                        p.decode(unit);
                    }
                    p.flush();
                    // A clean group of pictures, with its presentation times, after the storm.
                    p.yuvFrames.md5.clear();
                    p.yuvFrames.captureMicros.clear();
                    for (int i = 0; i < 25; i++) {
                        DecodePipeline.load(stream, i, unit, EPOCH + pts[i]);
                        p.decode(unit);
                    }
                    p.flush();
                    int matched = 0;
                    for (int f = 0; f < p.yuvFrames.count(); f++) {
                        long t = p.yuvFrames.captureMicros.get(f) - EPOCH;
                        int frame = (int) Math.round(t / 40_000.0);
                        if (t >= 0 && frame < 25 && p.yuvFrames.md5.get(f).equals(reference.get(frame))) {
                            matched++;
                        }
                    }
                    // Pictures that refer forward past unit 24 (B-frames near its end) may be incomplete.
                    assertTrue(matched >= 20, clip.name() + " round " + round + ": clean pictures after fuzzing: "
                            + matched);
                }
                assertTrue(p.decoder.decodeErrors() + p.decoder.corruptFrames() > 0);
            }
        }
    }

    private static void mutate(AccessUnit unit, Random random) {
        ByteBuffer data = unit.data();
        int size = data.limit();
        switch (random.nextInt(7)) {
            case 0 -> {
                for (int k = 1 + random.nextInt(8); k > 0; k--) {
                    int at = random.nextInt(size);
                    data.put(at, (byte) (data.get(at) ^ (1 << random.nextInt(8))));
                }
            }
            case 1 -> data.limit(random.nextInt(size + 1));
            case 2 -> {
                int from = random.nextInt(size);
                int to = Math.min(size, from + 1 + random.nextInt(64));
                scribble(data, from, to, random);
            }
            case 3 -> {
                int at = random.nextInt(Math.max(1, size - 4));
                data.put(at, (byte) 0).put(at + 1, (byte) 0).put(at + 2, (byte) 0).put(at + 3, (byte) 1);
            }
            case 4 -> unit.codec(unit.codec() == VideoCodec.H264 ? VideoCodec.H265 : VideoCodec.H264);
            case 5 -> scribble(data, 0, size, random);
            default -> {
                // Leave it whole: the stream around it is damaged already.
            }
        }
    }
}
