package io.virta.producer.ingest;

import io.virta.producer.source.StreamEvents;

import io.virta.bus.ChannelReader;
import io.virta.bus.PullStatus;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.daemon.Producer;

import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A producer with one camera, plus what a test needs to watch it: its events and its channels. */
final class IngestHarness implements AutoCloseable {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    final String camera = "ingest" + ProcessHandle.current().pid() + "x" + COUNTER.incrementAndGet();
    final List<String> events = new CopyOnWriteArrayList<>();
    final Producer producer;

    IngestHarness(String cameraYaml) throws ConfigException {
        ProducerConfig config = ProducerConfig.parse("cameras:\n  - name: " + camera + "\n" + cameraYaml.indent(4),
                "test config");
        producer = new Producer(config, new StreamEvents() {
            @Override
            public void onOnline(String name, boolean overTcp) {
                events.add("online " + (overTcp ? "tcp" : "udp"));
            }

            @Override
            public void onOffline(String name, String reason) {
                events.add("offline " + reason);
            }
        }).start();
    }

    /** Waits until an event starting with {@code prefix} was reported, and returns it. */
    String awaitEvent(String prefix, Duration timeout) throws InterruptedException {
        long giveUp = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < giveUp) {
            for (String e : events) {
                if (e.startsWith(prefix)) {
                    return e;
                }
            }
            Thread.sleep(20);
        }
        fail("no '" + prefix + "' event within " + timeout + "; events: " + events);
        return null;
    }

    /** MD5s (hex) of the next {@code count} frames of a channel, as ffmpeg's framemd5 computes them. */
    List<String> frameMd5s(String channel, int count) throws Exception {
        List<String> sums = new ArrayList<>();
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        try (ChannelReader reader = ChannelReader.builder(channel).awaitWriter(Duration.ofSeconds(20))
                .start(ChannelReader.Start.NEXT).open()) {
            while (sums.size() < count) {
                PullStatus status = reader.pull(Duration.ofSeconds(10));
                assertTrue(status == PullStatus.FRAME, channel + ": expected frames, got " + status + "; events " + events);
                byte[] bytes = new byte[reader.frame().payloadSize()];
                java.lang.foreign.MemorySegment.ofArray(bytes).copyFrom(reader.frame().payload());
                assertTrue(reader.frame().isIntact(), "frame read whole");
                sums.add(HexFormat.of().formatHex(md5.digest(bytes)));
            }
        }
        return sums;
    }

    /**
     * Asserts that {@code received} is a contiguous run of {@code reference} (the clip loops on the
     * server, so the run may wrap around its end).
     */
    static void assertContiguousRun(List<String> reference, List<String> received) {
        int start = reference.indexOf(received.getFirst());
        assertTrue(start >= 0, "the first frame received matches a frame of the clip");
        for (int i = 0; i < received.size(); i++) {
            String expected = reference.get((start + i) % reference.size());
            if (!expected.equals(received.get(i))) {
                fail("frame " + i + " after clip frame " + start + " differs from ffmpeg's decode of the clip");
            }
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
