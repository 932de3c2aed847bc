package io.virta.hub;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.virta.hub.HubFixture.Received;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventFilter;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.virta.hub.HubFixture.awaitTrue;
import static io.virta.hub.HubFixture.event;
import static io.virta.hub.HubFixture.n;
import static io.virta.hub.HubFixture.nowMicros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The hub over gRPC: real server on an ephemeral port, real journal in a temporary directory. */
@Timeout(120)
class EventHubTest {
    @Test
    void reportedEventsReachSubscribersAndQueries(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(dir.resolve("journal"))) {
            Received live = fixture.subscribe(SubscribeRequest.getDefaultInstance());
            long t = nowMicros();
            ReportResponse response = fixture.blocking().report(ReportRequest.newBuilder()
                    .addEvents(event("lobby", "motion", t, 0)).addEvents(event("lobby", "motion", t + 1, 1))
                    .addEvents(event("yard", "person", t + 2, 2)).build());
            assertEquals(3, response.getAccepted());
            assertEquals(0, response.getRejectionsCount());
            List<Long> ids = response.getIdsList();
            assertTrue(ids.get(0) < ids.get(1) && ids.get(1) < ids.get(2), "ids increase: " + ids);
            for (int i = 0; i < 3; i++) {
                Event e = live.nextEvent();
                assertEquals(i, n(e));
                assertEquals(ids.get(i), e.getId());
                assertTrue(e.getJournalTimeMicros() > 0);
                assertEquals(1, e.getBoxesCount());
            }
            List<Event> all = query(fixture, QueryRequest.getDefaultInstance());
            assertEquals(3, all.size());
            assertEquals(ids, all.stream().map(Event::getId).toList());
            assertEquals(event("yard", "person", t + 2, 2), all.get(2).toBuilder().clearId().clearJournalTimeMicros().build());
            // The capture-time range is [from, to).
            List<Event> range = query(fixture, QueryRequest.newBuilder().setFromMicros(t + 1).setToMicros(t + 2).build());
            assertEquals(List.of(1), range.stream().map(HubFixture::n).toList());
            // The limit.
            assertEquals(2, query(fixture, QueryRequest.newBuilder().setLimit(2).build()).size());
            assertNull(live.error);
        }
    }

    @Test
    void filtersSelectByCameraAndType(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(dir.resolve("journal"))) {
            Received lobby = fixture.subscribe(SubscribeRequest.newBuilder()
                    .setFilter(EventFilter.newBuilder().addCameras("lobby")).build());
            Received persons = fixture.subscribe(SubscribeRequest.newBuilder()
                    .setFilter(EventFilter.newBuilder().addTypes("person")).build());
            long t = nowMicros();
            ReportRequest.Builder report = ReportRequest.newBuilder();
            String[][] kinds = {{"lobby", "motion"}, {"yard", "person"}, {"lobby", "person"}, {"yard", "motion"}};
            for (int i = 0; i < kinds.length; i++) {
                report.addEvents(event(kinds[i][0], kinds[i][1], t + i, i));
            }
            assertEquals(4, fixture.blocking().report(report.build()).getAccepted());
            assertEquals(0, n(lobby.nextEvent()));
            assertEquals(2, n(lobby.nextEvent()));
            assertEquals(1, n(persons.nextEvent()));
            assertEquals(2, n(persons.nextEvent()));
            List<Event> yard = query(fixture, QueryRequest.newBuilder()
                    .setFilter(EventFilter.newBuilder().addCameras("yard")).build());
            assertEquals(List.of(1, 3), yard.stream().map(HubFixture::n).toList());
            List<Event> yardMotion = query(fixture, QueryRequest.newBuilder()
                    .setFilter(EventFilter.newBuilder().addCameras("yard").addTypes("motion")).build());
            assertEquals(List.of(3), yardMotion.stream().map(HubFixture::n).toList());
            Thread.sleep(100);
            assertTrue(lobby.messages.isEmpty() && persons.messages.isEmpty(), "nothing else arrives");
        }
    }

    /**
     * A subscriber that never reads: its transport fills, then its queue (4096), then the hub drops the
     * newest events for it alone. Intake and a reading subscriber go on at full pace. When it reads
     * again it gets the oldest events in order, then Missed{count} right before the next event.
     */
    @Test
    void aSubscriberThatDoesNotReadLosesEventsButStallsNothing(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(dir.resolve("journal"))) {
            LinkedBlockingQueue<SubscribeResponse> slowInbox = new LinkedBlockingQueue<>();
            ClientCall<SubscribeRequest, SubscribeResponse> slow = fixture.channel.newCall(
                    EventHubGrpc.getSubscribeMethod(), CallOptions.DEFAULT);
            slow.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(SubscribeResponse message) {
                    slowInbox.add(message);
                }
            }, new Metadata());
            slow.sendMessage(SubscribeRequest.getDefaultInstance());
            slow.halfClose();
            slow.request(1);   // and no more, for now
            awaitTrue(() -> fixture.hub.liveSubscriptions() == 1, "the slow subscription is live");
            Received fast = fixture.subscribe(SubscribeRequest.getDefaultInstance());

            String padding = "x".repeat(1000);
            int batches = 24;
            int perBatch = 500;
            int total = batches * perBatch;
            long t = nowMicros();
            AtomicInteger fastSeen = new AtomicInteger();
            for (int b = 0; b < batches; b++) {
                ReportRequest.Builder report = ReportRequest.newBuilder();
                for (int i = 0; i < perBatch; i++) {
                    int n = b * perBatch + i;
                    report.addEvents(event("lobby", "motion", t + n, n).toBuilder().putAttributes("pad", padding));
                }
                assertEquals(perBatch, fixture.blocking().report(report.build()).getAccepted());
                // The reading subscriber keeps up, batch by batch, although the other one reads nothing.
                int expected = (b + 1) * perBatch;
                while (fastSeen.get() < expected) {
                    SubscribeResponse message = fast.next();
                    assertTrue(message.hasEvent(), "the reading subscriber misses nothing: " + message);
                    assertEquals(fastSeen.getAndIncrement(), n(message.getEvent()));
                }
            }

            // The slow subscriber reads again; events keep coming, one at a time. Missed comes where the
            // events were dropped: after the oldest ones, before the next one that got in.
            slow.request(Integer.MAX_VALUE);
            AtomicBoolean reporting = new AtomicBoolean(true);
            Thread reporter = Thread.ofPlatform().start(() -> {
                for (int n = total; reporting.get(); n++) {
                    fixture.blocking().report(ReportRequest.newBuilder().addEvents(event("lobby", "motion", t + n, n)).build());
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            try {
                int prefix = 0;
                long missed = 0;
                int afterGap;
                while (true) {
                    SubscribeResponse message = slowInbox.poll(20, TimeUnit.SECONDS);
                    assertTrue(message != null, "the slow subscriber receives on (after " + prefix + " events)");
                    if (message.hasMissed()) {
                        missed += message.getMissed().getCount();
                        continue;
                    }
                    int n = n(message.getEvent());
                    if (missed == 0) {
                        assertEquals(prefix, n, "the oldest events come first, in order");
                        prefix++;
                    } else {
                        afterGap = n;
                        break;
                    }
                }
                assertTrue(prefix >= EventHub.DEFAULT_SUBSCRIBER_QUEUE, "at least a queue's worth arrived: " + prefix);
                assertTrue(prefix < total, "some events were dropped: " + prefix);
                assertEquals(afterGap - prefix, missed, "Missed counts exactly the events dropped before " + afterGap);
            } finally {
                reporting.set(false);
                reporter.join();
            }
            slow.cancel("done", null);
            awaitTrue(() -> fixture.hub.subscriptions() == 1, "the cancelled subscription is gone");
        }
    }

    /** since_micros: the journal first, then live, with nothing lost or repeated while events keep coming. */
    @Test
    void replayThenLiveHasNoGapAndNoDuplicate(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(dir.resolve("journal"))) {
            long t = nowMicros() - 10_000_000;
            AtomicInteger next = new AtomicInteger();
            ReportRequest.Builder history = ReportRequest.newBuilder();
            for (int i = 0; i < 1000; i++) {
                history.addEvents(event("lobby", "motion", t + next.get(), next.getAndIncrement()));
            }
            fixture.blocking().report(history.build());
            AtomicBoolean reporting = new AtomicBoolean(true);
            Thread reporter = Thread.ofPlatform().start(() -> {
                while (reporting.get()) {
                    ReportRequest.Builder batch = ReportRequest.newBuilder();
                    for (int i = 0; i < 20; i++) {
                        batch.addEvents(event("lobby", "motion", t + next.get(), next.getAndIncrement()));
                    }
                    fixture.blocking().report(batch.build());
                }
            });
            int since = 500;
            Received replay = new Received();
            fixture.async().subscribe(SubscribeRequest.newBuilder().setSinceMicros(t + since).build(), replay);
            Thread.sleep(300);
            reporting.set(false);
            reporter.join();
            int last = next.get() - 1;
            long previousId = -1;
            for (int expected = since; expected <= last; expected++) {
                Event e = replay.nextEvent();
                assertEquals(expected, n(e), "every event from since_micros on, once, in order");
                assertTrue(e.getId() > previousId);
                previousId = e.getId();
            }
            Thread.sleep(100);
            assertTrue(replay.messages.isEmpty(), "nothing repeated: " + replay.messages.peek());
            assertTrue(last > 1100, "events were reported during the replay: " + last);
        }
    }

    /** Capture times may lead journal time by up to 60 s; a query from such a time still finds the event. */
    @Test
    void queriesFindEventsCapturedAheadOfTheJournalClock(@TempDir Path dir) throws Exception {
        HubFixture.TestClock clock = new HubFixture.TestClock(nowMicros());
        try (HubFixture fixture = HubFixture.start(EventHub.Options.of(dir.resolve("journal"),
                io.virta.hub.validate.CameraDirectory.anyValidName()).clock(clock))) {
            long t = clock.getAsLong();
            fixture.blocking().report(ReportRequest.newBuilder().addEvents(event("lobby", "motion", t + 59_000_000, 0))
                    .addEvents(event("lobby", "motion", t - 3_600_000_000L, 1)).build());
            clock.advance(java.time.Duration.ofHours(2));
            fixture.blocking().report(ReportRequest.newBuilder().addEvents(event("lobby", "motion", clock.getAsLong(), 2)).build());
            assertEquals(List.of(0), query(fixture, QueryRequest.newBuilder().setFromMicros(t + 58_000_000)
                    .setToMicros(t + 60_000_000).build()).stream().map(HubFixture::n).toList());
            // A late report (captured an hour before it was journaled) is found by capture time too.
            assertEquals(List.of(1), query(fixture, QueryRequest.newBuilder().setFromMicros(t - 3_700_000_000L)
                    .setToMicros(t - 3_500_000_000L).build()).stream().map(HubFixture::n).toList());
            assertEquals(List.of(2), query(fixture, QueryRequest.newBuilder().setFromMicros(t + 3_000_000_000L)
                    .build()).stream().map(HubFixture::n).toList());
        }
    }

    @Test
    void theJournalSurvivesARestartAndIdsKeepIncreasing(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        long t = nowMicros();
        List<Long> firstIds;
        try (HubFixture fixture = HubFixture.start(journal)) {
            firstIds = fixture.blocking().report(ReportRequest.newBuilder().addEvents(event("lobby", "motion", t, 0))
                    .addEvents(event("lobby", "motion", t + 1, 1)).build()).getIdsList();
        }
        try (HubFixture fixture = HubFixture.start(journal)) {
            List<Event> old = query(fixture, QueryRequest.getDefaultInstance());
            assertEquals(firstIds, old.stream().map(Event::getId).toList());
            assertEquals(List.of(0, 1), old.stream().map(HubFixture::n).toList());
            long newId = fixture.blocking().report(ReportRequest.newBuilder()
                    .addEvents(event("lobby", "motion", t + 2, 2)).build()).getIds(0);
            assertTrue(newId > firstIds.get(1), newId + " > " + firstIds.get(1));
            // A replay from the start spans both runs.
            Received replay = new Received();
            fixture.async().subscribe(SubscribeRequest.newBuilder().setSinceMicros(t).build(), replay);
            for (int i = 0; i < 3; i++) {
                assertEquals(i, n(replay.nextEvent()));
            }
        }
    }

    @Test
    void invalidEventsAreRefusedOneByOne(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(EventHub.Options.of(dir.resolve("journal"),
                io.virta.hub.validate.CameraDirectory.of(List.of("lobby"))))) {
            Received live = fixture.subscribe(SubscribeRequest.getDefaultInstance());
            long t = nowMicros();
            Event good = event("lobby", "motion", t, 0);
            ReportResponse response = fixture.blocking().report(ReportRequest.newBuilder()
                    .addEvents(good)
                    .addEvents(good.toBuilder().setCamera("garage"))
                    .addEvents(good.toBuilder().setBoxes(0, good.getBoxes(0).toBuilder().setWidth(1.2f)))
                    .addEvents(good.toBuilder().setType("bad type!"))
                    .addEvents(good.toBuilder().setCaptureTimeMicros(t + 3_600_000_000L))
                    .addEvents(good.toBuilder().putAttributes("n", "4"))
                    .build());
            assertEquals(2, response.getAccepted());
            assertEquals(2, response.getIdsCount());
            assertEquals(List.of(1, 2, 3, 4), response.getRejectionsList().stream().map(r -> r.getIndex()).toList());
            assertTrue(response.getRejections(0).getReason().startsWith("events[1].camera: 'garage' is not a camera"),
                    response.getRejections(0).getReason());
            assertEquals("events[2].boxes[0].width: 1.2 is outside (0, 1] (coordinates are fractions of the picture's"
                    + " width and height)", response.getRejections(1).getReason());
            assertTrue(response.getRejections(2).getReason().startsWith("events[3].type: 'bad type!'"));
            assertTrue(response.getRejections(3).getReason().startsWith("events[4].capture_time_micros:"));
            assertEquals(0, n(live.nextEvent()));
            assertEquals(4, n(live.nextEvent()));
            assertEquals(2, fixture.hub.accepted());
            assertEquals(4, fixture.hub.rejected());
        }
    }

    /** Hostile requests fail cleanly with the right status, and the hub serves on. */
    @Test
    void hostileRequestsAreRefusedAndTheHubServesOn(@TempDir Path dir) throws Exception {
        try (HubFixture fixture = HubFixture.start(dir.resolve("journal"))) {
            long t = nowMicros();
            // Larger than 1 MiB.
            ReportRequest.Builder huge = ReportRequest.newBuilder();
            for (int i = 0; i < 1000; i++) {
                huge.addEvents(event("lobby", "motion", t, i).toBuilder().putAttributes("pad", "y".repeat(1100)));
            }
            assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> fixture.blocking().report(huge.build()));
            // Too many events, none at all.
            ReportRequest.Builder many = ReportRequest.newBuilder();
            for (int i = 0; i < 1001; i++) {
                many.addEvents(event("lobby", "motion", t, i));
            }
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> fixture.blocking().report(many.build()), "1..1000");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> fixture.blocking().report(ReportRequest.getDefaultInstance()));
            // Garbage bytes: an impossible tag, a string that is not UTF-8, a truncated length.
            RawBytesClient raw = new RawBytesClient(fixture.channel);
            for (byte[] bytes : new byte[][] {{(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02},
                    {0x0a, 0x05, 0x12, 0x03, (byte) 0xc3, 0x28, 0x41}, {0x0a, (byte) 0x80}}) {
                Status status = raw.report(bytes);
                assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode(), status.toString());
                assertTrue(status.getDescription().contains("not a valid virta.events.v1.ReportRequest"), status.toString());
            }
            // Well-formed protobuf of the wrong shape: field 1 (the events) as a number is skipped as unknown,
            // which leaves a report without events.
            Status wrongShape = raw.report(new byte[] {0x08, 0x2a});
            assertEquals(Status.Code.INVALID_ARGUMENT, wrongShape.getCode(), wrongShape.toString());
            assertTrue(wrongShape.getDescription().startsWith("events: 0 events"), wrongShape.toString());
            // Queries and subscriptions with impossible arguments.
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> query(fixture, QueryRequest.newBuilder().setFromMicros(-5).build()), "from_micros");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> query(fixture, QueryRequest.newBuilder().setToMicros(-5).build()), "to_micros");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> query(fixture, QueryRequest.newBuilder().setFromMicros(10).setToMicros(5).build()), "to_micros");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> query(fixture, QueryRequest.newBuilder().setLimit(-1).build()), "limit: 4294967295");
            EventFilter.Builder bigFilter = EventFilter.newBuilder();
            for (int i = 0; i < 2000; i++) {
                bigFilter.addCameras("c" + i);
            }
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> query(fixture, QueryRequest.newBuilder().setFilter(bigFilter).build()), "filter.cameras");
            assertStatus(Status.Code.INVALID_ARGUMENT, () -> fixture.blocking()
                    .subscribe(SubscribeRequest.newBuilder().setSinceMicros(-1).build()).hasNext(), "since_micros");
            // Still serving.
            assertEquals(1, fixture.blocking().report(ReportRequest.newBuilder().addEvents(event("lobby", "motion", t, 0))
                    .build()).getAccepted());
            assertEquals(1, query(fixture, QueryRequest.getDefaultInstance()).size());
        }
    }

    @Test
    void closingTheHubEndsSubscriptionsWithUnavailable(@TempDir Path dir) throws Exception {
        HubFixture fixture = HubFixture.start(dir.resolve("journal"));
        try (fixture) {
            Received live = fixture.subscribe(SubscribeRequest.getDefaultInstance());
            fixture.hub.close();
            awaitTrue(() -> live.error != null, "the subscription ends");
            assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(live.error).getCode());
            assertStatus(Status.Code.UNAVAILABLE, () -> fixture.blocking().report(ReportRequest.newBuilder()
                    .addEvents(event("lobby", "motion", nowMicros(), 0)).build()));
        }
    }

    static List<Event> query(HubFixture fixture, QueryRequest request) {
        List<Event> events = new ArrayList<>();
        fixture.blocking().query(request).forEachRemaining(events::add);
        return events;
    }

    static void assertStatus(Status.Code code, Runnable call) {
        assertStatus(code, call, "");
    }

    static void assertStatus(Status.Code code, Runnable call, String descriptionContains) {
        try {
            call.run();
        } catch (RuntimeException e) {
            Status status = Status.fromThrowable(e);
            assertEquals(code, status.getCode(), status.toString());
            assertTrue(String.valueOf(status.getDescription()).contains(descriptionContains), status.toString());
            return;
        }
        assertFalse(true, "expected " + code);
    }
}
