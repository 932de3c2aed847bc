package io.virta.recorder.export;

import io.virta.bus.PixelFormat;
import io.virta.recorder.format.RecordDescriptor;
import io.virta.recorder.format.StreamParameters;
import io.virta.recorder.store.CameraWriter;
import io.virta.recorder.store.RecordingStore;
import io.virta.recorder.store.SegmentPolicy;
import io.virta.recorder.store.StoreView;
import io.virta.testkit.FuzzCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Hostile recorded bytes: what the export parses of them (Annex-B access units, parameter sets, the SPS
 * fields an avcC or hvcC needs) ends in a {@link MalformedMediaException} or a result, never in another
 * exception or a hang. The corpus in {@code src/test/resources/fuzz/ExportFuzzTest/} (real parameter sets
 * and keyframe heads of libx264 and libx265, and inputs that once needed a fix) is replayed first, then
 * seeded mutations of it. A whole export of frames with mutated payloads (valid records, garbage video)
 * counts them and never throws anything but {@link ExportException}.
 */
class ExportFuzzTest {
    private static final byte[] INTERESTING = {0, 1, 3, (byte) 0xFF, (byte) 0x80, 0x7F, 0x67, 0x68, 0x40, 0x42, 0x44};

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void corpusThenMutationsEndInAResultOrAMalformedMediaError() {
        List<FuzzCorpus.Case> corpus = FuzzCorpus.of(ExportFuzzTest.class);
        assertTrue(corpus.size() >= 8, "corpus missing: " + corpus.size());
        for (FuzzCorpus.Case input : corpus) {
            survive(input.bytes(), input.name());
            for (byte[] record : input.records()) {
                survive(record, input.name() + " (one record)");
            }
        }
        SplittableRandom random = new SplittableRandom(0x15E);
        for (int round = 0; round < 20_000; round++) {
            byte[] seed = corpus.get(random.nextInt(corpus.size())).bytes();
            survive(mutate(seed, random), "round " + round + " (seed 0x15E reproduces it)");
        }
    }

    private static void survive(byte[] bytes, String name) {
        try {
            AnnexB.scan(ByteBuffer.wrap(bytes), (offset, length) -> {
                assertTrue(offset >= 0 && length > 0 && offset + length <= bytes.length, name + ": unit out of bounds");
            });
        } catch (MalformedMediaException expected) {
            assertNotNull(expected.getMessage());
        }
        for (PixelFormat codec : List.of(PixelFormat.H264, PixelFormat.H265)) {
            try {
                SampleEntry entry = SampleEntry.of(codec, bytes);
                assertTrue(entry.width() > 0 && entry.height() > 0 && entry.configuration().length > 6, name);
            } catch (MalformedMediaException expected) {
                assertNotNull(expected.getMessage());
            } catch (RuntimeException | AssertionError bug) {
                throw new AssertionError(name + " as " + codec + ": " + bug + " for " + java.util.HexFormat.of().formatHex(bytes), bug);
            }
            for (int from = 0; from < Math.min(bytes.length, 8); from++) {
                try {
                    SequenceInfo.parse(codec, bytes, from, bytes.length);
                } catch (MalformedMediaException expected) {
                    assertNotNull(expected.getMessage());
                } catch (RuntimeException bug) {
                    throw new AssertionError(name + " parsed as an " + codec + " SPS from " + from + ": " + bug, bug);
                }
            }
        }
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] out = seed.length == 0 ? new byte[] {0, 0, 1} : seed.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (random.nextInt(5)) {
                case 0 -> out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> out[random.nextInt(out.length)] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 2 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
                case 3 -> {
                    int at = random.nextInt(out.length + 1);
                    byte[] longer = new byte[out.length + 3];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at + 2] = 1; // a start code in the middle
                    System.arraycopy(out, at, longer, at + 3, out.length - at);
                    out = longer;
                }
                default -> {
                    int at = random.nextInt(out.length);
                    Arrays.fill(out, at, Math.min(out.length, at + random.nextInt(8)), (byte) 0);
                }
            }
            if (out.length == 0) {
                out = new byte[] {0};
            }
        }
        return out;
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void anExportOfGarbageFramesCountsThemAndNeverThrowsAnythingElse(@TempDir Path directory) throws Exception {
        List<FuzzCorpus.Case> corpus = FuzzCorpus.of(ExportFuzzTest.class);
        byte[] parameterSets = corpus.stream().filter(c -> c.name().equals("h264-parameter-sets.hex")).findFirst()
                .orElseThrow().bytes();
        StreamParameters stream = new StreamParameters(PixelFormat.H264, 0, 0, parameterSets);
        SplittableRandom random = new SplittableRandom(15);
        long start = 1_796_000_000_000_000L;
        try (RecordingStore store = RecordingStore.open(directory, SegmentPolicy.DEFAULT);
             CameraWriter camera = store.camera("fuzz")) {
            for (int i = 0; i < 300; i++) {
                byte[] seed = corpus.get(random.nextInt(corpus.size())).bytes();
                byte[] payload = random.nextInt(4) == 0 ? seed : mutate(seed, random);
                camera.append(stream, ByteBuffer.wrap(payload), start + i * 40_000L, i + 1,
                        i % 10 == 0 || random.nextInt(8) == 0 ? RecordDescriptor.FLAG_KEYFRAME : 0);
            }
        }
        try (StoreView view = StoreView.open(directory)) {
            for (ExportFormat format : ExportFormat.values()) {
                try (ExportFile file = Exporter.plan(view, new ExportRequest("fuzz", start, start + 300 * 40_000L, format))) {
                    ExportSummary summary = file.summary();
                    assertTrue(summary.damage().malformedFrames() > 0, summary.damage().toString());
                    assertEquals(300, summary.frames() + summary.prerollFrames() + summary.damage().malformedFrames()
                            + summary.damage().framesDropped(), "every frame is exported or counted: " + summary);
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    assertEquals(file.length(), file.transferTo(0, file.length(), Channels.newChannel(out)));
                } catch (ExportException acceptable) {
                    assertTrue(acceptable.getMessage().contains("fuzz"), acceptable.getMessage());
                }
            }
        }
    }
}
