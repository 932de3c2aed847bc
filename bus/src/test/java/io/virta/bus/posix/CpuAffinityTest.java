package io.virta.bus.posix;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuAffinityTest {
    @Test
    void parsesListsAndRanges() {
        BitSet cpus = CpuAffinity.parse("0");
        assertEquals(1, cpus.cardinality());
        assertTrue(CpuAffinity.parse(" 0 , 0-0 ").get(0));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("0-x"));
        assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("3-1"));
        var e = assertThrows(IllegalArgumentException.class, () -> CpuAffinity.parse("999"));
        assertTrue(e.getMessage().contains("does not exist here"), e.getMessage());
    }

    @Test
    void aPinnedThreadRunsOnlyWhereItWasPut() throws Exception {
        String[] allowed = new String[1];
        Thread t = Thread.ofPlatform().start(() -> {
            CpuAffinity.pinCurrentThread(CpuAffinity.parse("0"));
            try {
                allowed[0] = Files.readAllLines(Path.of("/proc/thread-self/status")).stream()
                        .filter(l -> l.startsWith("Cpus_allowed_list:")).findFirst().orElseThrow();
            } catch (Exception e) {
                allowed[0] = e.toString();
            }
        });
        t.join();
        assertEquals("Cpus_allowed_list:\t0", allowed[0]);
    }
}
