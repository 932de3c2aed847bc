package io.virta.worker;

import io.virta.bus.ChannelWriter;
import io.virta.bus.WritableFrame;
import org.junit.jupiter.api.AfterEach;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique bus channel names per test, and removal of whatever the test left in /dev/shm. */
public abstract class TestChannels {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final List<String> names = new ArrayList<>();

    protected String channelName(String prefix) {
        String name = "t.w" + prefix + "." + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet();
        names.add(name);
        return name;
    }

    @AfterEach
    void removeChannels() {
        for (String name : names) {
            try {
                Files.deleteIfExists(Path.of("/dev/shm/virta." + name));
            } catch (IOException ignored) {
                // Best effort: the test passed or failed on its own terms.
            }
        }
    }

    /** An RGB24 frame whose pixel (x, y) is (x, y, sequence), all mod 256. */
    public static long writeGradient(ChannelWriter writer, int width, int height) {
        WritableFrame f = writer.claim();
        long sequence = f.sequence();
        var payload = f.payload();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                long o = ((long) y * width + x) * 3;
                payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o, (byte) x);
                payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 1, (byte) y);
                payload.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + 2, (byte) sequence);
            }
        }
        return writer.commit();
    }
}
