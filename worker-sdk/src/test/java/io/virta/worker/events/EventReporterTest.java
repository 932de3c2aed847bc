package io.virta.worker.events;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.virta.protos.events.v1.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The reporter against a real gRPC peer ({@link StandInHub}): batching, bounds, outages, restarts, closing. */
@Timeout(60)
class EventReporterTest {
    private static Event event(String type, long micros) {
        return WorkerEvent.builder(type).camera("cam").captureTimeMicros(micros).source("test").build();
    }

    @Test
    void sendsInBatchesOfAtMost256() throws Exception {
        try (StandInHub hub = StandInHub.start()) {
            hub.hold();   // the first call waits, so the queue fills behind it
            try (EventReporter reporter = EventReporter.builder(hub.target()).build()) {
                for (int i = 1; i <= 1000; i++) {
                    reporter.report(event("motion", i));
                }
                hub.open();
                assertTrue(reporter.flush(Duration.ofSeconds(20)));
                assertEquals(1000, reporter.sent());
                assertEquals(0, reporter.dropped());
            }
            List<Integer> sizes = hub.batchSizes();
            assertTrue(sizes.stream().allMatch(n -> n <= 256), "batch sizes " + sizes);
            assertTrue(sizes.size() <= 5, "1000 events in few calls: " + sizes);
            List<Event> got = hub.received();
            for (int i = 0; i < 1000; i++) {
                assertEquals(i + 1, got.get(i).getCaptureTimeMicros(), "in order");
            }
        }
    }

    @Test
    void rejectionsAreCountedAndLoggedWithTheHubsReason() throws Exception {
        List<String> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                synchronized (logged) {
                    logged.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger(EventReporter.class.getName());
        logger.addHandler(capture);
        try (StandInHub hub = StandInHub.start();
             EventReporter reporter = EventReporter.builder(hub.target()).build()) {
            reporter.report(event("motion", 1));
            reporter.report(event("bad-type", 2));
            assertTrue(reporter.flush(Duration.ofSeconds(10)));
            assertEquals(1, reporter.sent());
            assertEquals(1, reporter.rejected());
            synchronized (logged) {
                assertTrue(logged.stream().anyMatch(m -> m.contains("'bad-type' is not accepted here")
                        && m.contains("camera 'cam'")), "the hub's reason is logged: " + logged);
            }
        } finally {
            logger.removeHandler(capture);
        }
    }

    @Test
    void whileTheHubIsDownTheOldestGoAndTheRestArriveWhenItComes() throws Exception {
        int port = freePort();
        try (EventReporter reporter = EventReporter.builder("127.0.0.1:" + port).queueCapacity(100).build()) {
            for (int i = 1; i <= 250; i++) {
                reporter.report(event("motion", i));
            }
            // The sender may hold a batch in flight for a moment; once it is back, the bound is exact.
            // Wait for a failed call too, so that the hub really was down when the sender tried.
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((reporter.dropped() != 150 || reporter.counters().failedCalls() == 0)
                    && System.nanoTime() < giveUp) {
                Thread.sleep(20);
            }
            assertEquals(150, reporter.dropped(), "drop-oldest down to the bound: " + reporter.counters());
            assertEquals(0, reporter.sent());
            try (StandInHub hub = StandInHub.startOn(port)) {
                List<Event> got = hub.awaitEvents(100, 15_000);
                assertEquals(100, got.size(), "the held events are sent once the hub is up: " + reporter.counters());
                for (int i = 0; i < 100; i++) {
                    assertEquals(151 + i, got.get(i).getCaptureTimeMicros(), "the newest 100, in order");
                }
                assertTrue(reporter.flush(Duration.ofSeconds(5)));
                assertEquals(100, reporter.sent());
            }
        }
    }

    @Test
    void reconnectsAfterTheHubRestartsOnTheSamePort() throws Exception {
        StandInHub first = StandInHub.start();
        int port = first.port();
        try (EventReporter reporter = EventReporter.builder(first.target()).build()) {
            for (int i = 1; i <= 10; i++) {
                reporter.report(event("motion", i));
            }
            assertTrue(reporter.flush(Duration.ofSeconds(10)));
            assertEquals(10, first.received().size());
            first.close();
            for (int i = 11; i <= 20; i++) {
                reporter.report(event("motion", i));
            }
            Thread.sleep(500);   // the sender finds the hub gone and starts retrying
            assertEquals(10, reporter.sent());
            try (StandInHub second = StandInHub.startOn(port)) {
                assertTrue(reporter.flush(Duration.ofSeconds(15)), "delivered after the restart: " + reporter.counters());
                List<Event> got = second.received();
                assertEquals(10, got.size());
                assertEquals(11, got.getFirst().getCaptureTimeMicros());
                assertEquals(20, reporter.sent());
                assertEquals(0, reporter.dropped());
            }
        }
    }

    @Test
    void closeSendsWhatIsQueued() throws Exception {
        try (StandInHub hub = StandInHub.start()) {
            EventReporter reporter = EventReporter.builder(hub.target()).build();
            for (int i = 1; i <= 500; i++) {
                reporter.report(event("motion", i));
            }
            reporter.close();
            assertEquals(500, hub.received().size());
            assertEquals(new ReporterCounters(500, 0, 0, 0, 0, 0), reporter.counters());
            reporter.report(event("motion", 501));
            assertEquals(1, reporter.dropped(), "after close, events are dropped and counted");
        }
    }

    @Test
    void closeGivesUpAfterItsTimeoutWhenTheHubIsDown() throws Exception {
        EventReporter reporter = EventReporter.builder("127.0.0.1:" + freePort())
                .closeTimeout(Duration.ofMillis(300)).build();
        for (int i = 1; i <= 5; i++) {
            reporter.report(event("motion", i));
        }
        long start = System.nanoTime();
        reporter.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "close is bounded");
        assertEquals(5, reporter.dropped());
        assertEquals(0, reporter.pending());
    }

    @Test
    void aServerWithoutTheHubServiceFailsTheEventsWithoutRetrying() throws Exception {
        Server empty = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new io.virta.protos.control.v1.ProducerControlGrpc.ProducerControlImplBase() {
                })
                .build().start();
        try (EventReporter reporter = EventReporter.builder("127.0.0.1:"
                + ((InetSocketAddress) empty.getListenSockets().getFirst()).getPort()).build()) {
            reporter.report(event("motion", 1));
            assertTrue(reporter.flush(Duration.ofSeconds(10)));
            assertEquals(1, reporter.failed());
            assertEquals(0, reporter.counters().failedCalls());
        } finally {
            empty.shutdownNow();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
