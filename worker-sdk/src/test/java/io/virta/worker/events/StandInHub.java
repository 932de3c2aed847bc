package io.virta.worker.events;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.Rejection;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in peer for the reporter's transport behaviour: a real gRPC server speaking the EventHub
 * contract (virta/events/v1/events.proto) on a real socket, that records what it receives. It journals
 * nothing; the real hub (io.virta.hub, in the producer module) is exercised end to end in the producer's
 * tests. Events of a type starting with "bad" are refused one by one, as the real hub refuses invalid ones.
 */
final class StandInHub implements AutoCloseable {
    private final Server server;
    private final List<Event> received = new ArrayList<>();
    private final List<Integer> batchSizes = new ArrayList<>();
    private volatile CountDownLatch gate;

    private StandInHub(int port) throws IOException {
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new EventHubGrpc.EventHubImplBase() {
                    @Override
                    public void report(ReportRequest request, StreamObserver<ReportResponse> response) {
                        awaitGate();
                        ReportResponse.Builder out = ReportResponse.newBuilder();
                        synchronized (StandInHub.this) {
                            batchSizes.add(request.getEventsCount());
                            for (int i = 0; i < request.getEventsCount(); i++) {
                                Event e = request.getEvents(i);
                                if (e.getType().startsWith("bad")) {
                                    out.addRejections(Rejection.newBuilder().setIndex(i)
                                            .setReason("type: '" + e.getType() + "' is not accepted here"));
                                } else {
                                    received.add(e);
                                    out.addIds(received.size());
                                }
                            }
                            out.setAccepted(out.getIdsCount());
                            StandInHub.this.notifyAll();
                        }
                        response.onNext(out.build());
                        response.onCompleted();
                    }
                })
                .build()
                .start();
    }

    /** A hub on a free port. */
    static StandInHub start() throws IOException {
        return new StandInHub(0);
    }

    /** A hub on {@code port}, e.g. the port of one that was stopped (a restart). */
    static StandInHub startOn(int port) throws IOException {
        return new StandInHub(port);
    }

    int port() {
        return ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
    }

    String target() {
        return "127.0.0.1:" + port();
    }

    /** Holds every Report call until {@link #open()}. */
    void hold() {
        gate = new CountDownLatch(1);
    }

    void open() {
        CountDownLatch g = gate;
        if (g != null) {
            g.countDown();
        }
    }

    private void awaitGate() {
        CountDownLatch g = gate;
        if (g != null) {
            try {
                g.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    synchronized List<Event> received() {
        return List.copyOf(received);
    }

    synchronized List<Integer> batchSizes() {
        return List.copyOf(batchSizes);
    }

    /** Waits until {@code count} events have arrived; returns them. */
    synchronized List<Event> awaitEvents(int count, long timeoutMillis) throws InterruptedException {
        long giveUp = System.currentTimeMillis() + timeoutMillis;
        while (received.size() < count && System.currentTimeMillis() < giveUp) {
            wait(Math.max(1, giveUp - System.currentTimeMillis()));
        }
        return List.copyOf(received);
    }

    @Override
    public void close() {
        open();
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
