package io.virta.testkit;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuzzCorpusTest {

    @Test
    void readsHexRecordsAndRawFilesInNameOrder() {
        List<FuzzCorpus.Case> cases = FuzzCorpus.of(FuzzCorpusTest.class);
        assertEquals(2, cases.size());
        FuzzCorpus.Case packets = cases.get(0);
        assertEquals("a-packets.hex", packets.name());
        assertEquals(2, packets.records().size(), "a record per line that holds bytes; comments and blanks skipped");
        assertArrayEquals(new byte[] {(byte) 0x80, 0x60, 0x00, 0x01}, packets.records().get(0));
        assertArrayEquals(new byte[] {(byte) 0x80, 0x60, 0x00, 0x01, (byte) 0xff, 0x00}, packets.bytes());
        FuzzCorpus.Case raw = cases.get(1);
        assertEquals("raw\n# not a comment here\n", raw.text(), "any other file is taken byte for byte");
        assertArrayEquals("raw\n# not a comment here\n".getBytes(StandardCharsets.UTF_8), raw.bytes());
    }

    @Test
    void aMissingCorpusIsAnErrorThatSaysWhereToPutIt() {
        var error = assertThrows(IllegalStateException.class, () -> FuzzCorpus.of(NoCorpus.class));
        assertTrue(error.getMessage().contains("src/test/resources/fuzz/NoCorpus"), error.getMessage());
    }

    private static final class NoCorpus {
    }
}
