package io.virta.viewer.overlay;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventFilter;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The event hub's live events for the viewer's cameras ({@code virta.events.v1.EventHub/Subscribe},
 * filtered by camera), stored as boxes in an {@link OverlayStore}. A thread of its own keeps the
 * subscription up; events are stored on gRPC's threads as they arrive, never on the render thread.
 *
 * <ul>
 *   <li><b>Hub down or restarting.</b> The subscription is made again with a back-off of
 *       {@value #MIN_BACKOFF_MILLIS} ms doubling to {@value #MAX_BACKOFF_MILLIS} ms; the log gets one line
 *       when the hub becomes unreachable and one when it is back, never one per retry. Events reported
 *       while the viewer is not subscribed are not shown (they are history by the time it is back).</li>
 *   <li><b>Slow reading.</b> The hub drops events for a subscriber that falls behind and says how many
 *       ({@code Missed}); they are counted in {@link OverlayCounters#missed()}.</li>
 * </ul>
 *
 * <pre>{@code
 * OverlayStore store = new OverlayStore(cameraNames, OverlayTiming.parseOverlaySeconds("1.5"));
 * try (EventOverlays overlays = EventOverlays.start(GrpcTarget.parse("127.0.0.1:50051", "--hub"), store)) {
 *     // the render thread draws with new OverlayRenderer(store, textRenderer)
 * }
 * }</pre>
 */
public final class EventOverlays implements AutoCloseable {
    static final long MIN_BACKOFF_MILLIS = 500;
    static final long MAX_BACKOFF_MILLIS = 5000;
    static final long SETTLE_MILLIS = 250;
    private static final Logger LOG = Logger.getLogger(EventOverlays.class.getName());

    private final GrpcTarget hub;
    private final OverlayStore store;
    private final ManagedChannel channel;
    private final EventHubGrpc.EventHubStub stub;
    private final SubscribeRequest request;
    private final Thread thread;
    private final Object sleeper = new Object();
    private volatile boolean closed;

    /** Link state, for logging each change once. Written under {@code this}. */
    private enum Link { STARTING, UP, DOWN, REFUSED }
    private volatile Link link = Link.STARTING;
    private Status.Code refusedCode;

    private final AtomicLong events = new AtomicLong();
    private final AtomicLong missed = new AtomicLong();
    private final AtomicLong otherCameras = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();

    private EventOverlays(GrpcTarget hub, OverlayStore store) {
        this.hub = hub;
        this.store = store;
        this.channel = GrpcChannels.open(hub);
        this.stub = EventHubGrpc.newStub(channel);
        this.request = SubscribeRequest.newBuilder()
                .setFilter(EventFilter.newBuilder().addAllCameras(store.cameras())).build();
        this.thread = Thread.ofPlatform().daemon().name("virta-viewer-overlays").unstarted(this::run);
    }

    /** Subscribes to {@code hub} for {@code store}'s cameras, on a thread of its own, until {@link #close()}. */
    public static EventOverlays start(GrpcTarget hub, OverlayStore store) {
        EventOverlays overlays = new EventOverlays(hub, store);
        LOG.info(() -> "overlays: subscribing to the event hub at " + hub + " for cameras " + String.join(", ",
                store.cameras()));
        overlays.thread.start();
        return overlays;
    }

    /**
     * The hub of {@code --hub HOST:PORT|none}: empty for {@code none} (no overlays).
     *
     * @throws IllegalArgumentException naming {@code --hub} when the value is neither
     */
    public static Optional<GrpcTarget> parseHubOption(String text) {
        if (text != null && text.strip().equalsIgnoreCase("none")) {
            return Optional.empty();
        }
        return Optional.of(GrpcTarget.parse(text, "--hub"));
    }

    public GrpcTarget hub() {
        return hub;
    }

    public OverlayStore store() {
        return store;
    }

    /** Whether the subscription is established now. */
    public boolean connected() {
        return link == Link.UP;
    }

    public OverlayCounters counters() {
        return new OverlayCounters(events.get(), store.boxes(), store.overwritten(), missed.get(), otherCameras.get(),
                disconnects.get(), connected());
    }

    // ---------------------------------------------------------------- the subscription thread

    private void run() {
        long backoff = MIN_BACKOFF_MILLIS;
        while (!closed) {
            Call call = new Call();
            stub.subscribe(request, call);
            Status ended;
            try {
                ended = call.awaitEnd();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            if (down(ended)) {
                backoff = MIN_BACKOFF_MILLIS;
            }
            sleep(refused() ? MAX_BACKOFF_MILLIS : backoff);
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
            // Otherwise the channel waits out its own reconnect back-off, which grows to minutes.
            channel.resetConnectBackoff();
        }
    }

    /**
     * One Subscribe call; its messages arrive on gRPC's threads. It counts as established once it has
     * lasted {@value #SETTLE_MILLIS} ms on a connected channel, or delivered a message: a hub that refuses
     * at once then never reads as "back" and "unreachable" again on every retry.
     */
    private final class Call implements StreamObserver<SubscribeResponse> {
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile Status status;

        Status awaitEnd() throws InterruptedException {
            while (!done.await(SETTLE_MILLIS, TimeUnit.MILLISECONDS)) {
                if (channel.getState(false) == ConnectivityState.READY) {
                    up();
                    done.await();
                }
            }
            return status;
        }

        @Override
        public void onNext(SubscribeResponse response) {
            up();
            handle(response);
        }

        @Override
        public void onError(Throwable t) {
            status = Status.fromThrowable(t);
            done.countDown();
        }

        @Override
        public void onCompleted() {
            status = Status.UNAVAILABLE.withDescription("the hub ended the subscription");
            done.countDown();
        }
    }

    private void handle(SubscribeResponse response) {
        if (response.hasMissed()) {
            long count = response.getMissed().getCount();
            missed.addAndGet(count);
            LOG.fine(() -> "overlays: the event hub at " + hub + " dropped " + count + " events for this viewer");
            return;
        }
        if (!response.hasEvent()) {
            return;
        }
        Event event = response.getEvent();
        int key = store.cameraKey(event.getCamera());
        if (key < 0) {
            otherCameras.incrementAndGet();
            return;
        }
        long received = System.nanoTime();
        for (int i = 0; i < event.getBoxesCount(); i++) {
            BoundingBox box = event.getBoxes(i);
            store.add(key, event.getType(), event.getSource(), event.getCaptureTimeMicros(), received, box.getX(),
                    box.getY(), box.getWidth(), box.getHeight(), box.getLabel(), box.getScore());
        }
        if (event.getBoxesCount() == 0) {
            // Nothing to draw, but it replaces the source's earlier boxes (say, the motion stopped).
            store.addEmpty(key, event.getType(), event.getSource(), event.getCaptureTimeMicros(), received);
        }
        events.incrementAndGet();
    }

    private void sleep(long millis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (sleeper) {
            long left;
            while (!closed && (left = until - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(sleeper, left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    // ---------------------------------------------------------------- link state, logged once per change

    private void up() {
        if (link != Link.UP) {
            upChanged();
        }
    }

    private synchronized void upChanged() {
        if (link == Link.UP || closed) {
            return;
        }
        Link was = link;
        link = Link.UP;
        refusedCode = null;
        LOG.info(() -> was == Link.STARTING
                ? "overlays: subscribed to the event hub at " + hub
                : "overlays: the event hub at " + hub + " is back; boxes resume");
    }

    /** Records a failed or ended subscription; returns whether it had been established. */
    private synchronized boolean down(Status status) {
        boolean wasUp = link == Link.UP;
        if (wasUp) {
            disconnects.incrementAndGet();
        }
        String what = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
        switch (status.getCode()) {
            case UNIMPLEMENTED, INVALID_ARGUMENT, PERMISSION_DENIED, UNAUTHENTICATED, FAILED_PRECONDITION,
                 RESOURCE_EXHAUSTED -> {
                if (link != Link.REFUSED || refusedCode != status.getCode()) {
                    link = Link.REFUSED;
                    refusedCode = status.getCode();
                    LOG.warning(() -> "overlays: the event hub at " + hub + " refused the subscription (" + what + ")"
                            + (status.getCode() == Status.Code.UNIMPLEMENTED
                            ? "; is " + hub + " a Virta event hub? point --hub at the producer's control address"
                            + " or a 'virta hub', or give --hub none" : "")
                            + "; trying again every " + MAX_BACKOFF_MILLIS / 1000 + " s");
                }
            }
            default -> {
                if (link != Link.DOWN) {
                    link = Link.DOWN;
                    LOG.warning(() -> "overlays: the event hub at " + hub + " is unreachable (" + what + "); no boxes"
                            + " until it is back, retrying every " + MIN_BACKOFF_MILLIS + " ms to "
                            + MAX_BACKOFF_MILLIS / 1000 + " s");
                }
            }
        }
        return wasUp;
    }

    private boolean refused() {
        return link == Link.REFUSED;
    }

    /** Ends the subscription and its thread. */
    @Override
    public void close() {
        closed = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
        channel.shutdownNow();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
