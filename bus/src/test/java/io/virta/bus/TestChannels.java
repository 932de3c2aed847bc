package io.virta.bus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique channel names per test, and removal of whatever a test left in /dev/shm. */
final class TestChannels {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestChannels() {
    }

    static String unique(String prefix) {
        return "t." + prefix + "." + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet();
    }

    static void remove(String name) {
        try {
            Files.deleteIfExists(ChannelName.objectPath(name));
        } catch (IOException ignored) {
            // Best effort: the test already passed or failed on its own terms.
        }
    }

    /** Fills a payload as every bus tool does: every byte of frame {@code s} equals {@code s % 251}. */
    static byte patternByte(long sequence) {
        return (byte) (sequence % 251);
    }

    static boolean hasPattern(Frame frame) {
        byte expected = patternByte(frame.sequence());
        var payload = frame.payload();
        for (long i = 0; i < payload.byteSize(); i++) {
            if (payload.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i) != expected) {
                return false;
            }
        }
        return true;
    }

    static long writePattern(ChannelWriter writer, long size) {
        WritableFrame f = writer.claim();
        f.payload().asSlice(0, size).fill(patternByte(f.sequence()));
        f.payloadSize(size);
        return writer.commit();
    }

    static Path shm(String name) {
        return ChannelName.objectPath(name);
    }
}
