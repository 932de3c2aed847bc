package io.virta.hub;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real hub on a real gRPC server (loopback, ephemeral port) over a real journal, and a channel to it. */
final class HubFixture implements AutoCloseable {
    final EventHub hub;
    final HubServer server;
    final ManagedChannel channel;

    private HubFixture(EventHub hub, HubServer server, ManagedChannel channel) {
        this.hub = hub;
        this.server = server;
        this.channel = channel;
    }

    static HubFixture start(Path journal) throws Exception {
        return start(EventHub.Options.of(journal, CameraDirectory.anyValidName()));
    }

    static HubFixture start(EventHub.Options options) throws Exception {
        EventHub hub = EventHub.open(options);
        HubServer server = HubServer.start("127.0.0.1:0", hub);
        ManagedChannel channel = NettyChannelBuilder.forTarget(server.target()).usePlaintext().build();
        return new HubFixture(hub, server, channel);
    }

    EventHubGrpc.EventHubBlockingStub blocking() {
        return EventHubGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    EventHubGrpc.EventHubStub async() {
        return EventHubGrpc.newStub(channel);
    }

    /** Subscribes to live events and waits until the subscription receives them. */
    Received subscribe(SubscribeRequest request) throws InterruptedException {
        int before = hub.liveSubscriptions();
        Received received = new Received();
        async().subscribe(request, received);
        awaitTrue(() -> hub.liveSubscriptions() > before, "the subscription is live");
        return received;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        hub.close();
        server.close();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Event event(String camera, String type, long captureMicros, int n) {
        return Event.newBuilder().setType(type).setCamera(camera).setCaptureTimeMicros(captureMicros)
                .addBoxes(BoundingBox.newBuilder().setX(0.1f).setY(0.2f).setWidth(0.3f).setHeight(0.4f)
                        .setLabel("motion").setScore(0.5f))
                .putAttributes("n", Integer.toString(n)).setSource("test").build();
    }

    static int n(Event event) {
        return Integer.parseInt(event.getAttributesOrThrow("n"));
    }

    static long nowMicros() {
        return System.currentTimeMillis() * 1000;
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "within 20 s: " + what);
            Thread.sleep(5);
        }
    }

    /** A settable clock for journal time and the capture-time check. */
    static final class TestClock implements LongSupplier {
        private volatile long micros;

        TestClock(long micros) {
            this.micros = micros;
        }

        void advance(Duration by) {
            micros += by.toNanos() / 1000;
        }

        @Override
        public long getAsLong() {
            return micros;
        }
    }

    /** What a subscription received, as it arrives. */
    static final class Received implements StreamObserver<SubscribeResponse> {
        final LinkedBlockingQueue<SubscribeResponse> messages = new LinkedBlockingQueue<>();
        volatile Throwable error;
        volatile boolean completed;

        @Override
        public void onNext(SubscribeResponse value) {
            messages.add(value);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onCompleted() {
            completed = true;
        }

        /** The next message within 20 s. */
        SubscribeResponse next() throws InterruptedException {
            SubscribeResponse message = messages.poll(20, TimeUnit.SECONDS);
            assertTrue(message != null, "a message within 20 s" + (error == null ? "" : "; stream failed: " + error));
            return message;
        }

        Event nextEvent() throws InterruptedException {
            SubscribeResponse message = next();
            assertTrue(message.hasEvent(), "an event, not " + message);
            return message.getEvent();
        }
    }
}
