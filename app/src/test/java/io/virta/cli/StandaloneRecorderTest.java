package io.virta.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.virta.recorder.index.SegmentRow;
import io.virta.recorder.index.SegmentState;
import io.virta.recorder.store.SegmentReader;
import io.virta.recorder.store.StoreView;
import io.virta.testkit.GstRtspServer;
import io.virta.testkit.TestClips;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code virta recorder} as its own process against a real producer (a gst-rtsp-server camera), and
 * {@code virta record ls/export/check} on the store it makes: a SIGKILL and a restart lose no frame, the ring
 * holding what was published meanwhile (docs/recording-format.md section 9), a second recorder is refused with the first one's pid,
 * {@code check} finds a flipped bit and {@code --repair} rebuilds a deleted index.
 */
@Timeout(120)
class StandaloneRecorderTest {
    private static final Pattern STATUS = Pattern.compile("^(\\S+): recording\\s+(\\d+) frames");
    private static final String CAMERA = "rec" + ProcessHandle.current().pid();

    private static GstRtspServer camera;
    private static Process producer;
    private static String control;

    @BeforeAll
    static void startProducer(@TempDir Path dir) throws Exception {
        camera = GstRtspServer.builder().mount("/cam", TestClips.h264Small()).start();
        Path config = dir.resolve("cameras.yaml");
        // No decoding: the recorder reads the encoded channel only. A ring of 512 cells (20 s at 25 fps)
        // outlasts a recorder's restart, as docs/recording-format.md section 9 asks.
        Files.writeString(config, "cameras:\n  - name: " + CAMERA + "\n    url: " + camera.url("/cam")
                + "\n    transport: tcp\n    decode: false\n    encoded: { cells: 512, capacity: 256KiB }\n"
                + "control:\n  listen: 127.0.0.1:0\nevents:\n  enabled: false\n");
        Path out = dir.resolve("producer.out");
        producer = new ProcessBuilder(VirtaJvm.command("producer", "--config", config.toString(), "--status-every", "0"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        String prefix = "producer: control API (gRPC virta.control.v1.ProducerControl) on ";
        String line = awaitLine(out, l -> l.startsWith(prefix), "the producer's control API line");
        control = line.substring(prefix.length()).strip();
    }

    @AfterAll
    static void stopProducer() throws Exception {
        if (producer != null) {
            producer.destroy();
            if (!producer.waitFor(20, TimeUnit.SECONDS)) {
                producer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (camera != null) {
            camera.close();
        }
    }

    @Test
    void recordsAcrossASigkillWithoutLosingAFrameAndRefusesASecondRecorder(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path firstOut = dir.resolve("first.out");
        Process first = recorder(store, firstOut);
        try {
            awaitFrames(firstOut, 2L * TestClips.GOP);
            Path secondOut = dir.resolve("second.out");
            Process second = recorder(store, secondOut);
            assertTrue(second.waitFor(30, TimeUnit.SECONDS), "a second recorder on the store gives up at once");
            String said = Files.readString(secondOut);
            assertEquals(1, second.exitValue(), said);
            assertTrue(said.contains("is in use by the recorder with pid " + first.pid()), said);
        } finally {
            first.destroyForcibly();   // SIGKILL
            assertTrue(first.waitFor(10, TimeUnit.SECONDS));
            removeDoorbellsOf(first.pid());
        }
        Path againOut = dir.resolve("again.out");
        Process again = recorder(store, againOut);
        try {
            awaitFrames(againOut, 2L * TestClips.GOP);
        } finally {
            again.destroy();   // SIGTERM: seal and exit 0
            assertTrue(again.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        String said = Files.readString(againOut);
        assertEquals(0, again.exitValue(), said);
        assertTrue(said.contains("recorder: stopped"), said);

        List<long[]> frames = new ArrayList<>(); // sequence, keyframe (1/0), in store order
        try (StoreView view = StoreView.open(store)) {
            List<SegmentRow> rows = view.index().allSegments();
            assertTrue(rows.size() >= 2, "the restart starts a new segment: " + rows);
            for (SegmentRow row : rows) {
                assertEquals(SegmentState.SEALED, row.state(), "every segment sealed: " + row);
                try (SegmentReader reader = view.openSegment(row)) {
                    while (reader.next()) {
                        frames.add(new long[] {reader.sequence(), reader.isKeyframe() ? 1 : 0});
                    }
                    assertEquals(0, reader.damagedRecords(), row.file());
                }
            }
        }
        for (int i = 1; i < frames.size(); i++) {
            assertEquals(frames.get(i - 1)[0] + 1, frames.get(i)[0], "no frame missing across the SIGKILL and the"
                    + " restart (docs/recording-format.md section 9, Resuming): frame " + i + " of " + frames.size());
        }
        assertTrue(frames.size() >= 4 * TestClips.GOP, frames.size() + " frames");
    }

    @Test
    void lsAndCheckReadTheStoreBesideItsRecorderAndRepairRebuildsTheIndex(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path out = dir.resolve("recorder.out");
        Process recorder = recorder(store, out);
        try {
            awaitFrames(out, TestClips.GOP * 3L / 2);
            Result ls = record("ls", "--store", store.toString(), "--json");
            assertEquals(0, ls.status(), ls.err());
            JsonObject listed = JsonParser.parseString(ls.out()).getAsJsonObject().getAsJsonArray("cameras").get(0)
                    .getAsJsonObject();
            assertEquals(CAMERA, listed.get("camera").getAsString());
            assertTrue(listed.get("openSegment").isJsonObject(), "the segment being written is listed open: " + ls.out());
            assertEquals(1, listed.getAsJsonArray("spans").size(), ls.out());

            Result refused = record("check", "--store", store.toString(), "--repair");
            assertEquals(1, refused.status(), refused.out());
            assertTrue(refused.err().contains("in use by the recorder with pid " + recorder.pid()), refused.err());
        } finally {
            recorder.destroy();
            assertTrue(recorder.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        assertEquals(0, recorder.exitValue(), Files.readString(out));

        Result text = record("ls", "--store", store.toString(), "--camera", CAMERA);
        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().contains(CAMERA + ": 1 segment(s)") && text.out().contains("  recorded "), text.out());
        Path mp4 = dir.resolve("clip.mp4");
        Result exported = record("export", "--store", store.toString(), "--camera", CAMERA, "--from", "-1h", "--to", "now",
                "--out", mp4.toString());
        assertEquals(0, exported.status(), exported.out() + exported.err());
        assertTrue(exported.out().startsWith("exported " + CAMERA + " ") && exported.out().contains(" to " + mp4), exported.out());
        for (Path made : new Path[] {mp4, dir.resolve("clip.mp4.json"), dir.resolve("clip.mp4.sha256")}) {
            assertTrue(Files.size(made) > 0, made.toString());
        }
        Result clean = record("check", "--store", store.toString());
        assertEquals(0, clean.status(), clean.out());
        assertTrue(clean.out().contains("ok: every record is intact"), clean.out());

        // A bit flipped in the payload of the 10th frame: check names that record's offset.
        Path segment;
        long damagedAt;
        try (StoreView view = StoreView.open(store)) {
            SegmentRow row = view.index().allSegments().getFirst();
            segment = view.file(row);
            try (SegmentReader reader = view.openSegment(row)) {
                for (int i = 0; i < 10; i++) {
                    assertTrue(reader.next());
                }
                damagedAt = reader.offset();
                flipBit(segment, damagedAt + 32 + reader.payloadLength() / 2);
            }
        }
        Result flipped = record("check", "--store", store.toString());
        assertEquals(1, flipped.status(), flipped.out());
        assertTrue(flipped.out().contains("1 damaged record(s)") && flipped.out().contains("at offset " + damagedAt + " ("),
                flipped.out());
        assertTrue(flipped.out().contains("smartctl"), "says what to do: " + flipped.out());

        for (String suffix : new String[] {"", "-wal", "-shm"}) {
            Files.deleteIfExists(store.resolve("index.sqlite" + suffix));
        }
        Result noIndex = record("check", "--store", store.toString());
        assertEquals(1, noIndex.status(), noIndex.out());
        assertTrue(noIndex.out().contains("there is no index") && noIndex.out().contains("the index does not know this"
                + " segment") && noIndex.out().contains("--repair"), noIndex.out());

        Result repaired = record("check", "--store", store.toString(), "--repair");
        assertEquals(0, repaired.status(), repaired.out() + repaired.err());
        assertTrue(repaired.out().contains("1 orphans adopted") && repaired.out().contains("repaired: the index was"
                + " rebuilt") && repaired.out().contains("keep damaged records"), repaired.out());
        assertTrue(Files.exists(segment), "repair deletes no video");
        Result after = record("ls", "--store", store.toString(), "--camera", CAMERA);
        assertEquals(0, after.status(), after.err());
        assertTrue(after.out().contains(CAMERA + ": 1 segment(s)"), after.out());
    }

    @Test
    void followsCamerasTheProducerAddsAndRemoves(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("store");
        Path out = dir.resolve("recorder.out");
        String added = CAMERA + "b";
        Process recorder = new ProcessBuilder(VirtaJvm.command("recorder", "--store", store.toString(), "--control",
                control, "--poll-seconds", "0.2", "--status-every", "0.5"))   // every camera, none named
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(control)
                .usePlaintext().build();
        try {
            awaitLine(out, line -> line.equals("recorder: recording camera " + CAMERA + " (" + CAMERA + ".h264) into "
                    + store), "the configured camera recorded");
            var api = io.virta.protos.control.v1.ProducerControlGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS);
            api.addStream(io.virta.protos.control.v1.StreamConfig.newBuilder().setName(added).setUrl(camera.url("/cam"))
                    .setTransport(io.virta.protos.control.v1.Transport.TRANSPORT_TCP).setDecode(false).build());
            awaitLine(out, line -> line.startsWith("recorder: recording camera " + added + " (" + added + ".h264)"),
                    "the added camera recorded");
            awaitLine(out, line -> {
                Matcher status = STATUS.matcher(line);
                return status.find() && status.group(1).equals(added) && Long.parseLong(status.group(2)) > 0;
            }, "frames of the added camera");
            api.removeStream(io.virta.protos.control.v1.RemoveStreamRequest.newBuilder().setName(added).build());
            awaitLine(out, line -> line.equals("recorder: camera " + added + " removed from the producer; its last"
                    + " segment is sealed"), "the removed camera's segment sealed");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            recorder.destroy();
            assertTrue(recorder.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        assertEquals(0, recorder.exitValue(), Files.readString(out));
        Path incident = dir.resolve("incident");
        Result exported = record("export", "--store", store.toString(), "--camera", CAMERA, "--camera", added,
                "--from", "-1h", "--to", "now", "--out", incident.toString(), "--format", "mkv");
        assertEquals(0, exported.status(), exported.out() + exported.err());
        for (String made : new String[] {CAMERA + ".mkv", added + ".mkv", "SHA256SUMS"}) {
            assertTrue(Files.size(incident.resolve(made)) > 0, made + "\n" + exported.out());
        }
        try (StoreView view = StoreView.open(store)) {
            assertEquals(List.of(CAMERA, added), view.cameras());
            for (SegmentRow row : view.index().allSegments()) {
                assertEquals(SegmentState.SEALED, row.state(), row.toString());
            }
        }
    }

    @Test
    void theProducerServesTheRecordingApiAndSaysRecordingIsOffWithoutStores() throws Exception {
        // This producer records nothing itself (the standalone recorder does): the recording API is
        // there on its control address all the same, and says how to turn recording on.
        io.grpc.ManagedChannel channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(control)
                .usePlaintext().build();
        try {
            var recordings = io.virta.protos.recording.v1.RecordingGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(20, TimeUnit.SECONDS);
            io.grpc.StatusRuntimeException off = org.junit.jupiter.api.Assertions.assertThrows(
                    io.grpc.StatusRuntimeException.class, () -> recordings.listCameras(
                            io.virta.protos.recording.v1.ListCamerasRequest.getDefaultInstance()));
            assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, off.getStatus().getCode(), off.getMessage());
            assertTrue(off.getMessage().contains("recording is off") && off.getMessage().contains("recording:"),
                    off.getMessage());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void waitsForAProducerItCannotReachAndStopsCleanly(@TempDir Path dir) throws Exception {
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort(); // free once closed: nothing listens there
        }
        Path out = dir.resolve("recorder.out");
        Process recorder = new ProcessBuilder(VirtaJvm.command("recorder", "--store", dir.resolve("store").toString(),
                "--control", "127.0.0.1:" + port, "--poll-seconds", "0.2"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        String waiting;
        try {
            waiting = awaitLine(out, line -> line.contains("waiting for it"), "the waiting line");
        } finally {
            recorder.destroy();
            assertTrue(recorder.waitFor(20, TimeUnit.SECONDS), "exits after SIGTERM");
        }
        assertTrue(waiting.startsWith("recorder: cannot reach the producer's control API at 127.0.0.1:" + port)
                && waiting.contains("start the producer, or point --control at its control.listen address"), waiting);
        String all = Files.readString(out);
        assertEquals(0, recorder.exitValue(), all);
        assertEquals(1, all.lines().filter(line -> line.contains("waiting for it")).count(), "said once:\n" + all);
    }

    private record Result(int status, String out, String err) {
    }

    private static Result record(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Virta.run(new Console(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)), Virta.command("record", args));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Process recorder(Path store, Path out) throws IOException {
        return new ProcessBuilder(VirtaJvm.command("recorder", "--store", store.toString(), "--control", control,
                "--camera", CAMERA, "--poll-seconds", "0.5", "--status-every", "0.5"))
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** Waits for a status line of the camera with at least {@code frames} frames written. */
    private static void awaitFrames(Path out, long frames) throws Exception {
        awaitLine(out, line -> {
            Matcher status = STATUS.matcher(line);
            return status.find() && status.group(1).equals(CAMERA) && Long.parseLong(status.group(2)) >= frames;
        }, frames + " frames recorded");
    }

    private static String awaitLine(Path out, java.util.function.Predicate<String> wanted, String what) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<String> lines = Files.exists(out) ? Files.readAllLines(out) : List.of();
            for (String line : lines) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            assertTrue(System.nanoTime() < giveUp, what + " within 60 s:\n" + String.join("\n", lines));
            Thread.sleep(100);
        }
    }

    private static void flipBit(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x10);
        }
    }

    /** A reader killed with SIGKILL leaves its doorbell semaphore; the test leaves nothing in /dev/shm. */
    private static void removeDoorbellsOf(long pid) throws IOException {
        try (Stream<Path> shm = Files.list(Path.of("/dev/shm"))) {
            for (Path left : shm.filter(p -> p.getFileName().toString().startsWith("sem.virta.r." + pid + ".")).toList()) {
                Files.deleteIfExists(left);
            }
        }
    }
}
