package io.virta.demo.camera;

import io.virta.rtsp.media.AccessUnitListener;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DemoCameraTest {
    private static final int WIDTH = 320;
    private static final int HEIGHT = 240;
    private static final int FPS = 25;

    /** A copy of what a listener saw. */
    record Seen(byte[] bytes, boolean keyframe, long rtpTimestamp, long captureTimeMicros, long arrivalTimeMicros, long sequence) {
    }

    /** Collects units until it has {@code wanted} of them. */
    static final class Collector implements AccessUnitListener {
        final List<Seen> units = new ArrayList<>();
        final CountDownLatch done;

        Collector(int wanted) {
            done = new CountDownLatch(wanted);
        }

        @Override
        public synchronized void onAccessUnit(io.virta.rtsp.media.AccessUnit unit) {
            if (done.getCount() == 0) {
                return;
            }
            byte[] bytes = new byte[unit.size()];
            unit.data().get(bytes); // moves the position: the camera must reset it for the next listener
            units.add(new Seen(bytes, unit.isKeyframe(), unit.rtpTimestamp(), unit.captureTimeMicros(),
                    unit.arrivalTimeMicros(), unit.sequence()));
            done.countDown();
        }

        synchronized List<Seen> snapshot() {
            return List.copyOf(units);
        }

        void waitForAll() throws InterruptedException {
            assertTrue(done.await(20, TimeUnit.SECONDS), "the camera sent the frames");
        }
    }

    @Test
    void sendsAPacedStreamStartingWithAKeyframe() throws Exception {
        Collector first = new Collector(30);
        Collector second = new Collector(30);
        try (DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS, 300_000)) {
            camera.addListener(first);
            camera.addListener(second);
            long startNanos = System.nanoTime();
            camera.start();
            first.waitForAll();
            second.waitForAll();
            long elapsedNanos = System.nanoTime() - startNanos;
            assertTrue(elapsedNanos >= 29 * 1_000_000_000L / FPS, "30 frames take at least 29 frame intervals: " + elapsedNanos);

            List<Seen> units = first.snapshot();
            assertTrue(units.get(0).keyframe(), "the first picture is a keyframe");
            assertEquals(List.of(7, 8, 5), DemoEncoderTest.nalTypes(units.get(0).bytes()));
            Seen start = units.get(0);
            for (int i = 0; i < units.size(); i++) {
                Seen unit = units.get(i);
                assertEquals(i + 1, unit.sequence(), "sequence numbers from 1 without gaps");
                long frameIndex = unit.rtpTimestamp() / (90_000 / FPS);
                assertEquals(0, unit.rtpTimestamp() % (90_000 / FPS), "RTP time on a frame boundary");
                assertEquals(frameIndex * 1_000_000 / FPS, unit.captureTimeMicros() - start.captureTimeMicros(), 1,
                        "capture times follow the frame slots exactly: frame " + frameIndex);
                assertTrue(unit.arrivalTimeMicros() >= unit.captureTimeMicros(), "never sent before its deadline");
                // Frame k % 25 == 0 opens each second; should a loaded machine skip that slot, the next frame does.
                long previousIndex = i == 0 ? -1 : units.get(i - 1).rtpTimestamp() / (90_000 / FPS);
                boolean opensASecond = i == 0 || frameIndex / FPS != previousIndex / FPS;
                assertEquals(opensASecond, unit.keyframe(), "a keyframe each second, frame " + frameIndex);
                assertTrue(frameIndex > previousIndex, "RTP time grows");
            }
            List<Seen> others = second.snapshot();
            for (int i = 0; i < units.size(); i++) {
                assertArrayEquals(units.get(i).bytes(), others.get(i).bytes(), "every listener gets the whole unit");
            }
            assertEquals(0, camera.listenerFailures());
        }
    }

    @Test
    void pictureFrameNumbersMatchRtpTimeAfterDecoding() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ffmpeg")), "Debian's ffmpeg is needed");
        Collector collector = new Collector(FPS + 5);
        try (DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS, 300_000)) {
            camera.addListener(collector);
            camera.start();
            collector.waitForAll();
        }
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        List<Seen> units = collector.snapshot();
        for (Seen unit : units) {
            stream.write(unit.bytes());
        }
        Path dir = Files.createDirectories(Path.of("target", "demo-camera"));
        Path h264 = dir.resolve("camera-" + WIDTH + "x" + HEIGHT + ".h264");
        Path raw = dir.resolve("camera-" + WIDTH + "x" + HEIGHT + ".yuv");
        Files.write(h264, stream.toByteArray());
        String errors = DemoEncoderTest.run("/usr/bin/ffmpeg", "-v", "error", "-y", "-i", h264.toString(), "-f", "rawvideo",
                "-pix_fmt", "yuv420p", raw.toString());
        assertEquals("", errors.strip());
        byte[] decoded = Files.readAllBytes(raw);
        long frameBytes = DemoPattern.frameBytes(WIDTH, HEIGHT);
        assertEquals(units.size() * frameBytes, decoded.length);
        for (int i = 0; i < units.size(); i++) {
            MemorySegment picture = MemorySegment.ofArray(decoded).asSlice(i * frameBytes, frameBytes);
            assertEquals(units.get(i).rtpTimestamp() / (90_000 / FPS), DemoPattern.decodeFrameNumber(picture, WIDTH, HEIGHT),
                    "the frame number in picture " + i + " is its RTP frame index");
        }
    }

    @Test
    void parameterSetsAreKnownOnceStartedAndMatchTheStream() throws Exception {
        Collector collector = new Collector(1);
        try (DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS)) {
            camera.addListener(collector);
            assertEquals(null, camera.sequenceParameterSet(), "unknown before the first frame");
            camera.start();
            byte[] sps = camera.sequenceParameterSet();
            byte[] pps = camera.pictureParameterSet();
            assertNotNull(sps);
            assertNotNull(pps);
            collector.waitForAll();
            byte[] keyframe = collector.snapshot().get(0).bytes();
            byte[] expectedStart = new byte[8 + sps.length + pps.length];
            expectedStart[3] = 1;
            System.arraycopy(sps, 0, expectedStart, 4, sps.length);
            expectedStart[4 + sps.length + 3] = 1;
            System.arraycopy(pps, 0, expectedStart, 8 + sps.length, pps.length);
            assertArrayEquals(expectedStart, Arrays.copyOf(keyframe, expectedStart.length));
        }
    }

    @Test
    void removedListenersHearNothingMoreAndFailingOnesDoNotStopTheCamera() throws Exception {
        AtomicInteger removedCalls = new AtomicInteger();
        AccessUnitListener removed = unit -> removedCalls.incrementAndGet();
        AccessUnitListener failing = unit -> {
            throw new IllegalStateException("a listener bug, on purpose");
        };
        try (DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS, 300_000)) {
            camera.addListener(failing);
            camera.addListener(removed);
            camera.start();
            camera.removeListener(removed);
            int callsAtRemoval = removedCalls.get();
            Collector later = new Collector(5);
            camera.addListener(later);
            later.waitForAll();
            assertTrue(removedCalls.get() <= callsAtRemoval + 1, "at most the unit in flight after removal");
            assertTrue(camera.listenerFailures() >= 5, "the failing listener kept being called: " + camera.listenerFailures());
            assertTrue(camera.isRunning());
        }
    }

    @Test
    void runsOnANamedDaemonThreadThatCloseStops() throws Exception {
        DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS, 300_000);
        camera.start();
        Thread thread = cameraThread();
        assertTrue(thread.isDaemon());
        camera.close();
        assertFalse(thread.isAlive(), "close waits for the thread");
        assertFalse(camera.isRunning());
        long sent = camera.framesSent();
        Thread.sleep(100);
        assertEquals(sent, camera.framesSent(), "nothing is sent after close");
        assertThrows(IllegalStateException.class, camera::start, "a closed camera does not restart");
        camera.close(); // twice is fine
    }

    @Test
    void aListenerMayCloseTheCamera() throws Exception {
        DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, FPS, 300_000);
        CountDownLatch closed = new CountDownLatch(1);
        camera.addListener(unit -> {
            if (unit.sequence() == 3) {
                camera.close();
                closed.countDown();
            }
        });
        camera.start();
        Thread thread = cameraThread();
        assertTrue(closed.await(10, TimeUnit.SECONDS));
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the thread ends after the listener that closed it");
        assertFalse(camera.isRunning());
        assertEquals(3, camera.framesSent());
    }

    /** Ground rule: the camera thread allocates nothing per frame once running. */
    @Test
    void cameraThreadAllocatesNothingPerFrame() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] bytes = new long[1];
        // A fast camera, to get many frames quickly; skipped slots on a slow machine do not matter here.
        try (DemoCamera camera = new DemoCamera(WIDTH, HEIGHT, 100, 300_000)) {
            camera.addListener(unit -> bytes[0] += unit.size());
            camera.start();
            long id = cameraThread().threadId();
            // Well past the second keyframe: the first runs of each code path link call sites and get compiled,
            // which allocates once (on a loaded machine that can come later than the second keyframe).
            waitForFrames(camera, 500);
            long framesBefore = camera.framesSent();
            long allocatedBefore = threads.getThreadAllocatedBytes(id);
            waitForFrames(camera, framesBefore + 150);
            long allocated = threads.getThreadAllocatedBytes(id) - allocatedBefore;
            long frames = camera.framesSent() - framesBefore;
            assertTrue(allocated < frames, "camera thread allocated " + allocated + " bytes over " + frames + " frames");
        }
    }

    /** The one camera thread alive now (each test closes its camera, which joins the thread). */
    private static Thread cameraThread() {
        String name = "virta-demo-camera-" + WIDTH + "x" + HEIGHT;
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .findFirst().orElseThrow();
    }

    private static void waitForFrames(DemoCamera camera, long frames) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (camera.framesSent() < frames && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(camera.framesSent() >= frames, "the camera sent " + frames + " frames");
    }

    @Test
    void rejectsSizesThePatternCannotDraw() {
        assertThrows(IllegalArgumentException.class, () -> new DemoCamera(200, 100, FPS));
        assertThrows(IllegalArgumentException.class, () -> new DemoCamera(WIDTH, HEIGHT, 0));
    }
}
