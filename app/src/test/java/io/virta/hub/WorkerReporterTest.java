package io.virta.hub;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.worker.events.EventReporter;
import io.virta.worker.events.WorkerEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker SDK's reporter against the real hub: events reported while the hub is down wait in the
 * reporter's queue and arrive once a new hub serves the same journal on the same port, and a query
 * then returns every event, from before and after the restart, in order.
 */
@Timeout(60)
class WorkerReporterTest {
    @TempDir
    Path journal;

    @Test
    void eventsReportedWhileTheHubRestartsArriveAfterIt() throws Exception {
        CameraDirectory cameras = CameraDirectory.of(List.of("lobby"));
        EventHub hub = EventHub.open(EventHub.Options.of(journal, cameras));
        HubServer server = HubServer.start("127.0.0.1:0", hub);
        String address = server.target();
        long t0 = io.virta.bus.Clock.epochMicros() - 10_000_000;
        try (EventReporter reporter = EventReporter.builder(address).callTimeout(Duration.ofSeconds(2)).build()) {
            for (int i = 0; i < 10; i++) {
                reporter.report(motion(t0 + i));
            }
            assertTrue(reporter.flush(Duration.ofSeconds(10)), "sent before the restart: " + reporter.counters());

            server.close();
            hub.close();
            for (int i = 10; i < 20; i++) {
                reporter.report(motion(t0 + i));     // queued: nobody listens
            }
            Thread.sleep(300);
            assertTrue(reporter.pending() > 0, reporter.counters().toString());

            hub = EventHub.open(EventHub.Options.of(journal, cameras));
            server = HubServer.start(address, hub);
            assertTrue(reporter.flush(Duration.ofSeconds(20)), "sent after the restart: " + reporter.counters());
            assertEquals(20, reporter.sent());
            assertEquals(0, reporter.dropped() + reporter.rejected());
        } finally {
            server.close();
            hub.close();
        }
        hub = EventHub.open(EventHub.Options.of(journal, cameras));
        server = HubServer.start("127.0.0.1:0", hub);
        ManagedChannel channel = Grpc.newChannelBuilder(server.target(), InsecureChannelCredentials.create()).build();
        try {
            Iterator<Event> found = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .query(QueryRequest.newBuilder().setFromMicros(t0).build());
            List<Long> captured = new ArrayList<>();
            found.forEachRemaining(e -> captured.add(e.getCaptureTimeMicros() - t0));
            // At least once: a batch whose answer was lost in the restart may come twice, never out of order.
            assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L),
                    captured.stream().distinct().toList());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.close();
            hub.close();
        }
    }

    private static Event motion(long captureMicros) {
        return WorkerEvent.builder("motion").camera("lobby").captureTimeMicros(captureMicros)
                .box(0.1, 0.2, 0.3, 0.4, "motion", 0.9).source("test").build();
    }
}
