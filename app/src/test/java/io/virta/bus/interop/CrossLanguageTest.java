package io.virta.bus.interop;

import io.virta.bus.ChannelName;
import io.virta.bus.ChannelReader;
import io.virta.bus.ChannelSpec;
import io.virta.bus.ChannelType;
import io.virta.bus.ChannelWriter;
import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import io.virta.bus.Frame;
import io.virta.bus.PullStatus;
import io.virta.bus.WaitSet;
import io.virta.bus.WritableFrame;
import io.virta.bus.tools.BusTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.virta.bus.interop.Peers.number;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Java and Python on one channel, in real processes: writers and readers of both languages, several
 * readers at once, a slow reader, timeouts, a writer killed with SIGKILL and restarted, bad input.
 */
class CrossLanguageTest {
    private final ScratchChannels channels = new ScratchChannels();

    private String name(String prefix) {
        return channels.name(prefix);
    }

    @AfterEach
    void cleanUp() throws Exception {
        channels.removeAll();
    }

    private static void writePattern(ChannelWriter writer) {
        WritableFrame f = writer.claim();
        f.payload().asSlice(0, writer.capacity()).fill(BusTool.patternByte(f.sequence()));
        writer.commit();
    }

    private static void awaitReaders(ChannelWriter writer, int readers) throws InterruptedException {
        long giveUp = System.nanoTime() + 30_000_000_000L;
        while (writer.readerCount() < readers) {
            assertTrue(System.nanoTime() < giveUp, readers + " readers never attached to " + writer.name());
            Thread.sleep(10);
        }
    }

    private static void assertCleanRun(Peers.Peer reader, long frames) throws InterruptedException {
        String summary = reader.await("\"summary\"", 30);
        assertEquals(0, reader.finish(10), reader.stderr());
        assertEquals(frames, number(summary, "frames"), reader.output().toString());
        assertEquals(0, number(summary, "lost"), summary);
        assertEquals(0, number(summary, "bad"), summary);
        long expected = 1;
        for (String line : reader.output()) {
            if (line.contains("\"frame\"")) {
                assertEquals(expected++, number(line, "seq"), line);
                assertTrue(line.contains("\"ok\":true"), line);
            }
        }
    }

    @Test
    void aJavaWriterFeedsThreePythonReadersAndAJavaReader() throws Exception {
        String name = name("j2p");
        int frames = 60;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48).cells(16))) {
            List<Peers.Peer> readers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                readers.add(Peers.python("read", name, "--start", "next", "--count", "" + frames,
                        "--expect-type", "rgb24", "--width", "64", "--height", "48"));
            }
            readers.add(Peers.java("read", name, "--start", "next", "--count", "" + frames));
            awaitReaders(writer, readers.size());
            for (int i = 0; i < frames; i++) {
                writePattern(writer);
                Thread.sleep(5);
            }
            for (Peers.Peer reader : readers) {
                try (reader) {
                    assertCleanRun(reader, frames);
                }
            }
        }
    }

    @Test
    void aPythonWriterFeedsJavaReadersInPlaceAndInAnotherProcess() throws Exception {
        String name = name("p2j");
        int frames = 60;
        try (Peers.Peer writer = Peers.python("write", name, "--type", "yuv420p", "--width", "64", "--height", "48",
                "--count", "" + frames, "--fps", "200", "--cells", "64", "--wait-readers", "2")) {
            // 64 cells: a reader JVM that compiles or is descheduled for a while on a busy machine
            // still finds every frame (8 cells at 200 frames/s left it 40 ms and lost frames).
            writer.await("READY", 30);
            try (Peers.Peer javaProcess = Peers.java("read", name, "--start", "next", "--count", "" + frames);
                 ChannelReader reader = ChannelReader.builder(name).expect(ChannelType.YUV420P).expectSize(64, 48)
                         .start(ChannelReader.Start.NEXT).open()) {
                for (int i = 1; i <= frames; i++) {
                    PullStatus status = reader.pull(Duration.ofSeconds(30));
                    assertEquals(PullStatus.FRAME, status);
                    Frame frame = reader.frame();
                    assertEquals(i, frame.sequence());
                    assertEquals(64 * 48 * 3 / 2, frame.payloadSize());
                    assertEquals(32, frame.stride(1));
                    assertEquals(64 * 48, frame.planeOffset(1));
                    assertEquals(BusTool.patternByte(i), frame.plane(2).get(ValueLayout.JAVA_BYTE, 0));
                    assertTrue(frame.isIntact());
                }
                assertEquals(PullStatus.END_OF_STREAM, reader.pull(Duration.ofSeconds(30)));
                assertCleanRun(javaProcess, frames);
            }
            assertEquals(0, writer.finish(30), writer.stderr());
        }
    }

    @Test
    void colourTagsWrittenInJavaAreReadInPython() throws Exception {
        String name = name("colorj2p");
        ColorMatrix[] matrices = {ColorMatrix.BT601, ColorMatrix.BT709, ColorMatrix.BT2020, ColorMatrix.UNSPECIFIED};
        ColorRange[] ranges = {ColorRange.LIMITED, ColorRange.FULL, ColorRange.LIMITED, ColorRange.UNSPECIFIED};
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.yuv420p(name, 64, 48).cells(8));
             Peers.Peer reader = Peers.python("read", name, "--start", "next", "--count", "" + matrices.length,
                     "--expect-type", "yuv420p")) {
            awaitReaders(writer, 1);
            for (int i = 0; i < matrices.length; i++) {
                WritableFrame f = writer.claim();
                f.payload().fill(BusTool.patternByte(f.sequence()));
                f.color(matrices[i], ranges[i]);
                writer.commit();
            }
            assertCleanRun(reader, matrices.length);
            List<String> frames = reader.output().stream().filter(l -> l.contains("\"frame\"")).toList();
            for (int i = 0; i < matrices.length; i++) {
                assertEquals(matrices[i].code(), number(frames.get(i), "colorMatrix"), frames.get(i));
                assertEquals(ranges[i].code(), number(frames.get(i), "colorRange"), frames.get(i));
            }
        }
    }

    @Test
    void colourTagsWrittenInPythonAreReadInJava() throws Exception {
        String name = name("colorp2j");
        try (Peers.Peer writer = Peers.python("write", name, "--type", "yuv420p", "--width", "64", "--height", "48",
                "--count", "3", "--fps", "100", "--wait-readers", "1", "--color-matrix", "bt709",
                "--color-range", "full")) {
            writer.await("READY", 30);
            try (ChannelReader reader = ChannelReader.builder(name).start(ChannelReader.Start.NEXT).open()) {
                for (int i = 1; i <= 3; i++) {
                    assertEquals(PullStatus.FRAME, reader.pull(Duration.ofSeconds(30)));
                    assertEquals(ColorMatrix.BT709, reader.frame().colorMatrix());
                    assertEquals(ColorRange.FULL, reader.frame().colorRange());
                }
            }
            assertEquals(0, writer.finish(30), writer.stderr());
        }
    }

    /**
     * Both tools judge a frame when they verify it, before the delay (docs/bus-format.md 5.2): a frame
     * overwritten during the delay was used whole, so it is not bad; the next pull counts it as lost.
     */
    @ParameterizedTest
    @ValueSource(strings = {"python", "java"})
    void aSlowReaderOverrunsWithoutDisturbingAFastOne(String language) throws Exception {
        String name = name("slow");
        int frames = 120;
        String[] slowArgs = {"read", name, "--start", "next", "--delay-ms", "40", "--timeout", "2"};
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(1024).cells(8));
             Peers.Peer fast = Peers.python("read", name, "--start", "next", "--count", "" + frames);
             Peers.Peer slow = language.equals("java") ? Peers.java(slowArgs) : Peers.python(slowArgs)) {
            awaitReaders(writer, 2);
            for (int i = 0; i < frames; i++) {
                writePattern(writer);
                Thread.sleep(4);
            }
            assertCleanRun(fast, frames);
            writer.close();
            String summary = slow.await("\"summary\"", 30);
            assertEquals(0, slow.finish(10), slow.stderr());
            assertTrue(number(summary, "lost") > 0, "the slow reader lost frames: " + summary);
            assertTrue(number(summary, "overruns") > 0, summary);
            assertEquals(0, number(summary, "bad"), "no frame it kept was torn: " + summary);
            // A frame delivered and then overwritten while held counts as received and as lost, and
            // each such frame starts an overrun: so received + lost lies in [frames, frames + overruns].
            long accounted = number(summary, "frames") + number(summary, "lost");
            assertTrue(accounted >= frames && accounted <= frames + number(summary, "overruns"),
                    "every frame was either received or counted lost: " + summary);
        }
    }

    /** The benchmark's Java latency reader: JIT warm-up on a private channel, then the measured frames. */
    @Test
    void theJavaLatencyReaderWarmsUpOnItsOwnChannelThenMeasures() throws Exception {
        String name = name("lat");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(64));
             Peers.Peer reader = Peers.java("latency", name, "--count", "50", "--warmup", "10", "--jit-warmup", "300")) {
            awaitReaders(writer, 1);
            while (reader.process.isAlive()) {
                writePattern(writer);
                Thread.sleep(2);
            }
            assertEquals(0, reader.finish(10), reader.stderr());
            String result = reader.output().getLast();
            assertEquals(50, number(result, "n"), result);
            assertTrue(result.contains("\"p50_us\""), result);
            assertFalse(Files.exists(ChannelName.objectPath("bench.jit." + reader.process.pid())),
                    "the warm-up channel is gone");
        }
    }

    /**
     * The latency reader measures with the C2 code of its warm-up, as a long-running reader would: no
     * uncommon trap throws the pull path back to slower code when the warm-up ends or the measured
     * reader's first pull comes (each did, and the measured frames ran C1 code with profiling). The
     * JVM compiles in the foreground (-Xbatch) and early, so that C2 has compiled the pull path
     * within this short warm-up whatever the machine's load.
     */
    @Test
    void theJavaLatencyReaderMeasuresWithTheCodeItsWarmUpCompiled() throws Exception {
        String name = name("latjit");
        List<String> jit = List.of("-Xbatch", "-XX:-TieredCompilation", "-XX:CompileThreshold=100",
                "-Xlog:deoptimization=debug:stderr");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(64).cells(64));
             Peers.Peer reader = Peers.javaWith(jit, "latency", name, "--count", "50", "--warmup", "10",
                     "--jit-warmup", "2000")) {
            awaitReaders(writer, 1);
            while (reader.process.isAlive()) {
                writePattern(writer);
                Thread.sleep(2);
            }
            assertEquals(0, reader.finish(10), reader.stderr());
            List<String> traps = reader.stderr().lines().filter(l -> l.contains("trap_bci"))
                    .filter(l -> l.contains("io.virta.bus.ChannelReader.pull(") || l.contains("io.virta.bus.tools.BusTool.pull"))
                    .toList();
            assertTrue(traps.isEmpty(), "the pull path was deoptimized: " + traps);
        }
    }

    @Test
    void pythonReaderTimesOutOnAQuietJavaChannel() throws Exception {
        String name = name("quiet");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(16));
             Peers.Peer reader = Peers.python("read", name, "--timeout", "0.2", "--max-timeouts", "2")) {
            String summary = reader.await("\"summary\"", 30);
            assertEquals(0, reader.finish(10));
            assertEquals(2, reader.output().stream().filter(l -> l.contains("\"timeout\"")).count());
            assertEquals(0, number(summary, "frames"));
        }
    }

    @Test
    void aKilledPythonWriterIsReportedAndItsSuccessorPickedUp() throws Exception {
        String name = name("killpy");
        Peers.Peer first = Peers.python("write", name, "--type", "raw", "--size", "256", "--count", "100000",
                "--fps", "100");
        first.await("READY", 30);
        try (ChannelReader reader = ChannelReader.builder(name).awaitWriter(Duration.ofSeconds(10)).open()) {
            assertTrue(reader.pull(Duration.ofSeconds(10)).hasFrame());
            long generation = reader.generation();
            first.kill();
            PullStatus status;
            do {
                status = reader.pull(Duration.ofSeconds(10));
            } while (status.hasFrame());
            assertEquals(PullStatus.WRITER_DIED, status, "a SIGKILLed writer is reported as dead");
            try (Peers.Peer second = Peers.python("write", name, "--type", "raw", "--size", "256", "--count", "20",
                    "--fps", "100", "--linger", "1")) {
                second.await("READY", 30);
                assertEquals(PullStatus.WRITER_RESTARTED, reader.pull(Duration.ofSeconds(10)));
                assertEquals(generation + 1, reader.generation(), "the successor replaced the stale object");
                assertTrue(reader.pull(Duration.ofSeconds(10)).hasFrame());
                assertTrue(reader.frame().sequence() >= 1 && reader.frame().sequence() <= 20);
                assertEquals(BusTool.patternByte(reader.frame().sequence()), reader.frame().byteAt(255));
                assertEquals(0, second.finish(30), second.stderr());
            }
        }
    }

    @Test
    void aKilledJavaWriterIsReportedToAPythonReaderWhichFollowsItsSuccessor() throws Exception {
        String name = name("killjava");
        Peers.Peer first = Peers.java("write", name, "--type", "raw", "--size", "256", "--count", "100000",
                "--fps", "100");
        first.await("READY", 30);
        try (Peers.Peer reader = Peers.python("read", name, "--timeout", "5", "--max-timeouts", "3", "--count", "60")) {
            reader.await("\"frame\"", 30);
            first.kill();
            reader.await("\"died\"", 30);
            try (Peers.Peer second = Peers.java("write", name, "--type", "raw", "--size", "256", "--count", "100000",
                    "--fps", "100")) {
                second.await("READY", 30);
                reader.await("\"restarted\"", 30);
                String summary = reader.await("\"summary\"", 30);
                assertEquals(0, reader.finish(10), reader.stderr());
                assertEquals(60, number(summary, "frames"));
                assertEquals(0, number(summary, "bad"));
            }
        }
        assertFalse(Files.exists(ChannelName.objectPath(name)) && ChannelNameIsLive(name),
                "no live writer remains after both were stopped");
    }

    private static boolean ChannelNameIsLive(String name) {
        return io.virta.bus.Channels.list().stream().anyMatch(c -> c.name().equals(name) && c.writerState().equals("alive"));
    }

    @Test
    void aKilledReadersDoorbellIsRemovedWhenTheWriterCloses() throws Exception {
        String name = name("kr");
        long pid;
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 64, 48).cells(4))) {
            Peers.Peer reader = Peers.python("read", name, "--count", "1000000");
            awaitReaders(writer, 1);
            pid = reader.process.pid();
            reader.kill();
            // Closed at once, before the writer's periodic sweep could notice the dead reader.
        }
        try (var files = Files.list(java.nio.file.Path.of("/dev/shm"))) {
            List<String> left = files.map(f -> f.getFileName().toString())
                    .filter(f -> f.startsWith("sem.virta.r." + pid + ".")).toList();
            assertTrue(left.isEmpty(), "doorbells of the killed reader left behind: " + left);
        }
    }

    @Test
    void aSecondWriterOfALiveChannelIsRefusedInEitherLanguage() throws Exception {
        String name = name("busy");
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.of(name, ChannelType.RAW).capacity(16));
             Peers.Peer python = Peers.python("write", name, "--type", "raw", "--size", "16", "--count", "1")) {
            assertEquals(2, python.finish(30));
            assertTrue(python.stderr().contains(name) && python.stderr().contains("live writer"), python.stderr());
            writePattern(writer);
        }
    }

    @Test
    void badInputGetsAClearErrorFromThePythonTool() throws Exception {
        String name = name("bad");
        try (Peers.Peer missing = Peers.python("read", name)) {
            assertEquals(2, missing.finish(30));
            assertTrue(missing.stderr().contains(name) && missing.stderr().contains("does not exist"), missing.stderr());
        }
        try (Peers.Peer invalid = Peers.python("read", "a/b")) {
            assertEquals(2, invalid.finish(30));
            assertTrue(invalid.stderr().contains("a/b"), invalid.stderr());
        }
        try (ChannelWriter writer = ChannelWriter.create(ChannelSpec.rgb24(name, 32, 16));
             Peers.Peer wrongType = Peers.python("read", name, "--expect-type", "yuv420p");
             Peers.Peer wrongSize = Peers.python("read", name, "--expect-type", "rgb24", "--width", "64", "--height", "16")) {
            assertEquals(2, wrongType.finish(30));
            assertTrue(wrongType.stderr().contains(name) && wrongType.stderr().toUpperCase().contains("YUV420P"),
                    wrongType.stderr());
            assertEquals(2, wrongSize.finish(30));
            assertTrue(wrongSize.stderr().contains(name) && wrongSize.stderr().contains("width 32"), wrongSize.stderr());
            assertEquals(0, writer.readerCount(), "refused readers leave no slot taken");
        }
    }

    @Test
    void aReaderStartedBeforeItsWriterWaitsForIt() throws Exception {
        String name = name("early");
        try (Peers.Peer reader = Peers.java("read", name, "--wait-writer", "20", "--start", "next", "--count", "5")) {
            Thread.sleep(300);
            try (Peers.Peer writer = Peers.python("write", name, "--type", "raw", "--size", "64", "--count", "5",
                    "--fps", "50", "--wait-readers", "1")) {
                assertCleanRun(reader, 5);
                assertEquals(0, writer.finish(30), writer.stderr());
            }
        }
    }

    @Test
    void aJavaWaitSetWakesForEitherOfTwoPythonWriters() throws Exception {
        String a = name("wsa");
        String b = name("wsb");
        try (Peers.Peer wa = Peers.python("write", a, "--type", "raw", "--size", "32", "--count", "5", "--fps", "20",
                "--wait-readers", "1", "--linger", "1");
             Peers.Peer wb = Peers.python("write", b, "--type", "raw", "--size", "32", "--count", "5", "--fps", "20",
                     "--wait-readers", "1", "--linger", "1");
             WaitSet set = new WaitSet()) {
            wa.await("READY", 30);
            wb.await("READY", 30);
            ChannelReader ra = ChannelReader.builder(a).waitSet(set).start(ChannelReader.Start.NEXT).open();
            ChannelReader rb = ChannelReader.builder(b).waitSet(set).start(ChannelReader.Start.NEXT).open();
            int fromA = 0;
            int fromB = 0;
            while (fromA + fromB < 10) {
                ChannelReader ready = set.await(10_000_000_000L);
                assertNotNull(ready, "the wait set woke for " + (fromA + fromB) + " of 10 frames");
                if (ready.poll().hasFrame()) {
                    if (ready == ra) {
                        fromA++;
                    } else {
                        fromB++;
                    }
                }
            }
            assertEquals(5, fromA);
            assertEquals(5, fromB);
        }
    }
}
