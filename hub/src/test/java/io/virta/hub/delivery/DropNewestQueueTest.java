package io.virta.hub.delivery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropNewestQueueTest {
    @Test
    void whenFullTheNewestAreDroppedAndTheGapIsMarkedOnTheNextOneIn() {
        DropNewestQueue<Integer> ring = new DropNewestQueue<>(4);
        for (int i = 0; i < 4; i++) {
            assertTrue(ring.offer(i));
        }
        assertFalse(ring.offer(4));
        assertFalse(ring.offer(5));
        assertEquals(2, ring.droppedTotal());
        assertEquals(0, ring.poll());
        assertEquals(0, ring.missedBefore());
        assertTrue(ring.offer(6));
        for (int i = 1; i < 4; i++) {
            assertEquals(i, ring.poll());
            assertEquals(0, ring.missedBefore());
        }
        assertEquals(0, ring.missedAtTail(), "not while messages before the gap wait");
        assertEquals(6, ring.poll());
        assertEquals(2, ring.missedBefore(), "4 and 5 were dropped right before 6");
        assertNull(ring.poll());
        assertEquals(0, ring.missedAtTail());
        assertTrue(ring.offer(7));
        assertEquals(7, ring.poll());
        assertEquals(0, ring.missedBefore());
        assertEquals(2, ring.droppedTotal());
    }

    @Test
    void dropsAtTheEndAreReportedOnceEverythingBeforeThemIsTaken() {
        DropNewestQueue<Integer> ring = new DropNewestQueue<>(2);
        ring.offer(0);
        ring.offer(1);
        ring.offer(2);
        ring.offer(3);
        assertEquals(0, ring.poll());
        assertEquals(0, ring.missedAtTail());
        assertEquals(1, ring.poll());
        assertNull(ring.poll());
        assertEquals(2, ring.missedAtTail(), "2 and 3 were dropped after 1");
        assertEquals(0, ring.missedAtTail(), "reported once");
        ring.offer(4);
        assertEquals(4, ring.poll());
        assertEquals(0, ring.missedBefore(), "not reported twice");
    }

    @Test
    void wrapsAroundManyTimes() {
        DropNewestQueue<Integer> ring = new DropNewestQueue<>(8);
        for (int i = 0; i < 10_000; i++) {
            assertTrue(ring.offer(i));
            if (i % 3 == 2) {
                while (ring.size() > 0) {
                    ring.poll();
                }
            }
        }
        assertEquals(0, ring.droppedTotal());
        assertThrows(IllegalArgumentException.class, () -> new DropNewestQueue<Integer>(6));
    }
}
