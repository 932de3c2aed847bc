package io.virta.producer.graph;

import io.virta.rtsp.media.AccessUnit;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FrameGraphTest {
    private final AccessUnit unit = AccessUnit.allocate(16);

    private void push(FrameSink<AccessUnit> sink, int slot, long captureMicros) {
        unit.slot(slot).captureTimeMicros(captureMicros).data().limit(10);
        sink.accept(unit);
    }

    @Test
    void forkConnectsAndDisconnectsAtRuntime() {
        List<String> seen = new ArrayList<>();
        ForkFilter<AccessUnit> fork = new ForkFilter<>();
        FrameSink<AccessUnit> a = f -> seen.add("a" + f.slot());
        FrameSink<AccessUnit> b = f -> seen.add("b" + f.slot());
        fork.connect(a).connect(b);
        push(fork, 1, 0);
        fork.disconnect(a);
        push(fork, 2, 0);
        assertEquals(List.of("a1", "b1", "b2"), seen);
    }

    @Test
    void gateSlotAndIntervalCompose() {
        List<Long> passed = new ArrayList<>();
        IntervalFilter<AccessUnit> interval = new IntervalFilter<>(Duration.ofMillis(200), AccessUnit::captureTimeMicros,
                f -> passed.add(f.captureTimeMicros()));
        SlotFilter<AccessUnit> slot = new SlotFilter<>(3, AccessUnit::slot, interval);
        GateFilter<AccessUnit> gate = new GateFilter<>(false, slot);
        push(gate, 3, 0);
        gate.open(true);
        for (long t = 0; t <= 1_000_000; t += 40_000) {
            push(gate, 3, t);
            push(gate, 4, t);
        }
        assertEquals(List.of(0L, 200_000L, 400_000L, 600_000L, 800_000L, 1_000_000L), passed);
        assertEquals(1, gate.blocked());
        assertEquals(20, interval.skipped());
        push(gate, 3, 10); // the camera restarted: time went back, so re-anchor
        assertEquals(10L, passed.getLast());
    }

    @Test
    void countingTapMeasuresFramesBytesAndRate() {
        CountingTap<AccessUnit> tap = new CountingTap<>(AccessUnit::size, AccessUnit::captureTimeMicros, f -> { });
        for (int i = 0; i <= 50; i++) {
            push(tap, 0, i * 40_000L);
        }
        assertEquals(51, tap.frames());
        assertEquals(510, tap.bytes());
        assertEquals(25.0, tap.fps(), 0.01);
    }
}
