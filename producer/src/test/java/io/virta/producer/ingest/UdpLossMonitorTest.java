package io.virta.producer.ingest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When {@code transport: auto} gives up on UDP: loss above the threshold over a whole window. */
class UdpLossMonitorTest {
    @Test
    void lossAboveTheThresholdOverAFullWindowTriggers() {
        UdpLossMonitor monitor = new UdpLossMonitor(0.01, 10);
        long received = 0;
        long lost = 0;
        for (int second = 0; second < 10; second++) {
            assertFalse(monitor.sample(received += 980, lost += 20), "the window is not full yet");
        }
        assertTrue(monitor.sample(received += 980, lost += 20), "2 % over 10 s");
        assertEquals(0.02, monitor.ratio(), 1e-9);
    }

    @Test
    void lossBelowTheThresholdOrASingleBurstDoesNot() {
        UdpLossMonitor monitor = new UdpLossMonitor(0.01, 10);
        long received = 0;
        long lost = 0;
        for (int second = 0; second < 30; second++) {
            assertFalse(monitor.sample(received += 995, lost += 5), "0.5 %");
        }
        for (int second = 0; second < 10; second++) {
            assertFalse(monitor.sample(received += 1000, lost), "clean");
        }
        long beforeBurst = lost;
        lost += 300; // a burst of 300 in one second: 3 % of a 10 s window, but in one second of ten
        assertFalse(monitor.sample(received += 700, lost), "a burst is not loss that stays");
        for (int second = 0; second < 10; second++) {
            assertFalse(monitor.sample(received += 1000, lost));
        }
        assertTrue(lost > beforeBurst);
    }

    @Test
    void aNewSessionStartsANewWindow() {
        UdpLossMonitor monitor = new UdpLossMonitor(0.01, 3);
        for (int i = 0; i < 3; i++) {
            monitor.sample(100L * i, 50L * i);
        }
        monitor.reset();
        assertFalse(monitor.sample(1000, 900));
        assertEquals(0, monitor.ratio());
    }
}
