package io.virta.worker.attach;

import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.bus.ChannelType;
import io.virta.protos.control.v1.ChannelDescriptor;
import io.virta.protos.control.v1.GetChannelsRequest;
import io.virta.protos.control.v1.GetChannelsResponse;
import io.virta.protos.control.v1.ProducerControlGrpc;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Finds a camera's bus channel through the producer's control API (GetChannels), so that a worker
 * attaches by camera name. Each lookup opens its own short-lived gRPC connection: lookups are rare
 * (start-up, and after the channel's writer went away), and an idle worker holds no connection.
 */
public final class ProducerChannels {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);
    private static final long RETRY_MILLIS = 250;

    private final GrpcTarget control;
    private final Duration callTimeout;

    public ProducerChannels(GrpcTarget control) {
        this(control, CALL_TIMEOUT);
    }

    /** {@code callTimeout} bounds each GetChannels call (default 3 s), e.g. to keep a frame loop responsive. */
    public ProducerChannels(GrpcTarget control, Duration callTimeout) {
        this.control = control;
        this.callTimeout = callTimeout;
    }

    public GrpcTarget control() {
        return control;
    }

    /**
     * The descriptor of {@code camera}'s channel of {@code type}. A camera that has no channels yet (its
     * first session has not started) is asked again until {@code wait} has passed.
     *
     * @throws AttachException naming the address and the remedy when the producer cannot be reached, the
     *                         camera is unknown, or it publishes no channel of that type
     */
    public ChannelDescriptor find(String camera, ChannelType type, Duration wait) {
        long giveUp = System.nanoTime() + wait.toNanos();
        ManagedChannel channel = GrpcChannels.open(control);
        try {
            var stub = ProducerControlGrpc.newBlockingStub(channel);
            while (true) {
                GetChannelsResponse response;
                try {
                    response = stub.withDeadlineAfter(callTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            .getChannels(GetChannelsRequest.newBuilder().setCamera(camera).build());
                } catch (StatusRuntimeException e) {
                    throw failure(camera, e);
                }
                List<ChannelDescriptor> channels = response.getChannelsList();
                if (!channels.isEmpty()) {
                    return choose(camera, type, channels);
                }
                if (System.nanoTime() - giveUp >= 0) {
                    throw new AttachException("camera '" + camera + "' has no channels yet after " + wait.toSeconds()
                            + " s (producer at " + control + "): a camera publishes its channels once its first"
                            + " session has started; check that it is online (the producer's status lines or"
                            + " GetStream) and try again");
                }
                sleep(RETRY_MILLIS);
            }
        } finally {
            channel.shutdownNow();
        }
    }

    private ChannelDescriptor choose(String camera, ChannelType type, List<ChannelDescriptor> channels) {
        io.virta.protos.control.v1.ChannelType wanted = switch (type) {
            case RGB24 -> io.virta.protos.control.v1.ChannelType.CHANNEL_TYPE_RGB24;
            case YUV420P -> io.virta.protos.control.v1.ChannelType.CHANNEL_TYPE_YUV420P;
            case ENCODED -> io.virta.protos.control.v1.ChannelType.CHANNEL_TYPE_ENCODED;
            default -> throw new AttachException("a camera publishes RGB24, YUV420P and ENCODED channels, not "
                    + type + ": choose one of those");
        };
        for (ChannelDescriptor d : channels) {
            if (d.getType() == wanted) {
                return d;
            }
        }
        String have = channels.stream().map(d -> d.getName() + " (" + busType(d) + ")")
                .collect(Collectors.joining(", "));
        throw new AttachException("camera '" + camera + "' publishes no " + type + " channel (it has: " + have
                + "): enable it in the camera's configuration, or attach to one of those");
    }

    /** The bus type of a descriptor, for messages. */
    public static String busType(ChannelDescriptor d) {
        return switch (d.getType()) {
            case CHANNEL_TYPE_RGB24 -> "RGB24";
            case CHANNEL_TYPE_YUV420P -> "YUV420P";
            case CHANNEL_TYPE_ENCODED -> "ENCODED";
            default -> d.getType().name();
        };
    }

    private AttachException failure(String camera, StatusRuntimeException e) {
        Status status = e.getStatus();
        return switch (status.getCode()) {
            case NOT_FOUND -> new AttachException("camera '" + camera + "' is not known to the producer at "
                    + control + " (" + status.getDescription() + "): check the name against the producer's"
                    + " configuration (cameras: name), or add the camera", e);
            case UNAVAILABLE, DEADLINE_EXCEEDED -> new AttachException("cannot reach the producer's control API at "
                    + control + " (" + status.getCode() + (status.getDescription() == null ? "" : ": "
                    + status.getDescription()) + "): start the producer (virta producer --config FILE), point"
                    + " --control at its control.listen address, or pass --channel NAME to attach to a bus channel"
                    + " directly", e);
            case INVALID_ARGUMENT -> new AttachException("the producer at " + control + " refused camera name '"
                    + camera + "': " + status.getDescription(), e);
            default -> new AttachException("GetChannels for camera '" + camera + "' at " + control + " failed: "
                    + status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription()), e);
        };
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttachException("interrupted while waiting for the camera's channels", e);
        }
    }
}
