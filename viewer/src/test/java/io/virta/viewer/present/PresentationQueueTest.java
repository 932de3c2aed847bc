package io.virta.viewer.present;

import io.virta.bus.ColorMatrix;
import io.virta.bus.ColorRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The queue's hand-over between the feed and the render thread, and what it drops and counts. */
class PresentationQueueTest {
    private static final long MS = 1_000_000L;

    /** A queue whose buffers are "mapped" at fake addresses, as the render thread would. */
    private static PresentationQueue allocated(int slots) {
        PresentationQueue q = new PresentationQueue("cam", slots);
        assertEquals(PresentationQueue.NONE, q.claim(1280, 720, 0, false, 0), "no buffers yet");
        assertEquals(ResolutionClass.HD_720, q.wantedClass());
        assertEquals(1, q.reallocating());
        q.beginReallocation();
        long[] addresses = new long[slots];
        for (int i = 0; i < slots; i++) {
            addresses[i] = 0x1000L * (i + 1);
        }
        q.reallocated(ResolutionClass.HD_720, addresses);
        assertNull(q.wantedClass());
        return q;
    }

    private static int offer(PresentationQueue q, long due, long now) {
        int slot = q.claim(1280, 720, due, false, now);
        if (slot != PresentationQueue.NONE) {
            q.commit(slot, due, due / 1000, ColorMatrix.BT709, ColorRange.LIMITED);
        }
        return slot;
    }

    @Test
    void framesWaitUntilDueAndTheNewestDueOneIsShown() {
        PresentationQueue q = allocated(4);
        offer(q, 100 * MS, 0);
        offer(q, 140 * MS, 0);
        offer(q, 180 * MS, 0);
        assertEquals(PresentationQueue.NONE, q.takeDue(99 * MS), "nothing is due yet");
        assertEquals(100 * MS, q.nextDueNanos(-1));
        int slot = q.takeDue(150 * MS);
        assertEquals(140 * MS, q.sequence(slot), "the newest due frame");
        assertEquals(1, q.superseded(), "the older due frame is discarded");
        q.presented(slot, q.bufferAddress(slot));
        assertEquals(140_000, q.presentedCaptureMicros());
        assertEquals(180 * MS, q.nextDueNanos(-1));
        assertEquals(1, q.presented());
    }

    @Test
    void lateFramesAreCountedAndNeverTakeASlot() {
        PresentationQueue q = allocated(4);
        assertEquals(PresentationQueue.NONE, q.claim(1280, 720, 10 * MS, true, 20 * MS));
        assertEquals(1, q.late());
        assertEquals(Long.MAX_VALUE, q.nextDueNanos(Long.MAX_VALUE));
        assertEquals(20 * MS, q.lastArrivalNanos(), "a late frame still shows the stream is alive");
    }

    @Test
    void aFullQueueDropsItsOldestWaitingFrame() {
        PresentationQueue q = allocated(3);
        offer(q, 100 * MS, 0);
        offer(q, 200 * MS, 0);
        offer(q, 300 * MS, 0);
        assertNotEquals(PresentationQueue.NONE, offer(q, 400 * MS, 0), "the feed never waits");
        assertEquals(1, q.overflow());
        int slot = q.takeDue(250 * MS);
        assertEquals(200 * MS, q.sequence(slot), "100 ms was dropped for 400 ms");
    }

    @Test
    void aTornFrameFreesItsSlot() {
        PresentationQueue q = allocated(3);
        int slot = q.claim(1280, 720, 0, false, 0);
        q.abandon(slot);
        assertEquals(1, q.torn());
        for (int i = 0; i < 3; i++) {
            assertNotEquals(PresentationQueue.NONE, offer(q, i, 0), "all three slots are free again");
        }
        assertEquals(0, q.overflow());
    }

    @Test
    void aBiggerPictureAsksForTheNextClassAndDropsUntilItIsThere() {
        PresentationQueue q = allocated(3);
        offer(q, 1, 0);
        assertEquals(PresentationQueue.NONE, q.claim(1920, 1080, 2, false, 0));
        assertEquals(ResolutionClass.FULL_HD_1080, q.wantedClass());
        int shown = q.takeDue(5);
        assertEquals(false, q.beginReallocation(), "not while a frame is being shown");
        q.presented(shown, q.bufferAddress(shown));
        assertEquals(true, q.beginReallocation());
        q.reallocated(ResolutionClass.FULL_HD_1080, new long[] {1, 2, 3});
        assertNotEquals(PresentationQueue.NONE, offer1080(q));
        assertEquals(PresentationQueue.NONE, q.claim(7680, 4320, 0, false, 0));
        assertEquals(1, q.tooLarge(), "larger than 4K is refused, not allocated");
    }

    private static int offer1080(PresentationQueue q) {
        return q.claim(1920, 1080, 0, false, 0);
    }

    @Test
    void aQueueNeedsThreeSlots() {
        assertThrows(IllegalArgumentException.class, () -> new PresentationQueue("cam", 2));
    }
}
