package io.virta.viewer.overlay;

import io.grpc.ManagedChannel;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.virta.bus.Clock;
import io.virta.hub.EventHub;
import io.virta.hub.HubServer;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.grpc.ClientSecurity;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The viewer's overlay subscription against a real event hub (journal in a temporary directory, gRPC on
 * loopback), in the producer module because the hub lives here: events reach the OverlayStore with
 * their camera and box, other cameras' events are filtered out, and a hub restart or a hub that is
 * not there yet is survived, with one log line per change of state.
 */
@Timeout(60)
class EventOverlaysHubTest {
    private static final CameraDirectory CAMERAS = CameraDirectory.of(List.of("lobby", "yard", "garage"));
    private static final Logger OVERLAY_LOG = Logger.getLogger(EventOverlays.class.getName());

    @TempDir
    Path journal;

    private final List<LogRecord> log = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            log.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private EventHub hub;
    private HubServer server;
    private OverlayStore store;

    @BeforeEach
    void captureLog() {
        OVERLAY_LOG.addHandler(capture);
        store = new OverlayStore(List.of("lobby", "yard"), OverlayTiming.defaults());
    }

    @AfterEach
    void stopHub() {
        OVERLAY_LOG.removeHandler(capture);
        if (server != null) {
            server.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private void startHub(String listen) throws Exception {
        hub = EventHub.open(EventHub.Options.of(journal, CAMERAS));
        server = HubServer.start(listen, hub);
    }

    private void stopHubNow() {
        server.close();
        hub.close();
        server = null;
        hub = null;
    }

    @Test
    void eventsOfShownCamerasReachTheStoreAndAHubRestartIsSurvived() throws Exception {
        startHub("127.0.0.1:0");
        String address = server.target();
        try (EventOverlays overlays = EventOverlays.start(GrpcTarget.parse(address, "--hub"), store)) {
            awaitTrue(() -> overlays.connected() && hub.liveSubscriptions() == 1, "subscribed");
            long t = Clock.epochMicros();
            report(address, event("garage", "detection", t, box(0.5f, 0.5f, 0.1f, 0.1f, "car", 0.8f)),
                    event("lobby", "detection", t + 1, box(0.1f, 0.2f, 0.3f, 0.4f, "person", 0.93f)),
                    event("yard", "motion", t + 2, box(0f, 0f, 0.5f, 0.5f, "", 0f), box(0.5f, 0.5f, 0.5f, 0.5f, "", 0f)));
            OverlayBoxes lobby = store.newCopy();
            OverlayBoxes yard = store.newCopy();
            awaitTrue(() -> copy("yard", yard).size() == 2, "the yard's two boxes arrive");
            copy("lobby", lobby);
            assertEquals(1, lobby.size());
            assertEquals(0.1f, lobby.x(0));
            assertEquals(0.2f, lobby.y(0));
            assertEquals(0.3f, lobby.width(0));
            assertEquals(0.4f, lobby.height(0));
            assertEquals("person", lobby.label(0));
            assertEquals(0.93f, lobby.score(0));
            assertEquals("detection", lobby.type(0));
            assertEquals(t + 1, lobby.captureMicros(0));
            assertEquals("motion", yard.type(1));
            // The garage's event came first in the journal: had it been delivered, it would have been counted.
            OverlayCounters counters = overlays.counters();
            assertEquals(2, counters.events(), counters.toString());
            assertEquals(3, counters.boxes());
            assertEquals(0, counters.otherCameras());
            assertEquals(-1, store.cameraKey("garage"));

            stopHubNow();
            awaitTrue(() -> !overlays.connected(), "the subscription sees the hub go");
            Thread.sleep(1600);   // retries after 0.5 s and 1 s: none may log
            startHub(address);
            awaitTrue(() -> overlays.connected() && hub.liveSubscriptions() == 1, "subscribed again");
            report(address, event("lobby", "detection", Clock.epochMicros(), box(0.6f, 0.6f, 0.2f, 0.2f, "dog", 0.5f)));
            awaitTrue(() -> copy("lobby", lobby).size() == 2, "an event after the restart arrives");
            assertEquals("dog", lobby.label(1));
            assertEquals(1, overlays.counters().disconnects());
        }
        assertEquals(List.of(
                        "INFO overlays: subscribing to the event hub at " + address + " for cameras lobby, yard",
                        "INFO overlays: subscribed to the event hub at " + address,
                        "WARNING overlays: the event hub at " + address + " is unreachable",
                        "INFO overlays: the event hub at " + address + " is back; boxes resume"),
                logLines());
    }

    @Test
    void aHubThatIsNotThereYetIsWaitedFor() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String address = "127.0.0.1:" + port;
        try (EventOverlays overlays = EventOverlays.start(GrpcTarget.parse(address, "--hub"), store)) {
            awaitTrue(() -> logLines().size() == 2, "the hub is reported unreachable");
            Thread.sleep(1600);
            assertTrue(!overlays.connected());
            startHub(address);
            awaitTrue(() -> overlays.connected() && hub.liveSubscriptions() == 1, "subscribed once the hub is up");
            report(address, event("yard", "detection", Clock.epochMicros(), box(0.1f, 0.1f, 0.1f, 0.1f, "cat", 0.7f)));
            OverlayBoxes yard = store.newCopy();
            awaitTrue(() -> copy("yard", yard).size() == 1, "its events arrive");
            assertEquals(0, overlays.counters().disconnects(), "it was never connected before");
        }
        List<String> lines = logLines();
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("WARNING overlays: the event hub at " + address + " is unreachable", lines.get(1));
        assertEquals("INFO overlays: the event hub at " + address + " is back; boxes resume", lines.get(2));
    }

    @Test
    void aServerThatIsNotAHubIsReportedAsSuch() throws Exception {
        // A real gRPC server with no EventHub service on it: Subscribe is UNIMPLEMENTED there.
        server = HubServer.start("127.0.0.1:0", () -> ServerServiceDefinition.builder("virta.test.Nothing").build());
        String address = server.target();
        try (EventOverlays overlays = EventOverlays.start(GrpcTarget.parse(address, "--hub"), store)) {
            awaitTrue(() -> log.size() == 2, "the refusal is logged");
            assertTrue(!overlays.connected());
        }
        LogRecord refusal = log.get(1);
        assertEquals(Level.WARNING, refusal.getLevel());
        assertTrue(refusal.getMessage().startsWith("overlays: the event hub at " + address
                + " refused the subscription (UNIMPLEMENTED"), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("is " + address + " a Virta event hub?"), refusal.getMessage());
    }

    @Test
    void theViewerSendsTheHubsTokenAndWithoutItIsRefused() throws Exception {
        String token = "viewer-" + java.util.HexFormat.of().formatHex(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        hub = EventHub.open(EventHub.Options.of(journal, CAMERAS));
        server = HubServer.start("127.0.0.1:0", io.virta.grpc.server.EndpointAccess.LOOPBACK_ONLY
                        .withToken(io.virta.grpc.server.ServerToken.inline(token, "test")),
                io.virta.grpc.server.ConnectionLimits.DEFAULTS, hub);
        GrpcTarget target = GrpcTarget.parse(server.target(), "--hub");
        try (EventOverlays without = EventOverlays.start(target.with(ClientSecurity.NONE), store)) {
            awaitTrue(() -> log.stream().anyMatch(r -> r.getMessage().contains("UNAUTHENTICATED")),
                    "the refusal is logged");
            assertEquals(0, hub.liveSubscriptions());
            assertTrue(log.stream().noneMatch(r -> r.getMessage().contains(token)), "the log shows the token");
        }
        GrpcTarget withToken = target.with(ClientSecurity.token(token));
        try (EventOverlays overlays = EventOverlays.start(withToken, store)) {
            awaitTrue(() -> overlays.connected() && hub.liveSubscriptions() == 1, "subscribed with the token");
            ManagedChannel channel = GrpcChannels.open(withToken);
            try {
                EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).report(ReportRequest
                        .newBuilder().addEvents(event("lobby", "motion", Clock.epochMicros(),
                                box(0.1f, 0.2f, 0.3f, 0.4f, "", 0f))).build());
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            OverlayBoxes lobby = store.newCopy();
            awaitTrue(() -> copy("lobby", lobby).size() == 1, "the lobby's box arrives");
        }
    }

    /** The log, one line per record, "LEVEL message" with the message cut after the address's sentence. */
    private List<String> logLines() {
        return log.stream().map(r -> r.getLevel() + " " + r.getMessage().replaceFirst(" \\(.*", ""))
                .filter(line -> !line.startsWith(Level.FINE.toString())).toList();
    }

    private OverlayBoxes copy(String camera, OverlayBoxes into) {
        store.copy(store.cameraKey(camera), into);
        return into;
    }

    private static void report(String address, Event... events) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
        try {
            int accepted = EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .report(ReportRequest.newBuilder().addAllEvents(List.of(events)).build()).getAccepted();
            assertEquals(events.length, accepted);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Event event(String camera, String type, long captureMicros, BoundingBox... boxes) {
        return Event.newBuilder().setCamera(camera).setType(type).setCaptureTimeMicros(captureMicros)
                .addAllBoxes(List.of(boxes)).setSource("test").build();
    }

    private static BoundingBox box(float x, float y, float w, float h, String label, float score) {
        return BoundingBox.newBuilder().setX(x).setY(y).setWidth(w).setHeight(h).setLabel(label).setScore(score).build();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "within 20 s: " + what);
            Thread.sleep(5);
        }
    }
}
