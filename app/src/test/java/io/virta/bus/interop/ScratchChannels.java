package io.virta.bus.interop;

import io.virta.bus.ChannelName;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Unique channel names for one test class's peers, and their objects removed after each test. */
final class ScratchChannels {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final List<String> names = new ArrayList<>();

    /** {@code x.<prefix>.<pid>.<n>}: unique in this JVM and among test JVMs running beside it. */
    String name(String prefix) {
        String n = "x." + prefix + "." + ProcessHandle.current().pid() + "." + COUNTER.incrementAndGet();
        names.add(n);
        return n;
    }

    /** Removes what a crashed or killed peer left of every channel named so far. */
    void removeAll() throws IOException {
        for (String n : names) {
            Files.deleteIfExists(ChannelName.objectPath(n));
        }
        names.clear();
    }
}
