package io.virta.viewer.overlay;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class OverlayStoreTest {
    private static final long T = 1_800_000_000_000_000L;
    private final OverlayTiming timing = OverlayTiming.defaults();

    @Test
    void camerasGetKeysInTheirOrder() {
        OverlayStore store = new OverlayStore(List.of("lobby", "yard"), timing);
        assertEquals(0, store.cameraKey("lobby"));
        assertEquals(1, store.cameraKey("yard"));
        assertEquals(-1, store.cameraKey("garage"));
        assertThrows(IllegalArgumentException.class, () -> new OverlayStore(List.of(), timing));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new OverlayStore(List.of("a", "a"), timing));
        assertTrue(twice.getMessage().contains("'a' is listed twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.add(2, "t", "w", T, 0, 0, 0, 1, 1, "", 0));
    }

    @Test
    void boxesComeBackOldestFirstWithEveryField() {
        OverlayStore store = new OverlayStore(List.of("lobby", "yard"), 4, timing);
        OverlayBoxes copy = store.newCopy();
        store.copy(0, copy);
        assertEquals(0, copy.size());
        store.add(0, "person", "w", T, 7, 0.1f, 0.2f, 0.3f, 0.4f, "adult", 0.9f);
        store.add(0, "motion", "w", T + 1, 8, 0.5f, 0.6f, 0.1f, 0.2f, "", 0f);
        store.add(1, "car", "w", T + 2, 9, 0f, 0f, 1f, 1f, "truck", 0.5f);
        store.copy(0, copy);
        assertEquals(2, copy.size());
        assertEquals(0.1f, copy.x(0));
        assertEquals(0.2f, copy.y(0));
        assertEquals(0.3f, copy.width(0));
        assertEquals(0.4f, copy.height(0));
        assertEquals("adult", copy.label(0));
        assertEquals("person", copy.type(0));
        assertEquals(0.9f, copy.score(0));
        assertEquals(T, copy.captureMicros(0));
        assertEquals(7, copy.receivedNanos(0));
        assertEquals("motion", copy.type(1));
        store.copy(1, copy);
        assertEquals(1, copy.size());
        assertEquals("truck", copy.label(0));
        assertEquals(3, store.boxes());
    }

    @Test
    void aFullRingOverwritesItsOldestAndCountsThoseThatCouldStillShow() {
        OverlayStore store = new OverlayStore(List.of("lobby"), 4, timing);
        long now = 1_000_000_000L;
        for (int i = 0; i < 6; i++) {
            store.add(0, "t", "w", T + i, now, 0, 0, 1, 1, "n" + i, 0);
        }
        OverlayBoxes copy = store.newCopy();
        store.copy(0, copy);
        assertEquals(4, copy.size());
        assertEquals(List.of("n2", "n3", "n4", "n5"), List.of(copy.label(0), copy.label(1), copy.label(2), copy.label(3)));
        assertEquals(2, store.overwritten(), "n0 and n1 went while they could still be on screen");

        // Boxes past their wall-clock expiry are gone anyway: overwriting them loses nothing.
        long later = timing.wallExpiryNanos(now);
        for (int i = 0; i < 4; i++) {
            store.add(0, "t", "w", T + 10 + i, later, 0, 0, 1, 1, "m" + i, 0);
        }
        assertEquals(2, store.overwritten());
        assertEquals(10, store.boxes());
    }

    @Test
    void aReaderNeverSeesAHalfWrittenBoxAndAllocatesNothing() throws Exception {
        OverlayStore store = new OverlayStore(List.of("lobby"), 64, timing);
        AtomicBoolean stop = new AtomicBoolean();
        // Each box's fields all encode the same number, so a torn copy shows as a mismatch. The writer stores
        // events of 8 boxes as fast as a thread that sleeps between them can: thousands per second, far more
        // than a hub sends.
        Thread writer = Thread.ofPlatform().start(() -> {
            String[] labels = new String[1000];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = Integer.toString(i);
            }
            for (int n = 0; !stop.get(); n = (n + 1) % 1000) {
                float f = n / 1000f;
                store.add(0, labels[n], "w", T + n, n, f, f, f, f, labels[n], f);
                if (n % 8 == 7) {
                    LockSupport.parkNanos(1000);
                }
            }
        });
        OverlayBoxes copy = store.newCopy();
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long checked = 0;
        long allocatedBefore = -1;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            while (System.nanoTime() < giveUp) {
                if (checked == 1000) {
                    allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                }
                store.copy(0, copy);
                for (int i = 0; i < copy.size(); i++) {
                    int n = (int) (copy.captureMicros(i) - T);
                    float f = n / 1000f;
                    if (copy.x(i) != f || copy.y(i) != f || copy.width(i) != f || copy.height(i) != f
                            || copy.score(i) != f || copy.receivedNanos(i) != n || !labelIs(copy.label(i), n)) {
                        throw new AssertionError("torn box " + n + ": x " + copy.x(i) + " label " + copy.label(i));
                    }
                }
                checked++;
            }
        } finally {
            stop.set(true);
            writer.join();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertTrue(checked > 1000, "copies made: " + checked);
        // The JIT leaves a few hundred bytes now and then (see OverlayRendererGlTest); one object per copy would
        // be megabytes.
        assertTrue(allocated < 4096, "bytes allocated by " + (checked - 1000) + " copies: " + allocated);
    }

    /** Compares without allocating: label is the decimal digits of n. */
    private static boolean labelIs(String label, int n) {
        int value = 0;
        for (int i = 0; i < label.length(); i++) {
            value = value * 10 + label.charAt(i) - '0';
        }
        return value == n;
    }

    @Test
    void aCopyMustHoldACamerasBoxes() {
        OverlayStore store = new OverlayStore(List.of("lobby"), 8, timing);
        assertThrows(IllegalArgumentException.class, () -> store.copy(0, new OverlayBoxes(4)));
        OverlayBoxes copy = new OverlayBoxes(8);
        store.copy(0, copy);
        assertNull(copy.label(0));
    }
}
