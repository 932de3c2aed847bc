package io.virta.bus;

import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

/** Gives each test unique channel names, and removes whatever those channels left in /dev/shm. */
abstract class ChannelTestBase {
    private final List<String> names = new ArrayList<>();

    String name(String prefix) {
        String n = TestChannels.unique(prefix);
        names.add(n);
        return n;
    }

    @AfterEach
    void removeChannels() {
        names.forEach(TestChannels::remove);
    }
}
