package io.virta.hub;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.virta.hub.delivery.EventSelector;
import io.virta.hub.delivery.Outbound;
import io.virta.hub.delivery.QueryStream;
import io.virta.hub.delivery.Subscription;
import io.virta.hub.journal.JournalException;
import io.virta.protos.events.v1.Event;
import io.virta.protos.events.v1.EventHubGrpc;
import io.virta.protos.events.v1.QueryRequest;
import io.virta.protos.events.v1.ReportRequest;
import io.virta.protos.events.v1.ReportResponse;
import io.virta.protos.events.v1.SubscribeRequest;
import io.virta.protos.events.v1.SubscribeResponse;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * virta.events.v1.EventHub on gRPC, over an {@link EventHub}. Add it to a server with
 * {@code addService(new EventHubService(hub))}: requests that are not valid protobuf fail with
 * INVALID_ARGUMENT (see {@link StrictParsing}); the server should cap requests at 1 MiB
 * ({@code maxInboundMessageSize}), which makes larger ones fail with RESOURCE_EXHAUSTED.
 */
public final class EventHubService implements EventHubGrpc.AsyncService, BindableService {
    public static final int MAX_EVENTS_PER_REPORT = 1000;
    public static final long DEFAULT_QUERY_LIMIT = 10_000;
    public static final long MAX_QUERY_LIMIT = 1_000_000;

    private static final Logger LOG = Logger.getLogger(EventHubService.class.getName());

    private final EventHub hub;

    public EventHubService(EventHub hub) {
        this.hub = hub;
    }

    @Override
    public ServerServiceDefinition bindService() {
        return StrictParsing.apply(EventHubGrpc.bindService(this));
    }

    @Override
    public void report(ReportRequest request, StreamObserver<ReportResponse> responses) {
        int count = request.getEventsCount();
        if (count == 0 || count > MAX_EVENTS_PER_REPORT) {
            responses.onError(invalid("events: " + count + " events; a Report carries 1.." + MAX_EVENTS_PER_REPORT
                    + (count == 0 ? "" : " (split the batch)")));
            return;
        }
        ReportResponse response;
        try {
            response = hub.report(request.getEventsList());
        } catch (EventHub.HubUnavailableException e) {
            responses.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            responses.onError(unexpected("Report", e));
            return;
        }
        responses.onNext(response);
        responses.onCompleted();
    }

    @Override
    public void subscribe(SubscribeRequest request, StreamObserver<SubscribeResponse> responses) {
        long since = request.getSinceMicros();
        if (since < 0) {
            responses.onError(invalid("since_micros: " + since + " is negative; give 0 for live events only, or a"
                    + " capture time in microseconds since the Unix epoch"));
            return;
        }
        EventSelector selector;
        try {
            selector = EventSelector.of(request.getFilter(), since > 0 ? since : Long.MIN_VALUE, Long.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            responses.onError(invalid(e.getMessage()));
            return;
        }
        ServerCallStreamObserver<SubscribeResponse> call = (ServerCallStreamObserver<SubscribeResponse>) responses;
        Subscription subscription;
        try {
            subscription = hub.subscribe(selector, since, new GrpcOutbound<>(call));
        } catch (EventHub.HubUnavailableException e) {
            responses.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (IllegalStateException e) {
            responses.onError(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).asRuntimeException());
            return;
        }
        call.setOnReadyHandler(subscription::wake);
        call.setOnCancelHandler(subscription::cancel);
        try {
            subscription.start();
        } catch (JournalException e) {
            subscription.cancel();
            responses.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
        } catch (RuntimeException e) {
            subscription.cancel();
            responses.onError(unexpected("Subscribe", e));
        }
    }

    @Override
    public void query(QueryRequest request, StreamObserver<Event> responses) {
        long from = request.getFromMicros();
        long to = request.getToMicros();
        long limit = Integer.toUnsignedLong(request.getLimit());
        String problem = null;
        if (from < 0) {
            problem = "from_micros: " + from + " is negative; give a capture time in microseconds since the Unix epoch"
                    + " (0: from the start)";
        } else if (to < 0) {
            problem = "to_micros: " + to + " is negative; give a capture time in microseconds since the Unix epoch"
                    + " (0: until now)";
        } else if (to != 0 && to <= from) {
            problem = "to_micros: " + to + " is not after from_micros " + from + "; the range is [from, to)";
        } else if (limit > MAX_QUERY_LIMIT) {
            problem = "limit: " + limit + " is more than " + MAX_QUERY_LIMIT + " (0 means " + DEFAULT_QUERY_LIMIT
                    + "); query in pages by capture time";
        }
        EventSelector selector = null;
        if (problem == null) {
            try {
                selector = EventSelector.of(request.getFilter(), from, to == 0 ? Long.MAX_VALUE : to);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            responses.onError(invalid(problem));
            return;
        }
        ServerCallStreamObserver<Event> call = (ServerCallStreamObserver<Event>) responses;
        QueryStream stream;
        try {
            stream = hub.query(selector, limit == 0 ? DEFAULT_QUERY_LIMIT : limit, new GrpcOutbound<>(call));
        } catch (EventHub.HubUnavailableException e) {
            responses.onError(Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            responses.onError(unexpected("Query", e));
            return;
        }
        call.setOnReadyHandler(stream::wake);
        call.setOnCancelHandler(stream::cancel);
        stream.start();
    }

    /** A bug, not the client's fault: logged with its stack, answered INTERNAL with what happened. */
    private static RuntimeException unexpected(String method, RuntimeException e) {
        LOG.log(Level.WARNING, "event hub " + method + ": " + e, e);
        return Status.INTERNAL.withDescription("the event hub failed: " + e).asRuntimeException();
    }

    private static RuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }

    /**
     * A server response stream as the hub's {@link Outbound}. A call can end under a sender (the client
     * cancels between the ready check and the send): that is no error here, the cancel handler cleans up.
     */
    private record GrpcOutbound<T>(ServerCallStreamObserver<T> call) implements Outbound<T> {
        @Override
        public boolean isReady() {
            return call.isReady() && !call.isCancelled();
        }

        @Override
        public void send(T message) {
            try {
                call.onNext(message);
            } catch (RuntimeException callEnded) {
                // see the class comment
            }
        }

        @Override
        public void complete() {
            try {
                call.onCompleted();
            } catch (RuntimeException callEnded) {
                // see the class comment
            }
        }

        @Override
        public void fail(String reason) {
            try {
                call.onError(Status.UNAVAILABLE.withDescription(reason).asRuntimeException());
            } catch (RuntimeException callEnded) {
                // see the class comment
            }
        }
    }
}
