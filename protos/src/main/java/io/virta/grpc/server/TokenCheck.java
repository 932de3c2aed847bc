package io.virta.grpc.server;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.virta.grpc.GrpcChannels;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Refuses every call whose {@code authorization} metadata is not {@code Bearer <token>}, with
 * UNAUTHENTICATED and a message that says how to send the token (and never repeats what was sent).
 * Runs on gRPC's transport threads; allocates nothing on the accepted path besides the digest.
 */
final class TokenCheck implements ServerInterceptor {
    static final String MISSING = "this endpoint requires a token: send the metadata 'authorization: Bearer <token>'"
            + " (Virta clients: set VIRTA_TOKEN_FILE to a file holding the token, or VIRTA_TOKEN)";
    static final String WRONG = "the token sent in 'authorization: Bearer ...' is not this endpoint's; check"
            + " VIRTA_TOKEN_FILE or VIRTA_TOKEN against the server's token file";

    private final ServerToken token;
    private final AtomicLong refused = new AtomicLong();

    TokenCheck(ServerToken token) {
        this.token = token;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String authorization = headers.get(GrpcChannels.AUTHORIZATION);
        if (token.matches(authorization)) {
            return next.startCall(call, headers);
        }
        refused.incrementAndGet();
        call.close(Status.UNAUTHENTICATED.withDescription(authorization == null ? MISSING : WRONG), new Metadata());
        return new ServerCall.Listener<>() {
        };
    }

    /** Calls refused so far. */
    long refused() {
        return refused.get();
    }
}
