package io.virta.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.virta.bus.PixelFormat;
import io.virta.grpc.GrpcChannels;
import io.virta.grpc.GrpcTarget;
import io.virta.protos.control.v1.Codec;
import io.virta.protos.control.v1.ListStreamsRequest;
import io.virta.protos.control.v1.ProducerControlGrpc;
import io.virta.protos.control.v1.StreamStatus;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The cameras a producer has and the codec of each one's encoded channel, from its control API's
 * ListStreams: what the standalone recorder asks every few seconds, to follow AddStream and RemoveStream.
 * Token and TLS come from the environment as for every client ({@code VIRTA_TOKEN},
 * {@code VIRTA_TOKEN_FILE}, {@code VIRTA_CA_FILE}; {@link io.virta.grpc.ClientSecurity}).
 *
 * <p>One gRPC channel, opened once and reconnected by gRPC itself; each call has a deadline. Not
 * thread-safe: one poller calls it. Close it when done.
 *
 * <pre>{@code
 * try (ProducerStreams producer = new ProducerStreams(GrpcTarget.parse("127.0.0.1:50051", "--control"))) {
 *     ProducerStreams.Answer answer = producer.list();   // Cameras or Unreachable
 * }
 * }</pre>
 */
final class ProducerStreams implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    /** What a ListStreams call brought. */
    sealed interface Answer {
    }

    /**
     * The producer's cameras by name: the codec of each one's encoded channel, or empty while the camera
     * has not yet had a session that told it (its channel does not exist yet).
     */
    record Cameras(Map<String, Optional<PixelFormat>> codecs) implements Answer {
    }

    /**
     * No answer: the producer is down or not yet up, or refused the call.
     *
     * @param refused true when it answered but refused (token, permissions): waiting alone will not help
     */
    record Unreachable(String why, boolean refused) implements Answer {
    }

    private final GrpcTarget control;
    private final ManagedChannel channel;

    ProducerStreams(GrpcTarget control) {
        this.control = control;
        this.channel = GrpcChannels.open(control);
    }

    GrpcTarget control() {
        return control;
    }

    Answer list() {
        try {
            var response = ProducerControlGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .listStreams(ListStreamsRequest.getDefaultInstance());
            Map<String, Optional<PixelFormat>> codecs = new TreeMap<>();
            for (StreamStatus stream : response.getStreamsList()) {
                codecs.put(stream.getName(), codec(stream.getCodec()));
            }
            return new Cameras(codecs);
        } catch (StatusRuntimeException e) {
            Status status = e.getStatus();
            String detail = status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
            return switch (status.getCode()) {
                case UNAUTHENTICATED, PERMISSION_DENIED -> new Unreachable("the producer's control API at " + control
                        + " refused the recorder (" + detail + "): set VIRTA_TOKEN_FILE (or VIRTA_TOKEN) to its"
                        + " token, and VIRTA_CA_FILE to its CA when it uses TLS (docs/security.md)", true);
                default -> new Unreachable("cannot reach the producer's control API at " + control + " (" + detail
                        + "): start the producer, or point --control at its control.listen address", false);
            };
        }
    }

    private static Optional<PixelFormat> codec(Codec codec) {
        return switch (codec) {
            case CODEC_H264 -> Optional.of(PixelFormat.H264);
            case CODEC_H265 -> Optional.of(PixelFormat.H265);
            default -> Optional.empty();
        };
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
