package io.virta.bench.hub;

import io.virta.bench.BenchReport;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.virta.hub.EventHub;
import io.virta.hub.EventHubService;
import io.virta.hub.HubServer;
import io.virta.hub.journal.EventJournal;
import io.virta.hub.validate.CameraDirectory;
import io.virta.protos.events.v1.BoundingBox;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * {@code virta bench events}: the event hub against its floors, in one run.
 *
 * <ul>
 *   <li>Journal append latency: {@link EventJournal#append} (stamp, serialize, append) against a bare
 *       Chronicle append of the same bytes into a queue with the same settings.</li>
 *   <li>Reporting: a client sends batches of events as an asynchronous reporter would (up to N per
 *       Report, a few batches in flight) through the hub (validate, journal, queue) to a subscriber;
 *       against a bare gRPC relay on the same server that hands each event straight to the subscriber's
 *       stream, and a no-op unary method that only parses the requests. Events per second end to end,
 *       and the latency of one Report call.</li>
 * </ul>
 */
public final class EventBenchmark {
    private static final String NOOP_SERVICE = "virta.bench.NoOp";
    private static final String RELAY_SERVICE = "virta.bench.Relay";

    private final BenchReport report = new BenchReport();

    /** {@code virta bench events}: the options, and the run. */
    @Command(name = "events", description = {"Event hub: journal append latency against a bare Chronicle append, and"
            + " events/s from a reporting client through the hub to a subscriber against a no-op gRPC call."})
    public static final class Cli implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Option(names = "--events", paramLabel = "N", description = "events per reporting run (default 200000)")
        Optional<Integer> events = Optional.empty();
        @Option(names = "--batch", paramLabel = "B", description = "events per Report call (default ${DEFAULT-VALUE})")
        int batch = 256;
        @Option(names = "--in-flight", paramLabel = "K",
                description = "Report calls in flight at once (default ${DEFAULT-VALUE})")
        int inFlight = 4;
        @Option(names = "--quick", description = "20000 events: a smoke run, not figures to quote")
        boolean quick;
        @Mixin
        BenchReport.OutFile out;

        @Override
        public Integer call() throws Exception {
            int count = events.orElse(quick ? 20_000 : 200_000);
            if (count < batch || batch < 1 || batch > EventHubService.MAX_EVENTS_PER_REPORT || inFlight < 1) {
                throw new ParameterException(spec.commandLine(), "need 1 <= --batch <= 1000, --events >= --batch,"
                        + " --in-flight >= 1");
            }
            EventJournal.quietChronicleLogging();
            EventBenchmark bench = new EventBenchmark();
            Path dir = Files.createTempDirectory("virta-bench-events");
            try {
                bench.report.heading("Events benchmark", quick);
                bench.appendLatency(dir, count);
                bench.reporting(dir, count, batch, inFlight);
            } finally {
                deleteTree(dir);
            }
            bench.report.writeTo(out.file());
            return 0;
        }
    }

    /** What a motion worker reports: two boxes, its one attribute, its name. */
    static Event sampleEvent(long captureMicros) {
        BoundingBox box = BoundingBox.newBuilder().setX(0.125f).setY(0.25f).setWidth(0.1875f).setHeight(0.3125f)
                .setLabel("motion").setScore(0.42f).build();
        return Event.newBuilder().setType("motion").setCamera("bench").setCaptureTimeMicros(captureMicros)
                .addBoxes(box).addBoxes(box.toBuilder().setX(0.5f)).putAttributes("moving_fraction", "0.0371")
                .setSource("motion").build();
    }

    // ---------------------------------------------------------------- journal append latency

    private void appendLatency(Path dir, int count) throws Exception {
        int warmup = Math.max(count / 4, 5000);
        Event sample = sampleEvent(System.currentTimeMillis() * 1000);
        int entryBytes = sample.toBuilder().setId(Long.MAX_VALUE / 3).setJournalTimeMicros(sample.getCaptureTimeMicros())
                .build().getSerializedSize();
        report.line("### Journal append latency (" + count + " appends after " + warmup + " unmeasured; an event of "
                + entryBytes + " bytes)");
        report.line("");
        report.line("| append | p50 (µs) | p99 (µs) | p99.9 (µs) | max (µs) | p50 vs floor | p99 vs floor |");
        report.line("|---|---|---|---|---|---|---|");
        // One unmeasured round of each first, so the JIT has compiled both paths before either is timed.
        bareChronicle(dir.resolve("bare0"), sample, warmup, count);
        journalAppend(dir.resolve("journal0"), sample, warmup, count);
        // Interleaved, so drift on a noisy machine shows; ratios are against the first floor run.
        long[] floor = bareChronicle(dir.resolve("bare1"), sample, warmup, count);
        long[] journal = journalAppend(dir.resolve("journal1"), sample, warmup, count);
        long[] floor2 = bareChronicle(dir.resolve("bare2"), sample, warmup, count);
        long[] journal2 = journalAppend(dir.resolve("journal2"), sample, warmup, count);
        latencyRow("bare Chronicle append of the same bytes (floor)", floor, floor);
        latencyRow("EventJournal.append: stamp id and time, serialize, append", journal, floor);
        latencyRow("bare Chronicle append, again", floor2, floor);
        latencyRow("EventJournal.append, again", journal2, floor);
        report.line("");
    }

    private static long[] bareChronicle(Path dir, Event sample, int warmup, int count) {
        Event stamped = sample.toBuilder().setId(Long.MAX_VALUE / 3).setJournalTimeMicros(sample.getCaptureTimeMicros())
                .build();
        byte[] bytes = stamped.toByteArray();
        long[] samples = new long[count];
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(EventJournal.ROLL_CYCLE)
                .blockSize(EventJournal.BLOCK_SIZE).build();
             ExcerptAppender appender = queue.createAppender()) {
            for (int i = 0; i < warmup + count; i++) {
                long t0 = System.nanoTime();
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.wire().bytes().writeByte((byte) 1).writeLong(t0).writeLong(stamped.getCaptureTimeMicros())
                            .write(bytes);
                }
                long t1 = System.nanoTime();
                if (i >= warmup) {
                    samples[i - warmup] = t1 - t0;
                }
            }
        }
        return samples;
    }

    private static long[] journalAppend(Path dir, Event sample, int warmup, int count) {
        long[] samples = new long[count];
        try (EventJournal journal = EventJournal.open(dir)) {
            for (int i = 0; i < warmup + count; i++) {
                long t0 = System.nanoTime();
                journal.append(sample);
                long t1 = System.nanoTime();
                if (i >= warmup) {
                    samples[i - warmup] = t1 - t0;
                }
            }
        }
        return samples;
    }

    private void latencyRow(String what, long[] samples, long[] floor) {
        long[] s = sorted(samples);
        long[] f = sorted(floor);
        report.line(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.1f | %.2f× | %.2f× |", what, pct(s, 0.50),
                pct(s, 0.99), pct(s, 0.999), s[s.length - 1] / 1000.0, pct(s, 0.50) / pct(f, 0.50),
                pct(s, 0.99) / pct(f, 0.99)));
    }

    private static long[] sorted(long[] samples) {
        long[] copy = samples.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[(int) Math.round(p * (sorted.length - 1))] / 1000.0;
    }

    // ---------------------------------------------------------------- reporting, end to end

    /** Where the Reports go. */
    private enum Route {
        /** A unary method that only parses the request (gRPC does) and answers: the reporting floor. */
        NO_OP,
        /** Report hands each event straight to the subscriber's stream: no validation, journal or queue. */
        RELAY,
        HUB
    }

    private void reporting(Path dir, int events, int batch, int inFlight) throws Exception {
        report.line("### Reporting through the hub to a subscriber (" + events + " events in Reports of " + batch + ", "
                + inFlight + " batches in flight; loopback gRPC, one JVM)");
        report.line("");
        report.line("| path | events/s | vs relay | one Report call p50 (µs) | p99 (µs) | subscriber received | missed |");
        report.line("|---|---|---|---|---|---|---|");
        Relay relay = new Relay();
        try (EventHub hub = EventHub.open(EventHub.Options.of(dir.resolve("hub"), CameraDirectory.anyValidName()))) {
            HubServer server = HubServer.start("127.0.0.1:0", new EventHubService(hub), noOpService(), relay);
            // Callbacks on the transport's thread, as a client that wants throughput sets it up.
            ManagedChannel channel = NettyChannelBuilder.forTarget(server.target()).usePlaintext().directExecutor()
                    .build();
            try {
                ReportRequest[] requests = requests(batch);
                // Every path once unmeasured, so the JIT has compiled gRPC, protobuf and the journal.
                for (Route route : Route.values()) {
                    run(channel, requests, events / 2, inFlight, route, hub, relay);
                }
                double[] noOp = run(channel, requests, events, inFlight, Route.NO_OP, hub, relay);
                double[] relayed = run(channel, requests, events, inFlight, Route.RELAY, hub, relay);
                double[] hubResult = run(channel, requests, events, inFlight, Route.HUB, hub, relay);
                double[] relayedAgain = run(channel, requests, events, inFlight, Route.RELAY, hub, relay);
                double[] hubAgain = run(channel, requests, events, inFlight, Route.HUB, hub, relay);
                reportingRow("no-op unary call, same requests (floor for reporting: gRPC + protobuf)", noOp, relayed[0]);
                reportingRow("bare gRPC relay: Report → each event onNext to the subscriber (floor)", relayed, relayed[0]);
                reportingRow("hub: Report → validate → journal → queue → subscriber", hubResult, relayed[0]);
                reportingRow("bare gRPC relay, again", relayedAgain, relayed[0]);
                reportingRow("hub, again", hubAgain, relayed[0]);
                workerRow(channel, server.target(), events / 2, hub, relayed[0], false);
                workerRow(channel, server.target(), events, hub, relayed[0], true);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                server.close();
            }
        }
        report.line("");
    }

    /**
     * A worker's own path: {@code EventReporter.report()} one event at a time (the SDK batches them on its
     * sender thread), through the hub, to a subscriber. The reporter drops the oldest events when it is
     * more than its queue ahead, so the loop keeps at most 2048 events between report() and the
     * subscriber: the row measures the rate, not the drop policy. A first, unprinted run warms up.
     */
    private void workerRow(ManagedChannel channel, String hubTarget, int events, EventHub hub, double floorRate,
            boolean print) throws Exception {
        Semaphore window = new Semaphore(2048);
        AtomicLong received = new AtomicLong();
        CountDownLatch allReceived = new CountDownLatch(1);
        var subscription = channel.newCall(EventHubGrpc.getSubscribeMethod(), io.grpc.CallOptions.DEFAULT);
        ClientCalls.asyncServerStreamingCall(subscription, SubscribeRequest.getDefaultInstance(), new StreamObserver<>() {
            @Override
            public void onNext(SubscribeResponse value) {
                long n = value.hasMissed() ? received.addAndGet(value.getMissed().getCount()) : received.incrementAndGet();
                window.release(value.hasMissed() ? (int) value.getMissed().getCount() : 1);
                if (n >= events) {
                    allReceived.countDown();
                }
            }

            @Override
            public void onError(Throwable t) {
                allReceived.countDown();
            }

            @Override
            public void onCompleted() {
                allReceived.countDown();
            }
        });
        while (hub.liveSubscriptions() == 0) {
            Thread.sleep(1);
        }
        long capture = System.currentTimeMillis() * 1000 - 1_000_000;
        Event[] sample = new Event[256];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = sampleEvent(capture + i);
        }
        double seconds;
        long dropped;
        try (io.virta.worker.events.EventReporter reporter = io.virta.worker.events.EventReporter.builder(hubTarget)
                .build()) {
            long t0 = System.nanoTime();
            for (int i = 0; i < events; i++) {
                window.acquire();
                reporter.report(sample[i & 255]);
            }
            if (!allReceived.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the subscriber did not receive the worker's events within 120 s");
            }
            seconds = (System.nanoTime() - t0) / 1e9;
            dropped = reporter.dropped();
        } finally {
            subscription.cancel("benchmark run done", null);
            while (hub.subscriptions() > 0) {
                Thread.sleep(1);
            }
        }
        if (print) {
            double rate = events / seconds;
            report.line(String.format(Locale.ROOT, "| worker SDK: EventReporter.report() per event → hub → subscriber (%d events) |"
                    + " %.0f | %.2f× | - | - | %d | %d dropped by the reporter |", events, rate, rate / floorRate,
                    received.get(), dropped));
        }
    }

    private void reportingRow(String what, double[] r, double floorRate) {
        report.line(String.format(Locale.ROOT, "| %s | %.0f | %.2f× | %.0f | %.0f | %s | %s |", what, r[0], r[0] / floorRate,
                r[1], r[2], r[3] < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r[3]),
                r[4] < 0 ? "-" : String.format(Locale.ROOT, "%.0f", r[4])));
    }

    private static ReportRequest[] requests(int batch) {
        // Captured a little in the past: the hub accepts them however long the run takes.
        long capture = System.currentTimeMillis() * 1000 - 1_000_000;
        ReportRequest[] requests = new ReportRequest[16];
        for (int r = 0; r < requests.length; r++) {
            ReportRequest.Builder request = ReportRequest.newBuilder();
            for (int i = 0; i < batch; i++) {
                request.addEvents(sampleEvent(capture + r * batch + i));
            }
            requests[r] = request.build();
        }
        return requests;
    }

    /**
     * {events/s, Report p50 µs, p99 µs, events the subscriber received (or -1), missed (or -1)}. Events/s
     * from the first call to the last response (no-op) or to the subscriber's last event, with
     * {@code inFlight} batches in flight: calls not yet answered (no-op), or batches not yet at the
     * subscriber (an end-to-end window, so the subscriber's queue never overflows). Call latency from a
     * separate run of sequential calls.
     */
    private static double[] run(ManagedChannel channel, ReportRequest[] requests, int events, int inFlight,
            Route route, EventHub hub, Relay relay) throws Exception {
        MethodDescriptor<ReportRequest, ReportResponse> method = switch (route) {
            case NO_OP -> NOOP_REPORT;
            case RELAY -> RELAY_REPORT;
            case HUB -> EventHubGrpc.getReportMethod();
        };
        int batch = requests[0].getEventsCount();
        int calls = events / batch;
        long expected = (long) calls * batch;
        AtomicLong received = new AtomicLong();
        AtomicLong missed = new AtomicLong();
        CountDownLatch allReceived = new CountDownLatch(1);
        Semaphore window = new Semaphore(inFlight);
        io.grpc.ClientCall<SubscribeRequest, SubscribeResponse> subscription = null;
        if (route != Route.NO_OP) {
            subscription = channel.newCall(route == Route.HUB ? EventHubGrpc.getSubscribeMethod() : RELAY_SUBSCRIBE,
                    io.grpc.CallOptions.DEFAULT);
            ClientCalls.asyncServerStreamingCall(subscription, SubscribeRequest.getDefaultInstance(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(SubscribeResponse value) {
                            long before = received.get() + missed.get();
                            long n = value.hasMissed() ? missed.addAndGet(value.getMissed().getCount()) + received.get()
                                    : received.incrementAndGet() + missed.get();
                            window.release((int) (n / batch - before / batch));
                            if (n >= expected) {
                                allReceived.countDown();
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            allReceived.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            allReceived.countDown();
                        }
                    });
            while (route == Route.HUB ? hub.liveSubscriptions() == 0 : !relay.hasSubscriber()) {
                Thread.sleep(1);
            }
        }
        CountDownLatch responses = new CountDownLatch(calls);
        long t0 = System.nanoTime();
        for (int c = 0; c < calls; c++) {
            window.acquire();
            ClientCalls.asyncUnaryCall(channel.newCall(method, io.grpc.CallOptions.DEFAULT), requests[c % requests.length],
                    new StreamObserver<>() {
                        @Override
                        public void onNext(ReportResponse value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            System.err.println("virta bench events: a Report failed: " + t);
                            window.release();
                            responses.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            if (route == Route.NO_OP) {
                                window.release();
                            }
                            responses.countDown();
                        }
                    });
        }
        if (!responses.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Reports did not complete within 120 s");
        }
        if (route != Route.NO_OP && !allReceived.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the subscriber did not receive everything within 120 s");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (subscription != null) {
            subscription.cancel("benchmark run done", null);
            while (route == Route.HUB ? hub.subscriptions() > 0 : relay.hasSubscriber()) {
                Thread.sleep(1);
            }
        }
        // Call latency: sequential calls, one at a time, nobody subscribed.
        int sequential = Math.max(50, Math.min(1000, calls / 2));
        long[] latency = new long[sequential];
        for (int c = 0; c < sequential; c++) {
            long s0 = System.nanoTime();
            ClientCalls.blockingUnaryCall(channel, method, io.grpc.CallOptions.DEFAULT, requests[c % requests.length]);
            latency[c] = System.nanoTime() - s0;
        }
        long[] s = sorted(latency);
        boolean streams = route != Route.NO_OP;
        return new double[] {expected / seconds, pct(s, 0.50), pct(s, 0.99), streams ? received.get() : -1,
                streams ? missed.get() : -1};
    }

    private static final MethodDescriptor<ReportRequest, ReportResponse> NOOP_REPORT = EventHubGrpc.getReportMethod()
            .toBuilder().setFullMethodName(MethodDescriptor.generateFullMethodName(NOOP_SERVICE, "Report")).build();
    private static final MethodDescriptor<ReportRequest, ReportResponse> RELAY_REPORT = EventHubGrpc.getReportMethod()
            .toBuilder().setFullMethodName(MethodDescriptor.generateFullMethodName(RELAY_SERVICE, "Report")).build();
    private static final MethodDescriptor<SubscribeRequest, SubscribeResponse> RELAY_SUBSCRIBE = EventHubGrpc
            .getSubscribeMethod().toBuilder().setFullMethodName(MethodDescriptor.generateFullMethodName(RELAY_SERVICE,
                    "Subscribe")).build();

    /** Parses the request (gRPC does) and answers at once: the transport's floor. */
    private static BindableService noOpService() {
        return () -> ServerServiceDefinition.builder(NOOP_SERVICE)
                .addMethod(NOOP_REPORT, ServerCalls.asyncUnaryCall((ReportRequest request,
                        StreamObserver<ReportResponse> response) -> {
                    response.onNext(ReportResponse.newBuilder().setAccepted(request.getEventsCount()).build());
                    response.onCompleted();
                }))
                .build();
    }

    /** The least a hub could do: pass each reported event to the one subscriber, on the reporting thread. */
    private static final class Relay implements BindableService {
        private volatile StreamObserver<SubscribeResponse> subscriber;

        boolean hasSubscriber() {
            return subscriber != null;
        }

        @Override
        public ServerServiceDefinition bindService() {
            return ServerServiceDefinition.builder(RELAY_SERVICE)
                    .addMethod(RELAY_REPORT, ServerCalls.asyncUnaryCall((ReportRequest request,
                            StreamObserver<ReportResponse> response) -> {
                        StreamObserver<SubscribeResponse> out = subscriber;
                        if (out != null) {
                            synchronized (out) {
                                for (Event event : request.getEventsList()) {
                                    out.onNext(SubscribeResponse.newBuilder().setEvent(event).build());
                                }
                            }
                        }
                        response.onNext(ReportResponse.newBuilder().setAccepted(request.getEventsCount()).build());
                        response.onCompleted();
                    }))
                    .addMethod(RELAY_SUBSCRIBE, ServerCalls.asyncServerStreamingCall((SubscribeRequest request,
                            StreamObserver<SubscribeResponse> out) -> {
                        var call = (io.grpc.stub.ServerCallStreamObserver<SubscribeResponse>) out;
                        call.setOnCancelHandler(() -> subscriber = null);
                        subscriber = out;
                    }))
                    .build();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
