package io.virta.producer.decode;

import io.virta.rtsp.media.AccessUnit;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Ground rule: once compiled, decoding and publishing allocate nothing per frame. Until C2 has
 * compiled every step, C1 code allocates temporaries, and on a busy two-core machine that can take
 * many thousand units: rounds go on until one allocates nothing, for at most 60 s.
 */
class AllocationTest {
    private static final long GIVE_UP_NANOS = 60_000_000_000L;

    /** A clip's units as the emitter would hand them over: a pool of three units, rotated. */
    private static final class Source {
        final AnnexBStream stream;
        final byte[][] units;
        final long[] pts;
        final long clipMicros;
        final AccessUnit[] pool;
        long sequence;

        Source(TestClips.Clip clip) throws IOException {
            stream = AnnexBStream.read(clip.annexB(), clip.codec());
            pts = TestClips.packetPresentationMicros(clip.container());
            units = new byte[stream.unitCount()][];
            pool = new AccessUnit[] {DecodePipeline.unitFor(stream), DecodePipeline.unitFor(stream),
                    DecodePipeline.unitFor(stream)};
            for (int i = 0; i < units.length; i++) {
                stream.copyTo(i, pool[0]);
                units[i] = new byte[pool[0].size()];
                pool[0].data().get(0, units[i]);
            }
            clipMicros = units.length * 40_000L;
        }

        /** The next unit, with presentation times as RTP gives them: the clip again and again. */
        AccessUnit next() {
            int i = (int) (sequence % units.length);
            AccessUnit unit = pool[(int) (sequence % pool.length)];
            unit.data().clear();
            unit.data().put(units[i]).flip();
            long capture = sequence / units.length * clipMicros + pts[i];
            sequence++;
            return unit.sequence(sequence).captureTimeMicros(capture).arrivalTimeMicros(capture + 5)
                    .keyframe(stream.isKeyframe(i));
        }
    }

    /** The least bytes allocated per unit over rounds of {@code perRound} calls of {@code step}. */
    private static double fewestBytesPerUnit(int perRound, Runnable step) {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        double fewest = Double.MAX_VALUE;
        long giveUp = System.nanoTime() + GIVE_UP_NANOS;
        while (fewest >= 1 && System.nanoTime() - giveUp < 0) {
            long before = threads.getThreadAllocatedBytes(thread);
            for (int n = 0; n < perRound; n++) {
                step.run();
            }
            fewest = Math.min(fewest, (threads.getThreadAllocatedBytes(thread) - before) / (double) perRound);
        }
        return fewest;
    }

    @Test
    void decodingAllocatesNothingInSteadyState() throws IOException {
        Source source = new Source(TestClips.h264BFrames());
        MemorySegment rows = Arena.ofAuto().allocate(4096);
        long[] checksum = new long[1];
        DecodedFrameListener reader = frame -> {
            frame.copyRow(0, frame.height() - 1, rows, 0, frame.width());
            checksum[0] += frame.captureTimeMicros() + frame.arrivalTimeMicros() + frame.rtpTimestamp()
                    + frame.unitSequence() + frame.stride(1) + frame.planeAddress(2) + frame.pictureType()
                    + (frame.isKeyframe() ? 1 : 0) + (frame.isCorrupt() ? 1 : 0) + (frame.isDiscontinuity() ? 1 : 0);
        };
        try (VideoDecoder decoder = new VideoDecoder(source.stream.codec(), reader)) {
            double fewest = fewestBytesPerUnit(2 * source.units.length, () -> decoder.decode(source.next()));
            assertTrue(fewest < 1, "bytes allocated per unit once compiled: " + fewest);
            assertEquals(0, decoder.copiedUnits());
            assertEquals(0, decoder.timesUnknown());
            assertTrue(decoder.framesDecoded() > source.sequence - 16);
        }
    }

    /**
     * The whole stage: decode, then I420, RGB (down-sampled in time) and encoded publishing into bus
     * channels, in a JVM without escape analysis ({@link AllocationProbe}), so that nothing passes
     * for being allocation-free only because C2 happened to remove a temporary. The bus's own
     * {@code ChannelWriter.claim()} allocates a temporary slice there (in a normal JVM C2 usually,
     * but not always, removes it: see the decode stage's notes on the bus); the stage must allocate
     * nothing beyond what its claims do.
     */
    @Test
    void decodingAndPublishingAllocateNothingBeyondTheBusClaims() throws Exception {
        TestClips.Clip clip = TestClips.h264BFrames();
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:-DoEscapeAnalysis", "-cp",
                System.getProperty("java.class.path"), AllocationProbe.class.getName(),
                clip.annexB().toString(), clip.container().toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(probe.waitFor(120, TimeUnit.SECONDS), "the probe finishes");
        assertEquals(0, probe.exitValue(), out);
        Matcher m = Pattern.compile("claimBytes=([0-9.]+) beyondClaimsPerUnit=(-?[0-9.E]+)").matcher(out);
        assertTrue(m.find(), out);
        double beyondClaims = Double.parseDouble(m.group(2));
        assertTrue(Math.abs(beyondClaims) < 1, "bytes per unit beyond the bus's claims, without escape analysis: "
                + beyondClaims + " (a claim allocates " + m.group(1) + " bytes there)");
    }
}
