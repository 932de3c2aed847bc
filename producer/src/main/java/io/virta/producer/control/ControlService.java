package io.virta.producer.control;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.virta.producer.config.CameraConfig;
import io.virta.producer.config.ConfigException;
import io.virta.producer.config.ProducerConfig;
import io.virta.producer.config.RtpOutSettings;
import io.virta.producer.config.ShmBudget;
import io.virta.producer.daemon.CameraExistsException;
import io.virta.producer.status.CameraStatus;
import io.virta.producer.daemon.Producer;
import io.virta.producer.ingest.CameraPipeline.PublishedChannel;
import io.virta.producer.supervise.WorkerStatus;
import io.virta.protos.control.v1.GetChannelsRequest;
import io.virta.protos.control.v1.GetChannelsResponse;
import io.virta.protos.control.v1.GetStreamRequest;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.ListStreamsResponse;
import io.virta.protos.control.v1.ListWorkersRequest;
import io.virta.protos.control.v1.ListWorkersResponse;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.RemoveStreamRequest;
import io.virta.protos.control.v1.RemoveStreamResponse;
import io.virta.protos.control.v1.StartStreamRequest;
import io.virta.protos.control.v1.StopStreamRequest;
import io.virta.protos.control.v1.StreamConfig;
import io.virta.protos.control.v1.StreamStatus;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code virta.control.v1.ProducerControl} over a {@link Producer}. Every error is a gRPC status
 * whose message starts with the call and the field ({@code "AddStream: rgb.width: ..."}), so a
 * client can show it as it is.
 */
public final class ControlService extends ProducerControlGrpc.ProducerControlImplBase {
    private static final Logger LOG = Logger.getLogger(ControlService.class.getName());
    /** Longest text field accepted before validation, so that no error message echoes a huge value. */
    private static final int MAX_NAME_CHARS = 256;
    private static final int MAX_URL_CHARS = 4096;
    private static final int MAX_CREDENTIAL_CHARS = 1024;
    /** Status messages travel in an HTTP/2 trailer, which clients cap at 8 KiB by default. */
    private static final int MAX_MESSAGE_CHARS = 1024;

    private final Producer producer;

    public ControlService(Producer producer) {
        this.producer = producer;
    }

    @Override
    public void listStreams(ListStreamsRequest request, StreamObserver<ListStreamsResponse> response) {
        ListStreamsResponse.Builder out = ListStreamsResponse.newBuilder();
        for (CameraStatus status : producer.statuses()) {
            out.addStreams(ControlMessages.status(status));
        }
        reply(response, out.build());
    }

    @Override
    public void getStream(GetStreamRequest request, StreamObserver<StreamStatus> response) {
        try {
            reply(response, ControlMessages.status(existing("GetStream", "name", request.getName())));
        } catch (Failure f) {
            f.send(response);
        }
    }

    @Override
    public void addStream(StreamConfig request, StreamObserver<StreamStatus> response) {
        try {
            checkLength("AddStream", "name", request.getName(), MAX_NAME_CHARS);
            checkLength("AddStream", "url", request.getUrl(), MAX_URL_CHARS);
            checkLength("AddStream", "user", request.getUser(), MAX_CREDENTIAL_CHARS);
            checkLength("AddStream", "password", request.getPassword(), MAX_CREDENTIAL_CHARS);
            Map<String, Object> settings = ControlMessages.settings(request);
            refuseIf(AddStreamRules.refusalBeforeParsing(settings));
            RtpOutSettings rtpOut = producer.config().rtpOut();
            CameraConfig config;
            try {
                config = ProducerConfig.camera(settings, "AddStream", rtpOut, producer.config().recording());
            } catch (ConfigException e) {
                throw new Failure(Status.INVALID_ARGUMENT, e.getMessage());
            }
            refuseIf(AddStreamRules.refusalAfterParsing(config, rtpOut));
            checkShm(config);
            try {
                producer.add(config);
            } catch (CameraExistsException e) {
                throw new Failure(Status.ALREADY_EXISTS, "AddStream: name: " + e.getMessage());
            } catch (IllegalStateException e) {
                throw new Failure(Status.UNAVAILABLE, "AddStream: " + e.getMessage());
            }
            LOG.info(() -> "control: added " + config);
            reply(response, ControlMessages.status(existing("AddStream", "name", config.name())));
        } catch (Failure f) {
            f.send(response);
        }
    }

    /** Refuses a camera whose channels do not fit in /dev/shm, before any of them exists. */
    private void checkShm(CameraConfig added) throws Failure {
        List<CameraConfig> running = producer.statuses().stream()
                .filter(s -> s.state() != CameraStatus.State.STOPPED).map(CameraStatus::config).toList();
        try {
            ShmBudget.checkAdded(added, running, ShmBudget.Space.of(ShmBudget.SHM), "AddStream");
        } catch (ConfigException e) {
            throw new Failure(Status.RESOURCE_EXHAUSTED, e.getMessage());
        } catch (java.io.IOException e) {
            throw new Failure(Status.FAILED_PRECONDITION, "AddStream: cannot tell how much of " + ShmBudget.SHM
                    + " is free: " + e.getMessage());
        }
    }

    @Override
    public void removeStream(RemoveStreamRequest request, StreamObserver<RemoveStreamResponse> response) {
        try {
            String name = required("RemoveStream", "name", request.getName());
            if (!producer.remove(name)) {
                throw notFound("RemoveStream", "name", name);
            }
            LOG.info(() -> "control: removed camera " + name);
            reply(response, RemoveStreamResponse.getDefaultInstance());
        } catch (Failure f) {
            f.send(response);
        }
    }

    @Override
    public void startStream(StartStreamRequest request, StreamObserver<StreamStatus> response) {
        try {
            String name = required("StartStream", "name", request.getName());
            boolean known;
            try {
                known = producer.start(name);
            } catch (IllegalStateException e) {
                throw new Failure(Status.UNAVAILABLE, "StartStream: " + e.getMessage());
            }
            if (!known) {
                throw notFound("StartStream", "name", name);
            }
            reply(response, ControlMessages.status(existing("StartStream", "name", name)));
        } catch (Failure f) {
            f.send(response);
        }
    }

    @Override
    public void stopStream(StopStreamRequest request, StreamObserver<StreamStatus> response) {
        try {
            String name = required("StopStream", "name", request.getName());
            if (!producer.stop(name)) {
                throw notFound("StopStream", "name", name);
            }
            reply(response, ControlMessages.status(existing("StopStream", "name", name)));
        } catch (Failure f) {
            f.send(response);
        }
    }

    @Override
    public void listWorkers(ListWorkersRequest request, StreamObserver<ListWorkersResponse> response) {
        ListWorkersResponse.Builder out = ListWorkersResponse.newBuilder();
        for (WorkerStatus worker : producer.workerStatuses()) {
            out.addWorkers(ControlMessages.worker(worker));
        }
        reply(response, out.build());
    }

    @Override
    public void getChannels(GetChannelsRequest request, StreamObserver<GetChannelsResponse> response) {
        try {
            CameraStatus status = existing("GetChannels", "camera", request.getCamera());
            List<PublishedChannel> channels = producer.channels(status.name());
            if (channels == null) {
                throw notFound("GetChannels", "camera", status.name()); // removed in between
            }
            GetChannelsResponse.Builder out = GetChannelsResponse.newBuilder();
            for (PublishedChannel channel : channels) {
                out.addChannels(ControlMessages.channel(channel, status.codec()));
            }
            reply(response, out.build());
        } catch (Failure f) {
            f.send(response);
        }
    }

    private CameraStatus existing(String call, String field, String name) throws Failure {
        required(call, field, name);
        CameraStatus status = producer.status(name);
        if (status == null) {
            throw notFound(call, field, name);
        }
        return status;
    }

    private static String required(String call, String field, String value) throws Failure {
        if (value.isBlank()) {
            throw new Failure(Status.INVALID_ARGUMENT, call + ": " + field + ": is required");
        }
        checkLength(call, field, value, MAX_NAME_CHARS);
        return value;
    }

    private static void refuseIf(Optional<String> refusal) throws Failure {
        if (refusal.isPresent()) {
            throw new Failure(Status.INVALID_ARGUMENT, refusal.get());
        }
    }

    private static void checkLength(String call, String field, String value, int max) throws Failure {
        if (value.length() > max) {
            throw new Failure(Status.INVALID_ARGUMENT, call + ": " + field + ": " + value.length()
                    + " characters is too long; at most " + max);
        }
    }

    private static Failure notFound(String call, String field, String name) {
        return new Failure(Status.NOT_FOUND, call + ": " + field + ": no camera '" + name
                + "'; ListStreams shows the cameras there are");
    }

    private static <T> void reply(StreamObserver<T> response, T message) {
        response.onNext(message);
        response.onCompleted();
    }

    /** A call that ends in an error status; thrown inside a handler, sent at its end. */
    private static final class Failure extends Exception {
        private final transient Status status;

        Failure(Status status, String message) {
            super(message, null, false, false);
            String text = message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
            this.status = status.withDescription(text);
        }

        void send(StreamObserver<?> response) {
            response.onError(status.asRuntimeException());
        }
    }
}
